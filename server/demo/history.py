"""A year of plausible history for the demo company, so every figure, the needs analysis and
the monthly review have something to show on a first start: the rotations' shifts extended
back twelve months (accepted), and each team's alerts with their escalation, pages,
deliveries, interventions and fatigue reports (planned by history_plan.py, written in bulk by
store.py in the demo's transaction). Deterministic: a seeded random.Random per team."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec

from server.alerts.store import team_policy
from server.clock import from_db, to_db
from server.db import Database
from server.demo import store as demo_store
from server.demo.history_catalogue import PROBLEMS
from server.demo.history_models import Busy, Crew, Schedule
from server.demo.history_plan import plan_history
from server.demo.statements import FOUND, turns_before
from server.schedules.store import insert_planned, list_rotations
from server.teams.store import get_team, members

# Twelve whole months before the month of the first start, and that month so far.
HISTORY_MONTHS = 12
# The history stops this many days before the first start: the last days are the demo's own
# story (last night's call-out), and nobody's rest is owed from the history.
QUIET_DAYS = 3
# People whose pages also went to the SMS gateway (the webhook channel) back then.
SMS_TOO = frozenset(
    {
        "julien.moreau@astreinte.test",
        "thomas.petit@astreinte.test",
        "mathieu.fontaine@astreinte.test",
    }
)


def history_window(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end): from the first day of the month twelve months before now's month, to the
    midnight QUIET_DAYS days before now (local)."""
    today = now.astimezone(zone).date()
    index = today.year * 12 + today.month - 1 - HISTORY_MONTHS
    first = date(index // 12, index % 12 + 1, 1)
    last = today - timedelta(days=QUIET_DAYS)
    return datetime.combine(first, time(), zone), datetime.combine(last, time(), zone)


def seed_history(database: Database, teams: dict[str, int], now: datetime) -> None:
    """Inside the demo's transaction, after the schedule and the statements' past months, and
    before those months are closed (their statements then include the history)."""
    busy = _busy(database)
    for name, team_id in teams.items():
        team = get_team(database, team_id)
        zone = ZoneInfo(team.timezone)
        start, end = history_window(now, zone)
        _extend_shifts(database, team_id, start, now)
        crew = _crew(database, team_id, zone, name)
        history = plan_history(crew, start, end, random.Random(f"demo-history-{name}"), busy)
        demo_store.insert_history(
            database,
            team_id,
            team.name,
            msgspec.json.encode(crew.policy).decode(),
            history,
            FOUND,
        )


def _extend_shifts(database: Database, team_id: int, start: datetime, now: datetime) -> None:
    """Each rotation's turns from `start` up to the team's first shift of its layer, in the
    same order, accepted as told a month before the history begins (shifts of no rotation, as
    the statements' past months: keeping the schedule alive never touches them)."""
    first_starts = []
    for rotation in list_rotations(database, team_id):
        earliest = demo_store.earliest_shift(database, team_id, rotation.layer)
        if earliest is None:
            continue
        first_starts.append(earliest)
        planned = turns_before(rotation, start, from_db(earliest))
        insert_planned(database, team_id, None, rotation.layer, planned, now)
    if first_starts:
        demo_store.accept_drafts_before(
            database,
            team_id,
            told_at=to_db(start - timedelta(days=30)),
            before=min(first_starts),
        )


def _crew(database: Database, team_id: int, zone: ZoneInfo, name: str) -> Crew:
    people = [m for m in members(database, team_id) if m.active]
    held = [
        (row["layer"], row["user_id"], from_db(row["starts_at"]), from_db(row["ends_at"]))
        for row in demo_store.held_shifts(database, team_id)
    ]
    return Crew(
        zone=zone,
        policy=team_policy(database, team_id),
        members=tuple(m.user_id for m in people),
        managers=tuple(m.user_id for m in people if m.team_role == "manager"),
        names={m.user_id: m.name for m in people},
        emails={m.user_id: m.email for m in people},
        schedule=Schedule(held),
        problems=PROBLEMS[name],
        webhook=frozenset(m.user_id for m in people if m.email in SMS_TOO),
    )


def _busy(database: Database) -> Busy:
    """Everyone's interventions already seeded (travel included), so history adds none that
    overlaps them."""
    busy: Busy = {}
    for row in demo_store.intervention_times(database):
        started = from_db(row["started_at"])
        busy.setdefault(row["user_id"], []).append(
            (started - timedelta(minutes=row["travel_minutes"]), from_db(row["ended_at"]))
        )
    for intervals in busy.values():
        intervals.sort()
    return busy
