"""What the statement pages show, read through the monthly service (never a second
computation): a person's months, one person's month in each of their teams, who may see it,
and the names the manager's month needs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.accounts.models import CurrentUser
from server.accounts.store import get_user
from server.db import Database
from server.errors import Forbidden, InvalidInput, NotFound
from server.i18n import gettext as _
from server.statements import monthly, store, texts
from server.statements.documents import month_of
from server.statements.models import (
    StatementContent,
    StoredStatement,
    TeamMonthLine,
    parse_month,
)
from server.teams.models import Team
from server.teams.store import get_team, teams_of


def checked_month(text: str) -> str:
    """A month of the address, YYYY-MM; 400 naming the month otherwise."""
    try:
        parse_month(text)
    except ValueError:
        raise InvalidInput(_("Choose a month written YYYY-MM."), field="month") from None
    return text


def this_month(now: datetime, timezone: str) -> str:
    return month_of(now.astimezone(ZoneInfo(timezone)).date())


def shift_month(month: str, months: int) -> str:
    """The month `months` before (negative) or after this one."""
    year, number = parse_month(month)
    index = year * 12 + number - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass
class TeamDocument:
    """A person's month in one team: the latest closed version with the earlier ones, or the
    provisional document while the month is open."""

    team_id: int
    team_name: str
    content: StatementContent
    versions: list[StoredStatement] = field(default_factory=list)

    @property
    def latest(self) -> StoredStatement | None:
        return self.versions[-1] if self.versions else None

    @property
    def provisional(self) -> bool:
        return not self.versions


def statement_teams(database: Database, person_id: int) -> dict[int, str]:
    """The teams a person has a statement in: their teams now, and those that handed them one
    before they left (by id, with the name)."""
    found = {team.id: team.name for team, _role in teams_of(database, person_id)}
    for statement in monthly.person_statements(database, person_id):
        found.setdefault(statement.team_id, statement.content.team_name)
    return found


def person_month(
    database: Database, person_id: int, month: str, team_ids: Iterable[int]
) -> list[TeamDocument]:
    """The person's documents of the month in these teams: what was handed out when the
    team's month is closed (nothing when they had nothing), the provisional one otherwise."""
    found: list[TeamDocument] = []
    for team_id in team_ids:
        versions = monthly.statement_versions(database, team_id, person_id, month)
        if versions:
            latest = versions[-1].content
            found.append(TeamDocument(team_id, latest.team_name, latest, versions))
        elif store.get_closing(database, team_id, month) is None:
            content = monthly.provisional_statement(database, team_id, person_id, month)
            found.append(TeamDocument(team_id, content.team_name, content))
    return found


@dataclass
class MonthEntry:
    """A line of the person's list: a month of one team, provisional or closed."""

    month: str
    team_id: int
    team_name: str
    latest: StoredStatement | None = None


def person_months(
    database: Database, person_id: int, now: datetime, timezone: str
) -> list[MonthEntry]:
    """The month so far and the last one while it is not closed (provisional) in each of the
    person's teams, then every month handed out, newest first."""
    entries: dict[tuple[str, int], MonthEntry] = {}
    current = this_month(now, timezone)
    for team, _role in teams_of(database, person_id):
        for month in (current, shift_month(current, -1)):
            if store.get_closing(database, team.id, month) is None:
                entries[(month, team.id)] = MonthEntry(month, team.id, team.name)
    for statement in monthly.person_statements(database, person_id):
        key = (statement.month, statement.team_id)
        entries[key] = MonthEntry(
            statement.month, statement.team_id, statement.content.team_name, statement
        )
    return sorted(entries.values(), key=lambda e: (e.month, e.team_name), reverse=True)


def teams_seen_by(database: Database, viewer: CurrentUser, person_id: int) -> list[int]:
    """Which of the person's statement teams the viewer may read: all of them for the person
    and an admin, those the viewer manages for a manager; Forbidden when none."""
    get_user(database, person_id)  # NotFound for a stranger id
    teams = statement_teams(database, person_id)
    if viewer.id == person_id or viewer.is_admin:
        return sorted(teams, key=lambda team_id: teams[team_id])
    seen = [team_id for team_id in teams if viewer.manages(team_id)]
    if not seen:
        raise Forbidden(_("Only the person and the managers of their teams see this statement."))
    return sorted(seen, key=lambda team_id: teams[team_id])


def managed(database: Database, viewer: CurrentUser, team_id: int) -> Team:
    """A team whose statements the viewer manages; Forbidden otherwise, NotFound if none."""
    team = get_team(database, team_id)
    if not viewer.manages(team_id):
        raise Forbidden(_("You do not manage this team."))
    return team


def is_future(month: str, now: datetime, timezone: str) -> bool:
    return month > this_month(now, timezone)


def check_not_future(month: str, now: datetime, timezone: str) -> None:
    if is_future(month, now, timezone):
        raise NotFound(_("This month has not started yet: there is no statement for it."))


def names_of(database: Database, user_ids: Iterable[int], known: dict[int, str]) -> dict[int, str]:
    """Names of people the manager's month warns about (most are in its lines already)."""
    names = dict(known)
    for user_id in user_ids:
        if user_id not in names:
            names[user_id] = get_user(database, user_id).name
    return names


def first_of(month: str) -> date:
    year, number = parse_month(month)
    return date(year, number, 1)


def last_of(month: str) -> date:
    return first_of(shift_month(month, 1)) - timedelta(days=1)


def without_compensation(database: Database, team_ids: Iterable[int]) -> set[int]:
    """Which of these teams have set no compensation (their managers are warned: L3121-9)."""
    return {team_id for team_id in team_ids if store.get_compensation(database, team_id) is None}


@dataclass(frozen=True)
class PersonRow:
    """A line of the manager's month as it reads, in the reader's language. Formatted here,
    each sentence translated once per page: in the template a 200-person month made a thousand
    gettext and Babel calls, most of the time of a page rendered afresh."""

    user_id: int
    person_name: str
    version: str  # "" while the month is provisional
    acknowledged: bool
    receipt: str
    times: str
    pay: str


def team_rows(lines: Iterable[TeamMonthLine]) -> list[PersonRow]:
    """The manager's month's lines as they read (the same words the template wrote)."""
    on_call = _("On call %(time)s")
    interventions = _("interventions %(time)s")
    rest = _("rest %(time)s")
    version = _("version %(version)s")
    received, not_received = _("received"), _("not acknowledged")
    rows = []
    for line in lines:
        figures = line.content.statement
        pay = texts.money(figures.oncall_pay_cents + figures.intervention_pay_cents)
        if figures.oncall_rest_minutes:
            pay += " · " + rest % {"time": texts.duration(figures.oncall_rest_minutes)}
        rows.append(
            PersonRow(
                user_id=line.user_id,
                person_name=line.person_name,
                version=version % {"version": line.version} if line.version else "",
                acknowledged=line.acknowledged_at is not None,
                receipt=received if line.acknowledged_at else not_received,
                times=(
                    on_call % {"time": texts.duration(figures.oncall_minutes.total)}
                    + " · "
                    + interventions % {"time": texts.duration(figures.intervention_minutes.total)}
                ),
                pay=pay,
            )
        )
    return rows
