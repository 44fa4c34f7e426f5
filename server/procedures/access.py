"""Who reads and who writes a team's procedures: its members, managers and administrators
read (and say "I have read"); its managers (and administrators) write, and so does the
procedure's owner while a member of the team; anyone else is refused, down to a procedure id."""

from __future__ import annotations

from server.accounts.models import CurrentUser
from server.db import Database
from server.errors import Forbidden
from server.i18n import gettext as _
from server.procedures.models import Procedure
from server.procedures.store.procedures import get_procedure
from server.teams.models import Team
from server.teams.store import get_team


def reads(viewer: CurrentUser, team_id: int) -> bool:
    return viewer.manages(team_id) or team_id in viewer.team_ids


def writes(viewer: CurrentUser, procedure: Procedure) -> bool:
    owner = procedure.owner_id == viewer.id and procedure.team_id in viewer.team_ids
    return viewer.manages(procedure.team_id) or owner


def readable_team(database: Database, viewer: CurrentUser, team_id: int) -> Team:
    team = get_team(database, team_id)
    if not reads(viewer, team_id):
        raise Forbidden(_("Only the team's members and managers read its procedures."))
    return team


def writable_team(database: Database, viewer: CurrentUser, team_id: int) -> Team:
    """A new procedure: the team's managers write it."""
    team = get_team(database, team_id)
    if not viewer.manages(team_id):
        raise Forbidden(_("Only the team's managers write a new procedure."))
    return team


def readable_procedure(database: Database, viewer: CurrentUser, procedure_id: int) -> Procedure:
    procedure = get_procedure(database, procedure_id)
    if not reads(viewer, procedure.team_id):
        raise Forbidden(_("Only the team's members and managers read its procedures."))
    return procedure


def writable_procedure(database: Database, viewer: CurrentUser, procedure_id: int) -> Procedure:
    procedure = get_procedure(database, procedure_id)
    if not writes(viewer, procedure):
        raise Forbidden(_("Only the team's managers and the procedure's owner change it."))
    return procedure
