"""A month cut into stretches of one local date and one side of the night, from the wall clock.

Every instant's category comes from the local wall clock in the policy's zone (PAY.md, 4), so
the month is walked instant by instant in whole seconds: a stretch ends where the wall clock
reaches midnight, night_start or night_end, or where the zone's offset changes (the clocks
jump, and the wall clock with them). Durations are then real elapsed time by construction: the
night the clocks go back is an hour longer, a skipped hour does not exist, and a boundary the
clocks skip (02:30 on the night they go forward) takes effect at the jump, the first instant
whose wall clock reads at or after it. A boundary inside the hour shown twice is crossed twice.
"""

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from server.statements.models import DayKind

DAY = 86_400
MAY_1 = (5, 1)


class Stretch(NamedTuple):
    """[start, end) in seconds since the epoch, all on one local date and one side of night."""

    start: int
    end: int
    day: date
    kind: DayKind
    night: bool
    may_1: bool


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous computus, as in Meeus' Astronomical Algorithms)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=256)
def public_holidays(calendar: str, year: int) -> frozenset[date]:
    """PAY.md's list for "FR" or "FR-alsace-moselle", exactly: the `holidays` package leaves
    out Whit Monday in 2005–2007 (the solidarity day), which PAY.md keeps every year."""
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1),
        easter + timedelta(days=1),  # Easter Monday
        date(year, 5, 1),
        date(year, 5, 8),
        easter + timedelta(days=39),  # Ascension
        easter + timedelta(days=50),  # Whit Monday
        date(year, 7, 14),
        date(year, 8, 15),
        date(year, 11, 1),
        date(year, 11, 11),
        date(year, 12, 25),
    }
    if calendar == "FR-alsace-moselle":
        days |= {easter - timedelta(days=2), date(year, 12, 26)}  # Good Friday, St Stephen
    return frozenset(days)


def day_kind(day: date, holidays: frozenset[date]) -> DayKind:
    """Holiday (1 May always), else Sunday, else Saturday, else weekday."""
    if day in holidays or (day.month, day.day) == MAY_1:
        return "holiday"
    return ("weekday", "weekday", "weekday", "weekday", "weekday", "saturday", "sunday")[
        day.weekday()
    ]


def is_night(second_of_day: int, night_start: int, night_end: int) -> bool:
    """[night_start, night_end) in seconds of the local day, wrapping midnight; equal: never."""
    if night_start < night_end:
        return night_start <= second_of_day < night_end
    if night_start > night_end:
        return second_of_day >= night_start or second_of_day < night_end
    return False


def _epoch(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(seconds=1)


def _offset(zone: ZoneInfo, second: int) -> timedelta | None:
    return datetime.fromtimestamp(second, zone).utcoffset()


@lru_cache(maxsize=64)
def month_stretches(
    timezone: str,
    holidays: frozenset[date],
    night_start_minute: int,
    night_end_minute: int,
    year: int,
    month: int,
) -> tuple[Stretch, ...]:
    """The stretches of every instant whose local date lies in the month, in order.

    `holidays` are the explicit dates (1 May is added by day_kind). Cached: every person of a
    team shares the same month.
    """
    zone = ZoneInfo(timezone)
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    # A day's margin either side: the walk keeps only the instants dated in the month, which
    # also holds for a zone whose clocks go back across midnight.
    second = _epoch(datetime.combine(first - timedelta(days=1), datetime.min.time(), zone))
    stop = _epoch(datetime.combine(following + timedelta(days=1), datetime.min.time(), zone))
    night_start, night_end = night_start_minute * 60, night_end_minute * 60
    marks = sorted({night_start, night_end, DAY} - {0})
    found: list[Stretch] = []
    while second < stop:
        local = datetime.fromtimestamp(second, zone)
        of_day = local.hour * 3600 + local.minute * 60 + local.second
        end = second + next(mark for mark in marks if mark > of_day) - of_day
        offset = local.utcoffset()
        if _offset(zone, end - 1) != offset:
            # The clocks change before the wall clock reaches the mark: end at the change.
            low, high = second, end - 1  # offset(low) == offset, offset(high) != offset
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if _offset(zone, middle) == offset else (low, middle)
            end = high
        day = local.date()
        if first <= day < following:
            found.append(
                Stretch(
                    second,
                    end,
                    day,
                    day_kind(day, holidays),
                    is_night(of_day, night_start, night_end),
                    (day.month, day.day) == MAY_1,
                )
            )
        second = end
    return tuple(found)
