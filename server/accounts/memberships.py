"""Who belongs to a team, as a service over the accounts and teams stores: adding a person with
their team and invitation, and removing someone from a team, which also ends that team's reach
into their phones (and, from the last team, their devices), in one transaction."""

from __future__ import annotations

from datetime import datetime

from server.accounts.models import User, UserForm
from server.accounts.store import (
    create_invitation,
    create_user,
    cut_off_from_team,
    cut_off_person,
)
from server.audit.models import Actor
from server.db import Database
from server.teams.store import delete_membership, memberships_by_user, set_membership


def add_person(
    database: Database,
    form: UserForm,
    team_id: int | None,
    *,
    actor: Actor,
    now: datetime,
    invitation_hours: int,
) -> tuple[User, str]:
    """The person, their membership and their invitation exist together or not at all. A new
    person has no password (the form sets none), so the link is the next step in every case.
    Returns the person and the invitation's token (shown once: only its hash is stored)."""
    with database.write():
        user = create_user(database, form, actor=actor, now=now)
        if team_id is not None:
            team_role = "manager" if form.role == "manager" else "member"
            set_membership(database, team_id, user.id, team_role, actor=actor, now=now)
        token = create_invitation(database, user.id, actor=actor, now=now, hours=invitation_hours)
    return user, token


def remove_member(
    database: Database, team_id: int, user_id: int, *, actor: Actor, now: datetime
) -> None:
    """Out of the team: its alerts' unsent pages and secrets, its calendar feed go with the
    membership; once in no team at all, no alert should reach them, so their devices go too
    (their own calendar stays: it lists shifts that remain theirs)."""
    with database.write():
        delete_membership(database, team_id, user_id, actor=actor, now=now)
        cut_off_from_team(database, user_id, team_id, actor=actor, now=now)
        if not memberships_by_user(database, [user_id]):
            cut_off_person(database, user_id, actor=actor, now=now, why="left every team")
