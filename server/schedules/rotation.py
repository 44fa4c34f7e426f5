"""Pure rules of rotations: hand-offs at a local wall-clock time, coverage, planned shifts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from server.schedules.models import Coverage, PlannedShift, RotationSpec, Shift, parse_hhmm

# Every covered minute gets a person, however short the stretch (a hand-off at 07:50 before
# business hours at 08:00 gives a 10-minute shift rather than 10 minutes with nobody on call).
MIN_PIECE = timedelta(seconds=1)


def localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """A local wall-clock time as an aware UTC instant (the first one when the clock repeats)."""
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


def exists(naive: datetime, zone: ZoneInfo) -> bool:
    """False for a time skipped when clocks go forward (e.g. 02:30 on the last Sunday of March)."""
    round_trip = naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return round_trip == naive


def _step(spec: RotationSpec) -> timedelta:
    return {"hours": timedelta(hours=1), "days": timedelta(days=1), "weeks": timedelta(weeks=1)}[
        spec.length_unit
    ] * spec.length


def anchor(spec: RotationSpec) -> datetime:
    """The first hand-off, local and naive."""
    return datetime.combine(spec.start_date, parse_hhmm(spec.handoff_time))


def turn_bounds(spec: RotationSpec, index: int) -> tuple[datetime, datetime]:
    """Turn `index` runs between two hand-offs, computed on the wall clock so that a weekly
    hand-off stays at 08:00 local across daylight-saving changes."""
    zone = ZoneInfo(spec.timezone)
    step = _step(spec)
    start = anchor(spec) + step * index
    return localize(start, zone), localize(start + step, zone)


def turn_index_at(spec: RotationSpec, moment: datetime) -> int:
    """The turn that holds `moment` (negative before the rotation starts)."""
    zone = ZoneInfo(spec.timezone)
    step = _step(spec)
    local = moment.astimezone(zone).replace(tzinfo=None)
    index = int((local - anchor(spec)) // step)
    # Wall-clock division can be off by one around a clock change: settle it on real instants.
    while turn_bounds(spec, index)[0] > moment:
        index -= 1
    while turn_bounds(spec, index)[1] <= moment:
        index += 1
    return index


# zoneinfo reads a zone's future from the yearly rule at the end of its TZif file (for Paris
# "CET-1CEST,M3.5.0,M10.5.0/3": the last Sundays of March and October). Transitions are listed
# one by one up to 2037 at most (up to 2087 for Casablanca's Ramadan changes); from RULE_YEAR on,
# clock changes follow that rule alone, and a rule of the Gregorian calendar comes back
# identically every 400 years (146 097 days, a whole number of weeks). So the gaps of one cycle
# from RULE_YEAR, shifted by whole cycles, are every gap there will ever be (as long as the zone
# keeps its rule), and hand-offs repeat every turn, so a hand-off can land in a gap only on the
# dates this walk looks at. Hand-offs past the year 9999 cannot be represented: the rotation
# never produces them.
RULE_YEAR = 2100
CALENDAR_CYCLE_YEARS = 400
CALENDAR_CYCLE = timedelta(days=146_097)
# Clock changes are weeks apart: looking once a week finds each one, then it is pinned down.
SCAN_STEP_SECONDS = 7 * 86_400


@cache
def clock_gaps(timezone: str, year: int) -> tuple[tuple[datetime, datetime], ...]:
    """The wall-clock stretches skipped when clocks go forward during a year (UTC), as naive
    local [start, end): for Paris in 2026, 29 March 02:00–03:00."""
    zone = ZoneInfo(timezone)

    def offset(seconds: int) -> timedelta:
        return datetime.fromtimestamp(seconds, zone).utcoffset() or timedelta(0)

    gaps = []
    moment = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())
    before = offset(moment)
    while moment < end:
        following = min(moment + SCAN_STEP_SECONDS, end)
        after = offset(following)
        if after != before:
            # Clocks change on a whole second: find the first one with the new offset.
            low, high = moment, following
            while high - low > 1:
                middle = (low + high) // 2
                if offset(middle) == before:
                    low = middle
                else:
                    high = middle
            if after > before:
                wall = datetime.fromtimestamp(high, UTC).replace(tzinfo=None)
                gaps.append((wall + before, wall + after))
            before = after
        moment = following
    return tuple(gaps)


def _gaps_from(timezone: str, year: int) -> Iterator[tuple[datetime, datetime]]:
    """Every gap of the zone from `year` on, in order, up to the end of year 9999."""
    for one in range(year, RULE_YEAR):
        yield from clock_gaps(timezone, one)
    cycle = [
        gap
        for one in range(RULE_YEAR, RULE_YEAR + CALENDAR_CYCLE_YEARS)
        for gap in clock_gaps(timezone, one)
    ]
    shift = timedelta(0)
    while cycle:
        for start, end in cycle:
            try:
                shifted = (start + shift, end + shift)
            except OverflowError:
                return
            yield shifted
        shift += CALENDAR_CYCLE


def missing_handoffs(spec: RotationSpec, limit: int = 2) -> list[date]:
    """The first `limit` hand-off dates whose local time does not exist (clocks go forward).

    Every hand-off the rotation can ever produce is looked at, however rarely it meets a clock
    change (a 3-week rotation on Sundays at 02:30 may first do so years ahead): rather than
    walking the hand-offs, this walks the zone's gaps and asks whether one falls inside."""
    first = anchor(spec)
    step = _step(spec)
    found: list[date] = []
    for gap_start, gap_end in _gaps_from(spec.timezone, first.year):
        if gap_end <= first:
            continue
        # The first hand-off at or after the gap's start: index ceil((gap_start - first) / step).
        index = max(0, -((first - gap_start) // step))
        handoff = first + step * index
        if handoff < gap_end:
            found.append(handoff.date())
            if len(found) == limit:
                break
    return found


@cache
def _holidays(year: int, alsace_moselle: bool) -> frozenset[date]:
    subdiv = "57" if alsace_moselle else None
    return frozenset(holidays.France(years=year, subdiv=subdiv).keys())


def is_public_holiday(day: date, alsace_moselle: bool = False) -> bool:
    return day in _holidays(day.year, alsace_moselle)


def business_hours(
    coverage: Coverage, zone: ZoneInfo, start: datetime, end: datetime, alsace_moselle: bool
) -> Iterator[tuple[datetime, datetime]]:
    """Business-hour intervals (UTC) of each local day touching [start, end)."""
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    open_at, close_at = parse_hhmm(coverage.business_start), parse_hhmm(coverage.business_end)
    while day <= last:
        is_open = day.weekday() in coverage.business_days
        if is_open and coverage.holidays_off and is_public_holiday(day, alsace_moselle):
            is_open = False
        if is_open:
            yield (
                localize(datetime.combine(day, open_at), zone),
                localize(datetime.combine(day, close_at), zone),
            )
        day += timedelta(days=1)


def covered_pieces(
    spec: RotationSpec, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """[start, end) minus business hours: the stretches on call."""
    if spec.coverage is None:
        return [(start, end)] if end - start >= MIN_PIECE else []
    zone = ZoneInfo(spec.timezone)
    pieces = []
    cursor = start
    for open_at, close_at in business_hours(spec.coverage, zone, start, end, spec.alsace_moselle):
        if close_at <= cursor or open_at >= end:
            continue
        if open_at > cursor:
            pieces.append((cursor, open_at))
        cursor = max(cursor, close_at)
    if cursor < end:
        pieces.append((cursor, end))
    return [(a, b) for a, b in pieces if b - a >= MIN_PIECE]


def plan_shifts(spec: RotationSpec, start: datetime, end: datetime) -> list[PlannedShift]:
    """The shifts the rotation puts in [start, end): pieces cut at the window's edges are kept
    whole (a shift starting inside the window is planned to its real end) and pieces that
    started before the window are left out, so the plan of a window never splits a shift."""
    if end <= start:
        return []
    if spec.until is not None:
        end = min(end, spec.until)
        if end <= start:
            return []
    planned = []
    index = max(turn_index_at(spec, start), 0)
    while True:
        turn_start, turn_end = turn_bounds(spec, index)
        if turn_start >= end:
            break
        if spec.until is not None:
            # The last turn is cut where the rotation stops: the next one takes over there.
            turn_end = min(turn_end, spec.until)
        person = spec.participants[index % len(spec.participants)]
        for piece_start, piece_end in covered_pieces(spec, turn_start, turn_end):
            if start <= piece_start < end:
                planned.append(
                    PlannedShift(user_id=person, starts_at=piece_start, ends_at=piece_end)
                )
        index += 1
    return planned


def handoff_days(spec: RotationSpec, after: datetime, until: datetime) -> list[date]:
    """The local days of a rotation's hand-offs between two instants."""
    zone = ZoneInfo(spec.timezone)
    index = max(turn_index_at(spec, after), 0)
    days = []
    while True:
        start = turn_bounds(spec, index)[0]
        if start >= until:
            return days
        days.append(start.astimezone(zone).date())
        index += 1


def replaceable(shift: Shift, now: datetime) -> bool:
    """A draft nobody touched that has not started: generation may replace it."""
    return shift.status == "draft" and not shift.edited and shift.starts_at >= now


def drafts_to_sync(
    planned: Sequence[PlannedShift],
    existing: Sequence[Shift],
    told_elsewhere: Sequence[Shift],
    now: datetime,
) -> tuple[list[int], list[PlannedShift]]:
    """(the drafts to delete, the planned shifts to insert) that bring a rotation's shifts
    (`existing`) in line with its plan.

    Drafts nobody touched are replaced freely; a shift that was published, accepted, declined,
    edited or swapped is never overwritten, and planned stretches overlapping one, or one
    people were told of on the level from elsewhere (`told_elsewhere`), are skipped. Applied
    twice, the second answer is ([], [])."""
    free = {(s.starts_at, s.ends_at, s.user_id): s for s in existing if replaceable(s, now)}
    protected = [s for s in existing if not replaceable(s, now)] + list(told_elsewhere)
    keep: set[int] = set()
    inserts: list[PlannedShift] = []
    for plan in planned:
        same = free.get((plan.starts_at, plan.ends_at, plan.user_id))
        if same is not None:
            keep.add(same.id)
            continue
        if any(p.starts_at < plan.ends_at and p.ends_at > plan.starts_at for p in protected):
            continue
        inserts.append(plan)
    return [s.id for s in free.values() if s.id not in keep], inserts


def backup_participants(participants: tuple[int, ...]) -> tuple[int, ...]:
    """The backup layer's order for a rotation's people: the same people, half the list
    further on, so nobody is on call and backup in the same turn."""
    shift = max(1, len(participants) // 2)
    return participants[shift:] + participants[:shift]
