"""The manager's view of a team's rest: one line per person, warnings about who is on call
now or next, and the month's violations (also as CSV)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Literal

from server.db import Database
from server.interventions.export import spreadsheet_safe
from server.models import Value
from server.rest.explain import explain
from server.rest.fatigue import WARN_SCORE
from server.rest.models import FatigueReport, Violation
from server.rest.people import person_status, policy_of, timeline_of
from server.rest.rules import check_rest
from server.rest.status import (
    PersonPolicy,
    RestStatus,
    month_bounds,
    touches,
    window_start,
)
from server.rest.store import latest_fatigue_of
from server.schedules.models import LAYERS, OnCallSlot
from server.schedules.oncall import effective_slots
from server.schedules.rotation import localize
from server.schedules.store import list_shifts
from server.teams.models import Member, Team
from server.teams.store import members

# Fatigue older than this says little about tonight.
FATIGUE_RELEVANT = timedelta(hours=24)
# "On call next" looks this far ahead.
NEXT_HORIZON = timedelta(days=7)
Duty = Literal["now", "next"]


class PersonLine(Value, kw_only=True):
    member: Member
    status: RestStatus
    fatigue: FatigueReport | None
    duty: Duty | None
    slot: OnCallSlot | None
    # Why the manager should act: rest owed / tired, while on call now or next.
    warnings: tuple[str, ...]


def duties(database: Database, team: Team, now: datetime) -> dict[int, tuple[Duty, OnCallSlot]]:
    """Who is on call now (either layer) and who comes next in each layer."""
    shifts = list_shifts(database, team_ids=[team.id], start=now, end=now + NEXT_HORIZON)
    found: dict[int, tuple[Duty, OnCallSlot]] = {}
    for layer in LAYERS:
        slots = effective_slots(shifts, layer, now, now + NEXT_HORIZON)
        current = next((s for s in slots if s.starts_at <= now), None)
        upcoming = next((s for s in slots if s.starts_at > now and s != current), None)
        if current:
            found[current.user_id] = ("now", current)
        if upcoming and upcoming.user_id not in found:
            found[upcoming.user_id] = ("next", upcoming)
    return found


def warnings_for(
    status: RestStatus,
    fatigue: FatigueReport | None,
    duty: Duty | None,
    duty_starts_at: datetime | None,
    now: datetime,
) -> tuple[str, ...]:
    """What the manager should know of someone on call now or next. Rest owed matters for the
    next shift only if it is still owed when that shift starts: a call then would cut it."""
    if duty is None:
        return ()
    found = []
    owed = status.state in ("rest_owed", "working_in_rest")
    if owed and (
        duty == "now"
        or status.resume_at is None
        or duty_starts_at is None
        or status.resume_at > duty_starts_at
    ):
        found.append("rest_owed")
    if fatigue and fatigue.score >= WARN_SCORE and now - fatigue.reported_at <= FATIGUE_RELEVANT:
        found.append("fatigue")
    return tuple(found)


def team_lines(database: Database, team: Team, now: datetime) -> list[PersonLine]:
    people = [m for m in members(database, team.id) if m.active]
    fatigue = latest_fatigue_of(database, [m.user_id for m in people])
    on_duty = duties(database, team, now)
    lines = []
    for member in people:
        status = person_status(database, member.user_id, now)
        duty, slot = on_duty.get(member.user_id, (None, None))
        report = fatigue.get(member.user_id)
        lines.append(
            PersonLine(
                member=member,
                status=status,
                fatigue=report,
                duty=duty,
                slot=slot,
                warnings=warnings_for(status, report, duty, slot.starts_at if slot else None, now),
            )
        )
    # People the manager must act on first, then by name.
    return sorted(lines, key=lambda line: (not line.warnings, line.member.name))


class MonthViolation(Value, kw_only=True):
    member: Member
    violation: Violation


def rest_window(
    person: PersonPolicy, first: date, last: date, now: datetime
) -> tuple[datetime, datetime]:
    """[since, until): the stretch of timeline whose violations may touch first..last (their
    rest zone), up to now: what violations_touching reads."""
    since = window_start(person.rest, first)
    until = min(now, localize(datetime.combine(last + timedelta(days=1), time()), person.rest.zone))
    return since, until


def violations_touching(
    database: Database, user_id: int, first: date, last: date, now: datetime
) -> list[Violation]:
    """The person's violations touching the days first..last (their rest zone), up to now."""
    person = policy_of(database, user_id)
    since, until = rest_window(person, first, last, now)
    if until <= since:
        return []
    periods = timeline_of(database, user_id, person, since, until)
    report = check_rest(person.rest, periods)
    return [v for v in report.violations if touches(v, first, last, person.rest.avg_weeks)]


def month_violations(
    database: Database,
    team: Team,
    month: date,
    now: datetime,
    known: list[MonthViolation] | None = None,
    skip: frozenset[int] = frozenset(),
) -> list[MonthViolation]:
    """Every member's violations touching the month of `month`, up to now; `known` are those
    already found for the people in `skip`."""
    first, last = month_bounds(month)
    found = list(known or [])
    for member in members(database, team.id):
        if member.user_id in skip:
            continue
        found += [
            MonthViolation(member=member, violation=v)
            for v in violations_touching(database, member.user_id, first, last, now)
        ]
    return sorted(found, key=lambda f: (f.violation.at, f.member.name, f.violation.rule))


def violations_csv(items: list[MonthViolation], team: Team) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["person", "email", "rule", "at", "hours", "limit", "article", "explanation"])
    for item in items:
        v = item.violation
        explained = explain(v, team.timezone, team.policy.avg_weeks)
        # A name is typed by a person: inert like every cell of the interventions CSV.
        row = [
            item.member.name,
            item.member.email,
            v.rule,
            v.at,
            v.hours if v.hours is not None else "",
            v.limit if v.limit is not None else "",
            explained.article,
            explained.text,
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()
