"""The schedules services' decisions, as pure rules: which drafts a rotation's generation
replaces, the backup layer's order, who takes a stretch back when an override goes, and the
notice checks of a publication and of a manager's change."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.errors import RuleViolation
from server.schedules.models import PlannedShift, Shift
from server.schedules.notice import check_change_notice, check_publication
from server.schedules.oncall import handed_back
from server.schedules.rotation import backup_participants, drafts_to_sync
from server.teams.models import Team, TeamPolicy

PARIS = ZoneInfo("Europe/Paris")
ANNE, BRUNO, CHLOE = 1, 2, 3
# A Monday noon: every instant below is built from it, never from the wall clock.
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=PARIS)
TEAM = Team(
    id=1, name="Maintenance", timezone="Europe/Paris", policy=TeamPolicy(), created_at="2026"
)


def day(n: int, hour: int = 8) -> datetime:
    """`n` days after NOW's day, at `hour` Paris time."""
    return datetime(2026, 12, 7, hour, tzinfo=PARIS) + timedelta(days=n)


def shift(
    id: int,
    user: int,
    start: datetime,
    end: datetime,
    *,
    status: str = "draft",
    kind: str = "regular",
    edited: bool = False,
) -> Shift:
    return Shift(
        id=id,
        team_id=1,
        rotation_id=None if kind == "override" else 7,
        kind=kind,
        layer="primary",
        user_id=user,
        user_name=str(user),
        starts_at=start,
        ends_at=end,
        status=status,
        edited=edited,
    )


def plan(user: int, start: datetime, end: datetime) -> PlannedShift:
    return PlannedShift(user_id=user, starts_at=start, ends_at=end)


def apply(existing: list[Shift], stale: list[int], inserts: list[PlannedShift]) -> list[Shift]:
    """What the store holds once the decision is written (new drafts get fresh ids)."""
    kept = [s for s in existing if s.id not in stale]
    return kept + [shift(100 + i, p.user_id, p.starts_at, p.ends_at) for i, p in enumerate(inserts)]


# Generation ------------------------------------------------------------------------------


def test_a_draft_matching_the_plan_is_kept_and_nothing_is_written() -> None:
    existing = [shift(1, ANNE, day(1), day(2))]
    assert drafts_to_sync([plan(ANNE, day(1), day(2))], existing, [], NOW) == ([], [])


def test_a_draft_nobody_touched_is_replaced_when_the_plan_changes() -> None:
    existing = [shift(1, ANNE, day(1), day(2))]
    stale, inserts = drafts_to_sync([plan(BRUNO, day(1), day(2))], existing, [], NOW)
    assert stale == [1]
    assert inserts == [plan(BRUNO, day(1), day(2))]


@pytest.mark.parametrize(
    "kept",
    [
        shift(1, ANNE, day(1), day(2), status="published"),
        shift(1, ANNE, day(1), day(2), status="accepted"),
        shift(1, ANNE, day(1), day(2), status="declined"),
        shift(1, ANNE, day(1), day(2), edited=True),
        # Under way: a draft that has started is not the generation's to take back.
        shift(1, ANNE, NOW - timedelta(hours=1), day(2)),
    ],
    ids=["published", "accepted", "declined", "edited", "under-way"],
)
def test_what_people_were_told_or_a_manager_edited_is_never_overwritten(kept: Shift) -> None:
    """Bruno's planned stretch overlaps Anne's shift: it is skipped, hers stays."""
    stale, inserts = drafts_to_sync(
        [plan(BRUNO, day(1), day(2)), plan(CHLOE, day(2), day(3))], [kept], [], NOW
    )
    assert stale == []
    assert inserts == [plan(CHLOE, day(2), day(3))]


def test_a_stretch_told_from_another_rotation_gets_no_second_shift() -> None:
    elsewhere = [shift(9, CHLOE, day(1), day(2), status="accepted")]
    stale, inserts = drafts_to_sync(
        [plan(ANNE, day(1), day(2)), plan(BRUNO, day(2), day(3))], [], elsewhere, NOW
    )
    assert (stale, inserts) == ([], [plan(BRUNO, day(2), day(3))])


