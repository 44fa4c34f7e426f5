"""The steps of a request once asked (server/swaps/ask.py): taken or declined by a colleague,
approved or rejected by a manager (or applied at once when the team allows it), cancelled,
expired or voided. Who may take which step, and from which state, is server/swaps/machine.py.

Each step is one transaction that re-reads the request, asks the machine, and writes the
change conditional on the version read, so two people acting at once get exactly one outcome;
the change, its audit entry and the notifications are written together or not at all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from server.accounts.models import CurrentUser
from server.audit.models import Actor
from server.audit.store import record
from server.auth.actor import actor_for
from server.clock import to_db
from server.db import Database
from server.errors import Conflict, RuleViolation
from server.i18n import gettext as _
from server.notifications.store import notify
from server.swaps import rules
from server.swaps.evaluate import Stale, current_shifts, evaluate, explain
from server.swaps.handover import apply_request
from server.swaps.machine import (
    TRANSITIONS,
    Step,
    changed_meanwhile,
    check,
    declined_to,
    stale_message,
)
from server.swaps.models import Finding, SwapRequest
from server.swaps.push import findings_params
from server.swaps.store.requests import (
    active_admin_ids,
    add_decline,
    due_to_expire,
    encode_findings,
    get_swap,
    names_of,
    update_swap,
    use_approval_token,
)
from server.teams.models import Team
from server.teams.store import get_team, members


def params_of(swap: SwapRequest, team: Team, **more) -> dict:
    """The values a swap notification is rendered from, in its reader's language."""
    return {
        "swap_id": swap.id,
        "kind": swap.kind,
        "name": swap.requester_name,
        "start": swap.starts_at.isoformat(),
        "end": swap.ends_at.isoformat(),
        "team": team.name,
        **more,
    }


def _tell(database: Database, people, kind: str, params: dict, swap: SwapRequest, now) -> None:
    for person in people:
        notify(database, person, kind, params, now=now, url=f"/swaps/{swap.id}")


def approvers(database: Database, team_id: int, exclude: set[int]) -> list[int]:
    """The team's managers not part of the request; the admins when there is none."""
    managers = [
        m.user_id
        for m in members(database, team_id)
        if m.team_role == "manager" and m.active and m.user_id not in exclude
    ]
    if managers:
        return managers
    return [user_id for user_id in active_admin_ids(database) if user_id not in exclude]


def audit(database: Database, swap: SwapRequest, action: str, actor: Actor, now, **values):
    record(
        database,
        at=now,
        actor=actor,
        action=action,
        entity_type="swap",
        entity_id=swap.id,
        team_id=swap.team_id,
        before={"status": swap.status, "version": swap.version},
        after=values or None,
    )


def _move(database: Database, swap: SwapRequest, step: Step, now: datetime, **changes) -> bool:
    """Write the step's state (and its other columns) if the request is still the version
    read; False when someone else's step was written first."""
    columns = {"status": TRANSITIONS[step].target, **changes, "updated_at": to_db(now)}
    return update_swap(database, swap.id, swap.version, columns)


def void(database: Database, swap: SwapRequest, actor: Actor, now: datetime) -> None:
    """The shift changed under the request: close it and tell the people waiting on it."""
    if not _move(database, swap, "void", now, decided_at=to_db(now)):
        return
    audit(database, swap, "swap.void", actor, now, status="void")
    people = {swap.requester_id, swap.taker_id} - {None}
    params = params_of(swap, get_team(database, swap.team_id))
    _tell(database, people, "swap_void", params, swap, now)


def _step_with_findings(
    database: Database,
    step: Step,
    swap_id: int,
    user: CurrentUser,
    now: datetime,
    version: int | None,
    refusal: Callable[[str], str],
    decide: Callable[[SwapRequest, Team, list[Finding]], None],
) -> SwapRequest:
    """Accept and approve, in one transaction: re-read the request, ask the machine, run the
    checks for the taker, refuse a hard block with `refusal(why)`, then `decide`. A shift that
    changed under the request voids it instead; the void is kept and the step refused."""
    stale = False
    with database.write():
        swap = get_swap(database, swap_id)
        check(step, user, swap, now, version)
        team = get_team(database, swap.team_id)
        taker_id = user.id if step == "accept" else swap.taker_id or 0
        try:
            findings = evaluate(database, team, swap, taker_id, now)
        except Stale:
            void(database, swap, actor_for(user), now)
            stale = True
        else:
            hard = rules.blocks(findings)
            if hard:
                raise RuleViolation(refusal(explain(database, team, hard)))
            decide(swap, team, findings)
    if stale:
        raise Conflict(stale_message())
    return get_swap(database, swap_id)


def accept(database: Database, swap_id: int, user: CurrentUser, now: datetime) -> SwapRequest:
    """A colleague takes the request, after the checks for them; a hard block refuses."""

    def take(swap: SwapRequest, team: Team, findings: list[Finding]) -> None:
        taken_at = to_db(now)
        findings_text = encode_findings(findings)
        taking = {"taker_id": user.id, "accepted_at": taken_at, "findings": findings_text}
        if not _move(database, swap, "accept", now, **taking):
            raise changed_meanwhile()
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
        if team.policy.auto_approve_swaps and rules.passes(findings):
            apply_now(database, taken, team, findings, Actor.system(), None, None, now, "auto")
        else:
            _tell_taken(database, swap, team, user, findings, now)

    return _step_with_findings(
        database,
        "accept",
        swap_id,
        user,
        now,
        None,
        lambda why: _("You cannot take it: %(why)s", why=why),
        take,
    )


