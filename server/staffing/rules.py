"""Pure rules of the needs analysis: the weeks read, the weeks looked ahead, what the schedule
provides at each hour of the week, the need (Erlang C) and the runs of equal hours."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.staffing.erlang import Demand, staffing
from server.staffing.models import Band, Coverage, HourNeed

DEFAULT_WEEKS = 12
MAX_WEEKS = 52
DEFAULT_VOLUME_PERCENT = 100
MAX_VOLUME_PERCENT = 1000
# The handle time when no intervention is linked to the team's alerts of the weeks read: half
# an hour, a remote fix's usual length in the demo and in the interventions' own examples.
DEFAULT_HANDLE_SECONDS = 30 * 60
# The schedule looked ahead for what it provides: four weeks from tomorrow, so each hour of
# the week is seen four times and the lowest count is kept (the week it is thinnest).
PROVISION_DAYS = 28
WEEKDAYS = range(7)
HOURS = range(24)

Interval = tuple[datetime, datetime]


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def history_window(
    now: datetime, timezone: str, weeks: int
) -> tuple[date, date, datetime, datetime]:
    """The last `weeks` complete weeks (Monday to Sunday, team's zone) before `now`: first and
    last day, and the UTC bounds [start, end)."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=weeks)
    return (
        first,
        monday - timedelta(days=1),
        _local_midnight(first, zone),
        _local_midnight(monday, zone),
    )


def provision_days(now: datetime, timezone: str) -> list[date]:
    """The days looked ahead: PROVISION_DAYS from tomorrow (team's zone)."""
    tomorrow = now.astimezone(ZoneInfo(timezone)).date() + timedelta(days=1)
    return [tomorrow + timedelta(days=n) for n in range(PROVISION_DAYS)]


def merged(intervals: Sequence[Interval]) -> list[Interval]:
    """Sorted, disjoint intervals (touching ones joined): a layer's stretches held."""
    out: list[Interval] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _covers(held: list[Interval], starts: list[datetime], start: datetime, end: datetime) -> bool:
    index = bisect.bisect_right(starts, start) - 1
    return index >= 0 and held[index][1] >= end


def held_by_hour(
    layers: Sequence[Sequence[Interval]], days: Sequence[date], timezone: str
) -> dict[tuple[int, int], tuple[int, ...]]:
    """{(weekday, hour): (primary, backup)}: per layer, 1 when someone holds it for the whole
    local hour on every one of `days` that falls on that hour of the week, else 0 (each layer's
    thinnest week). A clock change's missing hour is read as the hour after it (fold = 0)."""
    zone = ZoneInfo(timezone)
    held = [merged(layer) for layer in layers]
    starts = [[start for start, _end in layer] for layer in held]
    lowest: dict[tuple[int, int], tuple[int, ...]] = {}
    for day in days:
        for hour in HOURS:
            start = datetime(day.year, day.month, day.day, hour, tzinfo=zone).astimezone(UTC)
            end = start + timedelta(hours=1)
            now_held = tuple(
                int(_covers(h, s, start, end)) for h, s in zip(held, starts, strict=True)
            )
            key = (day.weekday(), hour)
            before = lowest.get(key, now_held)
            lowest[key] = tuple(min(a, b) for a, b in zip(before, now_held, strict=True))
    return lowest


def provided_by_hour(
    layers: Sequence[Sequence[Interval]], days: Sequence[date], timezone: str
) -> dict[tuple[int, int], int]:
    """{(weekday, hour): people on call}: the layers held at that hour of the week on every
    day looked at (held_by_hour), summed. A week without the primary and another without the
    backup count as neither: the page then says which layer is missing, and the sum agrees."""
    return {key: sum(layer) for key, layer in held_by_hour(layers, days, timezone).items()}


def coverage_of(needed: int, provided: int) -> Coverage:
    if provided < needed:
        return "under"
    return "over" if provided > needed else "met"


def needs_by_hour(
    alerts: Mapping[tuple[int, int], int],
    held: Mapping[tuple[int, int], tuple[int, ...]],
    *,
    weeks: int,
    volume_percent: int,
    handle_seconds: float,
    within_seconds: float,
    target: float,
) -> list[HourNeed]:
    """The 168 hours of the week, Monday 00–01 first: calls an hour (the hour's alerts over the
    weeks, scaled by the what-if volume), Erlang C's people needed (at least one: an on-call
    service always has someone), and what the schedule provides."""
    answers: dict[int, tuple[int, float, float]] = {}
    grid = []
    for weekday in WEEKDAYS:
        for hour in HOURS:
            count = alerts.get((weekday, hour), 0)
            if count not in answers:
                answers[count] = _need(
                    count * volume_percent / (100 * weeks), handle_seconds, within_seconds, target
                )
            needed, traffic, level = answers[count]
            primary, backup = held.get((weekday, hour), (0, 0))
            has = primary + backup
            grid.append(
                HourNeed(
                    weekday=weekday,
                    hour=hour,
                    alerts=count,
                    calls_per_hour=round(count * volume_percent / (100 * weeks), 2),
                    traffic_erlangs=traffic,
                    needed=needed,
                    service_level=level,
                    provided=has,
                    primary=primary,
                    backup=backup,
                    coverage=coverage_of(needed, has),
                )
            )
    return grid


def _need(calls: float, handle: float, within: float, target: float) -> tuple[int, float, float]:
    if calls <= 0:
        return 1, 0.0, 1.0
    answer = staffing(
        Demand(
            calls_per_hour=calls,
            handle_seconds=handle,
            answer_within_seconds=within,
            service_level=target,
        )
    )
    return max(1, answer.agents), answer.traffic_erlangs, answer.service_level


def bands(grid: Sequence[HourNeed]) -> list[list[Band]]:
    """Per weekday, the runs of consecutive hours with the same need and the same layers held
    (primary, backup): a phone reads "08:00–18:00: needs 2 · primary 1, backup 0" rather than
    a 7 × 24 grid."""
    days: list[list[Band]] = [[] for _ in WEEKDAYS]
    for item in grid:
        runs = days[item.weekday]
        last = runs[-1] if runs else None
        if last and (last.needed, last.primary, last.backup) == (
            item.needed,
            item.primary,
            item.backup,
        ):
            runs[-1] = Band(
                weekday=last.weekday,
                start_hour=last.start_hour,
                end_hour=item.hour + 1,
                needed=last.needed,
                provided=last.provided,
                primary=last.primary,
                backup=last.backup,
                coverage=last.coverage,
                calls_min=min(last.calls_min, item.calls_per_hour),
                calls_max=max(last.calls_max, item.calls_per_hour),
            )
        else:
            runs.append(
                Band(
                    weekday=item.weekday,
                    start_hour=item.hour,
                    end_hour=item.hour + 1,
                    needed=item.needed,
                    provided=item.provided,
                    primary=item.primary,
                    backup=item.backup,
                    coverage=item.coverage,
                    calls_min=item.calls_per_hour,
                    calls_max=item.calls_per_hour,
                )
            )
    return days


def worst(days: Sequence[Sequence[Band]], limit: int = 5) -> list[Band]:
    """The under-covered runs, the largest shortfall first, then the longest, then the
    busiest; at most `limit`."""
    under = [band for runs in days for band in runs if band.coverage == "under"]
    under.sort(key=lambda b: (-b.shortfall, -b.hours, -b.calls_max, b.weekday, b.start_hour))
    return under[:limit]
