"""Pure rules of the people figures: on-call time split by kind of day and night, each
person's share of the team's mean, fairness and rest health (no database, no clock)."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

import msgspec

from server.metrics.models import (
    NIGHT_END_HOUR,
    NIGHT_START_HOUR,
    Fairness,
    PersonFigures,
)
from server.statements.calendar import Stretch, month_stretches, public_holidays

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Hours are shown and exported to the hundredth (36 s); shares to the thousandth.
HOURS_DIGITS = 2
SHARE_DIGITS = 3


class OnCallHours(NamedTuple):
    """Seconds held over a period, by kind of local day (a stretch of a civil day counts for
    that day: Friday 23:00 is a weekday night, Saturday 02:00 a weekend hour)."""

    total: int = 0
    weekday_night: int = 0  # Monday–Friday, NIGHT_START_HOUR to NIGHT_END_HOUR, no holiday
    weekend: int = 0  # Saturday and Sunday, no holiday
    holiday: int = 0  # a public holiday of the calendar, any hour


def calendar_name(alsace_moselle: bool) -> str:
    return "FR-alsace-moselle" if alsace_moselle else "FR"


def holidays_between(alsace_moselle: bool, first: date, last: date) -> list[date]:
    """The calendar's public holidays from first to last, included, in order."""
    calendar = calendar_name(alsace_moselle)
    days = set()
    for year in range(first.year, last.year + 1):
        days |= public_holidays(calendar, year)
    return sorted(day for day in days if first <= day <= last)


def _seconds(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(seconds=1)


def stretches_between(
    zone: str, alsace_moselle: bool, start: datetime, end: datetime
) -> list[Stretch]:
    """The statements' stretches (one local day, one side of the night) of every month
    touching [start, end) in `zone`, in order."""
    if end <= start:
        return []
    calendar = calendar_name(alsace_moselle)
    first = start.astimezone(UTC).date() - timedelta(days=1)
    last = end.astimezone(UTC).date() + timedelta(days=1)
    found: list[Stretch] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        found += month_stretches(
            zone,
            public_holidays(calendar, year),
            NIGHT_START_HOUR * 60,
            NIGHT_END_HOUR * 60,
            year,
            month,
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def merged(spans: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The union of spans, as disjoint spans in order: time held in two layers (or two teams)
    at once is one person's time once."""
    result: list[tuple[datetime, datetime]] = []
    for begins, ends in sorted(spans):
        if ends <= begins:
            continue
        if result and begins <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], ends))
        else:
            result.append((begins, ends))
    return result


def split_hours(spans: Sequence[tuple[datetime, datetime]], stretches: Sequence[Stretch]):
    """Seconds of the disjoint `spans` by kind of local day, from `stretches` covering them."""
    starts = [s.start for s in stretches]
    total = night = weekend = holiday = 0
    for begins, ends in spans:
        low, high = _seconds(begins), _seconds(ends)
        total += high - low
        index = max(0, bisect.bisect_right(starts, low) - 1)
        while index < len(stretches) and stretches[index].start < high:
            stretch = stretches[index]
            held = min(high, stretch.end) - max(low, stretch.start)
            if held > 0:
                if stretch.kind == "holiday":
                    holiday += held
                elif stretch.kind in ("saturday", "sunday"):
                    weekend += held
                elif stretch.night:
                    night += held
            index += 1
    return OnCallHours(total=total, weekday_night=night, weekend=weekend, holiday=holiday)


def hours(seconds: int) -> float:
    return round(seconds / 3600, HOURS_DIGITS)


def holding(people: Sequence[PersonFigures]) -> list[PersonFigures]:
    """The people who held on-call time in the period: fairness is measured among them."""
    return [p for p in people if p.oncall_hours > 0]


def with_shares(people: Sequence[PersonFigures]) -> list[PersonFigures]:
    """Each person's on-call hours against the mean of those who held on-call time, most
    hours first (then by name): 1.0 is an even share, 0.0 none; None when nobody held any."""
    held = holding(people)
    mean = sum(p.oncall_hours for p in held) / len(held) if held else 0.0
    shared = [
        msgspec.structs.replace(
            p, share=round(p.oncall_hours / mean, SHARE_DIGITS) if mean else None
        )
        for p in people
    ]
    return sorted(shared, key=lambda p: (-p.oncall_hours, p.name, p.user_id))


def fairness_of(people: Sequence[PersonFigures]) -> Fairness:
    """Spread of the load among the people who held on-call time: how many, their mean hours
    and interventions, and the most loaded one's hours over the least loaded one's."""
    held = holding(people)
    if not held:
        return Fairness(people=0, mean_oncall_hours=0.0, max_min_ratio=None, mean_interventions=0.0)
    loads = [p.oncall_hours for p in held]
    return Fairness(
        people=len(held),
        mean_oncall_hours=round(sum(loads) / len(held), HOURS_DIGITS),
        max_min_ratio=round(max(loads) / min(loads), SHARE_DIGITS) if len(held) > 1 else None,
        mean_interventions=round(sum(p.interventions for p in held) / len(held), SHARE_DIGITS),
    )


def rules_ranked(rules: Iterable[str]) -> list[tuple[str, int]]:
    """Violations counted by rule, most frequent first, then by the rule's name."""
    return sorted(Counter(rules).items(), key=lambda pair: (-pair[1], pair[0]))
