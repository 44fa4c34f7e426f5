"""The rest-law engine: pure functions from a policy and a timeline to a report."""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import NamedTuple, TypeVar

from server.rest.calendar import (
    DAY,
    EPOCH,
    HOUR,
    MICROSECOND,
    CivilCalendar,
    from_micros,
    hours_to_micros,
)
from server.rest.models import (
    WORK_KINDS,
    Interruption,
    Period,
    RestPolicy,
    RestReport,
    Violation,
)

# How LAW.md is read where it leaves room (the tests pin each point down):
# * daily_rest checks the start of every `work` period, even one starting as other
#   work ends: LAW's example 2 returns at 17:00 + 11 h, not at 17:00.
# * Each intervention that begins a stretch of work time after a rest shorter than the
#   daily one is an interruption, owing the rest from its own end, as LAW.md words it: the
#   piece of a split record that starts the instant the first ends interrupts no rest, so a
#   split intervention moves rest_due_until (earliest_return still counts all the work).
#   Two interventions starting at the same instant after such a rest are both reported.
# * An empty timeline has no earliest return (None); one without work time may
#   resume work at the end of its last period.
# * The weeks of the average end with the week holding the last period's end: a period
#   ending at Monday 00:00 adds that (empty) week, as LAW.md's words say.

# Stands for the unbounded ends of the rest before the first and after the last work.
_UNBOUNDED = 1 << 80

T = TypeVar("T", int, datetime)


