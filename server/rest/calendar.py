"""Instants as integer microseconds, and the civil days and weeks of a time zone."""

import itertools
from bisect import bisect_right
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo

# Integer microseconds keep sums and limit comparisons exact (10 h is not 10 h + 1e-9).
HOUR = 3_600_000_000
DAY = 24 * HOUR
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
_EPOCH_ORDINAL = EPOCH.toordinal()


def to_micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime."""
    return (moment - EPOCH) // MICROSECOND


def from_micros(micros: int, zone: tzinfo) -> datetime:
    """The instant `micros` written in `zone`."""
    return (EPOCH + timedelta(microseconds=micros)).astimezone(zone)


def _midnight(ordinal: int, zone: tzinfo) -> int:
    """The instant a civil day (a proleptic Gregorian ordinal) begins in `zone`."""
    # A midnight that falls in a daylight-saving gap resolves (fold=0) to the
    # offset before the jump, which gives the instant the clocks jump: when that
    # civil day really begins. Asking the zone for the offset of a naive midnight
    # is three times faster than building an aware datetime.
    offset = zone.utcoffset(datetime.fromordinal(ordinal))
    assert offset is not None  # a ZoneInfo always has one
    return (ordinal - _EPOCH_ORDINAL) * DAY - offset // MICROSECOND


def hours_to_micros(hours: float) -> int:
    return round(hours * HOUR)


class CivilCalendar:
    """The civil days of whole weeks (Monday first) covering the instants first..last.

    Day i runs from midnights[i] to midnights[i + 1]: real elapsed time, so a
    daylight-saving day is 23 h or 25 h long. Day i lies in week i // 7.
    """

    def __init__(self, zone: tzinfo, first: int, last: int) -> None:
        first_day = from_micros(first, zone).date()
        monday = first_day.toordinal() - first_day.weekday()
        weeks = (from_micros(last, zone).toordinal() - monday) // 7 + 1
        self._first_ordinal = monday
        self.days = 7 * weeks
        # Asking the zone for every midnight was a good part of the engine's time:
        # ask it for each Monday, and for the days of a week only when that week
        # is not 168 h long (zones change their offset at most once in a week).
        mondays = [_midnight(monday + 7 * week, zone) for week in range(weeks + 1)]
        self.midnights = midnights = []
        for week, (start, end) in enumerate(itertools.pairwise(mondays)):
            if end - start == 7 * DAY:
                midnights.extend(range(start, end, DAY))
            else:
                days = range(monday + 7 * week, monday + 7 * week + 7)
                midnights.extend(_midnight(day, zone) for day in days)
        midnights.append(mondays[-1])

    def day_of(self, instant: int) -> int:
        """Index of the civil day holding `instant`."""
        return bisect_right(self.midnights, instant) - 1

    def week_of(self, instant: int) -> int:
        return self.day_of(instant) // 7

    def week_bounds(self, week: int) -> tuple[int, int]:
        return self.midnights[7 * week], self.midnights[7 * week + 7]

    def date(self, day: int) -> date:
        return date.fromordinal(self._first_ordinal + day)

    def monday(self, week: int) -> date:
        return self.date(7 * week)

    def micros_by_day(self, intervals: Iterable[tuple[int, int]]) -> list[int]:
        """Length of the disjoint `intervals` falling in each civil day."""
        totals = [0] * self.days
        midnights = self.midnights
        for start, end in intervals:
            day = bisect_right(midnights, start) - 1
            while end > midnights[day + 1]:
                totals[day] += midnights[day + 1] - start
                start = midnights[day + 1]
                day += 1
            totals[day] += end - start
        return totals

    def hours_by_date(self, by_day: list[int]) -> dict[str, float]:
        """{"YYYY-MM-DD": hours} of the days with a non-zero total."""
        first, fromordinal = self._first_ordinal, date.fromordinal
        return {
            fromordinal(first + day).isoformat(): micros / HOUR
            for day, micros in enumerate(by_day)
            if micros
        }

    def micros_by_week(self, by_day: list[int]) -> list[int]:
        return [sum(by_day[i : i + 7]) for i in range(0, len(by_day), 7)]
