"""Pure rules of on-call load: on-call days in a rolling 28 days, rest between on-call weeks."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.models import Value

# Pieces of one on-call week (weeknights) are apart by business hours; a longer gap than this
# separates two on-call stretches.
STRETCH_GAP = timedelta(hours=48)


class LoadWarning(Value, kw_only=True):
    rule: str  # "max_oncall_days" or "min_days_between"
    at: date
    value: float
    limit: float


def oncall_days(intervals: Iterable[tuple[datetime, datetime]], timezone: str) -> set[date]:
    """Civil days touched by on-call time (an on-call night counts for both of its days)."""
    zone = ZoneInfo(timezone)
    days: set[date] = set()
    for start, end in intervals:
        day = start.astimezone(zone).date()
        last = (end - timedelta(microseconds=1)).astimezone(zone).date()
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days


def stretches(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start - merged[-1][1] < STRETCH_GAP:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def load_warnings(
    intervals: Iterable[tuple[datetime, datetime]],
    timezone: str,
    *,
    max_days_per_28: int,
    min_days_between: int,
) -> list[LoadWarning]:
    """Warnings for one person's on-call intervals against the team's load limits."""
    intervals = list(intervals)
    warnings: list[LoadWarning] = []
    days = sorted(oncall_days(intervals, timezone))
    day_set = set(days)
    reported_until: date | None = None
    for day in days:
        window = sum(1 for back in range(28) if day - timedelta(days=back) in day_set)
        if window > max_days_per_28 and (reported_until is None or day > reported_until):
            warnings.append(
                LoadWarning(rule="max_oncall_days", at=day, value=window, limit=max_days_per_28)
            )
            reported_until = day + timedelta(days=27)
    runs = stretches(intervals)
    for previous, following in itertools.pairwise(runs):
        gap_days = (following[0] - previous[1]) / timedelta(days=1)
        if gap_days < min_days_between:
            warnings.append(
                LoadWarning(
                    rule="min_days_between",
                    at=following[0].astimezone(ZoneInfo(timezone)).date(),
                    value=round(gap_days, 1),
                    limit=min_days_between,
                )
            )
    return warnings


class ShiftLoad(Value, kw_only=True):
    """One person's figure if a shift were given to them, with the period it covers."""

    rule: str  # "max_oncall_days" or "min_days_between"
    value: float
    limit: float
    first: date
    last: date


def shift_load(
    intervals: Iterable[tuple[datetime, datetime]],
    shift: tuple[datetime, datetime],
    timezone: str,
    *,
    max_days_per_28: int,
    min_days_between: int,
) -> list[ShiftLoad]:
    """What giving this shift to a person would break, at most one figure per rule: the busiest
    28 days that contain the shift, and the shortest gap around the stretch it joins. Windows
    elsewhere in the person's schedule are not this choice's concern."""
    intervals = list(intervals)
    found: list[ShiftLoad] = []
    days = oncall_days([*intervals, shift], timezone)
    shift_days = sorted(oncall_days([shift], timezone))
    busiest: ShiftLoad | None = None
    last = shift_days[0]
    while last <= shift_days[-1] + timedelta(days=27):
        first = last - timedelta(days=27)
        count = sum(1 for day in days if first <= day <= last)
        if count > max_days_per_28 and (busiest is None or count > busiest.value):
            busiest = ShiftLoad(
                rule="max_oncall_days", value=count, limit=max_days_per_28, first=first, last=last
            )
        last += timedelta(days=1)
    if busiest:
        found.append(busiest)
    zone = ZoneInfo(timezone)
    runs = stretches([*intervals, shift])
    [index] = [i for i, (start, end) in enumerate(runs) if start <= shift[0] and shift[1] <= end]
    gaps = [
        (following[0] - previous[1], previous[1], following[0])
        for previous, following in itertools.pairwise(runs[max(index - 1, 0) : index + 2])
    ]
    short = [gap for gap in gaps if gap[0] / timedelta(days=1) < min_days_between]
    if short:
        gap, end, start = min(short)
        found.append(
            ShiftLoad(
                rule="min_days_between",
                value=round(gap / timedelta(days=1), 1),
                limit=min_days_between,
                first=end.astimezone(zone).date(),
                last=start.astimezone(zone).date(),
            )
        )
    return found
