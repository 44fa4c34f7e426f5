"""Coverage gaps as pure rules: interval arithmetic, the team's coverage window from its
rotations, and the gaps split into holes and stretches only drafts hold."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.schedules.coverage import (
    coverage_window,
    gap_at,
    has_layer,
    held,
    merge,
    split_gaps,
    subtract,
)
from server.schedules.models import Coverage, Rotation, RotationSpec, Shift

PARIS = ZoneInfo("Europe/Paris")
BASE = datetime(2026, 12, 7, tzinfo=UTC)
OUTSIDE_BUSINESS_HOURS = Coverage()


def h(hours: float) -> datetime:
    return BASE + timedelta(hours=hours)


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


def spans(*pairs: tuple[float, float]) -> list[tuple[datetime, datetime]]:
    return [(h(a), h(b)) for a, b in pairs]


def rotation(
    layer: str = "primary",
    coverage: Coverage | None = OUTSIDE_BUSINESS_HOURS,
    start: date = date(2026, 11, 30),
    active: bool = True,
) -> Rotation:
    spec = RotationSpec(
        timezone="Europe/Paris",
        participants=(1, 2),
        start_date=start,
        handoff_time="08:00",
        coverage=coverage,
    )
    return Rotation(
        id=1,
        team_id=1,
        name="r",
        layer=layer,
        spec=spec,
        horizon_weeks=12,
        active=active,
        version=1,
    )


@pytest.mark.parametrize(
    ("window", "covered", "gaps"),
    [
        # Nothing covered: the whole window is a gap.
        (((0, 10),), (), ((0, 10),)),
        # Covered in the middle: two gaps.
        (((0, 10),), ((3, 5),), ((0, 3), (5, 10))),
        # Covered past both edges: none.
        (((2, 8),), ((0, 10),), ()),
        # Touching coverage pieces leave no gap between them.
        (((0, 10),), ((0, 4), (4, 10)), ()),
        # Overlapping, unsorted coverage; two window pieces.
        (((0, 4), (6, 12)), ((9, 20), (1, 2), (1.5, 3)), ((0, 1), (3, 4), (6, 9))),
        # Coverage outside the window changes nothing.
        (((5, 6),), ((0, 5), (6, 9)), ((5, 6),)),
    ],
)
def test_gaps_are_the_window_minus_what_is_held(window, covered, gaps) -> None:
    assert subtract(spans(*window), spans(*covered)) == spans(*gaps)


def test_merge_joins_overlapping_and_touching_pieces_and_drops_empty_ones() -> None:
    assert merge(spans((5, 6), (0, 2), (2, 3), (1, 2.5), (7, 7))) == spans((0, 3), (5, 6))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [(0, (0, 3)), (2.9, (0, 3)), (3, None), (5, (5, 10)), (10, None)],
)
def test_the_gap_holding_a_moment(moment: float, expected) -> None:
    gaps = spans((0, 3), (5, 10))
    assert gap_at(gaps, h(moment)) == (spans(expected)[0] if expected else None)


intervals = st.lists(
    st.tuples(st.integers(0, 200), st.integers(1, 40)).map(lambda p: (h(p[0]), h(p[0] + p[1]))),
    max_size=8,
)


def contains(pieces, moment: datetime) -> bool:
    return any(a <= moment < b for a, b in pieces)


@given(window=intervals, covered=intervals)
def test_gaps_and_what_is_held_make_up_the_window_exactly(window, covered) -> None:
    gaps = subtract(window, covered)
    # Sorted, disjoint, non-empty pieces.
    assert all(a < b for a, b in gaps)
    assert all(gaps[i][1] <= gaps[i + 1][0] for i in range(len(gaps) - 1))
    # Walk every hour (pieces start and end on whole hours): gaps ∪ (held ∩ window) = window,
    # and no instant is both a gap and held.
    for hour in range(0, 250):
        moment = h(hour)
        in_window = contains(window, moment)
        assert contains(gaps, moment) == (in_window and not contains(covered, moment))


@given(window=intervals, told=intervals, drafts=intervals)
def test_holes_and_draft_held_stretches_split_the_gaps(window, told, drafts) -> None:
    holes, unpublished = split_gaps(window, told, drafts)
    gaps = subtract(window, told)
    for hour in range(0, 250):
        moment = h(hour)
        assert contains(gaps, moment) == (contains(holes, moment) or contains(unpublished, moment))
        assert not (contains(holes, moment) and contains(unpublished, moment))
        assert contains(unpublished, moment) <= contains(drafts, moment)


# The coverage window -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (paris(7, 10), False),  # Monday, business hours
        (paris(7, 7, 59), True),  # Monday before opening
        (paris(7, 18), True),  # Monday evening
        (paris(12, 14), True),  # Saturday afternoon
        (paris(25, 11), True),  # Christmas: a public holiday, covered all day
        (paris(24, 17, 59), False),  # Christmas Eve is a working day
    ],
)
def test_the_demo_window_is_nights_weekends_and_holidays(moment: datetime, inside: bool) -> None:
    window = coverage_window([rotation()], paris(1, 0), paris(31, 0))
    assert contains(window, moment) is inside


def test_an_always_rotation_covers_everything_and_the_union_wins() -> None:
    window = coverage_window(
        [rotation(), rotation("secondary", coverage=None)], paris(7, 0), paris(14, 0)
    )
    assert window == [(paris(7, 0), paris(14, 0))]


def test_a_rotation_covers_from_its_first_handoff_and_inactive_ones_not_at_all() -> None:
    later = rotation(coverage=None, start=date(2026, 12, 10))
    assert coverage_window([later], paris(7, 0), paris(14, 0)) == [(paris(10, 8), paris(14, 0))]
    assert coverage_window([rotation(active=False)], paris(7, 0), paris(14, 0)) == []
    assert coverage_window([], paris(7, 0), paris(14, 0)) == []


def test_a_layer_is_planned_only_by_an_active_rotation_of_it() -> None:
    assert has_layer([rotation("secondary")], "secondary")
    assert not has_layer([rotation("secondary", active=False), rotation()], "secondary")


def test_only_told_shifts_hold_the_window() -> None:
    def shift(id: int, status: str, start: datetime, end: datetime) -> Shift:
        return Shift(
            id=id,
            team_id=1,
            rotation_id=1,
            kind="regular",
            layer="primary",
            user_id=1,
            user_name="Anne",
            starts_at=start,
            ends_at=end,
            status=status,
        )

    shifts = [
        shift(1, "published", paris(7, 18), paris(8, 8)),
        shift(2, "draft", paris(8, 18), paris(9, 8)),
        shift(3, "declined", paris(9, 18), paris(10, 8)),
    ]
    assert held(shifts, "primary", paris(7, 0), paris(11, 0)) == [
        (paris(7, 18), paris(8, 8)),
        (paris(9, 18), paris(10, 8)),
    ]
