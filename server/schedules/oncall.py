"""Pure rules of who is really on call: overrides win over regular shifts, per layer."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence
from datetime import datetime

from server.schedules.models import TOLD, Layer, OnCallSlot, Shift


class _Ranked:
    """A shift in the heap of those on call: the one that wins comes out first (an override
    over a regular shift, then the later start, then the higher id; on a full tie, the one
    listed first, as max() would pick)."""

    __slots__ = ("index", "key", "shift")

    def __init__(self, shift: Shift, index: int) -> None:
        self.shift = shift
        self.index = index
        self.key = (shift.kind == "override", shift.starts_at, shift.id)

    def __lt__(self, other: _Ranked) -> bool:
        if self.key != other.key:
            return self.key > other.key
        return self.index < other.index


def effective_slots(
    shifts: Sequence[Shift], layer: Layer, start: datetime, end: datetime
) -> list[OnCallSlot]:
    """Who is on call in `layer` over [start, end): maximal stretches of one person.

    Only shifts people were told about count (drafts do not). An override shift wins over a
    regular one for the time it covers; between two shifts of the same kind the later-starting
    one wins (a manager's later edit), so every instant has at most one person.

    A sweep over the boundaries: shifts enter a heap as their start is passed and leave it
    once ended, so a year of a team's shifts costs O(n log n), not a scan of every shift for
    every stretch."""
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
    by_start = sorted(range(len(relevant)), key=lambda i: relevant[i].starts_at)
    active: list[_Ranked] = []
    entered = 0
    slots: list[OnCallSlot] = []
    for left, right in itertools.pairwise(points):
        while entered < len(by_start) and relevant[by_start[entered]].starts_at <= left:
            index = by_start[entered]
            heapq.heappush(active, _Ranked(relevant[index], index))
            entered += 1
        # No boundary lies inside (left, right): a shift not ended at `left` covers it all.
        while active and active[0].shift.ends_at <= left:
            heapq.heappop(active)
        if not active:
            continue
        winner = active[0].shift
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
