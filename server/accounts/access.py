"""The one check every page acting on a person's account goes through (see rules.py)."""

from __future__ import annotations

from server.accounts.models import CurrentUser, User
from server.accounts.rules import OutOfReach, may_reset, out_of_reach
from server.accounts.store import get_user
from server.db import Database
from server.errors import Forbidden
from server.i18n import gettext as _
from server.teams.store import memberships_by_user


def _refusal(why: OutOfReach) -> str:
    if why == "manager-elsewhere":
        return _(
            "This person manages a team you do not manage: only an administrator can change "
            "their account."
        )
    if why == "admin":
        return _("Only an administrator can change an administrator's account.")
    return _("You can only manage people of the teams you manage.")


def person_in_reach(database: Database, me: CurrentUser, user_id: int) -> User:
    """The person, when `me` may see and change their account; Forbidden otherwise."""
    person = get_user(database, user_id)
    why = out_of_reach(me, person.role, memberships_by_user(database, [user_id]).get(user_id, []))
    if why is not None:
        raise Forbidden(_refusal(why))
    return person


def may_act_on(database: Database, me: CurrentUser, user_id: int) -> bool:
    """Whether `me` may change what is recorded about this person (their hours, days off)."""
    person = get_user(database, user_id)
    teams = memberships_by_user(database, [user_id]).get(user_id, [])
    return out_of_reach(me, person.role, teams) is None


def reachable_ids(database: Database, me: CurrentUser, people: list[User]) -> set[int]:
    """Which of these people `me` may open (the list shows the others without a link)."""
    teams = memberships_by_user(database, [p.id for p in people])
    return {p.id for p in people if out_of_reach(me, p.role, teams.get(p.id, [])) is None}


def check_may_reset(me: CurrentUser, person: User) -> None:
    if not may_reset(me, person.has_password):
        raise Forbidden(
            _(
                "This person already has a password: only an administrator can give them a "
                "link to choose a new one."
            )
        )
