"""Who sees and sets a person's hourly wage: an administrator, or a manager within whose reach
the person's account is (the rule of every page acting on a person: server/accounts/rules.py);
never the person themself, nor their colleagues."""

from __future__ import annotations

from server.accounts.access import person_in_reach
from server.accounts.models import CurrentUser, User
from server.db import Database
from server.errors import Forbidden
from server.i18n import gettext as _
from server.statements import store
from server.statements.form import cents_to_input
from server.statements.texts import money


def may_see_wage(viewer: CurrentUser, person_id: int) -> bool:
    """Called once the viewer may open the person's page: everyone there but the person."""
    return viewer.is_manager and viewer.id != person_id


def check_wage_reach(database: Database, viewer: CurrentUser, person_id: int) -> User:
    """The person, when the viewer may set their wage; Forbidden otherwise."""
    person = person_in_reach(database, viewer, person_id)
    if not may_see_wage(viewer, person_id):
        raise Forbidden(_("Your own hourly wage is set by someone else."))
    return person


def wage_of(database: Database, person_id: int) -> int | None:
    """The person's hourly wage in cents, None when none is set."""
    return store.wages_of(database, [person_id]).get(person_id)


def wage_context(database: Database, viewer: CurrentUser, person_id: int) -> dict:
    """What a person's page needs to show the wage field (statements/_wage.html), for a viewer
    who may open that page: nothing for the person themself."""
    if not may_see_wage(viewer, person_id):
        return {"wage_shown": False}
    return {
        "wage_shown": True,
        "wage": wage_of(database, person_id),
        "money": money,
        "wage_input": cents_to_input,
    }
