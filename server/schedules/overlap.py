"""Pure rules of one schedule per level: rotations that would overlap, and people on two levels.

A team has at most one rotation per level (on call, backup) at any instant. A new or changed
rotation that would overlap another on its level is refused until the manager chooses: end the
other one where the new one starts, or replace it (the other one is deleted)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from server.models import Value
from server.schedules.models import LAYERS, Layer, Rotation, RotationSpec, Shift
from server.schedules.oncall import effective_slots
from server.schedules.rotation import turn_bounds

Resolution = Literal["end", "replace"]
RESOLUTIONS: tuple[Resolution, ...] = ("end", "replace")


class Overlap(Value, kw_only=True):
    """An existing rotation the new one would run alongside on the same level."""

    rotation: Rotation
    # Where the existing rotation stops, ended or replaced: the new rotation's first hand-off,
    # so that the level is never covered twice nor left uncovered between them. One that would
    # only start there or later never runs.
    end_at: datetime


class DoubleDuty(Value, kw_only=True):
    """One person on call on both levels over a stretch."""

    user_id: int
    starts_at: datetime
    ends_at: datetime


def first_handoff(spec: RotationSpec) -> datetime:
    return turn_bounds(spec, 0)[0]


def span(spec: RotationSpec) -> tuple[datetime, datetime | None]:
    """[first hand-off, until): None for a rotation that runs on."""
    return first_handoff(spec), spec.until


def spans_meet(a: RotationSpec, b: RotationSpec) -> bool:
    a_start, a_end = span(a)
    b_start, b_end = span(b)
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


def overlaps(
    spec: RotationSpec, layer: Layer, others: Sequence[Rotation], exclude: int | None = None
) -> list[Overlap]:
    """The active rotations of `others` on `layer` that `spec` would run alongside."""
    start = first_handoff(spec)
    found = []
    for other in others:
        if other.id == exclude or other.layer != layer or not other.active:
            continue
        if not spans_meet(spec, other.spec):
            continue
        found.append(Overlap(rotation=other, end_at=start))
    return found


def double_duty(shifts: Sequence[Shift], start: datetime, end: datetime) -> list[DoubleDuty]:
    """The stretches of [start, end) where one person is on call on both levels at once, the
    overrides applied (who really is on call, as the team planning shows it)."""
    primary, secondary = (effective_slots(shifts, layer, start, end) for layer in LAYERS)
    found: list[DoubleDuty] = []
    for a in primary:
        for b in secondary:
            if a.user_id != b.user_id:
                continue
            left, right = max(a.starts_at, b.starts_at), min(a.ends_at, b.ends_at)
            if left < right:
                found.append(DoubleDuty(user_id=a.user_id, starts_at=left, ends_at=right))
    return sorted(found, key=lambda d: d.starts_at)
