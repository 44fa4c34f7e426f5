"""Pure rules of coverage gaps: the team's coverage window, and the stretches of it nobody holds.

The team's coverage window is the union of the on-call hours of its active rotations (both
layers), each from its first hand-off on: with "outside business hours" (the demo) it is nights,
weekends and public holidays; with "always", all the time. A team without an active rotation
declares no window, so nothing it lacks is a gap."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from server.schedules.models import Layer, Rotation, Shift
from server.schedules.oncall import effective_slots
from server.schedules.rotation import anchor, covered_pieces, localize

Interval = tuple[datetime, datetime]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint intervals covering the same instants (touching ones joined)."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract(window: Iterable[Interval], covered: Iterable[Interval]) -> list[Interval]:
    """The parts of `window` that no interval of `covered` holds: the gaps."""
    holes = merge(covered)
    gaps: list[Interval] = []
    for start, end in merge(window):
        cursor = start
        for hole_start, hole_end in holes:
            if hole_end <= cursor or hole_start >= end:
                continue
            if hole_start > cursor:
                gaps.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
            if cursor >= end:
                break
        if cursor < end:
            gaps.append((cursor, end))
    return gaps


def coverage_window(
    rotations: Sequence[Rotation], start: datetime, end: datetime
) -> list[Interval]:
    """The team's coverage window over [start, end) (see the module's docstring)."""
    pieces: list[Interval] = []
    for rotation in rotations:
        if not rotation.active:
            continue
        spec = rotation.spec
        begins = max(start, localize(anchor(spec), ZoneInfo(spec.timezone)))
        if begins < end:
            pieces += covered_pieces(spec, begins, end)
    return merge(pieces)


def has_layer(rotations: Sequence[Rotation], layer: Layer) -> bool:
    """Whether the team plans a layer at all (a team without a backup rotation has no backup
    gaps: it never meant to have one)."""
    return any(r.active and r.layer == layer for r in rotations)


def held(shifts: Sequence[Shift], layer: Layer, start: datetime, end: datetime) -> list[Interval]:
    """When someone is on call in `layer` over [start, end), overrides applied (told shifts)."""
    return [(s.starts_at, s.ends_at) for s in effective_slots(shifts, layer, start, end)]


def gap_at(gaps: Sequence[Interval], moment: datetime) -> Interval | None:
    """The gap holding `moment`, if any."""
    for start, end in gaps:
        if start <= moment < end:
            return start, end
    return None


def split_gaps(
    window: Sequence[Interval], told: Sequence[Interval], drafts: Sequence[Interval]
) -> tuple[list[Interval], list[Interval]]:
    """The window's gaps in what people were told, split in two: `holes` nobody is even
    planned for, and `unpublished` stretches only drafts hold (nobody is paged there until the
    drafts are published)."""
    gaps = subtract(window, told)
    holes = subtract(gaps, drafts)
    return holes, subtract(gaps, holes)
