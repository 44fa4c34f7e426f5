"""When people's apps last reached the server, for the manager's month's warning."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from server.clock import from_db
from server.db import Database

# What the manager's month warns about -------------------------------------------------------


def last_contacts(database: Database, user_ids: Iterable[int]) -> dict[int, datetime]:
    """When each person's app last reached the server (a session's last use, written every
    five minutes, or a synced operation): the app replays its outbox on every open, so a
    contact after the month's end means its interventions have arrived."""
    ids = list(user_ids)
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = database.query(
        f"SELECT user_id, MAX(at) AS at FROM ("
        f"  SELECT user_id, last_seen_at AS at FROM sessions WHERE user_id IN ({marks})"
        f"  UNION ALL"
        f"  SELECT user_id, applied_at AS at FROM sync_operations WHERE user_id IN ({marks})"
        f") GROUP BY user_id",
        [*ids, *ids],
    )
    return {row["user_id"]: from_db(row["at"]) for row in rows if row["at"]}
