"""Who reads and who writes a team's clients: its members read (access codes included), its
managers and administrators write; anyone else is refused, down to a client or site id."""

from __future__ import annotations

from server.accounts.models import CurrentUser
from server.clients.models import Client
from server.clients.store.clients import get_client
from server.db import Database
from server.errors import Forbidden
from server.i18n import gettext as _
from server.teams.models import Team
from server.teams.store import get_team


def reads(viewer: CurrentUser, team_id: int) -> bool:
    return viewer.manages(team_id) or team_id in viewer.team_ids


def readable_team(database: Database, viewer: CurrentUser, team_id: int) -> Team:
    team = get_team(database, team_id)
    if not reads(viewer, team_id):
        raise Forbidden(_("Only the team's members and managers see its clients."))
    return team


def writable_team(database: Database, viewer: CurrentUser, team_id: int) -> Team:
    team = get_team(database, team_id)
    if not viewer.manages(team_id):
        raise Forbidden(_("Only the team's managers change its clients."))
    return team


def readable_client(database: Database, viewer: CurrentUser, client_id: int) -> Client:
    client = get_client(database, client_id)
    if not reads(viewer, client.team_id):
        raise Forbidden(_("Only the team's members and managers see its clients."))
    return client


def writable_client(database: Database, viewer: CurrentUser, client_id: int) -> Client:
    client = get_client(database, client_id)
    if not viewer.manages(client.team_id):
        raise Forbidden(_("Only the team's managers change its clients."))
    return client
