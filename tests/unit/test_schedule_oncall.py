"""Who is really on call: overrides over regular shifts, told shifts only, continuous duty."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.schedules.models import OnCallSlot, Shift
from server.schedules.oncall import effective_slots, on_call_at

PARIS = ZoneInfo("Europe/Paris")
ANNE, BRUNO, CHLOE = 1, 2, 3
NAMES = {ANNE: "Anne", BRUNO: "Bruno", CHLOE: "Chloé"}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in December 2026, Paris time."""
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


def shift(
    id: int,
    user: int,
    start: datetime,
    end: datetime,
    *,
    kind: str = "regular",
    status: str = "published",
    layer: str = "primary",
) -> Shift:
    return Shift(
        id=id,
        team_id=1,
        rotation_id=None if kind == "override" else 7,
        kind=kind,
        layer=layer,
        user_id=user,
        user_name=NAMES[user],
        starts_at=start,
        ends_at=end,
        status=status,
    )


def slot(user: int, start: datetime, end: datetime, shift_id: int, kind: str = "regular"):
    return OnCallSlot(user_id=user, starts_at=start, ends_at=end, shift_id=shift_id, kind=kind)


# Anne's night, Monday 7 December 18:00 to Tuesday 08:00; Bruno takes 22:00–02:00 over it.
NIGHT = shift(1, ANNE, at(7, 18), at(8, 8))
OVERRIDE = shift(2, BRUNO, at(7, 22), at(8, 2), kind="override")
DAY = (at(7, 12), at(8, 12))


def test_an_override_wins_over_its_stretch_only() -> None:
    assert effective_slots([NIGHT, OVERRIDE], "primary", *DAY) == [
        slot(ANNE, at(7, 18), at(7, 22), 1),
        slot(BRUNO, at(7, 22), at(8, 2), 2, "override"),
        slot(ANNE, at(8, 2), at(8, 8), 1),
    ]
    # The order the shifts come in does not matter.
    assert effective_slots([OVERRIDE, NIGHT], "primary", *DAY) == effective_slots(
        [NIGHT, OVERRIDE], "primary", *DAY
    )


@pytest.mark.parametrize(
    ("moment", "user", "until"),
    [
        (at(7, 18), ANNE, at(7, 22)),
        (at(7, 21, 59), ANNE, at(7, 22)),
        (at(7, 22), BRUNO, at(8, 2)),
        (at(8, 1, 59), BRUNO, at(8, 2)),
        (at(8, 2), ANNE, at(8, 8)),
        (at(8, 7, 59), ANNE, at(8, 8)),
    ],
)
def test_on_call_at_around_an_override(moment: datetime, user: int, until: datetime) -> None:
    found = on_call_at([NIGHT, OVERRIDE], "primary", moment, at(9, 0))
    assert found is not None
    assert (found.user_id, found.ends_at) == (user, until)


@pytest.mark.parametrize(
    "moment", [at(7, 17, 59), at(8, 8), at(8, 12)], ids=["before", "at-end", "after"]
)
def test_nobody_on_call(moment: datetime) -> None:
    assert on_call_at([NIGHT, OVERRIDE], "primary", moment, at(9, 0)) is None
    assert on_call_at([], "primary", moment, at(9, 0)) is None


def test_drafts_never_count() -> None:
    draft_override = shift(2, BRUNO, at(7, 22), at(8, 2), kind="override", status="draft")
    assert effective_slots([NIGHT, draft_override], "primary", *DAY) == [
        slot(ANNE, at(7, 18), at(8, 8), 1)
    ]
    draft_night = shift(1, ANNE, at(7, 18), at(8, 8), status="draft")
    assert effective_slots([draft_night], "primary", *DAY) == []
    assert on_call_at([draft_night], "primary", at(7, 23), at(9, 0)) is None


@pytest.mark.parametrize("status", ["published", "accepted", "declined"])
def test_told_shifts_count_even_declined(status: str) -> None:
    # A declined shift stays with the person until a manager reassigns it.
    night = shift(1, ANNE, at(7, 18), at(8, 8), status=status)
    found = on_call_at([night], "primary", at(7, 23), at(9, 0))
    assert found == slot(ANNE, at(7, 23), at(8, 8), 1)


def test_layers_are_separate() -> None:
    backup = shift(3, CHLOE, at(7, 18), at(8, 8), layer="secondary")
    assert effective_slots([NIGHT, backup], "secondary", *DAY) == [
        slot(CHLOE, at(7, 18), at(8, 8), 3)
    ]
    # A secondary override does not replace the primary person.
    secondary_override = shift(4, BRUNO, at(7, 22), at(8, 2), kind="override", layer="secondary")
    found = on_call_at([NIGHT, secondary_override], "primary", at(7, 23), at(9, 0))
    assert found is not None and found.user_id == ANNE


