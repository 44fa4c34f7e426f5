"""Pure rules around the rest engine: the timeline built from the app's records, the weekly
template, the rest clock's state, the words for durations, the night and the manager's warnings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.rest.explain import hours_text, rest_clock
from server.rest.models import FatigueReport, RestPolicy, Violation
from server.rest.prompts import ended_at_night
from server.rest.rules import check_rest
from server.rest.status import RestStatus, month_bounds, rest_status, touches
from server.rest.team_view import warnings_for
from server.rest.timeline import (
    InterventionSpan,
    PatternRange,
    build_timeline,
    intervention_interval,
    parse_day,
    pattern_work,
    subtract,
)

PARIS = ZoneInfo("Europe/Paris")
OFFICE = [
    PatternRange(weekday=d, start_minute=s, end_minute=e)
    for d in range(5)
    for s, e in ((510, 720), (810, 1050))  # 08:30-12:00, 13:30-17:30
]


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def hours(intervals) -> float:
    return sum((end - start).total_seconds() for start, end in intervals) / 3600


# The weekly template -----------------------------------------------------------------------------


def test_a_week_of_office_hours() -> None:
    week = pattern_work(OFFICE, PARIS, date(2026, 11, 30), date(2026, 12, 6))
    assert len(week) == 10
    assert hours(week) == 37.5
    assert week[0] == (paris(2026, 11, 30, 8, 30), paris(2026, 11, 30, 12))


def test_days_off_are_skipped() -> None:
    week = pattern_work(
        OFFICE, PARIS, date(2026, 11, 30), date(2026, 12, 6), days_off={date(2026, 12, 2)}
    )
    assert hours(week) == 30
    assert all(start.astimezone(PARIS).date() != date(2026, 12, 2) for start, _ in week)


@pytest.mark.parametrize(
    ("day", "start", "end", "expected_hours"),
    [
        # Ranges are wall-clock time: 08:00-17:00 stays 9 h on the days clocks change.
        (date(2026, 3, 29), 480, 1020, 9),
        (date(2026, 10, 25), 480, 1020, 9),
        # A night range across the change: 00:00-06:00 is 5 h in March, 7 h in October.
        (date(2026, 3, 29), 0, 360, 5),
        (date(2026, 10, 25), 0, 360, 7),
        # A range inside the skipped hour does not exist.
        (date(2026, 3, 29), 120, 180, 0),
    ],
)
def test_daylight_saving_days(day: date, start: int, end: int, expected_hours: float) -> None:
    pattern = [PatternRange(weekday=day.weekday(), start_minute=start, end_minute=end)]
    assert hours(pattern_work(pattern, PARIS, day, day)) == expected_hours


def test_a_range_to_midnight_ends_at_the_next_day() -> None:
    pattern = [PatternRange(weekday=0, start_minute=1320, end_minute=1440)]
    ((start, end),) = pattern_work(pattern, PARIS, date(2026, 11, 30), date(2026, 11, 30))
    assert end == paris(2026, 12, 1, 0, 0) and end - start == timedelta(hours=2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("08:30-12:00", [(510, 720)]),
        ("13:30-17:30, 08:30-12:00", [(510, 720), (810, 1050)]),
        ("8:00 - 12:00; 14h00-18h00", [(480, 720), (840, 1080)]),
        ("22:00-24:00", [(1320, 1440)]),
        ("08:00–12:00", [(480, 720)]),
        ("08:00-12:00, 12:00-13:00", [(480, 720), (720, 780)]),  # touching is not overlapping
    ],
)
def test_a_day_of_the_template_is_read(text: str, expected: list) -> None:
    assert parse_day(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "08:00",
        "8-12",
        "12:00-08:00",
        "08:00-08:00",
        "08:60-09:00",
        "24:00-24:30",
        "25:00-26:00",
        "08:00-12:00, 11:00-13:00",
        "matin",
    ],
)
def test_a_bad_day_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_day(text)


# Building the timeline -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("intervals", "holes", "expected"),
    [
        ([(0, 10)], [], [(0, 10)]),
        ([(0, 10)], [(3, 5)], [(0, 3), (5, 10)]),
        ([(0, 10)], [(0, 10)], []),
        ([(0, 10)], [(-5, 2), (8, 20)], [(2, 8)]),
        ([(0, 10), (20, 30)], [(5, 25)], [(0, 5), (25, 30)]),
        ([(0, 10)], [(10, 20)], [(0, 10)]),
    ],
)
def test_subtract(intervals, holes, expected) -> None:
    assert subtract(intervals, holes) == expected


spans = st.lists(
    st.tuples(st.integers(0, 200), st.integers(1, 50)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=6,
)


@given(spans, spans)
def test_subtract_keeps_exactly_what_no_hole_covers(intervals, holes) -> None:
    pieces = subtract(intervals, holes)
    covered = {t for start, end in holes for t in range(start, end)}
    wanted = {t for start, end in intervals for t in range(start, end)} - covered
    assert {t for start, end in pieces for t in range(start, end)} == wanted


@pytest.mark.parametrize(
    ("travel", "before", "after"), [(0, 0, 0), (30, 15, 15), (45, 22, 23), (1, 0, 1)]
)
def test_travel_is_work_half_before_half_after(travel: int, before: int, after: int) -> None:
    span = InterventionSpan(
        started_at=paris(2026, 12, 1, 2), ended_at=paris(2026, 12, 1, 3), travel_minutes=travel
    )
    start, end = intervention_interval(span)
    assert paris(2026, 12, 1, 2) - start == timedelta(minutes=before)
    assert end - paris(2026, 12, 1, 3) == timedelta(minutes=after)


def test_declared_rest_removes_regular_work_but_not_an_intervention() -> None:
    periods = build_timeline(
        regular_work=[(paris(2026, 12, 1, 8), paris(2026, 12, 1, 17))],
        declared_rest=[(paris(2026, 12, 1, 0), paris(2026, 12, 1, 12))],
        oncall=[],
        interventions=[
            InterventionSpan(started_at=paris(2026, 12, 1, 10), ended_at=paris(2026, 12, 1, 11))
        ],
        since=paris(2026, 11, 30),
        until=paris(2026, 12, 2),
    )
    assert [(p.kind, p.start, p.end) for p in periods] == [
        ("intervention", paris(2026, 12, 1, 10), paris(2026, 12, 1, 11)),
        ("work", paris(2026, 12, 1, 12), paris(2026, 12, 1, 17)),
    ]


def test_what_lies_past_until_has_not_happened() -> None:
    periods = build_timeline(
        regular_work=[(paris(2026, 12, 1, 8), paris(2026, 12, 1, 17))],
        declared_rest=[],
        oncall=[(paris(2026, 12, 1, 17), paris(2026, 12, 2, 8))],
        interventions=[],
        since=paris(2026, 11, 30),
        until=paris(2026, 12, 1, 10),
    )
    assert [(p.kind, p.end) for p in periods] == [("work", paris(2026, 12, 1, 10))]


# The rest clock --------------------------------------------------------------------------------

POLICY = RestPolicy()


NIGHT_CALL = (paris(2026, 12, 1, 2), paris(2026, 12, 1, 3, 30))


def status_at(now: datetime, *, call=NIGHT_CALL):
    work = pattern_work(OFFICE, PARIS, date(2026, 11, 30), date(2026, 12, 4))
    periods = build_timeline(
        regular_work=work,
        declared_rest=[],
        oncall=[],
        interventions=[InterventionSpan(started_at=call[0], ended_at=call[1])] if call else [],
        since=paris(2026, 11, 23),
        until=now,
    )
    return rest_status(POLICY, periods, check_rest(POLICY, periods), now)


@pytest.mark.parametrize(
    ("now", "state", "resume_at"),
    [
        (paris(2026, 11, 30, 20), "resting", None),
        (paris(2026, 11, 30, 10), "working", None),
        (paris(2026, 12, 1, 5), "rest_owed", paris(2026, 12, 1, 14, 30)),
        (paris(2026, 12, 1, 9), "working_in_rest", paris(2026, 12, 1, 14, 30)),
        # Working through the owed rest owes a fresh 11 h from the evening's end.
        (paris(2026, 12, 1, 22), "rest_owed", paris(2026, 12, 2, 4, 30)),
        (paris(2026, 12, 2, 7), "resting", None),
    ],
)
def test_the_state_of_the_clock(now: datetime, state: str, resume_at) -> None:
    status = status_at(now)
    assert status.state == state
    assert status.resume_at == resume_at


def test_the_clock_counts_this_weeks_work() -> None:
    status = status_at(paris(2026, 12, 1, 9))
    assert status.today_hours == 2.0  # 1 h 30 of the call and 30 min of work
    assert status.week_hours == 9.5
    assert [v.rule for v in status.violations] == ["daily_rest"]


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0 h"), (11, "11 h"), (6.2, "6 h 12"), (1.25, "1 h 15"), (0.5, "0 h 30")],
)
def test_hours_in_words(value: float, text: str) -> None:
    assert hours_text(value) == text


def test_the_clock_bar_fills_up_to_the_daily_rest() -> None:
    now = paris(2026, 12, 1, 9)
    assert rest_clock(now - timedelta(hours=5, minutes=30), 11, now).percent == 50
    assert rest_clock(now - timedelta(hours=20), 11, now).percent == 100
    assert rest_clock(None, 11, now).so_far == "0 h"


@pytest.mark.parametrize(
    ("rule", "at", "touching"),
    [
        ("daily_rest", "2026-12-01T08:30:00+01:00", True),
        ("daily_rest", "2026-11-30T08:30:00+01:00", False),
        ("max_daily_work", "2027-01-01", False),
        ("weekly_rest", "2026-11-30", True),  # the week of Monday 30 November reaches December
        ("max_weekly_work", "2026-11-23", False),
        ("max_avg_weekly_work", "2026-09-14", True),  # 12 weeks to 6 December
        ("max_avg_weekly_work", "2026-09-07", False),  # 12 weeks to 29 November
    ],
)
def test_violations_of_the_month(rule: str, at: str, touching: bool) -> None:
    first, last = month_bounds(date(2026, 12, 17))
    assert (first, last) == (date(2026, 12, 1), date(2026, 12, 31))
    assert touches(Violation(rule=rule, at=at), first, last, 12) is touching


@pytest.mark.parametrize(
    ("local_end", "night"),
    [
        ((22, 0), True),
        ((23, 59), True),
        ((0, 0), True),
        ((5, 59), True),
        ((6, 0), False),
        ((21, 59), False),
        ((12, 0), False),
    ],
)
def test_the_night_is_22_to_6(local_end: tuple[int, int], night: bool) -> None:
    assert ended_at_night(paris(2026, 12, 1, *local_end), PARIS) is night


def _status(state: str) -> RestStatus:
    owed = state in ("rest_owed", "working_in_rest")
    return RestStatus(
        state=state,
        rest_since=None,
        resume_at=NOW + timedelta(hours=8) if owed else None,
        daily_rest_hours=11,
        today_hours=0,
        week_hours=0,
        interruptions=[],
        violations=[],
    )


NOW = paris(2026, 12, 1, 6)
# Rest owed (in _status) runs until 14:00; shifts starting before and after it.
SOON, TONIGHT = NOW + timedelta(hours=2), NOW + timedelta(hours=12)


@pytest.mark.parametrize(
    ("state", "score", "hours_ago", "duty", "starts", "expected"),
    [
        ("rest_owed", None, 0, "now", NOW, ("rest_owed",)),
        ("working_in_rest", None, 0, "next", SOON, ("rest_owed",)),
        ("rest_owed", None, 0, "next", TONIGHT, ()),  # rested by then
        ("resting", 7, 2, "now", NOW, ("fatigue",)),
        ("resting", 6, 2, "now", NOW, ()),
        ("resting", 9, 30, "now", NOW, ()),  # yesterday's fatigue says little about tonight
        ("rest_owed", 8, 1, None, None, ()),  # not on call: nothing to cover
        ("rest_owed", 8, 1, "next", SOON, ("rest_owed", "fatigue")),
        ("rest_owed", 8, 1, "next", TONIGHT, ("fatigue",)),
    ],
)
def test_the_managers_warnings(state, score, hours_ago, duty, starts, expected) -> None:
    fatigue = (
        FatigueReport(
            id=1,
            user_id=1,
            score=score,
            reported_at=NOW - timedelta(hours=hours_ago),
            context="today",
        )
        if score
        else None
    )
    assert warnings_for(_status(state), fatigue, duty, starts, NOW) == expected
