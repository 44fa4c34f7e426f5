"""The team's actions, written: add, edit, mark done, reopen and delete, each checked then
written in one transaction with its audit entry (the SQL is in store.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial

from server.audit.models import Actor
from server.audit.store import record_change
from server.db import Database
from server.errors import NotFound
from server.i18n import gettext as _
from server.reviews import store
from server.reviews.models import ReviewAction
from server.reviews.rules import action_input

_audit = partial(record_change, entity_type="review_action")


def _own(database: Database, team_id: int, action_id: int) -> ReviewAction:
    """The action, which must be this team's (an id from another team's page is not found)."""
    action = store.get_action(database, action_id)
    if action.team_id != team_id:
        raise NotFound(_("This action does not exist (it may have been deleted)."))
    return action


def add_action(
    database: Database,
    team_id: int,
    month: str,
    values: Mapping[str, str],
    *,
    actor: Actor,
    now: datetime,
) -> ReviewAction:
    with database.write():
        data = action_input(values, store.member_ids(database, team_id))
        action_id = store.insert_action(database, team_id, month, data, by=actor.user_id, now=now)
        created = store.get_action(database, action_id)
        _audit(database, "review_action.create", actor, now, after=created)
    return created


def edit_action(
    database: Database,
    team_id: int,
    action_id: int,
    values: Mapping[str, str],
    *,
    actor: Actor,
    now: datetime,
) -> ReviewAction:
    with database.write():
        before = _own(database, team_id, action_id)
        # Someone who has left the team may stay in charge of what they had; nobody new may be.
        allowed = store.member_ids(database, team_id) | {before.assignee_id}
        data = action_input(values, allowed - {None})
        store.update_action(database, action_id, data, now)
        after = store.get_action(database, action_id)
        _audit(database, "review_action.update", actor, now, before=before, after=after)
    return after


def set_done(
    database: Database, team_id: int, action_id: int, done: bool, *, actor: Actor, now: datetime
) -> ReviewAction:
    """Mark done (now) or reopen; the same state again changes nothing and logs nothing."""
    with database.write():
        before = _own(database, team_id, action_id)
        if (before.done_at is not None) == done:
            return before
        store.set_done_at(database, action_id, now if done else None, now)
        after = store.get_action(database, action_id)
        name = "review_action.done" if done else "review_action.reopen"
        _audit(database, name, actor, now, before=before, after=after)
    return after


def delete_action(
    database: Database, team_id: int, action_id: int, *, actor: Actor, now: datetime
) -> ReviewAction:
    with database.write():
        before = _own(database, team_id, action_id)
        store.delete_action_row(database, action_id)
        _audit(database, "review_action.delete", actor, now, before=before)
    return before
