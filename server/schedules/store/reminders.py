"""Shift reminders in SQL: the shifts about to start and the reminders already sent."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from server.clock import to_db
from server.db import Database


def reminder_candidates(database: Database, now: datetime, until: datetime) -> list[dict]:
    """Told shifts of active people starting in (now, until], with the person's reminder
    offsets ("1440,60") and those already sent for the shift ("60" or None)."""
    return database.query(
        "SELECT s.id, s.user_id, s.starts_at, u.reminder_minutes, t.name AS team, "
        "(SELECT group_concat(offset_minutes) FROM shift_reminders r WHERE r.shift_id = s.id) "
        "AS sent FROM shifts s JOIN users u ON u.id = s.user_id JOIN teams t ON t.id = s.team_id "
        "WHERE s.status IN ('published', 'accepted') AND s.starts_at > ? AND s.starts_at <= ? "
        "AND u.active = 1 "
        # Someone else's override holding the start means this person is not on call then.
        "AND NOT EXISTS (SELECT 1 FROM shifts o WHERE o.team_id = s.team_id AND o.layer = s.layer "
        "AND o.kind = 'override' AND o.user_id != s.user_id "
        "AND o.status IN ('published', 'accepted', 'declined') "
        "AND o.starts_at <= s.starts_at AND o.ends_at > s.starts_at)",
        (to_db(now), to_db(until)),
    )


def mark_sent(database: Database, shift_id: int, offsets: Iterable[int], now: datetime) -> None:
    for offset in offsets:
        database.execute(
            "INSERT OR IGNORE INTO shift_reminders (shift_id, offset_minutes, sent_at) "
            "VALUES (?, ?, ?)",
            (shift_id, offset, to_db(now)),
        )
