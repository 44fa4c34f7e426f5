"""Pure rules of who is really on call: overrides win over regular shifts, per layer."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime

from server.schedules.models import TOLD, Layer, OnCallSlot, Shift


def effective_slots(
    shifts: Sequence[Shift], layer: Layer, start: datetime, end: datetime
) -> list[OnCallSlot]:
    """Who is on call in `layer` over [start, end): maximal stretches of one person.

    Only shifts people were told about count (drafts do not). An override shift wins over a
    regular one for the time it covers; between two shifts of the same kind the later-starting
    one wins (a manager's later edit), so every instant has at most one person."""
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


def on_call_at(
    shifts: Sequence[Shift], layer: Layer, moment: datetime, horizon_end: datetime
) -> OnCallSlot | None:
    """The slot holding `moment`; its end is when that person's continuous duty ends, looking
    no further than `horizon_end`."""
    for slot in effective_slots(shifts, layer, moment, horizon_end):
        if slot.starts_at <= moment < slot.ends_at:
            return slot
        break
    return None


def handed_back(
    shifts: Sequence[Shift], layer: Layer, start: datetime, end: datetime, leaving: int
) -> dict[int, tuple[datetime, datetime]]:
    """Who is on call in `layer` over [start, end) in `shifts` (once an override of `leaving`
    is gone), each with the first and last instant they hold: whom to tell they are back."""
    back: dict[int, tuple[datetime, datetime]] = {}
    for slot in effective_slots(shifts, layer, start, end):
        if slot.user_id == leaving:
            continue
        first, last = back.get(slot.user_id, (slot.starts_at, slot.ends_at))
        back[slot.user_id] = (min(first, slot.starts_at), max(last, slot.ends_at))
    return back
