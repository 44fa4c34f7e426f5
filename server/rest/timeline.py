"""A person's timeline from what the app knows, and the weekly template as typed: pure
functions, no database.

Regular work comes from a weekly template of local time ranges, skipped on days off (leave,
sick days, public holidays) and cut where the person declared rest; on-call shifts are
`oncall` periods; interventions are `intervention` periods widened by their travel time.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from server.errors import InvalidInput
from server.i18n import N_
from server.i18n import gettext as _
from server.models import Value
from server.rest.models import PatternForm, Period
from server.rest.rules import merge_intervals

Interval = tuple[datetime, datetime]
WEEKDAY_FIELDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2})[:h](\d{2})\s*[-–à]\s*(\d{1,2})[:h](\d{2})\s*$")


class PatternRange(Value, kw_only=True):
    """One range of the weekly template: weekday 0 is Monday, minutes from local midnight."""

    weekday: int
    start_minute: int
    end_minute: int


class InterventionSpan(Value, kw_only=True):
    started_at: datetime
    ended_at: datetime
    travel_minutes: int = 0


# The weekly template as typed -----------------------------------------------------------------


def _minutes(hours: str, minutes: str) -> int | None:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m):
        return None
    return h * 60 + m


def parse_day(text: str) -> list[tuple[int, int]]:
    """Ranges of one day, sorted; ValueError with a message a person understands."""
    ranges: list[tuple[int, int]] = []
    for piece in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        match = _RANGE.match(piece)
        start = _minutes(*match.group(1, 2)) if match else None
        end = _minutes(*match.group(3, 4)) if match else None
        if start is None or end is None or start == 1440:
            raise ValueError(_("“%(range)s” is not a range like 08:30-12:00.", range=piece))
        if end <= start:
            raise ValueError(_("“%(range)s” ends before it starts.", range=piece))
        ranges.append((start, end))
    ranges.sort()
    for (_s1, end1), (start2, _e2) in pairwise(ranges):
        if start2 < end1:
            raise ValueError(_("Two ranges overlap."))
    return ranges


def parse_pattern(form: PatternForm) -> list[PatternRange]:
    names = (
        N_("Monday"),
        N_("Tuesday"),
        N_("Wednesday"),
        N_("Thursday"),
        N_("Friday"),
        N_("Saturday"),
        N_("Sunday"),
    )
    pattern: list[PatternRange] = []
    for weekday, field in enumerate(WEEKDAY_FIELDS):
        try:
            ranges = parse_day(getattr(form, field))
        except ValueError as error:
            raise InvalidInput(f"{_(names[weekday])} : {error}", field=field) from None
        pattern += [PatternRange(weekday=weekday, start_minute=s, end_minute=e) for s, e in ranges]
    return pattern


def format_day(ranges: list[PatternRange], weekday: int) -> str:
    return ", ".join(
        f"{_hhmm(r.start_minute)}-{_hhmm(r.end_minute)}" for r in ranges if r.weekday == weekday
    )


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# The timeline ---------------------------------------------------------------------------------


def pattern_work(
    ranges: Iterable[PatternRange],
    zone: ZoneInfo,
    first_day: date,
    last_day: date,
    days_off: Collection[date] = (),
) -> list[Interval]:
    """The template's ranges on each civil day from first_day to last_day, as UTC instants.

    A range is local wall-clock time, so 08:00–17:00 stays 08:00–17:00 across a daylight-saving
    change (the night around it is the one that gets shorter or longer)."""
    by_weekday: dict[int, list[tuple[timedelta, timedelta]]] = {}
    for item in ranges:
        by_weekday.setdefault(item.weekday, []).append(
            (timedelta(minutes=item.start_minute), timedelta(minutes=item.end_minute))
        )
    offset = zone.utcoffset
    intervals: list[Interval] = []
    day = first_day
    while day <= last_day:
        if day not in days_off:
            midnight = datetime(day.year, day.month, day.day)
            utc_midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
            for start_after, end_after in by_weekday.get(day.weekday(), ()):
                # rotation.localize(), unrolled (a year of days for each person of a team): the
                # wall time less the zone's offset then, the first one when the clock repeats.
                start = utc_midnight + (start_after - offset(midnight + start_after))
                end = utc_midnight + (end_after - offset(midnight + end_after))
                if end > start:  # a range inside a daylight-saving gap vanishes
                    intervals.append((start, end))
        day += timedelta(days=1)
    return intervals


def subtract(intervals: Iterable[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """The parts of `intervals` outside every hole (half-open intervals)."""
    cuts = merge_intervals(holes)
    pieces: list[Interval] = []
    for start, end in sorted(intervals):
        for hole_start, hole_end in cuts:
            if hole_end <= start or hole_start >= end:
                continue
            if hole_start > start:
                pieces.append((start, hole_start))
            start = max(start, hole_end)
            if start >= end:
                break
        if start < end:
            pieces.append((start, end))
    return pieces


def intervention_interval(span: InterventionSpan) -> Interval:
    """Work time of an intervention: travel is working time (L3121-4 read with L3121-9), half
    of it before the start (going there) and half after the end (coming back)."""
    if not span.travel_minutes:  # most of them: no time to split
        return (span.started_at, span.ended_at)
    going = timedelta(minutes=span.travel_minutes // 2)
    coming = timedelta(minutes=span.travel_minutes - span.travel_minutes // 2)
    return (span.started_at - going, span.ended_at + coming)


def build_timeline(
    *,
    regular_work: Sequence[Interval],
    declared_rest: Sequence[Interval],
    oncall: Sequence[Interval],
    interventions: Sequence[InterventionSpan],
    since: datetime,
    until: datetime,
) -> list[Period]:
    """The periods of [since, until), in UTC; what lies past `until` has not happened yet.

    Declared rest removes regular work only: an intervention in the middle of a declared night
    still happened and still counts."""
    work = subtract(regular_work, declared_rest)
    periods: list[Period] = []
    for kind, intervals in (
        ("work", work),
        ("oncall", oncall),
        ("intervention", [intervention_interval(span) for span in interventions]),
    ):
        for start, end in intervals:
            start, end = max(start, since), min(end, until)
            if end > start:
                periods.append(
                    Period(kind=kind, start=start.astimezone(UTC), end=end.astimezone(UTC))
                )
    periods.sort(key=lambda p: (p.start, p.end, p.kind))
    return periods
