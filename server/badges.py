"""The counts in the navigation (unread notifications, open alerts, swaps to approve), each
registered by its domain, so the shared HTML layer (server/web.py) imports no domain store.
A count that can change with no write (a request expiring) registers when it next changes too,
so a kept page (server/page_cache.py) is not served past it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

# (the database, the person asking, now) -> the count shown.
Counter = Callable[[Any, Any, datetime], int]
# (the database, the person asking, now) -> the next instant the count changes with no write.
ChangesAt = Callable[[Any, Any, datetime], datetime | None]

_COUNTERS: dict[str, Counter] = {}
_CHANGES: dict[str, ChangesAt] = {}


def register_badge(name: str, count: Counter, changes_at: ChangesAt | None = None) -> None:
    """A second registration of a name replaces the first, so wiring twice is harmless."""
    _COUNTERS[name] = count
    if changes_at is None:
        _CHANGES.pop(name, None)
    else:
        _CHANGES[name] = changes_at


def badge_count(name: str, database: Any, user: Any, now: datetime) -> int:
    """The registered count, or 0 when no domain counts `name` (a page shows no badge)."""
    count = _COUNTERS.get(name)
    return count(database, user, now) if count is not None else 0


def badges_change_at(database: Any, user: Any, now: datetime) -> datetime | None:
    """The first instant one of the person's counts changes with no write; None if none does."""
    changes = [c(database, user, now) for c in _CHANGES.values()]
    return min((c for c in changes if c is not None), default=None)