def test_generating_twice_changes_nothing_the_second_time() -> None:
    existing = [
        shift(1, ANNE, day(1), day(2)),
        shift(2, ANNE, day(2), day(3), status="published"),
        shift(3, CHLOE, day(5), day(6)),
    ]
    planned = [plan(BRUNO, day(1), day(2)), plan(BRUNO, day(2), day(3)), plan(ANNE, day(3), day(4))]
    stale, inserts = drafts_to_sync(planned, existing, [], NOW)
    assert sorted(stale) == [1, 3]
    after = apply(existing, stale, inserts)
    assert drafts_to_sync(planned, after, [], NOW) == ([], [])


# The backup layer ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("people", "backup"),
    [((1, 2), (2, 1)), ((1, 2, 3), (2, 3, 1)), ((1, 2, 3, 4), (3, 4, 1, 2))],
)
def test_the_backup_layer_is_the_same_people_half_the_list_further(people, backup) -> None:
    assert backup_participants(people) == backup
    assert sorted(backup) == sorted(people)
    # Nobody holds the same turn on both layers.
    assert all(a != b for a, b in zip(people, backup, strict=True))


# An override taken back ------------------------------------------------------------------


def test_who_takes_the_stretch_back_when_an_override_goes() -> None:
    """Chloé's override over Anne's then Bruno's nights goes: each is told of their own part,
    from its first to its last instant; Chloé, whose override it was, is not told she is back
    for her own day shift in between."""
    below = [
        shift(1, ANNE, day(1, 18), day(2, 8), status="accepted"),
        shift(2, ANNE, day(2, 18), day(3, 8), status="accepted"),
        shift(3, BRUNO, day(3, 18), day(4, 8), status="published"),
        shift(4, CHLOE, day(2, 8), day(2, 18), status="accepted"),
    ]
    back = handed_back(below, "primary", day(1, 18), day(4, 8), leaving=CHLOE)
    assert back == {ANNE: (day(1, 18), day(3, 8)), BRUNO: (day(3, 18), day(4, 8))}


# Notice --------------------------------------------------------------------------------------


def test_a_change_at_normal_notice_keeps_no_reason() -> None:
    assert check_change_notice(TEAM, NOW, day(20), False, "") is None


def test_a_change_at_short_notice_needs_the_box_then_the_reason() -> None:
    with pytest.raises(RuleViolation) as tick:
        check_change_notice(TEAM, NOW, day(5), False, "")
    assert tick.value.field == "exceptional"
    assert "15" in tick.value.message
    with pytest.raises(RuleViolation) as reason:
        check_change_notice(TEAM, NOW, day(5), True, "  ")
    assert reason.value.field == "reason"
    assert check_change_notice(TEAM, NOW, day(5), True, "Flu") == "Flu"


def test_a_change_for_tomorrow_is_too_close_even_in_exceptional_circumstances() -> None:
    with pytest.raises(RuleViolation) as refused:
        check_change_notice(TEAM, NOW, day(1), True, "Flu")
    assert refused.value.field is None
    # In French, the default language: a swap between colleagues is the way.
    assert "échange entre collègues" in refused.value.message


def test_a_publication_names_the_first_shift_too_close_then_what_short_notice_lacks() -> None:
    late = [shift(2, BRUNO, day(1, 18), day(2, 8)), shift(1, ANNE, day(1, 8), day(1, 18))]
    short = [shift(3, CHLOE, day(5), day(6))]
    with pytest.raises(RuleViolation) as too_late:
        check_publication(TEAM, late, short, True, "Flu")
    assert "08:00" in too_late.value.message
    with pytest.raises(RuleViolation) as tick:
        check_publication(TEAM, [], short, False, "")
    assert tick.value.field == "exceptional"
    assert tick.value.message.startswith("1 ")
    assert "moins de 15 jours" in tick.value.message
    check_publication(TEAM, [], short, True, "Flu")
    check_publication(TEAM, [], [], False, "")
