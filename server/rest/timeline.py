"""A person's timeline from what the app knows: pure functions, no database.

Regular work comes from a weekly template of local time ranges, skipped on days off (leave,
sick days, public holidays) and cut where the person declared rest; on-call shifts are
`oncall` periods; interventions are `intervention` periods widened by their travel time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.models import Value
from server.rest.models import Period
from server.rest.rules import merge_intervals
from server.schedules.rotation import localize

Interval = tuple[datetime, datetime]


class PatternRange(Value, kw_only=True):
    """One range of the weekly template: weekday 0 is Monday, minutes from local midnight."""

    weekday: int
    start_minute: int
    end_minute: int


class InterventionSpan(Value, kw_only=True):
    started_at: datetime
    ended_at: datetime
    travel_minutes: int = 0


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
    by_weekday: dict[int, list[PatternRange]] = {}
    for item in ranges:
        by_weekday.setdefault(item.weekday, []).append(item)
    intervals: list[Interval] = []
    day = first_day
    while day <= last_day:
        if day not in days_off:
            midnight = datetime(day.year, day.month, day.day)
            for item in by_weekday.get(day.weekday(), ()):
                start = localize(midnight + timedelta(minutes=item.start_minute), zone)
                end = localize(midnight + timedelta(minutes=item.end_minute), zone)
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
