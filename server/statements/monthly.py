"""What happened in a team's month: who was on call (the schedules' notion of it) and the
interventions that synced, each person's provisional document, a person's stored versions,
and the manager's month (lines, totals, warnings). Closing, rectifying, handing out and
acknowledging are closing.py's.

Service functions for the pages and the engine; SQL is in store/, decisions in documents.py
and compensation.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from server.accounts.store import get_user
from server.db import Database
from server.errors import NotFound
from server.i18n import gettext as _
from server.interventions.store import list_interventions
from server.schedules.models import LAYERS, TOLD
from server.schedules.oncall import effective_slots
from server.schedules.store import list_shifts
from server.statements import store
from server.statements.compensation import statement_policy
from server.statements.documents import MARGIN, build_content, is_empty, month_bounds, totals
from server.statements.models import (
    InterventionLine,
    MonthWarning,
    OnCallLine,
    StatementContent,
    StoredStatement,
    TeamMonth,
    TeamMonthLine,
    parse_month,
)
from server.teams.models import Team
from server.teams.store import get_team


@dataclass
class PersonMonth:
    """One person's on-call time and interventions in a gathered month."""

    name: str
    oncall: list[OnCallLine] = field(default_factory=list)
    interventions: list[InterventionLine] = field(default_factory=list)


@dataclass
class GatheredMonth:
    """What happened in a team's month, read with a margin (the engine clips)."""

    people: dict[int, PersonMonth]
    declined: set[int]
    unanswered: set[int]


def gather(database: Database, team: Team, month: str) -> GatheredMonth:
    """Who was on call (published shifts after overrides and approved swaps, both layers: the
    backup is on call too) and the interventions synced for the team, per person."""
    start, end = month_bounds(month, team.timezone)
    low, high = start - MARGIN, end + MARGIN
    shifts = list_shifts(database, team_ids=[team.id], start=low, end=high, statuses=TOLD)
    people: dict[int, PersonMonth] = {}
    names = {shift.user_id: shift.user_name for shift in shifts}
    for layer in LAYERS:
        for slot in effective_slots(shifts, layer, low, high):
            person = people.setdefault(slot.user_id, PersonMonth(names[slot.user_id]))
            person.oncall.append(OnCallLine(start=slot.starts_at, end=slot.ends_at, layer=layer))
    in_month = [s for s in shifts if s.starts_at < end and s.ends_at > start]
    for found in list_interventions(database, team_ids=[team.id], start=low, end=high, limit=None):
        person = people.setdefault(found.user_id, PersonMonth(found.user_name))
        person.interventions.append(
            InterventionLine(
                uuid=found.uuid,
                start=found.started_at,
                end=found.ended_at,
                travel_minutes=found.travel_minutes,
                mode=found.mode,
                place=found.place,
                outcome=found.outcome,
            )
        )
    return GatheredMonth(
        people=people,
        declined={s.user_id for s in in_month if s.status == "declined"},
        unanswered={s.user_id for s in in_month if s.status == "published"},
    )


def contents_of(
    database: Database, team: Team, month: str, gathered: GatheredMonth, *, provisional: bool
) -> dict[int, StatementContent]:
    """Each person's document with the team's current compensation and their current wage."""
    compensation = store.get_compensation(database, team.id)
    wages = store.wages_of(database, gathered.people)
    year, _number = parse_month(month)
    found: dict[int, StatementContent] = {}
    for user_id, person in gathered.people.items():
        policy = statement_policy(compensation, team.timezone, wages.get(user_id), year)
        found[user_id] = build_content(
            month=month,
            team_id=team.id,
            team_name=team.name,
            user_id=user_id,
            person_name=person.name,
            compensation_set=compensation is not None,
            holidays=compensation.holidays if compensation else "FR",
            policy=policy,
            oncall=person.oncall,
            interventions=person.interventions,
            provisional=provisional,
        )
    return found


def provisional_statement(
    database: Database, team_id: int, user_id: int, month: str
) -> StatementContent:
    """A person's document of a team's month as it stands (computed, never stored): marked
    provisional, with the team's current compensation and the person's current wage. Empty
    figures when they had nothing that month. Raises ValueError for a month not YYYY-MM."""
    team = get_team(database, team_id)
    gathered = gather(database, team, month)
    gathered.people = {
        user_id: gathered.people.get(user_id) or PersonMonth(_name(database, user_id))
    }
    return contents_of(database, team, month, gathered, provisional=True)[user_id]


def _name(database: Database, user_id: int) -> str:
    return get_user(database, user_id).name


def person_statements(database: Database, user_id: int) -> list[StoredStatement]:
    """Every closed version handed to a person (all teams), newest month first."""
    return store.person_statements(database, user_id)


def statement_versions(
    database: Database, team_id: int, user_id: int, month: str
) -> list[StoredStatement]:
    """Every version of one person's statement of a team's month, first to last."""
    return [s for s in store.team_statements(database, team_id, month) if s.user_id == user_id]


def get_statement(database: Database, statement_id: int) -> StoredStatement:
    """A stored version; NotFound when there is none."""
    found = store.get_statement(database, statement_id)
    if found is None:
        raise NotFound(_("This statement does not exist."))
    return found


def team_month(database: Database, team_id: int, month: str, now: datetime) -> TeamMonth:
    """The manager's month: every person with on-call time or an intervention (the documents
    handed out once closed, with their receipts; provisional ones before), totals, warnings."""
    team = get_team(database, team_id)
    _start, end = month_bounds(month, team.timezone)
    closing = store.get_closing(database, team_id, month)
    gathered = gather(database, team, month)
    lines: list[TeamMonthLine] = []
    if closing is not None:
        for statement in store.latest_statements(database, team_id, month).values():
            lines.append(
                TeamMonthLine(
                    user_id=statement.user_id,
                    person_name=statement.content.person_name,
                    content=statement.content,
                    statement_id=statement.id,
                    version=statement.version,
                    sha256=statement.sha256,
                    acknowledged_at=statement.acknowledged_at,
                )
            )
    else:
        for user_id, content in contents_of(
            database, team, month, gathered, provisional=True
        ).items():
            if not is_empty(content):
                lines.append(
                    TeamMonthLine(user_id=user_id, person_name=content.person_name, content=content)
                )
    lines.sort(key=lambda line: (line.person_name.casefold(), line.user_id))
    warnings: list[MonthWarning] = []
    if store.get_compensation(database, team_id) is None:
        warnings.append(MonthWarning(code="no_compensation"))
    unpaid = [
        line.user_id
        for line in lines
        if line.content.policy.hourly_wage_cents == 0
        and line.content.statement.intervention_minutes.total > 0
    ]
    if unpaid:
        warnings.append(MonthWarning(code="no_wage", user_ids=sorted(unpaid)))
    for code, people in (
        ("declined_shifts", gathered.declined),
        ("unanswered_shifts", gathered.unanswered),
    ):
        if people:
            warnings.append(MonthWarning(code=code, user_ids=sorted(people)))
    if closing is None and now >= end:
        on_call = [line.user_id for line in lines if line.content.statement.oncall_minutes.total]
        contacts = store.last_contacts(database, on_call)
        silent = [uid for uid in on_call if uid not in contacts or contacts[uid] < end]
        if silent:
            warnings.append(MonthWarning(code="not_synced", user_ids=sorted(silent)))
    return TeamMonth(
        team_id=team.id,
        team_name=team.name,
        month=month,
        ended=now >= end,
        closing=closing,
        lines=lines,
        totals=totals(line.content for line in lines),
        warnings=warnings,
    )
