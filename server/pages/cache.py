"""Rendered pages kept until the data under them changes or time moves past what they show."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime


class ViewCache:
    """Each entry is keyed by the database version it was rendered from, so any committed write
    of this process makes it unreachable, and expires at the first instant its content would
    change on its own (a hand-off, midnight). Pages read far more often than data changes:
    the app opens on Today every time a phone wakes it."""

    def __init__(self, limit: int = 5_000, max_chars: int = 40_000_000) -> None:
        # The bottom bar's six pages are kept too (pages/kept.py), 5–25 kB each: the size is
        # bounded as well as the count, so a company of a few hundred stays well under 100 MB.
        self.limit = limit
        self.max_chars = max_chars
        self._chars = 0
        self._entries: dict[Hashable, tuple[str, datetime]] = {}

    def get(self, key: Hashable, now: datetime) -> str | None:
        hit = self._entries.get(key)
        if hit is None:
            return None
        if now >= hit[1]:
            del self._entries[key]
            self._chars -= len(hit[0])
            return None
        return hit[0]

    def put(self, key: Hashable, html: str, valid_until: datetime) -> None:
        if len(self._entries) >= self.limit or self._chars + len(html) > self.max_chars:
            self._entries.clear()
            self._chars = 0
        old = self._entries.get(key)
        if old is not None:
            self._chars -= len(old[0])
        self._entries[key] = (html, valid_until)
        self._chars += len(html)
