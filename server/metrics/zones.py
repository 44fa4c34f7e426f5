"""Pure rules for reading UTC instants in a local zone inside SQL: the offsets a zone had over
a span, as (from, to, minutes) rows a query joins on, so hour-of-week and night figures are
counted by the database, exactly across clock changes, without a Python loop over rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from server.clock import to_db

# Zone rules change offset at most a few times a year; probing every 6 hours finds each change
# (none are closer together), and bisection then finds the second.
_PROBE = timedelta(hours=6)


def _offset_minutes(zone: ZoneInfo, moment: datetime) -> int:
    offset = moment.astimezone(zone).utcoffset() or timedelta()
    return int(offset.total_seconds() // 60)


def _change_between(zone: ZoneInfo, left: datetime, right: datetime) -> datetime:
    """The first instant after `left` with `right`'s offset (offsets differ at the two ends)."""
    target = _offset_minutes(zone, right)
    while right - left > timedelta(seconds=1):
        middle = left + (right - left) / 2
        if _offset_minutes(zone, middle) == target:
            right = middle
        else:
            left = middle
    return right.replace(microsecond=0)


def offsets(zone: str, start: datetime, end: datetime) -> list[tuple[str, str, int]]:
    """The zone's UTC offsets over [start, end): rows (from, to, minutes), the instants in the
    database's text format, covering the span without gaps."""
    tz = ZoneInfo(zone)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    rows: list[tuple[datetime, datetime, int]] = []
    left, minutes = start, _offset_minutes(tz, start)
    probe = start
    while probe < end:
        step = min(end, probe + _PROBE)
        if _offset_minutes(tz, step) != minutes:
            change = _change_between(tz, probe, step)
            rows.append((left, change, minutes))
            left, minutes = change, _offset_minutes(tz, change)
        probe = step
    rows.append((left, end, minutes))
    return [(to_db(a), to_db(b), m) for a, b, m in rows if a < b]
