"""Pure rules of who may act on a person's account (edit, deactivate, reset their password).

A manager's reach must never grow through a shared team: otherwise a manager of one team could
reset the password of a manager of another who happens to be a plain member of theirs, log in as
them and manage that other team too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from server.accounts.models import CurrentUser, Role
from server.teams.models import TeamRole

OutOfReach = Literal["admin", "other-team", "manager-elsewhere"]


def out_of_reach(
    me: CurrentUser, person_role: Role, memberships: Sequence[tuple[int, TeamRole]]
) -> OutOfReach | None:
    """Why `me` may not act on this person's account, or None when they may.

    Admins always may. A manager may act on a person who is in at least one team they manage
    and who manages no team they do not manage themselves; never on an administrator."""
    if me.is_admin:
        return None
    if person_role == "admin":
        return "admin"
    if not any(me.manages(team_id) for team_id, _role in memberships):
        return "other-team"
    if any(role == "manager" and not me.manages(team_id) for team_id, role in memberships):
        return "manager-elsewhere"
    return None


def may_reset(me: CurrentUser, has_password: bool) -> bool:
    """An invitation link sets a password: for someone who already has one it is a reset, and
    whoever holds the link can log in as them. Only an administrator issues that one; a manager
    invites people who have not chosen a password yet."""
    return me.is_admin or not has_password