def _tell_taken(
    database: Database,
    swap: SwapRequest,
    team: Team,
    user: CurrentUser,
    findings: list[Finding],
    now: datetime,
) -> None:
    """The requester learns who takes it; the managers are asked to approve."""
    taken = params_of(swap, team, name=user.name)
    _tell(database, [swap.requester_id], "swap_taken", taken, swap, now)
    # What the checks found goes with it: the manager's phone shows it, and offers Approve
    # only when there is nothing to give a reason for.
    found = findings_params(database, team, findings)
    params = params_of(swap, team, taker=user.name, **found)
    managers = approvers(database, team.id, {swap.requester_id, user.id})
    _tell(database, managers, "swap_to_approve", params, swap, now)


def decline(database: Database, swap_id: int, user: CurrentUser, now: datetime) -> SwapRequest:
    """A colleague says no: an addressed request is declined, an open one stays open."""
    with database.write():
        swap = get_swap(database, swap_id)
        check("decline", user, swap, now)
        if declined_to(swap, user.id) is not None:
            if not _move(database, swap, "decline", now, decided_at=to_db(now)):
                raise changed_meanwhile()
            params = params_of(swap, get_team(database, swap.team_id), name=user.name)
            _tell(database, [swap.requester_id], "swap_declined", params, swap, now)
        else:
            add_decline(database, swap.id, user.id, now)
        audit(database, swap, "swap.decline", actor_for(user), now, by=user.id)
    return get_swap(database, swap_id)


def cancel(database: Database, swap_id: int, user: CurrentUser, now: datetime) -> SwapRequest:
    """The requester (or the manager who asked for them) withdraws it before approval."""
    with database.write():
        swap = get_swap(database, swap_id)
        check("cancel", user, swap, now)
        if not _move(database, swap, "cancel", now, decided_at=to_db(now)):
            raise changed_meanwhile()
        audit(database, swap, "swap.cancel", actor_for(user), now, status="cancelled")
        told = swap.taker_id or swap.target_id
        if told:
            params = params_of(swap, get_team(database, swap.team_id), name=user.name)
            _tell(database, [told], "swap_cancelled", params, swap, now)
    return get_swap(database, swap_id)


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

    def apply(swap: SwapRequest, team: Team, findings: list[Finding]) -> None:
        warned = rules.warnings_of(findings)
        if warned and not reason:
            raise RuleViolation(
                _(
                    "Give a reason to approve despite these warnings: %(why)s",
                    why=explain(database, team, warned),
                ),
                field="reason",
            )
        if token_hash is not None and not use_approval_token(database, token_hash, now):
            raise Conflict(_("This approval link was already used."))
        apply_now(database, swap, team, findings, actor_for(user), user.id, reason, now, via)

    return _step_with_findings(
        database,
        "approve",
        swap_id,
        user,
        now,
        version,
        lambda why: _("This cannot be approved: %(why)s", why=why),
        apply,
    )


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
    """The approved change applied to the schedule, by a manager or the team's rule."""
    taker_id = swap.taker_id or 0
    shift, counter = current_shifts(database, swap)
    taken = apply_request(database, swap, taker_id, shift, counter, actor=actor, now=now)
    decided = {
        "decided_by": decided_by,
        "decided_at": to_db(now),
        "decision_reason": reason or None,
        "findings": encode_findings(findings),
    }
    if not _move(database, swap, "approve", now, **decided):
        raise changed_meanwhile()
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
    _tell(database, (swap.requester_id, taker_id), "swap_approved", params, swap, now)


def reject(
    database: Database, swap_id: int, *, version: int, reason: str, user: CurrentUser, now
) -> SwapRequest:
    with database.write():
        swap = get_swap(database, swap_id)
        check("reject", user, swap, now, version)
        decided = {
            "decided_by": user.id,
            "decided_at": to_db(now),
            "decision_reason": reason or None,
        }
        if not _move(database, swap, "reject", now, **decided):
            raise changed_meanwhile()
        audit(database, swap, "swap.reject", actor_for(user), now, status="rejected", reason=reason)
        params = params_of(swap, get_team(database, swap.team_id), reason=reason)
        people = {swap.requester_id, swap.taker_id} - {None}
        _tell(database, people, "swap_rejected", params, swap, now)
    return get_swap(database, swap_id)


def expire_due(database: Database, now: datetime) -> int:
    """The engine's job: requests still waiting when their shift starts expire."""
    due = due_to_expire(database, now)
    if not due:
        return 0
    with database.write():
        for swap in due:
            if not _move(database, swap, "expire", now):
                continue
            audit(database, swap, "swap.expire", Actor.system(), now, status="expired")
            params = params_of(swap, get_team(database, swap.team_id))
            _tell(database, [swap.requester_id], "swap_expired", params, swap, now)
    return len(due)
