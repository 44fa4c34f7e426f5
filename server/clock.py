"""The app's notion of now: injected everywhere so tests move time instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """What tells the time; a plain base class (not a Protocol) so checking a value against it
    is a cheap isinstance, which Litestar does on every request that asks for the clock."""

    def now(self) -> datetime:
        raise NotImplementedError


class SystemClock(Clock):
    """Wall-clock time in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock(Clock):
    """A clock that only moves when told to (tests, simulations)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment.astimezone(UTC)


def to_db(moment: datetime) -> str:
    """UTC text that sorts in time order, the one format stored in the database."""
    # What strftime("%Y-%m-%dT%H:%M:%SZ") gives, a third faster: a synced item formats four.
    return moment.astimezone(UTC).isoformat(timespec="seconds")[:19] + "Z"


def from_db(text: str) -> datetime:
    # fromisoformat is some fifty times faster than strptime, and pages parse hundreds.
    return datetime.fromisoformat(text)
