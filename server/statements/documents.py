"""The statement document of one person's month, built from what happened; its JSON and
SHA-256; and what a rectifying version changes. Pure: the service reads, this decides."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec

from server.statements.models import (
    Difference,
    InterventionLine,
    OnCallLine,
    Period,
    Statement,
    StatementContent,
    StatementPolicy,
    parse_month,
)
from server.statements.rules import compute_statement

# Interventions widen by their travel (at most 600 minutes, half each side) and a zone whose
# clocks go back across midnight dates a few instants of the next day in the month: reading a
# day more on each side never misses what the engine counts (it clips to the month itself).
MARGIN = timedelta(days=1)


def month_bounds(month: str, timezone: str) -> tuple[datetime, datetime]:
    """[first day 00:00, next first day 00:00) of the month in the zone, as UTC instants."""
    year, number = parse_month(month)
    zone = ZoneInfo(timezone)
    start = datetime(year, number, 1, tzinfo=zone)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def previous_month(moment: datetime, timezone: str) -> str:
    """The month before the one holding `moment` in the zone, YYYY-MM."""
    local = moment.astimezone(ZoneInfo(timezone)).date().replace(day=1) - timedelta(days=1)
    return f"{local.year:04d}-{local.month:02d}"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def closes_at(month: str, timezone: str, grace_days: int) -> datetime:
    """When the engine closes the month: the zone's midnight `grace_days` days after it ends."""
    year, number = parse_month(month)
    following = date(year + number // 12, number % 12 + 1, 1)
    local = datetime.combine(following + timedelta(days=grace_days), time(), ZoneInfo(timezone))
    return local.astimezone(UTC)


def latest_due_month(now: datetime, timezone: str, grace_days: int) -> str:
    """The latest month whose grace period is over at `now` (grace is at most 31 days, so it
    is the previous month or the one before)."""
    month = previous_month(now, timezone)
    if now < closes_at(month, timezone, grace_days):
        year, number = parse_month(month)
        month = month_of(date(year, number, 1) - timedelta(days=1))
    return month


def build_content(
    *,
    month: str,
    team_id: int,
    team_name: str,
    user_id: int,
    person_name: str,
    compensation_set: bool,
    holidays: str,
    policy: StatementPolicy,
    oncall: Sequence[OnCallLine],
    interventions: Sequence[InterventionLine],
    provisional: bool,
    version: int = 1,
) -> StatementContent:
    """The document: the engine run on the on-call stretches and interventions given (read
    with a margin around the month), the lines the month shows listed."""
    periods = [Period(kind="oncall", start=line.start, end=line.end) for line in oncall] + [
        Period(
            kind="intervention",
            start=line.start,
            end=line.end,
            travel_minutes=line.travel_minutes,
        )
        for line in interventions
    ]
    start, end = month_bounds(month, policy.timezone)
    shown_oncall = [
        msgspec.structs.replace(line, start=max(line.start, start), end=min(line.end, end))
        for line in sorted(oncall, key=lambda line: (line.start, line.layer))
        if line.start < end and line.end > start
    ]
    shown_interventions = [
        line
        for line in sorted(interventions, key=lambda line: (line.start, line.uuid))
        if _widened(line)[0] < end and _widened(line)[1] > start
    ]
    return StatementContent(
        month=month,
        version=version,
        provisional=provisional,
        team_id=team_id,
        team_name=team_name,
        user_id=user_id,
        person_name=person_name,
        compensation_set=compensation_set,
        holidays=holidays,
        policy=policy,
        oncall=shown_oncall,
        interventions=shown_interventions,
        statement=compute_statement(policy, periods, month),
    )


def _widened(line: InterventionLine) -> tuple[datetime, datetime]:
    before = timedelta(minutes=line.travel_minutes // 2)
    after = timedelta(minutes=line.travel_minutes - line.travel_minutes // 2)
    return line.start - before, line.end + after


def is_empty(content: StatementContent) -> bool:
    """Nothing to hand out: no on-call time and no intervention in the month."""
    figures = content.statement
    return (
        figures.oncall_minutes.total == 0
        and figures.intervention_minutes.total == 0
        and figures.intervention_count == 0
    )


def encode(content: StatementContent) -> tuple[str, str]:
    """(the stored JSON, keys sorted; the SHA-256 of its UTF-8 bytes, hexadecimal)."""
    data = msgspec.json.encode(content, order="sorted")
    return data.decode(), hashlib.sha256(data).hexdigest()


def substance(content: StatementContent) -> bytes:
    """What a rectification compares: the document without its version, mark and difference."""
    return msgspec.json.encode(
        msgspec.structs.replace(content, version=0, provisional=False, difference=None),
        order="sorted",
    )


def figures(statement: Statement) -> dict[str, int]:
    """Every number of the engine's output by its path ("oncall_minutes.night", …)."""
    found: dict[str, int] = {}
    for name, value in msgspec.structs.asdict(statement).items():
        if isinstance(value, int) and not isinstance(value, bool):
            found[name] = value
        elif isinstance(value, msgspec.Struct) and name != "days":
            for part, number in msgspec.structs.asdict(value).items():
                found[f"{name}.{part}"] = number
    return found


def difference(
    previous: StatementContent, previous_sha256: str, current: StatementContent
) -> Difference:
    """What `current` changes from `previous` (figures that moved, interventions in and out)."""
    old, new = figures(previous.statement), figures(current.statement)
    before = {line.uuid for line in previous.interventions}
    after = {line.uuid for line in current.interventions}
    return Difference(
        previous_version=previous.version,
        previous_sha256=previous_sha256,
        figures={name: new[name] - old[name] for name in sorted(new) if new[name] != old[name]},
        interventions_added=sorted(after - before),
        interventions_removed=sorted(before - after),
    )


def totals(contents: Iterable[StatementContent]) -> dict[str, int]:
    """The team's month: each figure summed over its people."""
    summed: dict[str, int] = {}
    for content in contents:
        for name, value in figures(content.statement).items():
            summed[name] = summed.get(name, 0) + value
    return summed
