"""Who may read and write training (README, "Training"): a session is the business of the
team that held it and of its attendees' teams. The managers of any of those teams (and
administrators) read it; only the holding team's managers write it, naming people of the
teams they manage. Each attendee's figures are shown only to the managers of one of that
attendee's teams; a person reads their own training history, and their teams' managers too."""

from __future__ import annotations

from server.accounts.models import CurrentUser
from server.db import Database
from server.errors import Forbidden, NotFound
from server.i18n import gettext as _
from server.teams.models import Team
from server.teams.store import get_team
from server.training import store
from server.training.models import Attendee, TrainingSession


def writable_team(database: Database, viewer: CurrentUser, team_id: int) -> Team:
    team = get_team(database, team_id)
    if not viewer.manages(team_id):
        raise Forbidden(_("Only the team's managers record its training sessions."))
    return team


def readable_team(database: Database, viewer: CurrentUser, team_id: int) -> Team:
    team = get_team(database, team_id)
    if not viewer.manages(team_id):
        raise Forbidden(_("Only the team's managers read its training sessions."))
    return team


def sees_figures(viewer: CurrentUser, attendee: Attendee) -> bool:
    return viewer.is_admin or any(viewer.manages(team_id) for team_id in attendee.team_ids)


def readable_session(database: Database, viewer: CurrentUser, session_id: int) -> TrainingSession:
    session = store.get_session(database, session_id)
    if viewer.manages(session.team_id) or any(sees_figures(viewer, a) for a in session.attendees):
        return session
    raise Forbidden(_("Only the managers of the session's teams read it."))


def writable_session(database: Database, viewer: CurrentUser, session_id: int) -> TrainingSession:
    session = store.get_session(database, session_id)
    if not viewer.manages(session.team_id):
        raise Forbidden(_("Only the managers of the team that held the session change it."))
    return session


def readable_person(database: Database, viewer: CurrentUser, user_id: int) -> dict:
    """The person whose training history the viewer reads: themselves, or someone of a team
    they manage (any person for an administrator)."""
    person = store.person_named(database, user_id)
    if person is None:
        raise NotFound(_("This person does not exist."))
    if viewer.id == user_id or viewer.is_admin:
        return person
    if any(viewer.manages(team_id) for team_id in store.team_ids_of(database, user_id)):
        return person
    raise Forbidden(_("Only the person and their teams' managers read their training."))


def nameable(database: Database, viewer: CurrentUser) -> list[dict]:
    """Whom the viewer may name as attendee or trainer: active people of the teams they manage
    (anyone active for an administrator)."""
    return store.nameable_people(database, None if viewer.is_admin else viewer.managed_team_ids)
