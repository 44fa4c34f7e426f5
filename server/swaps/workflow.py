"""The life of a request: asked, taken or declined by a colleague, approved or rejected by a
manager (or applied at once when the team allows it), cancelled, expired or voided.

Each transition is one transaction that re-reads the request and checks its version and
status, so two people acting at once get exactly one outcome; the change, its audit entry and
the notifications are written together or not at all."""

from __future__ import annotations

from datetime import datetime

from server.accounts.models import CurrentUser
from server.audit.models import Actor
from server.clock import to_db
from server.db import Database
from server.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from server.i18n import gettext as _
from server.notifications.store import notify
from server.swaps import checks
from server.swaps.access import actor_for, may_cancel, may_take
from server.swaps.decide import apply_now
from server.swaps.evaluate import Stale, evaluate
from server.swaps.models import SwapRequest
from server.swaps.outcomes import (
    approvers,
    audit,
    explain,
    not_waiting,
    params_of,
    stale_message,
    void,
)
from server.swaps.push import findings_params
from server.swaps.store import (
    add_decline,
    encode_findings,
    get_swap,
    update_swap,
)
from server.teams.store import get_team


def accept(database: Database, swap_id: int, user: CurrentUser, now: datetime) -> SwapRequest:
    """A colleague takes the request, after the checks for them; a hard block refuses."""
    stale = False
    with database.write():
        swap = get_swap(database, swap_id)
        if user.id == swap.requester_id and swap.team_id in user.team_ids:
            raise InvalidInput(_("This is your own request."))
        if user.id == swap.created_by:
            raise Forbidden(_("You asked for this replacement: your colleagues answer it."))
        if not may_take(user, swap):
            raise Forbidden(_("This request is not addressed to you."))
        if swap.shown_status(now) != "pending":
            raise not_waiting(swap, now)
        team = get_team(database, swap.team_id)
        try:
            findings = evaluate(database, team, swap, user.id, now)
        except Stale:
            void(database, swap, actor_for(user), now)
            stale = True
        else:
            hard = checks.blocks(findings)
            if hard:
                raise RuleViolation(
                    _("You cannot take it: %(why)s", why=explain(database, team, hard))
                )
            changes = {
                "status": "accepted",
                "taker_id": user.id,
                "accepted_at": to_db(now),
                "findings": encode_findings(findings),
                "updated_at": to_db(now),
            }
            if not update_swap(database, swap.id, swap.version, changes):
                raise Conflict(_("This request changed in the meantime. Reload and retry."))
            audit(
                database,
                swap,
                "swap.accept",
                actor_for(user),
                now,
                status="accepted",
                taker_id=user.id,
                findings=findings,
            )
            taken = get_swap(database, swap.id)
            if team.policy.auto_approve_swaps and checks.passes(findings):
                apply_now(database, taken, team, findings, Actor.system(), None, None, now, "auto")
            else:
                url = f"/swaps/{swap.id}"
                notify(
                    database,
                    swap.requester_id,
                    "swap_taken",
                    params_of(swap, team, name=user.name),
                    now=now,
                    url=url,
                )
                # What the checks found goes with it: the manager's phone shows it, and
                # offers Approve only when there is nothing to give a reason for.
                found = findings_params(database, team, findings)
                params = params_of(swap, team, taker=user.name, **found)
                for manager in approvers(database, team.id, {swap.requester_id, user.id}):
                    notify(database, manager, "swap_to_approve", params, now=now, url=url)
    if stale:
        raise Conflict(stale_message())
    return get_swap(database, swap_id)


def decline(database: Database, swap_id: int, user: CurrentUser, now: datetime) -> SwapRequest:
    """A colleague says no: an addressed request is declined, an open one stays open."""
    with database.write():
        swap = get_swap(database, swap_id)
        if user.id == swap.requester_id and swap.team_id in user.team_ids:
            raise InvalidInput(_("This is your own request."))
        if user.id == swap.created_by:
            raise Forbidden(_("You asked for this replacement: your colleagues answer it."))
        if not may_take(user, swap):
            raise Forbidden(_("This request is not addressed to you."))
        if swap.shown_status(now) != "pending":
            raise not_waiting(swap, now)
        if swap.target_id == user.id:
            changes = {"status": "declined", "decided_at": to_db(now), "updated_at": to_db(now)}
            if not update_swap(database, swap.id, swap.version, changes):
                raise Conflict(_("This request changed in the meantime. Reload and retry."))
            team = get_team(database, swap.team_id)
            notify(
                database,
                swap.requester_id,
                "swap_declined",
                params_of(swap, team, name=user.name),
                now=now,
                url=f"/swaps/{swap.id}",
            )
        else:
            add_decline(database, swap.id, user.id, now)
        audit(database, swap, "swap.decline", actor_for(user), now, by=user.id)
    return get_swap(database, swap_id)


def cancel(database: Database, swap_id: int, user: CurrentUser, now: datetime) -> SwapRequest:
    """The requester (or the manager who asked for them) withdraws it before approval."""
    with database.write():
        swap = get_swap(database, swap_id)
        if not may_cancel(user, swap):
            if user.id == swap.requester_id:
                raise Forbidden(
                    _(
                        "%(name)s asked for this replacement on your behalf: only they can "
                        "cancel it.",
                        name=swap.created_by_name or "?",
                    )
                )
            raise Forbidden(_("Only the person who asked can cancel this request."))
        if swap.shown_status(now) not in ("pending", "accepted"):
            raise not_waiting(swap, now)
        changes = {"status": "cancelled", "decided_at": to_db(now), "updated_at": to_db(now)}
        if not update_swap(database, swap.id, swap.version, changes):
            raise Conflict(_("This request changed in the meantime. Reload and retry."))
        audit(database, swap, "swap.cancel", actor_for(user), now, status="cancelled")
        team = get_team(database, swap.team_id)
        told = swap.taker_id or swap.target_id
        if told:
            params = params_of(swap, team, name=user.name)
            notify(database, told, "swap_cancelled", params, now=now, url=f"/swaps/{swap.id}")
    return get_swap(database, swap_id)


def expire_due(database: Database, now: datetime) -> int:
    """The engine's job: requests still waiting when their shift starts expire."""
    from server.swaps.store import due_to_expire

    due = due_to_expire(database, now)
    if not due:
        return 0
    with database.write():
        for swap in due:
            changes = {"status": "expired", "updated_at": to_db(now)}
            if not update_swap(database, swap.id, swap.version, changes):
                continue
            audit(database, swap, "swap.expire", Actor.system(), now, status="expired")
            team = get_team(database, swap.team_id)
            notify(
                database,
                swap.requester_id,
                "swap_expired",
                params_of(swap, team),
                now=now,
                url=f"/swaps/{swap.id}",
            )
    return len(due)