@pytest.mark.parametrize(("first_id", "second_id"), [(1, 2), (2, 1)], ids=["ids-up", "ids-down"])
def test_the_later_starting_regular_shift_wins(first_id: int, second_id: int) -> None:
    early = shift(first_id, ANNE, at(7, 0), at(7, 12))
    late = shift(second_id, BRUNO, at(7, 6), at(7, 18))
    assert effective_slots([early, late], "primary", at(7, 0), at(8, 0)) == [
        slot(ANNE, at(7, 0), at(7, 6), first_id),
        slot(BRUNO, at(7, 6), at(7, 18), second_id),
    ]


def test_an_override_wins_even_when_it_started_earlier() -> None:
    override = shift(5, BRUNO, at(7, 17), at(7, 20), kind="override")
    assert effective_slots([NIGHT, override], "primary", *DAY) == [
        slot(BRUNO, at(7, 17), at(7, 20), 5, "override"),
        slot(ANNE, at(7, 20), at(8, 8), 1),
    ]


def test_adjacent_shifts_of_one_person_are_one_continuous_duty() -> None:
    # Weekend piece then a public-holiday Monday of the same person: one slot.
    weekend = shift(1, ANNE, at(11, 18), at(14, 8))
    holiday = shift(2, ANNE, at(14, 8), at(15, 8))
    found = on_call_at([weekend, holiday], "primary", at(12, 3), at(20, 0))
    assert found == slot(ANNE, at(12, 3), at(15, 8), 1)
    assert effective_slots([weekend, holiday], "primary", at(11, 0), at(16, 0)) == [
        slot(ANNE, at(11, 18), at(15, 8), 1)
    ]


def test_shifts_of_one_person_with_a_gap_are_two_slots() -> None:
    monday = shift(1, ANNE, at(7, 18), at(8, 8))
    tuesday = shift(2, ANNE, at(8, 18), at(9, 8))
    assert effective_slots([monday, tuesday], "primary", at(7, 0), at(10, 0)) == [
        slot(ANNE, at(7, 18), at(8, 8), 1),
        slot(ANNE, at(8, 18), at(9, 8), 2),
    ]
    found = on_call_at([monday, tuesday], "primary", at(7, 20), at(10, 0))
    assert found is not None and found.ends_at == at(8, 8)


def test_an_override_of_the_same_person_extends_the_duty() -> None:
    # Anne stays on until noon on Tuesday: the override continues her night.
    extension = shift(2, ANNE, at(8, 8), at(8, 12), kind="override")
    found = on_call_at([NIGHT, extension], "primary", at(7, 20), at(9, 0))
    assert found == slot(ANNE, at(7, 20), at(8, 12), 1)
    # An override inside her own shift changes nothing either.
    inside = shift(3, ANNE, at(7, 22), at(8, 2), kind="override")
    assert effective_slots([NIGHT, inside], "primary", *DAY) == [slot(ANNE, at(7, 18), at(8, 8), 1)]


def test_slots_are_cut_to_the_window_and_the_horizon() -> None:
    assert effective_slots([NIGHT], "primary", at(7, 20), at(8, 4)) == [
        slot(ANNE, at(7, 20), at(8, 4), 1)
    ]
    found = on_call_at([NIGHT], "primary", at(7, 20), at(8, 0))
    assert found is not None and found.ends_at == at(8, 0)


def test_at_most_one_person_at_every_minute() -> None:
    # A tangle: two regular shifts overlapping, an override across both, and a draft.
    shifts = [
        shift(1, ANNE, at(7, 18), at(8, 8)),
        shift(2, BRUNO, at(8, 0), at(8, 18)),
        shift(3, CHLOE, at(8, 6), at(8, 10), kind="override"),
        shift(4, CHLOE, at(7, 19), at(7, 21), kind="override", status="draft"),
    ]
    slots = effective_slots(shifts, "primary", at(7, 12), at(9, 0))
    assert slots == [
        slot(ANNE, at(7, 18), at(8, 0), 1),
        slot(BRUNO, at(8, 0), at(8, 6), 2),
        slot(CHLOE, at(8, 6), at(8, 10), 3, "override"),
        slot(BRUNO, at(8, 10), at(8, 18), 2),
    ]
    moment = at(7, 12)
    while moment < at(9, 0):
        holding = [s for s in slots if s.starts_at <= moment < s.ends_at]
        assert len(holding) <= 1
        found = on_call_at(shifts, "primary", moment, at(9, 0))
        assert (found.user_id if found else None) == (holding[0].user_id if holding else None)
        moment += timedelta(minutes=15)
