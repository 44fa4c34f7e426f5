"""Reminders before a shift starts (default 24 h and 1 h, per person), sent once each."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from server.clock import from_db
from server.db import Database
from server.notifications.store import notify
from server.schedules.store.reminders import mark_sent, reminder_candidates

# Nobody asks to be reminded more than a week ahead.
MAX_OFFSET_MINUTES = 7 * 24 * 60


def parse_offsets(text: str) -> tuple[int, ...]:
    """'1440,60' -> (1440, 60); empty means no reminder."""
    values = sorted({int(part) for part in text.split(",") if part.strip()}, reverse=True)
    if any(not 0 < value <= MAX_OFFSET_MINUTES for value in values):
        raise ValueError("reminders are between 1 minute and 7 days before")
    return tuple(values)


def due_offsets(
    starts_at: datetime, offsets: Iterable[int], sent: set[int], now: datetime
) -> tuple[int | None, list[int]]:
    """(the reminder to send now, every offset to mark as done).

    When several reminders are due at once (a shift published an hour before it starts),
    only the closest one is sent: two reminders a second apart help nobody."""
    if starts_at <= now:
        return None, []
    due = [o for o in offsets if starts_at - timedelta(minutes=o) <= now and o not in sent]
    if not due:
        return None, []
    return min(due), due


def send_shift_reminders(database: Database, now: datetime) -> int:
    rows = reminder_candidates(database, now, now + timedelta(minutes=MAX_OFFSET_MINUTES))
    sent_count = 0
    with database.write():
        for row in rows:
            try:
                offsets = parse_offsets(row["reminder_minutes"])
            except ValueError:
                offsets = (1440, 60)
            sent = {int(v) for v in (row["sent"] or "").split(",") if v}
            starts_at = from_db(row["starts_at"])
            send, mark = due_offsets(starts_at, offsets, sent, now)
            if send is None:
                continue
            mark_sent(database, row["id"], mark, now)
            notify(
                database,
                row["user_id"],
                "shift_reminder",
                {"start": starts_at.isoformat(), "team": row["team"], "minutes": send},
                now=now,
                url="/",
            )
            sent_count += 1
    return sent_count
