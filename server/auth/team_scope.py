"""The teams a request may manage, and the team in scope of a manager's page, read once.

A manager manages their own teams, an administrator every team; anyone else is refused with
the same 403 messages the pages always gave. A manager's page asks for its team as the
`ManagedTeam` dependency (a `chosen: ManagedTeam` parameter, `dependencies = MANAGED_TEAM` on
the controller) instead of checking `manages` itself."""

from __future__ import annotations

from typing import TypeAlias

from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery

from server.db import Database
from server.deps import Db
from server.errors import Forbidden
from server.i18n import gettext as _
from server.teams.models import Team
from server.teams.store import get_team, list_teams


def managed_teams(request: Request, db: Database) -> list[Team]:
    """Every team the person asking manages (all of them for an administrator), by name."""
    me = request.user
    return list_teams(db, None if me.is_admin else list(me.managed_team_ids))


def managed_team_ids(request: Request, db: Database) -> list[int]:
    """The ids of the teams the person asking manages (all of them for an administrator)."""
    me = request.user
    return [t.id for t in list_teams(db)] if me.is_admin else list(me.managed_team_ids)


def managed_team(request: Request, db: Database, team_id: int | None) -> Team:
    """The team a manager's page is about: the one asked for, which they must manage, or their
    first when none is asked; 403 when they manage none or not this one."""
    if team_id is None:
        teams = managed_teams(request, db)
        if not teams:
            raise Forbidden(_("You do not manage any team."))
        return teams[0]
    if not request.user.manages(team_id):
        raise Forbidden(_("You do not manage this team."))
    return get_team(db, team_id)


async def provide_managed_team(
    request: Request, db: Db, team: FromQuery[int | None] = None
) -> Team:
    """The team of `?team=ID` (or the person's first), refused before the handler runs."""
    return managed_team(request, db, team)


# A handler's `chosen: ManagedTeam` parameter: the team in scope, its manager asking.
ManagedTeam: TypeAlias = NamedDependency[Team]
MANAGED_TEAM = {"chosen": Provide(provide_managed_team)}
