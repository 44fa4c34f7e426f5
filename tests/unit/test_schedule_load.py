"""On-call load: days touched in any 28 days, the rest between on-call stretches."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.schedules.load import LoadWarning, load_warnings, oncall_days, shift_load, stretches

PARIS = ZoneInfo("Europe/Paris")
Interval = tuple[datetime, datetime]


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def oncall_week(monday: date) -> list[Interval]:
    """A week on call outside business hours: four weeknights 18:00–08:00 and the weekend from
    Friday 18:00 to the Monday hand-off at 08:00 (business hours Monday to Friday 08:00–18:00)."""
    day = datetime(monday.year, monday.month, monday.day, tzinfo=PARIS)
    nights = [
        (day.replace(hour=18) + timedelta(days=n), day.replace(hour=8) + timedelta(days=n + 1))
        for n in range(4)
    ]
    weekend = (day.replace(hour=18) + timedelta(days=4), day.replace(hour=8) + timedelta(days=7))
    return [*nights, weekend]


def warnings(intervals: list[Interval], max_days: int, min_between: int) -> list[LoadWarning]:
    return load_warnings(
        intervals, "Europe/Paris", max_days_per_28=max_days, min_days_between=min_between
    )


def rules(found: list[LoadWarning]) -> list[tuple[str, date, float]]:
    return [(w.rule, w.at, w.value) for w in found]


# --- oncall_days -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("intervals", "expected"),
    [
        # A night counts for both of its days.
        ([(paris(2026, 12, 7, 18), paris(2026, 12, 8, 8))], {date(2026, 12, 7), date(2026, 12, 8)}),
        # Ending at midnight does not touch the next day.
        ([(paris(2026, 12, 7, 18), paris(2026, 12, 8, 0))], {date(2026, 12, 7)}),
        # One minute past midnight does.
        (
            [(paris(2026, 12, 7, 18), paris(2026, 12, 8, 0, 1))],
            {date(2026, 12, 7), date(2026, 12, 8)},
        ),
        # Days are Paris days: 22:30–23:30 UTC is 23:30–00:30 in Paris.
        (
            [
                (
                    datetime(2026, 12, 7, 22, 30, tzinfo=UTC),
                    datetime(2026, 12, 7, 23, 30, tzinfo=UTC),
                )
            ],
            {date(2026, 12, 7), date(2026, 12, 8)},
        ),
        # A weekend from Friday 18:00 to Monday 08:00 touches four days.
        (
            [(paris(2026, 12, 11, 18), paris(2026, 12, 14, 8))],
            {date(2026, 12, d) for d in (11, 12, 13, 14)},
        ),
        # A week on call outside business hours touches eight days, Monday to Monday.
        (oncall_week(date(2026, 12, 7)), {date(2026, 12, d) for d in range(7, 15)}),
        ([], set()),
    ],
    ids=["night", "to-midnight", "past-midnight", "utc-input", "weekend", "week", "nothing"],
)
def test_oncall_days(intervals: list[Interval], expected: set[date]) -> None:
    assert oncall_days(intervals, "Europe/Paris") == expected


# --- max_oncall_days -------------------------------------------------------------------------

# Weeks 1 and 3 of a 4-week cycle from Monday 5 January 2026: 5–12 and 19–26 January, 16 days.
TWO_IN_FOUR = oncall_week(date(2026, 1, 5)) + oncall_week(date(2026, 1, 19))


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        # The 15th day (Sunday 25 January) is over 14: one warning, not one for the 26th too.
        (14, [("max_oncall_days", date(2026, 1, 25), 15)]),
        (15, [("max_oncall_days", date(2026, 1, 26), 16)]),
        (16, []),
        (28, []),
    ],
)
def test_two_weeks_in_four(limit: int, expected: list[tuple[str, date, float]]) -> None:
    assert len(oncall_days(TWO_IN_FOUR, "Europe/Paris")) == 16
    assert rules(warnings(TWO_IN_FOUR, limit, 7)) == expected


def test_two_weeks_in_four_over_eight_weeks_warns_once_per_window() -> None:
    intervals = [
        piece
        for monday in (date(2026, 1, 5), date(2026, 1, 19), date(2026, 2, 2), date(2026, 2, 16))
        for piece in oncall_week(monday)
    ]
    found = warnings(intervals, 14, 7)
    # 25 January is the first day over the limit; the next warning may come 28 days later,
    # on 22 February, whose window (26 January – 22 February) holds 1 + 8 + 7 = 16 days.
    assert rules(found) == [
        ("max_oncall_days", date(2026, 1, 25), 15),
        ("max_oncall_days", date(2026, 2, 22), 16),
    ]
    assert {w.limit for w in found} == {14}


def test_a_warning_carries_its_limit() -> None:
    (warning,) = warnings(TWO_IN_FOUR, 14, 7)
    assert warning == LoadWarning(rule="max_oncall_days", at=date(2026, 1, 25), value=15, limit=14)


# --- stretches and min_days_between -----------------------------------------------------------


def test_weeknights_of_one_week_form_one_stretch() -> None:
    week = oncall_week(date(2026, 1, 5))
    # 10 h gaps between the pieces (business hours) do not separate them.
    assert stretches(week) == [(paris(2026, 1, 5, 18), paris(2026, 1, 12, 8))]
    assert stretches(list(reversed(week))) == [(paris(2026, 1, 5, 18), paris(2026, 1, 12, 8))]


def test_weeks_apart_form_two_stretches() -> None:
    assert stretches(TWO_IN_FOUR) == [
        (paris(2026, 1, 5, 18), paris(2026, 1, 12, 8)),
        (paris(2026, 1, 19, 18), paris(2026, 1, 26, 8)),
    ]


@pytest.mark.parametrize(
    ("gap", "count"),
    [(timedelta(hours=47, minutes=59), 1), (timedelta(hours=48), 2), (timedelta(0), 1)],
)
def test_a_gap_of_48_hours_separates_stretches(gap: timedelta, count: int) -> None:
    first = (paris(2026, 1, 5, 18), paris(2026, 1, 6, 8))
    second = (first[1] + gap, first[1] + gap + timedelta(hours=14))
    assert len(stretches([first, second])) == count


def test_overlapping_intervals_merge_into_the_longest_end() -> None:
    long = (paris(2026, 1, 5, 0), paris(2026, 1, 9, 0))
    inside = (paris(2026, 1, 6, 0), paris(2026, 1, 7, 0))
    assert stretches([long, inside]) == [long]


def test_two_oncall_weeks_close_together_trip_min_days_between() -> None:
    # A week from Monday 5 January, then a week from Friday 16 January (another rotation with
    # Friday hand-offs): 4 days apart, under the 7 required.
    first = [(paris(2026, 1, 5, 8), paris(2026, 1, 12, 8))]
    second = [(paris(2026, 1, 16, 8), paris(2026, 1, 23, 8))]
    found = warnings(first + second, 28, 7)
    assert found == [LoadWarning(rule="min_days_between", at=date(2026, 1, 16), value=4.0, limit=7)]


def test_weeks_truly_back_to_back_are_one_stretch_not_a_short_rest() -> None:
    # Monday to Monday twice in a row is one 14-day stretch: no rest in between to check, but
    # 15 days on call in 28.
    back_to_back = oncall_week(date(2026, 1, 5)) + oncall_week(date(2026, 1, 12))
    assert len(stretches(back_to_back)) == 1
    assert rules(warnings(back_to_back, 14, 7)) == [("max_oncall_days", date(2026, 1, 19), 15)]


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        # From Monday 12 January 08:00 to Monday 19 January 18:00: 7 days and 10 h.
        (7, []),
        (8, [("min_days_between", date(2026, 1, 19), 7.4)]),
    ],
)
def test_one_week_off_between_two_oncall_weeks(limit: int, expected) -> None:
    assert rules(warnings(TWO_IN_FOUR, 28, limit)) == expected


def test_a_short_rest_after_a_week_is_dated_in_paris() -> None:
    week = oncall_week(date(2026, 1, 5))
    # A weekend starting Friday 16 January 23:30 UTC = Saturday 17 January 00:30 in Paris,
    # 4 days 16.5 h after the week ended (Monday 12 January 07:00 UTC).
    weekend = (datetime(2026, 1, 16, 23, 30, tzinfo=UTC), paris(2026, 1, 19, 8))
    (warning,) = warnings([*week, weekend], 28, 7)
    assert (warning.rule, warning.at, warning.value) == ("min_days_between", date(2026, 1, 17), 4.7)


def test_nothing_on_call_warns_of_nothing() -> None:
    assert warnings([], 1, 60) == []


# The shift editor's picker: what giving one shift to a person would break ---------------------


def picker(intervals: list[Interval], shift: Interval, max_days: int = 16, min_between: int = 7):
    found = shift_load(
        intervals,
        shift,
        "Europe/Paris",
        max_days_per_28=max_days,
        min_days_between=min_between,
    )
    return [(w.rule, w.value, w.limit, w.first, w.last) for w in found]


ALTERNATE_WEEKS = oncall_week(date(2026, 11, 30)) + oncall_week(date(2026, 12, 14))
MONDAY_7_NIGHT = (paris(2026, 12, 7, 18), paris(2026, 12, 8, 8))


@pytest.mark.parametrize(
    ("max_days", "min_between", "expected"),
    [
        # Within both limits: nothing to say.
        (17, 6, []),
        # One day over, in the 28 days that end with the week of the 14th; the gap after the
        # night shrinks from 7.4 to 6.4 days.
        (
            16,
            7,
            [
                ("max_oncall_days", 17, 16, date(2026, 11, 24), date(2026, 12, 21)),
                ("min_days_between", 6.4, 7, date(2026, 12, 8), date(2026, 12, 14)),
            ],
        ),
        # Windows over the limit without the night (16 > 15) are not the choice's concern:
        # one figure, the busiest with the night.
        (15, 1, [("max_oncall_days", 17, 15, date(2026, 11, 24), date(2026, 12, 21))]),
    ],
)
def test_the_picker_gives_one_figure_per_rule_with_its_period(
    max_days: int, min_between: int, expected: list
) -> None:
    assert picker(ALTERNATE_WEEKS, MONDAY_7_NIGHT, max_days, min_between) == expected


def test_a_shift_far_from_a_busy_month_raises_nothing_about_it() -> None:
    """The old picker listed every window of the person's schedule over the limit."""
    busy = oncall_week(date(2026, 11, 30)) + oncall_week(date(2026, 12, 7))
    far = (paris(2027, 2, 1, 18), paris(2027, 2, 2, 8))
    assert warnings([*busy, far], 10, 7) != []
    assert picker(busy, far, 10, 7) == []


def test_walking_a_night_across_ten_weeks_gives_at_most_one_figure_per_rule() -> None:
    night = MONDAY_7_NIGHT
    for _ in range(70):
        rules_found = [w[0] for w in picker(ALTERNATE_WEEKS, night, 10, 10)]
        assert len(rules_found) == len(set(rules_found)), night
        night = (night[0] + timedelta(days=1), night[1] + timedelta(days=1))
