"""Notifications in SQL: created inside the transaction of the change they tell about."""

from __future__ import annotations

from datetime import datetime

import msgspec

from server.clock import from_db, to_db
from server.db import Database
from server.notifications.deliveries import enqueue
from server.notifications.models import Notification, Urgency


def notify(
    database: Database,
    user_id: int,
    kind: str,
    params: dict,
    *,
    now: datetime,
    url: str = "/",
    urgency: Urgency = "normal",
    deliver: bool = True,
) -> int:
    """Store a notification; all but alerts (which follow the person's channel rules) are
    pushed to the person's devices at once (unless `deliver` is off: the caller queues)."""
    notification_id = database.insert(
        "notifications",
        {
            "user_id": user_id,
            "kind": kind,
            "params": msgspec.json.encode(params).decode(),
            "url": url,
            "urgency": urgency,
            "created_at": to_db(now),
            "read_at": None,
        },
    )
    if deliver and kind != "alert":
        enqueue(database, notification_id, user_id, now=now, channels=PUSH_ONLY, immediate=True)
    return notification_id


PUSH_ONLY = frozenset({"push"})


def _notification(row: dict) -> Notification:
    return Notification(
        id=row["id"],
        user_id=row["user_id"],
        kind=row["kind"],
        params=msgspec.json.decode(row["params"]),
        url=row["url"],
        urgency=row["urgency"],
        created_at=from_db(row["created_at"]),
        read_at=from_db(row["read_at"]) if row["read_at"] else None,
    )


def notifications_for(database: Database, user_id: int, limit: int = 50) -> list[Notification]:
    rows = database.query(
        "SELECT * FROM notifications WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
        (user_id, limit),
    )
    return [_notification(row) for row in rows]


def unread_count(database: Database, user_id: int) -> int:
    return database.scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL", (user_id,)
    )


def mark_all_read(database: Database, user_id: int, now: datetime) -> None:
    with database.write():
        database.execute(
            "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
            (to_db(now), user_id),
        )
