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
