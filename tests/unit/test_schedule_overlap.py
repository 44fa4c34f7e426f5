"""One rotation per level at a time, and nobody on both levels: the pure rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
import pytest

from server.schedules.models import Rotation, RotationSpec, Shift
from server.schedules.overlap import DoubleDuty, double_duty, first_handoff, overlaps
from server.schedules.rotation import plan_shifts

PARIS = ZoneInfo("Europe/Paris")
ANNE, BRUNO, CHLOE = 1, 2, 3


def at(day: int, hour: int = 0) -> datetime:
    """An instant in December 2026, Paris time."""
    return datetime(2026, 12, day, hour, tzinfo=PARIS)


def spec(start: date, until: datetime | None = None, people=(ANNE, BRUNO)) -> RotationSpec:
    return RotationSpec(
        timezone="Europe/Paris",
        participants=people,
        start_date=start,
        handoff_time="08:00",
        until=until,
    )


def rotation(id: int, layer: str, value: RotationSpec, active: bool = True) -> Rotation:
    return Rotation(
        id=id,
        team_id=1,
        name=f"R{id}",
        layer=layer,
        spec=value,
        horizon_weeks=12,
        active=active,
        version=1,
    )


NEW = spec(date(2026, 12, 21))


@pytest.mark.parametrize(
    ("existing", "found"),
    [
        # The same level, running on: found, and it would stop where the new one starts.
        (rotation(1, "primary", spec(date(2026, 11, 30))), [1]),
        # The other level: no overlap (a backup layer runs alongside by design).
        (rotation(1, "secondary", spec(date(2026, 11, 30))), []),
        # Already ended at or before the new start: no overlap.
        (rotation(1, "primary", spec(date(2026, 11, 30), until=at(21, 8))), []),
        # Ended one hour after: overlaps by that hour.
        (rotation(1, "primary", spec(date(2026, 11, 30), until=at(21, 9))), [1]),
        # Starting later than the new one, on the same level: overlaps too.
        (rotation(1, "primary", spec(date(2027, 1, 4))), [1]),
        # Switched off: ignored.
        (rotation(1, "primary", spec(date(2026, 11, 30)), active=False), []),
    ],
)
def test_overlaps_on_the_same_level_only(existing: Rotation, found: list[int]) -> None:
    result = overlaps(NEW, "primary", [existing])
    assert [o.rotation.id for o in result] == found
    assert all(o.end_at == at(21, 8) for o in result)


def test_a_rotation_being_edited_does_not_overlap_itself() -> None:
    itself = rotation(5, "primary", spec(date(2026, 11, 30)))
    assert overlaps(itself.spec, "primary", [itself], exclude=5) == []


def test_a_rotation_ended_at_the_new_start_hands_over_without_gap_or_overlap() -> None:
    """Walk every hour of eight weeks: exactly one of the two rotations plans each instant."""
    old = spec(date(2026, 11, 30), people=(ANNE, BRUNO))
    new = spec(date(2026, 12, 21), people=(CHLOE,))
    ended = msgspec.structs.replace(old, until=first_handoff(new))
    window = (at(7, 8), at(7, 8) + timedelta(weeks=8))
    before = plan_shifts(ended, *window)
    after = plan_shifts(new, *window)
    assert max(s.ends_at for s in before) == at(21, 8)
    moment = window[0]
    while moment < window[1]:
        holders = [s for s in before + after if s.starts_at <= moment < s.ends_at]
        assert len(holders) == 1, moment
        assert (holders[0].user_id == CHLOE) == (moment >= at(21, 8)), moment
        moment += timedelta(hours=1)


def shift(id: int, user: int, layer: str, start: datetime, end: datetime, kind="regular") -> Shift:
    return Shift(
        id=id,
        team_id=1,
        rotation_id=None,
        kind=kind,
        layer=layer,
        user_id=user,
        user_name="",
        starts_at=start,
        ends_at=end,
        status="published",
    )


def test_double_duty_is_found_where_one_person_holds_both_levels() -> None:
    shifts = [
        shift(1, ANNE, "primary", at(21, 18), at(22, 8)),
        shift(2, ANNE, "secondary", at(22, 0), at(22, 12)),
    ]
    assert double_duty(shifts, at(20), at(24)) == [
        DoubleDuty(user_id=ANNE, starts_at=at(22, 0), ends_at=at(22, 8))
    ]


def test_an_override_that_takes_the_backup_away_clears_the_double_duty() -> None:
    shifts = [
        shift(1, ANNE, "primary", at(21, 18), at(22, 8)),
        shift(2, ANNE, "secondary", at(21, 18), at(22, 8)),
        shift(3, BRUNO, "secondary", at(21, 18), at(22, 8), kind="override"),
    ]
    assert double_duty(shifts, at(20), at(24)) == []


def test_different_people_or_different_times_are_fine() -> None:
    shifts = [
        shift(1, ANNE, "primary", at(21, 18), at(22, 8)),
        shift(2, BRUNO, "secondary", at(21, 18), at(22, 8)),
        shift(3, ANNE, "secondary", at(22, 8), at(22, 18)),
    ]
    assert double_duty(shifts, at(20), at(24)) == []
