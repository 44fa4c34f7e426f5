"""All of the schedules package's SQL, by topic (shifts, rotations, feeds, reminders); the
names other packages read are exported here."""

from server.schedules.store.rotations import get_rotation, list_rotations
from server.schedules.store.shifts import (
    count_unanswered,
    get_shift,
    insert_planned,
    last_shift_start,
    list_shifts,
    next_change,
)

__all__ = [
    "count_unanswered",
    "get_rotation",
    "get_shift",
    "insert_planned",
    "last_shift_start",
    "list_rotations",
    "list_shifts",
    "next_change",
]
