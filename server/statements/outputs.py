"""What the statement's outputs read: the payroll lines of a team's month (the CSV and the API)
and one closed version with the one it replaces (the PDF), with who may download it. The
shaping is pure, in export.py and pdf.py; the figures are the monthly service's."""

from __future__ import annotations

from datetime import datetime

from server.accounts.models import CurrentUser
from server.accounts.store import current_user, get_user, list_users
from server.db import Database
from server.errors import Forbidden, InvalidInput, NotFound
from server.i18n import gettext as _
from server.statements import monthly
from server.statements.export import PayrollMonth, payroll_month
from server.statements.models import StoredStatement, parse_month


def checked_month(text: str) -> str:
    """A YYYY-MM month, or a 400 naming the field."""
    try:
        parse_month(text)
    except ValueError:
        raise InvalidInput(
            _("month must be a month written YYYY-MM (e.g. 2026-12)."), field="month"
        ) from None
    return text


def payroll(database: Database, team_id: int, month: str, now: datetime) -> PayrollMonth:
    """The manager's month (monthly.team_month: the page's figures) with each person's e-mail,
    also of someone who has left the team since."""
    team_month = monthly.team_month(database, team_id, checked_month(month), now)
    emails = {user.id: user.email for user in list_users(database, team_ids=[team_id])}
    for line in team_month.lines:
        if line.user_id not in emails:
            emails[line.user_id] = get_user(database, line.user_id).email
    return payroll_month(team_month, emails)


def parse_version(name: str) -> int:
    """`v2.pdf` -> 2; a 404 for any other file name (the route's last segment)."""
    stem = name.removesuffix(".pdf")
    if stem == name or not stem.startswith("v") or not stem[1:].isdigit() or len(stem) > 10:
        raise NotFound(_("This statement does not exist."))
    return int(stem[1:])


def document(
    database: Database,
    viewer: CurrentUser,
    person_id: int,
    month: str,
    version: int,
    team_id: int | None,
) -> tuple[StoredStatement, StoredStatement | None]:
    """A closed version of a person's statement and the version it replaces (None for a
    first one), for the person, the managers of the statement's team and administrators.
    `team_id` tells apart the statements of a person in two teams; without it, the month's
    only team. 403 for anyone else; 404 when there is no such version (a provisional month
    has none: it is shown in the app only)."""
    checked_month(month)
    held = [
        s
        for s in monthly.person_statements(database, person_id)
        if s.month == month and (team_id is None or s.team_id == team_id)
    ]
    visible = [s for s in held if viewer.id == person_id or viewer.manages(s.team_id)]
    if held and not visible:
        raise Forbidden(_("Only the person and the managers of the team see this statement."))
    if not visible and not _may_look(database, viewer, person_id):
        raise Forbidden(_("Only the person and the managers of the team see this statement."))
    teams = sorted({s.team_id for s in visible})
    if len(teams) > 1:
        raise InvalidInput(
            _("This person has statements in several teams this month: add ?team=ID."),
            field="team",
        )
    versions = sorted((s for s in visible), key=lambda s: s.version)
    found = [s for s in versions if s.version == version]
    if not found:
        raise NotFound(
            _("No closed statement of this version: a month not closed is shown in the app only.")
        )
    previous = [s for s in versions if s.version == version - 1]
    return found[0], previous[0] if previous else None


def _may_look(database: Database, viewer: CurrentUser, person_id: int) -> bool:
    """Whether a missing statement is a 404 to the viewer (the person, an administrator or a
    manager of one of their teams) rather than a 403 that says nothing of it."""
    if viewer.id == person_id or viewer.is_admin:
        return True
    person = current_user(database, person_id)
    return person is not None and any(viewer.manages(team) for team in person.team_ids)


def person_locale(database: Database, person_id: int, default: str) -> str:
    """The language the person chose for the app (their document is in it, whoever downloads);
    `default` when they chose none ("as my browser")."""
    return get_user(database, person_id).locale or default
