"""The counts in the navigation (unread notifications, open alerts, swaps to approve), each
registered by its domain, so the shared HTML layer (server/web.py) imports no domain store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

# (the database, the person asking, now) -> the count shown.
Counter = Callable[[Any, Any, datetime], int]

_COUNTERS: dict[str, Counter] = {}


def register_badge(name: str, count: Counter) -> None:
    """A second registration of a name replaces the first, so wiring twice is harmless."""
    _COUNTERS[name] = count


def badge_count(name: str, database: Any, user: Any, now: datetime) -> int:
    """The registered count, or 0 when no domain counts `name` (a page shows no badge)."""
    count = _COUNTERS.get(name)
    return count(database, user, now) if count is not None else 0
