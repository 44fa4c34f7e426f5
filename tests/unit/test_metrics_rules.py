"""The people figures' pure rules: on-call time split by kind of local day (across a clock
change and public holidays), the union of spans, shares, fairness and rules ranked."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.metrics.models import PersonFigures
from server.metrics.rules import (
    OnCallHours,
    fairness_of,
    holidays_between,
    merged,
    rules_ranked,
    split_hours,
    stretches_between,
    with_shares,
)

PARIS = ZoneInfo("Europe/Paris")
H = 3600


def at(month: int, day: int, hour: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS)


def split(start: datetime, end: datetime, alsace: bool = False) -> OnCallHours:
    stretches = stretches_between("Europe/Paris", alsace, start, end)
    return split_hours([(start, end)], stretches)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # Friday 18:00 to Monday 08:00: Friday 22:00–24:00 and Monday 00:00–08:00 are
        # weekday nights, Saturday and Sunday weekend.
        (at(12, 4, 18), at(12, 7, 8), OnCallHours(62 * H, 10 * H, 48 * H, 0)),
        # A weekday evening before 22:00 counts in the total only.
        (at(12, 8, 18), at(12, 8, 22), OnCallHours(4 * H, 0, 0, 0)),
        # 14 July (a Tuesday) is a holiday at every hour, night included.
        (at(7, 13, 22), at(7, 15, 8), OnCallHours(34 * H, 10 * H, 0, 24 * H)),
        # A holiday on a Sunday (1 November 2026) is a holiday, not weekend.
        (at(10, 31), at(11, 2), OnCallHours(48 * H, 0, 24 * H, 24 * H)),
        # The night the clocks go back (Sunday 25 October 2026) has 25 hours.
        (at(10, 25), at(10, 26), OnCallHours(25 * H, 0, 25 * H, 0)),
        # The night the clocks go forward (Sunday 28 March 2027) is an hour shorter.
        (at(3, 27, 22, 2027), at(3, 28, 8, 2027), OnCallHours(9 * H, 0, 9 * H, 0)),
    ],
)
def test_on_call_time_by_kind_of_day(start, end, expected) -> None:
    assert split(start, end) == expected


def test_alsace_moselle_adds_good_friday_and_st_stephen() -> None:
    good_friday = (at(4, 3), at(4, 4))  # 3 April 2026
    assert split(*good_friday).holiday == 0
    assert split(*good_friday, alsace=True).holiday == 24 * H
    assert date(2026, 12, 26) in holidays_between(True, date(2026, 12, 1), date(2026, 12, 31))
    assert holidays_between(False, date(2026, 7, 1), date(2026, 7, 31)) == [date(2026, 7, 14)]


def test_time_held_twice_is_counted_once() -> None:
    spans = [(at(1, 5, 18), at(1, 6, 8)), (at(1, 6, 6), at(1, 6, 10)), (at(1, 7), at(1, 7, 1))]
    assert merged(spans) == [(at(1, 5, 18), at(1, 6, 10)), (at(1, 7), at(1, 7, 1))]


def person(user_id: int, hours: float, interventions: int = 0) -> PersonFigures:
    return PersonFigures(
        user_id=user_id,
        name=f"P{user_id:03d}",
        oncall_hours=hours,
        weekday_night_hours=0,
        weekend_hours=0,
        holiday_hours=0,
        interventions=interventions,
        night_interventions=0,
        intervention_seconds=0,
        acknowledged=0,
        interruptions=0,
        sleep_interruptions=0,
        off_hours_interruptions=0,
        violations=0,
        high_fatigue_reports=0,
        share=None,
    )


@pytest.mark.parametrize(
    ("loads", "ratio", "mean"),
    [
        ([84.0, 20.0, 0.0], 4.2, 52.0),  # nobody with no on-call time enters the ratio
        ([10.0, 10.0], 1.0, 10.0),
        ([7.0], None, 7.0),  # one person: no ratio
        ([0.0, 0.0], None, 0.0),
        ([], None, 0.0),
    ],
)
def test_fairness(loads, ratio, mean) -> None:
    fairness = fairness_of([person(n, load, n) for n, load in enumerate(loads)])
    assert (fairness.max_min_ratio, fairness.mean_oncall_hours) == (ratio, mean)
    assert fairness.people == sum(1 for load in loads if load > 0)


def test_shares_order_most_loaded_first_and_none_without_on_call_time() -> None:
    shared = with_shares([person(1, 20.0), person(2, 84.0), person(3, 0.0)])
    assert [(p.user_id, p.share) for p in shared] == [(2, 1.615), (1, 0.385), (3, 0.0)]
    assert [p.share for p in with_shares([person(1, 0.0)])] == [None]


loads = st.lists(
    st.floats(min_value=0.01, max_value=2000, allow_nan=False).map(lambda x: round(x, 2)),
    min_size=1,
    max_size=40,
)


@given(loads)
def test_shares_average_to_one_and_the_ratio_is_at_least_one(hours: list[float]) -> None:
    people = [person(n, load) for n, load in enumerate(hours)]
    shared = with_shares(people)
    assert sum(p.share for p in shared) / len(shared) == pytest.approx(1, abs=1e-3)
    fairness = fairness_of(people)
    if len(hours) > 1:
        assert fairness.max_min_ratio >= 1
    assert [p.oncall_hours for p in shared] == sorted(hours, reverse=True)


@given(
    st.lists(
        st.tuples(st.integers(0, 500), st.integers(1, 100)).map(
            lambda pair: (at(1, 1) + timedelta(hours=pair[0]), pair[1])
        ),
        max_size=20,
    )
)
def test_the_kinds_of_day_never_exceed_the_total(spans) -> None:
    disjoint = merged((start, start + timedelta(hours=length)) for start, length in spans)
    stretches = stretches_between("Europe/Paris", False, at(1, 1), at(2, 1))
    found = split_hours(disjoint, stretches)
    assert found.total == sum((end - start).total_seconds() for start, end in disjoint)
    assert found.weekday_night + found.weekend + found.holiday <= found.total


def test_rules_by_count_then_name() -> None:
    ranked = rules_ranked(["weekly_rest", "daily_rest", "daily_rest", "max_daily_work"])
    assert ranked == [("daily_rest", 2), ("max_daily_work", 1), ("weekly_rest", 1)]
