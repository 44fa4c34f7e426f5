"""The shift writes of an approved request, in SQL: a shift handed over whole, shortened, or a
piece cut from it. Each runs inside the caller's transaction and is conditional on the version
the caller read, so a shift edited meanwhile is never overwritten.

They write the schedules' tables: a request's change is one transaction with its own audit
entries, which the schedules' publishing writes do not fit."""

from __future__ import annotations

from datetime import datetime

from server.clock import to_db
from server.db import Database
from server.schedules.models import Shift


def give_shift(database: Database, shift: Shift, user_id: int, now: datetime) -> bool:
    """The whole shift to `user_id`, accepted; False when it changed since it was read."""
    stamp = to_db(now)
    done = database.execute(
        "UPDATE shifts SET user_id = ?, status = 'accepted', answered_at = ?, "
        "decline_reason = NULL, edited = 1, version = version + 1, updated_at = ? "
        "WHERE id = ? AND version = ?",
        (user_id, stamp, stamp, shift.id, shift.version),
    ).rowcount
    return done == 1


def move_shift(
    database: Database, shift: Shift, start: datetime, end: datetime, now: datetime
) -> bool:
    """The shift now runs from `start` to `end`; False when it changed since it was read."""
    done = database.execute(
        "UPDATE shifts SET starts_at = ?, ends_at = ?, edited = 1, version = version + 1, "
        "updated_at = ? WHERE id = ? AND version = ?",
        (to_db(start), to_db(end), to_db(now), shift.id, shift.version),
    ).rowcount
    return done == 1


def forget_reminders(database: Database, shift_id: int) -> None:
    """Reminders already sent for a shift whose person or start changed: the new ones go."""
    database.execute("DELETE FROM shift_reminders WHERE shift_id = ?", (shift_id,))


def insert_shift(database: Database, row: dict) -> int:
    return database.insert("shifts", row)


def shift_exists(database: Database, shift_id: int) -> bool:
    return database.one("SELECT id FROM shifts WHERE id = ?", (shift_id,)) is not None
