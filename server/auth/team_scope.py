"""The teams a request may manage: the team in scope of a manager's page, read once.

A manager manages their own teams, an administrator every team; anyone else is refused with
the same 403 messages the pages always gave."""

from __future__ import annotations

from litestar import Request

from server.db import Database
from server.errors import Forbidden
from server.i18n import gettext as _
from server.teams.models import Team
from server.teams.store import get_team, list_teams


def managed_teams(request: Request, db: Database) -> list[Team]:
    """Every team the person asking manages (all of them for an administrator), by name."""
    me = request.user
    return [t for t in list_teams(db) if me.manages(t.id)]


def managed_team_ids(request: Request, db: Database) -> list[int]:
    """The ids of the teams the person asking manages (all of them for an administrator)."""
    me = request.user
    return [t.id for t in list_teams(db)] if me.is_admin else list(me.managed_team_ids)


def managed_team(request: Request, db: Database, team_id: int | None) -> Team:
    """The team a manager's page is about: the one asked for, which they must manage, or their
    first when none is asked; 403 when they manage none or not this one."""
    teams = managed_teams(request, db)
    if team_id is None:
        if not teams:
            raise Forbidden(_("You do not manage any team."))
        return teams[0]
    if not request.user.manages(team_id):
        raise Forbidden(_("You do not manage this team."))
    return get_team(db, team_id)
