"""The rest engine on LAW.md's worked examples and a table of hand-computed timelines."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
import pytest

from server.rest.models import Period, RestPolicy, RestReport
from server.rest.rules import (
    check_rest,
    earliest_return,
    merge_work_intervals,
    rest_gaps,
)

PARIS = ZoneInfo("Europe/Paris")


def instant(text: str, zone: ZoneInfo = PARIS) -> datetime:
    """An RFC 3339 timestamp; without an offset, a wall-clock time in `zone`."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def period(kind: str, start: str, end: str, zone: ZoneInfo = PARIS) -> Period:
    return Period(kind=kind, start=instant(start, zone), end=instant(end, zone))


def weekdays(first: date, weeks: int, start: str, end: str, days: int = 5) -> list[Period]:
    """`work` from `start` to `end` (HH:MM) on the first `days` days of each week."""
    return [
        period("work", f"{day}T{start}", f"{day}T{end}")
        for week in range(weeks)
        for offset in range(days)
        for day in [first + timedelta(weeks=week, days=offset)]
    ]


def pairs(report: RestReport) -> set[tuple[str, str]]:
    return {(v.rule, v.at) for v in report.violations}


def text(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def interruptions(report: RestReport) -> list[tuple[str, str]]:
    return [(text(i.at), text(i.rest_due_until)) for i in report.interruptions]


# LAW.md, worked examples 1 and 3 (example 2 is also run through the command).


def test_law_example_1_normal_week_has_no_violation():
    report = check_rest(RestPolicy(), weekdays(date(2026, 3, 2), 1, "09:00", "17:00"))

    assert report.violations == []
    assert report.interruptions == []
    assert text(report.earliest_return) == "2026-03-06T17:00:00+01:00"
    assert report.work_hours == {f"2026-03-0{d}": 8.0 for d in range(2, 7)}


def test_law_example_2_night_call_cuts_the_rest_short():
    report = check_rest(
        RestPolicy(),
        [
            period("work", "2026-03-02T08:00", "2026-03-02T18:00"),
            period("oncall", "2026-03-02T18:00", "2026-03-03T08:00"),
            period("intervention", "2026-03-03T02:00", "2026-03-03T03:30"),
            period("work", "2026-03-03T08:00", "2026-03-03T17:00"),
        ],
    )

    assert pairs(report) == {
        ("max_daily_work", "2026-03-03"),
        ("daily_rest", "2026-03-03T08:00:00+01:00"),
    }
    assert interruptions(report) == [("2026-03-03T02:00:00+01:00", "2026-03-03T14:30:00+01:00")]
    assert text(report.earliest_return) == "2026-03-04T04:00:00+01:00"
    assert report.work_hours == {"2026-03-02": 10.0, "2026-03-03": 10.5}


def test_law_example_3_rest_complete_before_the_call():
    report = check_rest(
        RestPolicy(),
        [
            period("work", "2026-03-02T08:00", "2026-03-02T18:00"),
            period("oncall", "2026-03-02T18:00", "2026-03-03T08:00"),
            period("intervention", "2026-03-03T05:00", "2026-03-03T06:00"),
            period("work", "2026-03-03T08:00", "2026-03-03T17:00"),
        ],
    )

    assert report.violations == []
    assert report.interruptions == []
    assert report.work_hours == {"2026-03-02": 10.0, "2026-03-03": 10.0}
    assert text(report.earliest_return) == "2026-03-03T17:00:00+01:00"


# A table of timelines, each answer worked out by hand (the reasoning is in `why`).


@dataclass
class Case:
    id: str
    periods: list[Period]
    violations: set[tuple[str, str]]
    earliest: str
    interruptions: list[tuple[str, str]] = field(default_factory=list)
    work_hours: dict[str, float] | None = None
    policy: RestPolicy = field(default_factory=RestPolicy)
    why: str = ""


NY = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
MARCH_2 = date(2026, 3, 2)

CASES = [
    Case(
        "daily_rest_of_exactly_11h_is_enough",
        [
            period("work", "2026-03-02T12:00", "2026-03-02T21:00"),
            period("work", "2026-03-03T08:00", "2026-03-03T17:00"),
        ],
        set(),
        "2026-03-03T17:00:00+01:00",
        why="21:00 -> 08:00 is 11 h, inside the 24 h before 08:00 and before 17:00",
    ),
    Case(
        "daily_rest_short_by_a_minute",
        [
            period("work", "2026-03-02T12:01", "2026-03-02T21:01"),
            period("work", "2026-03-03T08:00", "2026-03-03T17:00"),
        ],
        {("daily_rest", "2026-03-03T08:00:00+01:00")},
        "2026-03-04T04:00:00+01:00",
        why="10 h 59 of rest; no 11 h gap in the 24 h before 17:00, so 17:00 + 11 h",
    ),
    Case(
        "intervention_at_the_instant_work_ends_interrupts_nothing",
        [
            period("work", "2026-03-02T08:00", "2026-03-02T17:00"),
            period("oncall", "2026-03-02T17:00", "2026-03-03T08:00"),
            period("intervention", "2026-03-02T17:00", "2026-03-02T18:00"),
            period("work", "2026-03-03T08:00", "2026-03-03T16:00"),
        ],
        set(),
        "2026-03-03T16:00:00+01:00",
        work_hours={"2026-03-02": 10.0, "2026-03-03": 8.0},
        why="no rest was in progress at 17:00; 18:00 -> 08:00 is 14 h",
    ),
    Case(
        "intervention_inside_work_interrupts_nothing",
        [
            period("work", "2026-03-02T08:00", "2026-03-02T17:00"),
            period("intervention", "2026-03-02T10:00", "2026-03-02T11:00"),
        ],
        set(),
        "2026-03-02T17:00:00+01:00",
        work_hours={"2026-03-02": 9.0},
        why="overlapping work time counts once",
    ),
    Case(
        "intervention_with_no_work_before_interrupts_nothing",
        [
            period("oncall", "2026-03-01T20:00", "2026-03-02T08:00"),
            period("intervention", "2026-03-02T02:00", "2026-03-02T03:00"),
            period("work", "2026-03-02T08:00", "2026-03-02T17:00"),
        ],
        set(),
        "2026-03-03T04:00:00+01:00",
        why="the rest before the timeline is unbounded (18 h of it lie in the 24 h before"
        " 08:00), but before 17:00 only 9 h of it lie in the window: 17:00 + 11 h",
    ),
    Case(
        "second_call_of_the_night_extends_the_rest_owed",
        [
            period("work", "2026-03-02T08:00", "2026-03-02T17:00"),
            period("oncall", "2026-03-02T17:00", "2026-03-03T08:00"),
            period("intervention", "2026-03-02T23:00", "2026-03-03T00:30"),
            period("intervention", "2026-03-03T04:00", "2026-03-03T05:00"),
        ],
        set(),
        "2026-03-03T16:00:00+01:00",
        interruptions=[
            ("2026-03-02T23:00:00+01:00", "2026-03-03T11:30:00+01:00"),
            ("2026-03-03T04:00:00+01:00", "2026-03-03T16:00:00+01:00"),
        ],
        work_hours={"2026-03-02": 10.0, "2026-03-03": 1.5},
        why="6 h then 3 h 30 of rest before each call; the last ends 05:00, + 11 h",
    ),
    Case(
        "a_call_recorded_in_two_adjacent_pieces_owes_rest_from_the_first_piece",
        [
            period("work", "2026-03-02T08:00", "2026-03-02T18:00"),
            period("oncall", "2026-03-02T18:00", "2026-03-03T08:00"),
            period("intervention", "2026-03-03T02:00", "2026-03-03T03:00"),
            period("intervention", "2026-03-03T03:00", "2026-03-03T03:30"),
        ],
        set(),
        "2026-03-03T14:30:00+01:00",
        interruptions=[("2026-03-03T02:00:00+01:00", "2026-03-03T14:00:00+01:00")],
        work_hours={"2026-03-02": 10.0, "2026-03-03": 1.5},
        why="the second piece starts the instant the first ends and interrupts no rest; each"
        " interruption owes rest from its own end (LAW.md); the return counts all the work",
    ),
    Case(
        "a_call_starting_inside_another_interrupts_nothing",
        [
            period("work", "2026-03-02T08:00", "2026-03-02T18:00"),
            period("oncall", "2026-03-02T18:00", "2026-03-03T08:00"),
            period("intervention", "2026-03-03T02:00", "2026-03-03T03:00"),
            period("intervention", "2026-03-03T02:30", "2026-03-03T05:00"),
        ],
        set(),
        "2026-03-03T16:00:00+01:00",
        interruptions=[("2026-03-03T02:00:00+01:00", "2026-03-03T14:00:00+01:00")],
        work_hours={"2026-03-02": 10.0, "2026-03-03": 3.0},
        why="02:30 lies inside the first call's work time: no rest was in progress",
    ),
    Case(
        "night_call_across_spring_forward_paris",
        [
            period("work", "2026-03-28T08:00", "2026-03-28T17:00"),
            period("oncall", "2026-03-28T18:00", "2026-03-29T08:00"),
            period("intervention", "2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00"),
        ],
        set(),
        "2026-03-29T14:30:00+02:00",
        interruptions=[("2026-03-29T01:30:00+01:00", "2026-03-29T14:30:00+02:00")],
        work_hours={"2026-03-28": 9.0, "2026-03-29": 1.0},
        why="01:30 to 03:30 on the clock is 1 h of work; 8 h 30 of rest before it;"
        " 03:30+02:00 + 11 h = 14:30",
    ),
    Case(
        "night_call_across_fall_back_paris",
        [
            period("work", "2026-10-24T08:00", "2026-10-24T17:00"),
            period("oncall", "2026-10-24T18:00", "2026-10-25T08:00"),
            period("intervention", "2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"),
        ],
        set(),
        "2026-10-25T13:30:00+01:00",
        interruptions=[("2026-10-25T02:30:00+02:00", "2026-10-25T13:30:00+01:00")],
        work_hours={"2026-10-24": 9.0, "2026-10-25": 1.0},
        why="02:30 the first time to 02:30 the second time is 1 h; rest before it 9 h 30",
    ),
    Case(
        "shift_over_the_23_hour_day",
        [period("work", "2026-03-29T00:00", "2026-03-30T00:00")],
        {("max_daily_work", "2026-03-29"), ("weekly_rest", "2026-03-23")},
        "2026-03-30T11:00:00+02:00",
        work_hours={"2026-03-29": 23.0},
        why="the civil day is 23 h long; the rest after it starts Monday 30, in the next"
        " week, so no rest starts in the week of the 23rd",
    ),
    Case(
        "shift_over_the_25_hour_day",
        [period("work", "2026-10-25T00:00", "2026-10-26T00:00")],
        {("max_daily_work", "2026-10-25"), ("weekly_rest", "2026-10-19")},
        "2026-10-26T11:00:00+01:00",
        work_hours={"2026-10-25": 25.0},
        why="the civil day is 25 h long",
    ),
    Case(
        "new_york_night_call_across_spring_forward",
        [
            period("work", "2026-03-07T08:00", "2026-03-07T17:00", NY),
            period("oncall", "2026-03-07T17:00", "2026-03-08T08:00", NY),
            period("intervention", "2026-03-08T01:30:00-05:00", "2026-03-08T04:00:00-04:00"),
        ],
        set(),
        "2026-03-08T15:00:00-04:00",
        interruptions=[("2026-03-08T01:30:00-05:00", "2026-03-08T15:00:00-04:00")],
        work_hours={"2026-03-07": 9.0, "2026-03-08": 1.5},
        policy=RestPolicy(timezone="America/New_York"),
        why="US clocks jump on 8 March: 01:30 -> 04:00 is 1 h 30; 8 h 30 of rest before",
    ),
    Case(
        "tokyo_night_shift_spans_two_civil_days",
        [period("work", "2026-03-02T20:00", "2026-03-03T08:00", TOKYO)],
        set(),
        "2026-03-03T08:00:00+09:00",
        work_hours={"2026-03-02": 4.0, "2026-03-03": 8.0},
        policy=RestPolicy(timezone="Asia/Tokyo"),
        why="12 h split 4 h + 8 h at Tokyo midnight: no day over 10 h; 12 h of the"
        " unbounded rest before 20:00 lie in the 24 h before 08:00",
    ),
    Case(
        "same_instants_are_one_day_in_paris",
        [period("work", "2026-03-02T20:00:00+09:00", "2026-03-03T08:00:00+09:00")],
        {("max_daily_work", "2026-03-02")},
        "2026-03-03T00:00:00+01:00",
        work_hours={"2026-03-02": 12.0},
        why="12:00 -> 24:00 in Paris: one civil day of 12 h",
    ),
    Case(
        "weekend_of_calls_costs_the_weekly_rest",
        [
            *weekdays(MARCH_2, 2, "09:00", "17:00"),
            period("oncall", "2026-03-06T17:00", "2026-03-09T09:00"),
            period("intervention", "2026-03-07T10:00", "2026-03-07T12:00"),
            period("intervention", "2026-03-07T22:00", "2026-03-07T23:00"),
            period("intervention", "2026-03-08T03:00", "2026-03-08T04:00"),
            period("intervention", "2026-03-08T15:00", "2026-03-08T16:30"),
        ],
        {("weekly_rest", "2026-03-02")},
        "2026-03-13T17:00:00+01:00",
        interruptions=[
            ("2026-03-07T22:00:00+01:00", "2026-03-08T10:00:00+01:00"),
            ("2026-03-08T03:00:00+01:00", "2026-03-08T15:00:00+01:00"),
        ],
        work_hours={
            **{f"2026-03-{d:02}": 8.0 for d in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13)},
            "2026-03-07": 3.0,
            "2026-03-08": 2.5,
        },
        why="rests before the calls: 17 h, 10 h, 4 h, 11 h (not shorter); no gap of 35 h"
        " starts in the first week; 45.5 h of work that week",
    ),
    Case(
        "weekly_rest_of_exactly_35h_is_enough",
        [
            *weekdays(MARCH_2, 2, "09:00", "17:00"),
            period("work", "2026-03-07T14:00", "2026-03-07T22:00"),
        ],
        set(),
        "2026-03-13T17:00:00+01:00",
        why="Saturday 22:00 -> Monday 09:00 is 35 h; 48 h of work is the limit, not over",
    ),
    Case(
        "weekly_rest_short_by_a_minute",
        [
            *weekdays(MARCH_2, 2, "09:00", "17:00"),
            period("work", "2026-03-07T14:01", "2026-03-07T22:01"),
        ],
        {("weekly_rest", "2026-03-02")},
        "2026-03-13T17:00:00+01:00",
        why="34 h 59 from Saturday 22:01",
    ),
    Case(
        "two_weeks_without_a_day_off",
        weekdays(MARCH_2, 2, "09:00", "17:00", days=7),
        {
            ("weekly_rest", "2026-03-02"),
            ("max_weekly_work", "2026-03-02"),
            ("max_weekly_work", "2026-03-09"),
        },
        "2026-03-15T17:00:00+01:00",
        why="56 h a week; the second week has the unbounded rest after the timeline",
    ),
    Case(
        "fifty_hour_week",
        weekdays(MARCH_2, 1, "08:00", "18:00"),
        {("max_weekly_work", "2026-03-02")},
        "2026-03-06T18:00:00+01:00",
        why="10 h a day is the daily limit, 50 h is over 48",
    ),
    Case(
        "twelve_weeks_of_45h_break_the_average",
        weekdays(MARCH_2, 12, "08:00", "17:00"),
        {("max_avg_weekly_work", "2026-03-02")},
        "2026-05-22T17:00:00+02:00",
        why="45 h average over the only run of 12 weeks; 45 h is under the weekly 48",
    ),
    Case(
        "thirteen_weeks_of_45h_give_two_runs",
        weekdays(MARCH_2, 13, "08:00", "17:00"),
        {("max_avg_weekly_work", "2026-03-02"), ("max_avg_weekly_work", "2026-03-09")},
        "2026-05-29T17:00:00+02:00",
    ),
    Case(
        "twelve_weeks_of_44h_keep_the_average",
        [
            *weekdays(MARCH_2, 12, "08:00", "17:00", days=4),
            *weekdays(MARCH_2 + timedelta(days=4), 12, "08:00", "16:00", days=1),
        ],
        set(),
        "2026-05-22T16:00:00+02:00",
        why="4 x 9 h + 8 h = 44 h: the limit, not over it",
    ),
    Case(
        "eleven_weeks_are_too_few_for_a_12_week_average",
        weekdays(MARCH_2, 11, "08:00", "17:00"),
        set(),
        "2026-05-15T17:00:00+02:00",
    ),
    Case(
        "period_ending_at_monday_midnight_adds_that_week",
        [
            *weekdays(MARCH_2, 11, "08:00", "18:00"),
            period("oncall", "2026-05-15T18:00", "2026-05-18T00:00"),
        ],
        {("max_weekly_work", (MARCH_2 + timedelta(weeks=w)).isoformat()) for w in range(11)}
        | {("max_avg_weekly_work", "2026-03-02")},
        "2026-05-18T00:00:00+02:00",
        why="11 weeks of 50 h; the on-call ends at the 12th week's Monday 00:00, the week"
        " holding the last period's end (LAW.md): 550 h / 12 = 45.8 h > 44 h",
    ),
    Case(
        "period_reaching_into_a_12th_week_averages_over_it",
        [
            *weekdays(MARCH_2, 11, "08:00", "18:00"),
            period("oncall", "2026-05-15T18:00", "2026-05-18T00:01"),
        ],
        {("max_weekly_work", (MARCH_2 + timedelta(weeks=w)).isoformat()) for w in range(11)}
        | {("max_avg_weekly_work", "2026-03-02")},
        "2026-05-18T00:01:00+02:00",
        why="550 h / 12 = 45.8 h a week",
    ),
    Case(
        "agreement_policy_4_week_average_12h_days",
        weekdays(MARCH_2, 4, "08:00", "19:00"),
        {("max_weekly_work", f"2026-03-{d:02}") for d in (2, 9, 16, 23)}
        | {("max_avg_weekly_work", "2026-03-02")},
        "2026-03-27T19:00:00+01:00",
        policy=RestPolicy(avg_weeks=4, max_daily_work_hours=12),
        why="11 h days are allowed (12 h); 55 h weeks are over 48 and over 44 on average",
    ),
    Case(
        "on_call_without_calls_is_rest",
        [
            period("work", "2026-03-02T09:00", "2026-03-02T17:00"),
            period("oncall", "2026-03-02T17:00", "2026-03-09T09:00"),
            period("work", "2026-03-09T09:00", "2026-03-09T17:00"),
        ],
        set(),
        "2026-03-09T17:00:00+01:00",
        work_hours={"2026-03-02": 8.0, "2026-03-09": 8.0},
    ),
    Case(
        "intervention_across_midnight_splits_its_hours",
        [
            period("oncall", "2026-03-02T18:00", "2026-03-03T08:00"),
            period("intervention", "2026-03-02T23:00", "2026-03-03T01:00"),
        ],
        set(),
        "2026-03-03T08:00:00+01:00",
        work_hours={"2026-03-02": 1.0, "2026-03-03": 1.0},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hand_computed_timeline(case: Case):
    report = check_rest(case.policy, case.periods)

    assert pairs(report) == case.violations, case.why
    assert interruptions(report) == case.interruptions, case.why
    assert text(report.earliest_return) == case.earliest, case.why
    if case.work_hours is not None:
        assert report.work_hours == pytest.approx(case.work_hours), case.why


def test_violations_say_how_far_over_the_limit():
    report = check_rest(RestPolicy(), weekdays(MARCH_2, 1, "08:00", "18:00", days=6))

    (weekly,) = [v for v in report.violations if v.rule == "max_weekly_work"]
    assert (weekly.hours, weekly.limit) == (60.0, 48.0)


def test_violations_are_sorted_by_at_then_rule():
    report = check_rest(RestPolicy(), weekdays(MARCH_2, 2, "07:00", "19:00", days=7))

    # 12 h days, seven a week: every day and both weeks are over, the first week
    # has no weekly rest.
    assert [(v.at, v.rule) for v in report.violations][:4] == [
        ("2026-03-02", "max_daily_work"),
        ("2026-03-02", "max_weekly_work"),
        ("2026-03-02", "weekly_rest"),
        ("2026-03-03", "max_daily_work"),
    ]
    assert len(report.violations) == 14 + 2 + 1


def test_empty_timeline_has_no_earliest_return():
    assert check_rest(RestPolicy(), []) == RestReport(
        earliest_return=None, interruptions=[], violations=[], work_hours={}
    )
    assert earliest_return(RestPolicy(), []) is None


def test_earliest_return_helper_agrees_with_the_report():
    periods = [
        period("work", "2026-03-02T12:01", "2026-03-02T21:01"),
        period("work", "2026-03-03T08:00", "2026-03-03T17:00"),
    ]

    assert (
        earliest_return(RestPolicy(), periods) == check_rest(RestPolicy(), periods).earliest_return
    )
    assert text(earliest_return(RestPolicy(), periods)) == "2026-03-04T04:00:00+01:00"


def test_merge_work_intervals_and_rest_gaps():
    periods = [
        period("work", "2026-03-02T13:00", "2026-03-02T17:00"),
        period("oncall", "2026-03-02T17:00", "2026-03-03T08:00"),
        period("work", "2026-03-02T08:00", "2026-03-02T12:00"),
        period("intervention", "2026-03-02T12:00", "2026-03-02T12:30"),
        period("intervention", "2026-03-02T22:00", "2026-03-02T23:00"),
    ]

    work = merge_work_intervals(periods)

    assert [(text(s), text(e)) for s, e in work] == [
        ("2026-03-02T07:00:00+00:00", "2026-03-02T11:30:00+00:00"),
        ("2026-03-02T12:00:00+00:00", "2026-03-02T16:00:00+00:00"),
        ("2026-03-02T21:00:00+00:00", "2026-03-02T22:00:00+00:00"),
    ]
    gaps = rest_gaps(work)
    assert gaps[0] == (None, work[0][0])
    assert gaps[1] == (work[0][1], work[1][0])
    assert gaps[-1] == (work[-1][1], None)
    assert rest_gaps([]) == [(None, None)]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone is not a known time zone"),
        ({"timezone": "../etc/passwd"}, "timezone is not a known time zone"),
        ({"timezone": "Europe"}, "timezone is not a known time zone"),
        ({"timezone": "x" * 300}, "timezone is not a known time zone"),
        ({"daily_rest_hours": -1}, "daily_rest_hours must not be negative"),
        ({"weekly_rest_hours": -0.5}, "weekly_rest_hours must not be negative"),
        ({"max_daily_work_hours": -10}, "max_daily_work_hours must not be negative"),
        ({"max_weekly_work_hours": -1}, "max_weekly_work_hours must not be negative"),
        ({"max_avg_weekly_work_hours": -1}, "max_avg_weekly_work_hours must not be negative"),
        ({"max_weekly_work_hours": float("nan")}, "max_weekly_work_hours must be at most"),
        ({"daily_rest_hours": 25}, "daily_rest_hours must be at most 24"),
        ({"avg_weeks": 0}, "avg_weeks must be at least 1"),
    ],
)
def test_invalid_policy_names_the_field(fields: dict, message: str):
    with pytest.raises(ValueError, match=message):
        RestPolicy(**fields)
    # Decoding a payload (as the team settings will) fails with the same message.
    with pytest.raises(msgspec.ValidationError, match=message):
        msgspec.convert(fields, RestPolicy)


def test_policy_defaults_are_the_french_ones():
    assert msgspec.structs.asdict(RestPolicy()) == {
        "timezone": "Europe/Paris",
        "daily_rest_hours": 11,
        "weekly_rest_hours": 35,
        "max_daily_work_hours": 10,
        "max_weekly_work_hours": 48,
        "max_avg_weekly_work_hours": 44,
        "avg_weeks": 12,
    }


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-03-02T10:00", "2026-03-02T10:00", "end must be after start"),
        ("2026-03-02T10:00", "2026-03-02T09:00", "end must be after start"),
    ],
)
def test_invalid_period(start: str, end: str, message: str):
    with pytest.raises(ValueError, match=message):
        period("work", start, end)


def test_period_needs_offsets():
    with pytest.raises(ValueError, match="start must carry a UTC offset"):
        Period(kind="work", start=datetime(2026, 3, 2, 8), end=instant("2026-03-02T09:00"))
