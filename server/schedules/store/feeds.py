"""Calendar feeds in SQL: only the SHA-256 of each address's token is stored."""

from __future__ import annotations

from datetime import datetime

from server.clock import to_db
from server.db import Database


def active_feeds(database: Database, user_id: int) -> dict[int | None, str]:
    """The person's active feeds and when each was made: None for their own shifts, a team id
    for a team's."""
    rows = database.query(
        "SELECT team_id, created_at FROM calendar_feeds WHERE user_id = ? AND revoked_at IS NULL",
        (user_id,),
    )
    return {row["team_id"]: row["created_at"] for row in rows}


def active_feed_hashes(database: Database, user_id: int) -> dict[str, int | None]:
    """The token hash of each of the person's active feeds, and the team it is for."""
    return {
        row["token_hash"]: row["team_id"]
        for row in database.query(
            "SELECT team_id, token_hash FROM calendar_feeds "
            "WHERE user_id = ? AND revoked_at IS NULL",
            (user_id,),
        )
    }


def replace_feed(
    database: Database, user_id: int, team_id: int | None, token_hash: str, now: datetime
) -> None:
    """The person's feed (of their own shifts, or of a team's) revoked and a new one made."""
    database.execute(
        "UPDATE calendar_feeds SET revoked_at = ? WHERE user_id = ? AND team_id IS ? "
        "AND revoked_at IS NULL",
        (to_db(now), user_id, team_id),
    )
    database.insert(
        "calendar_feeds",
        {
            "user_id": user_id,
            "team_id": team_id,
            "token_hash": token_hash,
            "created_at": to_db(now),
        },
    )


def feed_owner_row(database: Database, token_hash: str) -> dict | None:
    """Whose active feed this is (an active person; for a team's feed, still in the team),
    with the zone and name its calendar shows."""
    return database.one(
        "SELECT f.user_id, f.team_id, t.name AS team_name, t.timezone AS team_timezone, "
        "u.timezone AS user_timezone FROM calendar_feeds f JOIN users u ON u.id = f.user_id "
        "LEFT JOIN teams t ON t.id = f.team_id "
        "WHERE f.token_hash = ? AND f.revoked_at IS NULL AND u.active = 1 "
        "AND (f.team_id IS NULL OR EXISTS (SELECT 1 FROM memberships m "
        "WHERE m.team_id = f.team_id AND m.user_id = f.user_id))",
        (token_hash,),
    )
