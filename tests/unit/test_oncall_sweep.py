"""The sweep behind effective_slots gives exactly what the former scan of every shift for every
stretch gave (kept here as the reference), on random layers of regular shifts and overrides."""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from server.schedules.models import TOLD, Layer, OnCallSlot, Shift
from server.schedules.oncall import effective_slots

BASE = datetime(2026, 3, 27, tzinfo=UTC)


def reference_slots(
    shifts: Sequence[Shift], layer: Layer, start: datetime, end: datetime
) -> list[OnCallSlot]:
    """effective_slots as it was before the sweep: quadratic, obviously right."""
    relevant = [
        s
        for s in shifts
        if s.layer == layer and s.status in TOLD and s.starts_at < end and s.ends_at > start
    ]
    if not relevant:
        return []
    points = sorted(
        {start, end}
        | {s.starts_at for s in relevant if start < s.starts_at < end}
        | {s.ends_at for s in relevant if start < s.ends_at < end}
    )
    slots: list[OnCallSlot] = []
    for left, right in itertools.pairwise(points):
        covering = [s for s in relevant if s.starts_at <= left and s.ends_at >= right]
        if not covering:
            continue
        winner = max(covering, key=lambda s: (s.kind == "override", s.starts_at, s.id))
        previous = slots[-1] if slots else None
        if previous and previous.user_id == winner.user_id and previous.ends_at == left:
            slots[-1] = OnCallSlot(
                user_id=winner.user_id,
                starts_at=previous.starts_at,
                ends_at=right,
                shift_id=previous.shift_id,
                kind=previous.kind,
            )
        else:
            slots.append(
                OnCallSlot(
                    user_id=winner.user_id,
                    starts_at=left,
                    ends_at=right,
                    shift_id=winner.id,
                    kind=winner.kind,
                )
            )
    return slots


def make_shift(
    id: int, user: int, start_hour: int, hours: int, kind: str, status: str, layer: str
) -> Shift:
    return Shift(
        id=id,
        team_id=1,
        rotation_id=None if kind == "override" else 1,
        kind=kind,
        layer=layer,
        user_id=user,
        user_name=f"P{user}",
        starts_at=BASE + timedelta(hours=start_hour),
        ends_at=BASE + timedelta(hours=start_hour + hours),
        status=status,
    )


# Small hour ranges so shifts often share boundaries, overlap and tie on their start.
shift_rows = st.lists(
    st.tuples(
        st.integers(1, 4),  # user
        st.integers(0, 60),  # start hour
        st.integers(1, 30),  # length in hours
        st.sampled_from(["regular", "regular", "override"]),
        st.sampled_from(["published", "accepted", "declined", "draft"]),
        st.sampled_from(["primary", "primary", "secondary"]),
        st.integers(1, 12),  # id: repeated ids tie on the whole key
    ),
    max_size=25,
)


@settings(max_examples=400, deadline=None)
@given(shift_rows, st.integers(-5, 70), st.integers(0, 80))
def test_the_sweep_gives_what_the_scan_gave(rows, start_hour: int, hours: int) -> None:
    shifts = [
        make_shift(id, user, s, n, kind, status, layer)
        for user, s, n, kind, status, layer, id in rows
    ]
    start = BASE + timedelta(hours=start_hour)
    end = start + timedelta(hours=hours)
    for layer in ("primary", "secondary"):
        assert effective_slots(shifts, layer, start, end) == reference_slots(
            shifts, layer, start, end
        )


def test_the_slots_are_stitched_like_before_across_a_winner_shift() -> None:
    """Anne's week is cut by Bruno's override; her two stretches keep the first shift's id."""
    anne = make_shift(1, 1, 0, 168, "regular", "published", "primary")
    bruno = make_shift(2, 2, 20, 4, "override", "published", "primary")
    anne_again = make_shift(3, 1, 24, 10, "override", "accepted", "primary")
    found = effective_slots([anne, bruno, anne_again], "primary", BASE, BASE + timedelta(days=7))
    assert [(s.user_id, s.shift_id, s.ends_at - s.starts_at) for s in found] == [
        (1, 1, timedelta(hours=20)),
        (2, 2, timedelta(hours=4)),
        (1, 3, timedelta(hours=144)),
    ]


def test_a_year_of_hourly_turns_is_read_quickly() -> None:
    """A turn an hour for a year (8,784 shifts) and an override a week: the scan took about
    two seconds here, the sweep a few hundredths (a generous bound for a busy machine)."""
    shifts = [
        make_shift(hour, 1 + (hour // 7) % 5, hour, 1, "regular", "published", "primary")
        for hour in range(366 * 24)
    ] + [
        make_shift(100_000 + week, 6, week * 168 + 30, 6, "override", "published", "primary")
        for week in range(52)
    ]
    began = time.perf_counter()
    slots = effective_slots(shifts, "primary", BASE, BASE + timedelta(days=366))
    assert time.perf_counter() - began < 0.5
    assert sum((s.ends_at - s.starts_at for s in slots), timedelta()) == timedelta(days=366)
    assert [s.user_id for s in slots].count(6) == 52
