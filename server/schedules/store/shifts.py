"""Shifts in SQL: reading them, and each write a shift's life takes (generated, published,
answered, reassigned, overridden, withdrawn). Decisions are the services' (workflow, changes,
rotations); every write here runs inside their transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from server.clock import from_db, to_db
from server.db import Database
from server.errors import NotFound
from server.i18n import gettext as _
from server.schedules.models import MAX_SHIFT_DAYS, Layer, PlannedShift, Shift

_SHIFT_SELECT = (
    "SELECT s.*, u.name AS user_name, u.phone AS user_phone, u.email AS user_email FROM shifts s "
    "JOIN users u ON u.id = s.user_id "
)


def _opt(value: str | None) -> datetime | None:
    return from_db(value) if value else None


def shift_from_row(row: dict) -> Shift:
    return Shift(
        id=row["id"],
        team_id=row["team_id"],
        rotation_id=row["rotation_id"],
        kind=row["kind"],
        layer=row["layer"],
        user_id=row["user_id"],
        user_name=row["user_name"],
        user_phone=row["user_phone"] or "",
        user_email=row["user_email"] or "",
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
        status=row["status"],
        published_at=_opt(row["published_at"]),
        exceptional_reason=row["exceptional_reason"],
        answered_at=_opt(row["answered_at"]),
        decline_reason=row["decline_reason"],
        edited=bool(row["edited"]),
        version=row["version"],
    )


# Reading ------------------------------------------------------------------------------------


def get_shift(database: Database, shift_id: int) -> Shift:
    row = database.one(_SHIFT_SELECT + "WHERE s.id = ?", (shift_id,))
    if row is None:
        raise NotFound(_("This shift does not exist."))
    return shift_from_row(row)


def list_shifts(
    database: Database,
    *,
    team_ids: Sequence[int] | None = None,
    user_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: Sequence[str] | None = None,
    layer: Layer | None = None,
    limit: int | None = None,
) -> list[Shift]:
    clauses, params = [], []
    if team_ids is not None:
        clauses.append(f"s.team_id IN ({','.join('?' * len(team_ids)) or 'NULL'})")
        params += list(team_ids)
    if user_id is not None:
        clauses.append("s.user_id = ?")
        params.append(user_id)
    if start is not None:
        clauses.append("s.ends_at > ? AND s.starts_at >= ?")
        params += [to_db(start), to_db(start - timedelta(days=MAX_SHIFT_DAYS))]
    if end is not None:
        clauses.append("s.starts_at < ?")
        params.append(to_db(end))
    if statuses is not None:
        clauses.append(f"s.status IN ({','.join('?' * len(statuses)) or 'NULL'})")
        params += list(statuses)
    if layer is not None:
        clauses.append("s.layer = ?")
        params.append(layer)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    order = " ORDER BY s.starts_at, s.layer, s.id" + (f" LIMIT {int(limit)}" if limit else "")
    rows = database.query(_SHIFT_SELECT + where + order, params)
    return [shift_from_row(row) for row in rows]


def rotation_shifts(database: Database, rotation_id: int, after: datetime) -> list[Shift]:
    """A rotation's shifts that end after an instant, whatever their status."""
    rows = database.query(
        _SHIFT_SELECT + "WHERE s.rotation_id = ? AND s.ends_at > ? ORDER BY s.starts_at",
        (rotation_id, to_db(after)),
    )
    return [shift_from_row(row) for row in rows]


def told_regular_elsewhere(
    database: Database,
    team_id: int,
    layer: Layer,
    rotation_id: int,
    start: datetime,
    end: datetime,
) -> list[Shift]:
    """The regular shifts people were told of on a level, over a stretch, that did not come
    from `rotation_id` (another rotation's, or none's)."""
    rows = database.query(
        _SHIFT_SELECT + "WHERE s.team_id = ? AND s.layer = ? AND s.kind = 'regular' "
        "AND s.status IN ('published', 'accepted', 'declined') "
        "AND (s.rotation_id IS NULL OR s.rotation_id != ?) AND s.ends_at > ? "
        "AND s.starts_at < ?",
        (team_id, layer, rotation_id, to_db(start), to_db(end)),
    )
    return [shift_from_row(row) for row in rows]


def last_shift_start(database: Database, team_id: int) -> datetime | None:
    """When the team's last shift (draft or told) starts: how far its schedule reaches."""
    value = database.scalar("SELECT MAX(starts_at) FROM shifts WHERE team_id = ?", (team_id,))
    return from_db(value) if value else None


def count_unanswered(database: Database, user_id: int, now: datetime) -> int:
    """Published shifts of a person, not over yet, that wait for their answer."""
    return database.scalar(
        "SELECT COUNT(*) FROM shifts WHERE user_id = ? AND status = 'published' AND ends_at > ?",
        (user_id, to_db(now)),
    )