def merge_intervals(intervals: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """Union of half-open intervals, sorted; touching ones merge, as no rest lies between."""
    merged: list[tuple[T, T]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def merge_work_intervals(periods: Iterable[Period]) -> list[tuple[datetime, datetime]]:
    """Work time of a timeline, in UTC: the union of its work and intervention periods."""
    return merge_intervals(
        (p.start.astimezone(UTC), p.end.astimezone(UTC)) for p in periods if p.kind in WORK_KINDS
    )


def rest_gaps(work: Sequence[tuple[T, T]]) -> list[tuple[T | None, T | None]]:
    """The rest gaps around merged work time, in order; None marks an unbounded end."""
    starts: list[T | None] = [None, *(end for _, end in work)]
    ends: list[T | None] = [*(start for start, _ in work), None]
    return list(zip(starts, ends, strict=True))


class _Gaps(NamedTuple):
    """Rest gaps as two sorted lists of microseconds, ready for bisection."""

    starts: list[int]
    ends: list[int]

    @classmethod
    def around(cls, work: Sequence[tuple[int, int]]) -> "_Gaps":
        return cls([-_UNBOUNDED, *(end for _, end in work)], [*(s for s, _ in work), _UNBOUNDED])

    def longest_before(self, instant: int) -> int:
        """Longest part of one gap lying in the 24 h before `instant`."""
        window = instant - DAY
        starts, ends = self.starts, self.ends
        longest = 0
        # Gaps are sorted and disjoint: start at the first one ending inside the window.
        for i in range(bisect_right(ends, window), len(starts)):
            start, end = starts[i], ends[i]
            if start >= instant:
                break
            rest = (end if end < instant else instant) - (start if start > window else window)
            longest = rest if rest > longest else longest
        return longest


class _Timeline(NamedTuple):
    """A timeline in microseconds: the facts every rule reads."""

    spans: list[tuple[int, int, str]]
    work: list[tuple[int, int]]
    gaps: _Gaps
    first: int
    last: int

    @classmethod
    def of(cls, periods: Iterable[Period]) -> "_Timeline":
        # to_micros, inlined: converting the instants is most of the engine's time.
        spans = [
            ((p.start - EPOCH) // MICROSECOND, (p.end - EPOCH) // MICROSECOND, p.kind)
            for p in periods
        ]
        spans.sort()
        work = merge_intervals((start, end) for start, end, kind in spans if kind in WORK_KINDS)
        last = max(end for _, end, _ in spans)
        return cls(spans, work, _Gaps.around(work), spans[0][0], last)


def earliest_return(policy: RestPolicy, periods: Sequence[Period]) -> datetime | None:
    """When a person may start work again after this timeline; None for an empty one."""
    if not periods:
        return None
    timeline = _Timeline.of(periods)
    return from_micros(
        _earliest_return(timeline, hours_to_micros(policy.daily_rest_hours)), policy.zone
    )


def _earliest_return(timeline: _Timeline, daily_rest: int) -> int:
    # As a return time t moves later, each gap that closed before the timeline's end
    # loses ground in the 24 h before t, while the open gap after the last work
    # only grows. So either a gap is long enough already at the end of the
    # timeline, or the open gap is the one that gets there, daily_rest after the
    # last work (daily_rest <= 24 h, so it then fits in the window).
    if not timeline.work or timeline.gaps.longest_before(timeline.last) >= daily_rest:
        return timeline.last
    return timeline.work[-1][1] + daily_rest


def check_rest(policy: RestPolicy, periods: Sequence[Period]) -> RestReport:
    """Apply the rest rules of `policy` to one person's timeline."""
    if not periods:
        return RestReport(earliest_return=None, interruptions=[], violations=[], work_hours={})
    zone = policy.zone
    timeline = _Timeline.of(periods)
    calendar = CivilCalendar(zone, timeline.first, timeline.last)
    by_day = calendar.micros_by_day(timeline.work)
    by_week = calendar.micros_by_week(by_day)
    violations = [
        *_daily_rest(policy, timeline),
        *_weekly_rest(policy, timeline, calendar, by_week),
        *_max_daily_work(policy, calendar, by_day),
        *_max_weekly_work(policy, calendar, by_week),
        *_max_avg_weekly_work(policy, timeline, calendar, by_week),
    ]
    violations.sort(key=lambda v: (v.at, v.rule))
    daily_rest = hours_to_micros(policy.daily_rest_hours)
    return RestReport(
        earliest_return=from_micros(_earliest_return(timeline, daily_rest), zone),
        interruptions=[
            Interruption(at=from_micros(at, zone), rest_due_until=from_micros(due, zone))
            for at, due in _interruptions(timeline, daily_rest)
        ],
        violations=violations,
        work_hours=calendar.hours_by_date(by_day),
    )


def _interruptions(timeline: _Timeline, daily_rest: int) -> list[tuple[int, int]]:
    """(start, rest due until) of each intervention that cut a rest shorter than daily."""
    work_starts = [start for start, _ in timeline.work]
    found = []
    for start, end, kind in timeline.spans:
        if kind != "intervention":
            continue
        stretch = bisect_right(work_starts, start) - 1
        # Inside other work time, or at the instant it ends (touching work merges),
        # no rest is in progress; with no work before, the rest is unbounded.
        if work_starts[stretch] != start or stretch == 0:
            continue
        if start - timeline.work[stretch - 1][1] < daily_rest:
            found.append((start, end + daily_rest))
    return found


def _hours(micros: int) -> float:
    return round(micros / HOUR, 2)


def _daily_rest(policy: RestPolicy, timeline: _Timeline) -> Iterable[Violation]:
    limit = hours_to_micros(policy.daily_rest_hours)
    # Work resuming where a gap at least as long as the daily rest ends is fine
    # (daily rest <= 24 h, so the gap fills that much of the window): that spares
    # the search for most work periods.
    gaps = timeline.gaps
    checked = {
        end for start, end in zip(gaps.starts, gaps.ends, strict=True) if end - start >= limit
    }
    for start, _, kind in timeline.spans:
        if kind != "work" or start in checked:
            continue
        checked.add(start)
        longest = gaps.longest_before(start)
        if longest < limit:
            yield Violation(
                rule="daily_rest",
                at=from_micros(start, policy.zone).isoformat(timespec="seconds"),
                hours=_hours(longest),
                limit=float(policy.daily_rest_hours),
                detail=f"longest rest in the 24 h before this work: {_hours(longest)} h",
            )


def _weekly_rest(
    policy: RestPolicy, timeline: _Timeline, calendar: CivilCalendar, by_week: list[int]
) -> Iterable[Violation]:
    limit = hours_to_micros(policy.weekly_rest_hours)
    gaps = timeline.gaps
    # A gap belongs to the week it starts in; the first gap starts at no instant,
    # and the last one is unbounded.
    rested = {
        calendar.week_of(start)
        for start, end in zip(gaps.starts[1:], gaps.ends[1:], strict=True)
        if end - start >= limit
    }
    for week, worked in enumerate(by_week):
        if worked and week not in rested:
            monday, next_monday = calendar.week_bounds(week)
            first = bisect_left(gaps.starts, monday, 1)
            last = bisect_left(gaps.starts, next_monday, first)
            hours = _hours(
                max((gaps.ends[i] - gaps.starts[i] for i in range(first, last)), default=0)
            )
            yield Violation(
                rule="weekly_rest",
                at=calendar.monday(week).isoformat(),
                hours=hours,
                limit=float(policy.weekly_rest_hours),
                detail=f"longest rest starting this week: {hours} h",
            )


def _max_daily_work(
    policy: RestPolicy, calendar: CivilCalendar, by_day: list[int]
) -> Iterable[Violation]:
    limit = hours_to_micros(policy.max_daily_work_hours)
    for day, micros in enumerate(by_day):
        if micros > limit:
            yield Violation(
                rule="max_daily_work",
                at=calendar.date(day).isoformat(),
                hours=_hours(micros),
                limit=float(policy.max_daily_work_hours),
                detail=f"{_hours(micros)} h of work this day",
            )


def _max_weekly_work(
    policy: RestPolicy, calendar: CivilCalendar, by_week: list[int]
) -> Iterable[Violation]:
    limit = hours_to_micros(policy.max_weekly_work_hours)
    for week, micros in enumerate(by_week):
        if micros > limit:
            yield Violation(
                rule="max_weekly_work",
                at=calendar.monday(week).isoformat(),
                hours=_hours(micros),
                limit=float(policy.max_weekly_work_hours),
                detail=f"{_hours(micros)} h of work this week",
            )


def _max_avg_weekly_work(
    policy: RestPolicy, timeline: _Timeline, calendar: CivilCalendar, by_week: list[int]
) -> Iterable[Violation]:
    # The weeks run from the one holding the first start to the one holding the last
    # period's end (LAW.md): an end at Monday 00:00 brings in that Monday's week.
    first_week = calendar.week_of(timeline.first)
    weeks = by_week[first_week : calendar.week_of(timeline.last) + 1]
    span = policy.avg_weeks
    limit = hours_to_micros(policy.max_avg_weekly_work_hours) * span
    total = sum(weeks[:span])
    for offset in range(len(weeks) - span + 1):
        if offset:
            total += weeks[offset + span - 1] - weeks[offset - 1]
        if total > limit:
            average = _hours(total // span)
            yield Violation(
                rule="max_avg_weekly_work",
                at=calendar.monday(first_week + offset).isoformat(),
                hours=average,
                limit=float(policy.max_avg_weekly_work_hours),
                detail=f"{average} h a week on average over {span} weeks",
            )
