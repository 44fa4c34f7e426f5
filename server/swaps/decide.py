"""A manager's decision: approve (the checks run again and the whole change applies at once)
or reject; also the change applied without a manager when the team allows it."""

from __future__ import annotations

from datetime import datetime

from server.accounts.models import CurrentUser
from server.audit.models import Actor
from server.clock import to_db
from server.db import Database
from server.errors import Conflict, Forbidden, RuleViolation
from server.i18n import gettext as _
from server.notifications.store import notify
from server.swaps import checks
from server.swaps.access import actor_for, may_decide, may_reject
from server.swaps.apply import apply_request
from server.swaps.evaluate import Stale, current_shifts, evaluate
from server.swaps.models import Finding, SwapRequest
from server.swaps.outcomes import (
    audit,
    explain,
    names_of,
    not_waiting,
    params_of,
    stale_message,
    void,
)
from server.swaps.store import encode_findings, get_swap, update_swap
from server.teams.models import Team
from server.teams.store import get_team


def approve(
    database: Database,
    swap_id: int,
    *,
    version: int,
    reason: str,
    user: CurrentUser,
    now: datetime,
    via: str = "page",
    token_hash: str | None = None,
) -> SwapRequest:
    """A manager approves: the checks run again and the whole change applies at once. A hard
    block refuses; a warning needs a reason."""
    stale = False
    with database.write():
        swap = get_swap(database, swap_id)
        if not user.manages(swap.team_id):
            raise Forbidden(_("You do not manage this team."))
        if not may_decide(user, swap):
            raise Forbidden(_("You cannot decide on a request you take part in."))
        if swap.shown_status(now) != "accepted":
            raise not_waiting(swap, now)
        if swap.version != version:
            raise Conflict(_("This request changed since you opened it. Here it is as it is now."))
        team = get_team(database, swap.team_id)
        try:
            findings = evaluate(database, team, swap, swap.taker_id or 0, now)
        except Stale:
            void(database, swap, actor_for(user), now)
            stale = True
        else:
            hard = checks.blocks(findings)
            if hard:
                raise RuleViolation(
                    _("This cannot be approved: %(why)s", why=explain(database, team, hard))
                )
            warned = checks.warnings_of(findings)
            if warned and not reason:
                raise RuleViolation(
                    _(
                        "Give a reason to approve despite these warnings: %(why)s",
                        why=explain(database, team, warned),
                    ),
                    field="reason",
                )
            if token_hash is not None:
                used = database.execute(
                    "UPDATE swap_approval_tokens SET used_at = ? WHERE token_hash = ? "
                    "AND used_at IS NULL",
                    (to_db(now), token_hash),
                ).rowcount
                if used != 1:
                    raise Conflict(_("This approval link was already used."))
            apply_now(database, swap, team, findings, actor_for(user), user.id, reason, now, via)
    if stale:
        raise Conflict(stale_message())
    return get_swap(database, swap_id)


def apply_now(
    database: Database,
    swap: SwapRequest,
    team: Team,
    findings: list[Finding],
    actor: Actor,
    decided_by: int | None,
    reason: str | None,
    now: datetime,
    via: str,
) -> None:
    taker_id = swap.taker_id or 0
    shift, counter = current_shifts(database, swap)
    taken = apply_request(database, swap, taker_id, shift, counter, actor=actor, now=now)
    changes = {
        "status": "approved",
        "decided_by": decided_by,
        "decided_at": to_db(now),
        "decision_reason": reason or None,
        "findings": encode_findings(findings),
        "updated_at": to_db(now),
    }
    if not update_swap(database, swap.id, swap.version, changes):
        raise Conflict(_("This request changed in the meantime. Reload and retry."))
    audit(
        database,
        swap,
        "swap.approve",
        actor,
        now,
        status="approved",
        via=via,
        reason=reason or None,
        findings=findings,
        # Both agreed: the requester by asking (unless a manager asked for them), the taker
        # by accepting. Kept as proof instead of the notice a manager's change needs.
        consent={
            "requester": None if swap.imposed else to_db(swap.created_at),
            "taker": to_db(swap.accepted_at) if swap.accepted_at else None,
        },
        shifts=taken,
    )
    names = names_of(database, [swap.requester_id, taker_id])
    params = params_of(swap, team, taker=names.get(taker_id, ""))
    for person in (swap.requester_id, taker_id):
        notify(database, person, "swap_approved", params, now=now, url=f"/swaps/{swap.id}")


def reject(
    database: Database, swap_id: int, *, version: int, reason: str, user: CurrentUser, now
) -> SwapRequest:
    with database.write():
        swap = get_swap(database, swap_id)
        if not user.manages(swap.team_id):
            raise Forbidden(_("You do not manage this team."))
        if not may_decide(user, swap):
            raise Forbidden(_("You cannot decide on a request you take part in."))
        if not may_reject(user, swap):
            raise Forbidden(_("You asked for this replacement: cancel it instead."))
        # A decision is due once a colleague took it; until then there is nothing to reject.
        if swap.shown_status(now) != "accepted":
            raise not_waiting(swap, now)
        if swap.version != version:
            raise Conflict(_("This request changed since you opened it. Here it is as it is now."))
        changes = {
            "status": "rejected",
            "decided_by": user.id,
            "decided_at": to_db(now),
            "decision_reason": reason or None,
            "updated_at": to_db(now),
        }
        if not update_swap(database, swap.id, swap.version, changes):
            raise Conflict(_("This request changed in the meantime. Reload and retry."))
        audit(database, swap, "swap.reject", actor_for(user), now, status="rejected", reason=reason)
        team = get_team(database, swap.team_id)
        for person in {swap.requester_id, swap.taker_id} - {None}:
            notify(
                database,
                person,
                "swap_rejected",
                params_of(swap, team, reason=reason),
                now=now,
                url=f"/swaps/{swap.id}",
            )
    return get_swap(database, swap_id)
