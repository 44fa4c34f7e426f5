"""The demo's own SQL: what seeding does that no page does (passwords given without an
invitation, shifts published and answered as if weeks had passed)."""

from __future__ import annotations

from datetime import datetime

from server.clock import to_db
from server.db import Database


def any_user(database: Database) -> bool:
    """Whether anyone exists yet (an empty database gets the demo outside production)."""
    return bool(database.scalar("SELECT COUNT(*) FROM users"))


def give_password(database: Database, user_id: int, password_hash: str) -> None:
    """The demo's shared password, hashed once for everyone (argon2 is slow on purpose)."""
    database.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))


def publish_told(database: Database, team_id: int, *, told_at: str, before: str) -> None:
    """The team's shifts starting before `before` published, as told at `told_at` (stored
    times, as the schedule's seeding computes them)."""
    database.execute(
        "UPDATE shifts SET status = 'published', published_at = ? "
        "WHERE team_id = ? AND starts_at < ?",
        (told_at, team_id, before),
    )


def published_shifts(database: Database, team_id: int) -> list[dict]:
    """id, user_id and starts_at (stored text) of the team's published shifts, in order."""
    return database.query(
        "SELECT id, user_id, starts_at FROM shifts WHERE team_id = ? AND status = 'published' "
        "ORDER BY starts_at",
        (team_id,),
    )


def decline(database: Database, shift_id: int, *, told_at: str, reason: str) -> None:
    database.execute(
        "UPDATE shifts SET status = 'declined', answered_at = ?, decline_reason = ? WHERE id = ?",
        (told_at, reason, shift_id),
    )


def accept(database: Database, shift_id: int, *, told_at: str) -> None:
    database.execute(
        "UPDATE shifts SET status = 'accepted', answered_at = ? WHERE id = ?", (told_at, shift_id)
    )


def publish_draft(
    database: Database, shift_id: int, *, answered: bool, told_at: str, now: datetime
) -> None:
    """A draft published as told at `told_at`, accepted then too unless its person is slow to
    answer; a draft published meanwhile is left alone."""
    database.execute(
        "UPDATE shifts SET status = ?, published_at = ?, answered_at = ?, "
        "version = version + 1, updated_at = ? WHERE id = ? AND status = 'draft'",
        (
            "accepted" if answered else "published",
            told_at,
            told_at if answered else None,
            to_db(now),
            shift_id,
        ),
    )
