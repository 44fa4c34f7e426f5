"""Shapes for the schedule pages: agenda days, week and month grids (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.models import Value
from server.schedules.models import LAYERS, Shift
from server.schedules.oncall import effective_slots

CONTEXT = timedelta(days=8)


class Slot(Value, kw_only=True):
    shift_id: int
    layer: str
    user_id: int
    name: str
    phone: str
    starts_at: datetime
    ends_at: datetime
    kind: str
    status: str


class Day(Value, kw_only=True):
    day: date
    slots: list[Slot]
    holiday: bool = False
    # What the agenda lists under the day: the slots starting on it (and, on the first day
    # shown, those still running from before). A night belongs to the evening it starts, so
    # it is listed once, not again on the morning it ends; `slots` keeps every slot touching
    # the day, for the month grid and for saying that the day is not uncovered.
    starting: list[Slot] = []


def slots_for(shifts: Sequence[Shift], start: datetime, end: datetime) -> list[Slot]:
    by_id = {s.id: s for s in shifts}
    out = []
    for layer in LAYERS:
        for slot in effective_slots(shifts, layer, start, end):
            shift = by_id[slot.shift_id]
            out.append(
                Slot(
                    shift_id=slot.shift_id,
                    layer=layer,
                    user_id=slot.user_id,
                    name=shift.user_name,
                    phone=shift.user_phone,
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    kind=slot.kind,
                    status=shift.status,
                )
            )
    return sorted(out, key=lambda s: (s.starts_at, s.layer))


def days(
    shifts: Sequence[Shift], first: date, count: int, timezone: str, is_holiday=lambda d: False
) -> list[Day]:
    """Each civil day with the slots touching it (a night shows on both of its days)."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(first + timedelta(days=count), time(0), tzinfo=zone)
    # Look past the window's edges so a stretch that began before it shows its real start.
    slots = slots_for(shifts, start - CONTEXT, end + CONTEXT)
    result = []
    for offset in range(count):
        day = first + timedelta(days=offset)
        day_start = datetime.combine(day, time(0), tzinfo=zone)
        day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        touching = [s for s in slots if s.starts_at < day_end and s.ends_at > day_start]
        starting = touching if offset == 0 else [s for s in touching if s.starts_at >= day_start]
        result.append(Day(day=day, slots=touching, holiday=is_holiday(day), starting=starting))
    return result


def month_grid(first_of_month: date) -> tuple[date, int]:
    """(the Monday the month's grid starts on, the number of days shown: whole weeks)."""
    start = first_of_month - timedelta(days=first_of_month.weekday())
    next_month = (first_of_month.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = next_month + timedelta(days=(7 - next_month.weekday()) % 7)
    return start, (end - start).days


class Run(Value, kw_only=True):
    """Consecutive shifts of one person in one state, shown as one line (a week of nights)."""

    first: Shift
    last: Shift
    count: int


def runs(shifts: Sequence[Shift], gap: timedelta = timedelta(hours=48)) -> list[Run]:
    grouped: list[Run] = []
    for shift in sorted(shifts, key=lambda s: (s.user_id, s.layer, s.status, s.starts_at)):
        previous = grouped[-1] if grouped else None
        if (
            previous
            and previous.last.user_id == shift.user_id
            and previous.last.layer == shift.layer
            and previous.last.status == shift.status
            and shift.starts_at - previous.last.ends_at < gap
        ):
            grouped[-1] = Run(first=previous.first, last=shift, count=previous.count + 1)
        else:
            grouped.append(Run(first=shift, last=shift, count=1))
    return sorted(grouped, key=lambda r: r.first.starts_at)
