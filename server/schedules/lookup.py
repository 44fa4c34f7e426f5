"""Who is on call at an instant, primary and backup, and until when: the one lookup behind
the phone system's API, an alert's first page and Today (reads the store, decides with the
pure rules of oncall.py and coverage.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import msgspec

from server.db import Database
from server.models import Value
from server.schedules.coverage import coverage_window, gap_at, held, subtract
from server.schedules.models import LAYERS, TOLD, Shift
from server.schedules.oncall import on_call_at
from server.schedules.store import list_rotations, list_shifts

# `until` looks ahead this far for the end of someone's continuous duty; most duties end
# within the quick look (a week of nights), so the long one is read only when needed.
QUICK_HORIZON = timedelta(days=8)
UNTIL_HORIZON = timedelta(days=35)


class OnCallPerson(Value, kw_only=True):
    user_id: int
    name: str
    phone: str
    email: str
    until: datetime


class OnCall(Value, kw_only=True):
    team_id: int
    at: datetime
    primary: OnCallPerson | None
    secondary: OnCallPerson | None
    coverage_gap: Annotated[
        bool,
        msgspec.Meta(
            description="True when `at` is inside the team's coverage window (the on-call hours "
            "of its active rotations) and nobody is primary on call: a hole in the schedule, "
            "not business hours."
        ),
    ] = False
    gap_ends_at: Annotated[
        datetime | None,
        msgspec.Meta(
            description="When that gap ends (someone takes over or the coverage window closes); "
            "null when not in a gap, or when the gap lasts past the 35 days the answer looks at."
        ),
    ] = None


def who_is_on_call(db: Database, team_id: int, at: datetime) -> OnCall:
    """Primary and backup at `at`; `until` is the end of each one's continuous duty."""
    horizon = QUICK_HORIZON
    shifts = list_shifts(db, team_ids=[team_id], start=at, end=at + horizon, statuses=TOLD)
    slots = {layer: on_call_at(shifts, layer, at, at + horizon) for layer in LAYERS}
    if any(slot and slot.ends_at >= at + horizon for slot in slots.values()):
        # Someone's duty runs past the first look: look as far as `until` may go.
        horizon = UNTIL_HORIZON
        shifts = list_shifts(db, team_ids=[team_id], start=at, end=at + horizon, statuses=TOLD)
        slots = {layer: on_call_at(shifts, layer, at, at + horizon) for layer in LAYERS}
    people: dict[str, OnCallPerson | None] = {}
    for layer in LAYERS:
        slot = slots[layer]
        if slot is None:
            people[layer] = None
            continue
        shift = next(s for s in shifts if s.id == slot.shift_id)
        people[layer] = OnCallPerson(
            user_id=shift.user_id,
            name=shift.user_name,
            phone=shift.user_phone,
            email=shift.user_email,
            until=slot.ends_at,
        )
    gap, gap_end = (False, None)
    if people["primary"] is None:
        # Only when nobody answers: the lookup that finds someone stays as cheap as it was.
        gap, gap_end = _primary_gap(db, team_id, at, shifts, horizon)
    return OnCall(
        team_id=team_id,
        at=at,
        primary=people["primary"],
        secondary=people["secondary"],
        coverage_gap=gap,
        gap_ends_at=gap_end,
    )


def _primary_gap(
    db: Database, team_id: int, at: datetime, shifts: list[Shift], horizon: timedelta
) -> tuple[bool, datetime | None]:
    """Whether `at` falls in a stretch of the coverage window without a primary, and its end."""
    rotations = list_rotations(db, team_id)
    window = coverage_window(rotations, at, at + horizon)
    gap = gap_at(subtract(window, held(shifts, "primary", at, at + horizon)), at)
    if gap is None:
        return False, None
    if gap[1] < at + horizon:
        return True, gap[1]
    if horizon < UNTIL_HORIZON:
        horizon = UNTIL_HORIZON
        shifts = list_shifts(db, team_ids=[team_id], start=at, end=at + horizon, statuses=TOLD)
        window = coverage_window(rotations, at, at + horizon)
        gap = gap_at(subtract(window, held(shifts, "primary", at, at + horizon)), at)
        if gap is not None and gap[1] < at + horizon:
            return True, gap[1]
    return True, None
