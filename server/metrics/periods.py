"""Pure rules of the periods figures are read over: a calendar month, a calendar quarter, or
the 12 calendar months ending with a month, in the team's time zone; each has the period just
before it for comparison. An API caller may also ask for any run of days (custom)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from server.models import Value

PeriodKind = Literal["month", "quarter", "year", "custom"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "year")
# An API caller's custom run of days is bounded so one request cannot scan years.
MAX_CUSTOM_DAYS = 400


class Period(Value, kw_only=True):
    kind: PeriodKind
    first: date  # first civil day, in the team's zone
    last: date  # last civil day, included

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def key(self) -> str:
        """What the address says: 2026-11 (month, quarter or year ending that month) or the
        first day for a custom run."""
        if self.kind == "custom":
            return self.first.isoformat()
        return f"{self.last.year:04d}-{self.last.month:02d}"


def _month_start(year: int, month: int) -> date:
    index = year * 12 + month - 1
    return date(index // 12, index % 12 + 1, 1)


def _months(first_year: int, first_month: int, count: int) -> tuple[date, date]:
    first = _month_start(first_year, first_month)
    after = _month_start(first_year, first_month + count)
    return first, after - timedelta(days=1)


def period_of(kind: PeriodKind, month: date) -> Period:
    """The period of `kind` that holds the month of `month` (the quarter it is in; the 12
    months ending with it)."""
    if kind == "month":
        first, last = _months(month.year, month.month, 1)
    elif kind == "quarter":
        first, last = _months(month.year, (month.month - 1) // 3 * 3 + 1, 3)
    elif kind == "year":
        first, last = _months(month.year, month.month - 11, 12)
    else:
        raise ValueError(f"no calendar period of kind {kind}")
    return Period(kind=kind, first=first, last=last)


def custom_period(first: date, last: date) -> Period:
    if last < first:
        raise ValueError("the period ends before it starts")
    if (last - first).days + 1 > MAX_CUSTOM_DAYS:
        raise ValueError(f"a period is at most {MAX_CUSTOM_DAYS} days")
    return Period(kind="custom", first=first, last=last)


def previous(period: Period) -> Period:
    """The period just before: the month, quarter or 12 months before; for a custom run, the
    same number of days before it."""
    if period.kind == "custom":
        length = timedelta(days=period.days)
        return Period(kind="custom", first=period.first - length, last=period.last - length)
    before = period.first - timedelta(days=1)
    return period_of(period.kind, before)


def bounds(period: Period, zone: str) -> tuple[datetime, datetime]:
    """The period's instants in UTC, [start, end), from local midnights (a day of a clock
    change has 23 or 25 hours)."""
    tz = ZoneInfo(zone)
    start = datetime.combine(period.first, time(), tz).astimezone(UTC)
    end = datetime.combine(period.last + timedelta(days=1), time(), tz).astimezone(UTC)
    return start, end


def clipped(period: Period, zone: str, now: datetime) -> tuple[datetime, datetime]:
    """The bounds, the end no later than now: the month under way counts so far."""
    start, end = bounds(period, zone)
    return start, max(start, min(end, now))


def is_under_way(period: Period, zone: str, now: datetime) -> bool:
    start, end = bounds(period, zone)
    return start <= now < end