def next_change(database: Database, team_id: int, now: datetime) -> datetime | None:
    """The next instant a told shift of the team starts or ends: who is on call changes then."""
    stamp = to_db(now)
    value = database.scalar(
        "SELECT MIN(CASE WHEN starts_at > ? THEN starts_at ELSE ends_at END) FROM shifts "
        "WHERE team_id = ? AND ends_at > ? AND status IN ('published', 'accepted', 'declined')",
        (stamp, team_id, stamp),
    )
    return from_db(value) if value else None


# Writing ------------------------------------------------------------------------------------


def insert_planned(
    database: Database,
    team_id: int,
    rotation_id: int | None,
    layer: Layer,
    planned: Sequence[PlannedShift],
    now: datetime,
) -> None:
    """Drafts of a rotation's plan."""
    stamp = to_db(now)
    database.conn.executemany(
        "INSERT INTO shifts (team_id, rotation_id, kind, layer, user_id, starts_at, ends_at, "
        "status, created_at, updated_at) VALUES (?, ?, 'regular', ?, ?, ?, ?, 'draft', ?, ?)",
        [
            (
                team_id,
                rotation_id,
                layer,
                p.user_id,
                to_db(p.starts_at),
                to_db(p.ends_at),
                stamp,
                stamp,
            )
            for p in planned
        ],
    )


def delete_shifts(database: Database, shift_ids: Iterable[int]) -> None:
    for shift_id in shift_ids:
        database.execute("DELETE FROM shifts WHERE id = ?", (shift_id,))


def delete_future_drafts(database: Database, rotation_id: int, now: datetime) -> None:
    """A rotation's drafts nobody touched that have not started."""
    database.execute(
        "DELETE FROM shifts WHERE rotation_id = ? AND status = 'draft' AND edited = 0 "
        "AND starts_at >= ?",
        (rotation_id, to_db(now)),
    )


def mark_published(database: Database, shift_id: int, reason: str | None, now: datetime) -> None:
    """A draft published now (the proof of notice), with the reason for a shorter notice."""
    stamp = to_db(now)
    database.execute(
        "UPDATE shifts SET status = 'published', published_at = ?, exceptional_reason = ?, "
        "version = version + 1, updated_at = ? WHERE id = ? AND status = 'draft'",
        (stamp, reason, stamp, shift_id),
    )


def mark_accepted(database: Database, shift_id: int, now: datetime) -> None:
    database.execute(
        "UPDATE shifts SET status = 'accepted', answered_at = ?, decline_reason = NULL, "
        "version = version + 1, updated_at = ? WHERE id = ?",
        (to_db(now), to_db(now), shift_id),
    )


def mark_declined(database: Database, shift_id: int, reason: str, now: datetime) -> None:
    database.execute(
        "UPDATE shifts SET status = 'declined', answered_at = ?, decline_reason = ?, "
        "version = version + 1, updated_at = ? WHERE id = ?",
        (to_db(now), reason, to_db(now), shift_id),
    )


def reassign_told(
    database: Database,
    shift_id: int,
    version: int,
    user_id: int,
    reason: str | None,
    now: datetime,
) -> None:
    """A told shift given to someone else: published to them anew, their answer awaited."""
    database.execute(
        "UPDATE shifts SET user_id = ?, status = 'published', published_at = ?, "
        "exceptional_reason = ?, answered_at = NULL, decline_reason = NULL, edited = 1, "
        "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
        (user_id, to_db(now), reason, to_db(now), shift_id, version),
    )


def reassign_draft(
    database: Database, shift_id: int, version: int, user_id: int, now: datetime
) -> None:
    """A draft given to someone else: edited, so the rotation's generation leaves it alone."""
    database.execute(
        "UPDATE shifts SET user_id = ?, edited = 1, version = version + 1, updated_at = ? "
        "WHERE id = ? AND version = ?",
        (user_id, to_db(now), shift_id, version),
    )


def insert_override(
    database: Database,
    team_id: int,
    *,
    user_id: int,
    layer: Layer,
    starts_at: datetime,
    ends_at: datetime,
    reason: str | None,
    now: datetime,
) -> int:
    """An override, published at once."""
    return database.insert(
        "shifts",
        {
            "team_id": team_id,
            "rotation_id": None,
            "kind": "override",
            "layer": layer,
            "user_id": user_id,
            "starts_at": to_db(starts_at),
            "ends_at": to_db(ends_at),
            "status": "published",
            "published_at": to_db(now),
            "exceptional_reason": reason,
            "edited": 1,
            "created_at": to_db(now),
            "updated_at": to_db(now),
        },
    )
