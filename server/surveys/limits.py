"""The public survey page's rate limit: requests per client address in a sliding window, kept
in memory (like the login limit's rule, server/auth/rules.py, without its table: a flood of
guesses should cost the database nothing). A restart forgets it, which only helps clients."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from server.auth.rules import retry_after_seconds

# A client opens the page, answers, maybe reloads: a handful. A guesser gets 30 tries per
# 10 minutes against 2^144 links.
REQUESTS = 30
WINDOW = timedelta(minutes=10)
# Addresses remembered at most (the oldest forgotten first): bounded memory under a flood.
ADDRESSES = 10_000


class SurveyLimiter:
    def __init__(self, requests: int = REQUESTS, window: timedelta = WINDOW) -> None:
        self.requests = requests
        self.window = window
        self._seen: OrderedDict[str, list[datetime]] = OrderedDict()

    def wait_seconds(self, address: str, now: datetime) -> int | None:
        """Counts this request; the seconds to wait when the address is over its limit."""
        recent = [at for at in self._seen.pop(address, []) if now - at < self.window]
        wait = retry_after_seconds(recent, limit=self.requests, window=self.window, now=now)
        if wait is None:
            recent.append(now)
        self._seen[address] = recent
        while len(self._seen) > ADDRESSES:
            self._seen.popitem(last=False)
        return wait
