"""Training's pure rules: the windows the effect is read over, what a session grants, the form
checked, the comparisons and their caution, the group's pooled figures."""

from __future__ import annotations

from datetime import date

import pytest

from server.errors import InvalidInput
from server.training.models import Holding
from server.training.rules import (
    MIN_COUNT,
    add_months,
    better,
    compare,
    granted,
    pooled,
    session_input,
    windows,
)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 2), 24, date(2028, 11, 2)),
        (date(2026, 3, 15), -3, date(2025, 12, 15)),
        (date(2026, 10, 31), 60, date(2031, 10, 31)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("held_on", "before", "after"),
    [
        # The 3 months after start the next day; the same number of days before, ending with
        # the session's day.
        (
            date(2026, 11, 2),
            (date(2026, 8, 3), date(2026, 11, 2)),
            (date(2026, 11, 3), date(2027, 2, 2)),
        ),
        (
            date(2026, 11, 30),
            (date(2026, 9, 2), date(2026, 11, 30)),
            (date(2026, 12, 1), date(2027, 2, 28)),
        ),
    ],
)
def test_windows_are_three_months_after_and_as_many_days_before(held_on, before, after) -> None:
    found_before, found_after = windows(held_on)
    assert (found_before, found_after) == (before, after)
    assert (found_before[1] - found_before[0]) == (found_after[1] - found_after[0])


def test_windows_walked_over_two_years_never_overlap_and_always_touch() -> None:
    day = date(2026, 1, 1)
    while day < date(2028, 1, 1):
        (b_first, b_last), (a_first, a_last) = windows(day)
        assert b_last == day and (a_first - b_last).days == 1
        assert 89 <= (a_last - a_first).days + 1 <= 92
        assert (b_last - b_first) == (a_last - a_first)
        day = date.fromordinal(day.toordinal() + 1)


@pytest.mark.parametrize(
    ("existing", "validity", "expected"),
    [
        (None, 24, Holding(obtained_on=date(2026, 11, 2), expires_on=date(2028, 11, 2))),
        (None, None, Holding(obtained_on=date(2026, 11, 2), expires_on=None)),
        # A migrated skill (no dates): the session gives it its dates.
        (Holding(), 36, Holding(obtained_on=date(2026, 11, 2), expires_on=date(2029, 11, 2))),
        # Held from an earlier day, even expired: renewed.
        (
            Holding(obtained_on=date(2024, 10, 1), expires_on=date(2026, 10, 1)),
            24,
            Holding(obtained_on=date(2026, 11, 2), expires_on=date(2028, 11, 2)),
        ),
        # Held from that day or a later one: a session entered late changes nothing.
        (Holding(obtained_on=date(2026, 11, 2), expires_on=date(2028, 11, 2)), 24, None),
        (Holding(obtained_on=date(2027, 1, 5), expires_on=date(2029, 1, 5)), 24, None),
    ],
)
def test_what_a_session_grants(existing, validity, expected) -> None:
    assert granted(existing, date(2026, 11, 2), validity) == expected


FORM = {"topic": "  Gestion   du stress ", "kind": "stress", "held_on": "2026-11-02"}


def checked(values: dict, attendees=("3", "4"), **kwargs):
    options = {"people": {2, 3, 4}, "qualifications": {7}, "today": date(2026, 11, 30)}
    return session_input(values, list(attendees), **{**options, **kwargs})


def test_a_session_typed_is_read_clean() -> None:
    found = checked(
        {**FORM, "trainer_id": "2", "trainer_name": "ignored", "qualification_id": "7"},
        ("3", "4", "3"),
    )
    assert found.topic == "Gestion du stress"
    assert found.trainer_id == 2 and found.trainer_name == ""
    assert found.attendee_ids == (3, 4)
    assert found.qualification_id == 7
    assert checked({**FORM, "trainer_name": "APAVE"}).trainer_name == "APAVE"
    # The session's day may be today (team's zone).
    assert checked({**FORM, "held_on": "2026-11-30"}).held_on == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("change", "attendees", "field"),
    [
        ({"topic": ""}, ("3",), "topic"),
        ({"topic": "x" * 201}, ("3",), "topic"),
        ({"kind": "yoga"}, ("3",), "kind"),
        ({"held_on": "2026-02-30"}, ("3",), "held_on"),
        ({"held_on": "2026-12-01"}, ("3",), "held_on"),
        ({"trainer_id": "9"}, ("3",), "trainer_id"),
        ({"trainer_id": "two"}, ("3",), "trainer_id"),
        ({"trainer_name": "x" * 121}, ("3",), "trainer_name"),
        ({"qualification_id": "8"}, ("3",), "qualification_id"),
        ({"notes": "x" * 2001}, ("3",), "notes"),
        ({}, (), "attendees"),
        ({}, ("3", "9"), "attendees"),
        ({}, ("3", "x"), "attendees"),
    ],
)
def test_a_bad_field_is_named(change, attendees, field) -> None:
    with pytest.raises(InvalidInput) as refused:
        checked({**FORM, **change}, attendees)
    assert refused.value.field == field


def test_the_caution_is_set_below_the_threshold_on_either_side() -> None:
    assert not compare("ack", (600.0, MIN_COUNT), (300.0, MIN_COUNT)).few
    assert compare("ack", (600.0, MIN_COUNT - 1), (300.0, 40)).few
    assert compare("ack", (600.0, 40), (None, 0)).few
    nothing = compare("quality", (None, 0), (80.0, 3))
    assert nothing.before is None and nothing.change is None


@pytest.mark.parametrize(
    ("key", "before", "after", "expected"),
    [
        ("ack", 600.0, 300.0, True),  # faster is better
        ("intervene", 600.0, 900.0, False),
        ("satisfaction", 0.5, 0.8, True),  # a higher share is better
        ("quality", 90.0, 70.0, False),
        ("quality", 90.0, 90.0, None),
    ],
)
def test_better_knows_which_way_is_good(key, before, after, expected) -> None:
    assert better(compare(key, (before, 20), (after, 20))) is expected


def test_the_group_counts_every_item_together() -> None:
    sophie = compare("ack", (600.0, 12), (240.0, 12))
    samuel = compare("ack", (120.0, 3), (None, 0))
    other = compare("quality", (50.0, 1), (100.0, 1))
    group = pooled("ack", [sophie, samuel, other])
    assert group.before == pytest.approx((600 * 12 + 120 * 3) / 15)
    assert (group.before_count, group.after, group.after_count) == (15, 240.0, 12)
    assert not group.few
    assert pooled("satisfaction", [sophie]).before is None
