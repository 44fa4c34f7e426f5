"""The state machine of a swap or cover request, in one place: its states, the steps between
them, and who may take each step. Pure: a request, a person and the time in; a refusal (or
none) out. server/swaps/workflow.py applies the steps through the store.

    pending ──accept (a colleague asked)──▶ accepted ──approve (a manager)──▶ approved
       │                                       ├──────reject (a manager)───▶ rejected
       ├──decline (the colleague addressed)──▶ declined    (an open request stays pending)
       └─ pending or accepted ─┬─cancel (whoever typed it)─▶ cancelled
                               ├─expire (its shift starts)─▶ expired
                               └─void (a shift it relies on changed)─▶ void

A request the team lets through (every check passes, `auto_approve_swaps`) is approved by the
system as soon as it is accepted, in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, NamedTuple

from server.accounts.models import CurrentUser
from server.errors import Conflict, DomainError, Forbidden, InvalidInput, RuleViolation
from server.i18n import format_datetime
from server.i18n import gettext as _
from server.schedules.models import Shift
from server.swaps.models import LIVE, SwapRequest, SwapStatus

Step = Literal["accept", "decline", "cancel", "approve", "reject", "expire", "void"]
# Who takes a step: a colleague the request is open or addressed to, whoever typed the request
# (the shift's owner, or the manager on their behalf), a manager of the team not part of it,
# or the engine / the checks.
Who = Literal["colleague", "creator", "manager", "system"]


class Transition(NamedTuple):
    sources: tuple[SwapStatus, ...]
    target: SwapStatus
    by: Who


TRANSITIONS: dict[Step, Transition] = {
    "accept": Transition(("pending",), "accepted", "colleague"),
    # Declining an open request only takes the colleague off it: it stays pending.
    "decline": Transition(("pending",), "declined", "colleague"),
    "cancel": Transition(LIVE, "cancelled", "creator"),
    # A decision is due once a colleague took it, not before.
    "approve": Transition(("accepted",), "approved", "manager"),
    "reject": Transition(("accepted",), "rejected", "manager"),
    "expire": Transition(LIVE, "expired", "system"),
    "void": Transition(LIVE, "void", "system"),
}


def declined_to(swap: SwapRequest, user_id: int) -> SwapStatus | None:
    """The state a colleague's decline leads to: declined when the request was addressed to
    them, none (still pending, the colleague remembered) when it is open to the team."""
    return TRANSITIONS["decline"].target if swap.target_id == user_id else None


# Who may ----------------------------------------------------------------------------------


def may_ask(user: CurrentUser, shift: Shift) -> bool:
    """A request for a shift is asked by its owner, or by a manager of its team on their
    behalf (it then starts pending like any other)."""
    return shift.user_id == user.id or user.manages(shift.team_id)


def may_take(user: CurrentUser, swap: SwapRequest) -> bool:
    """A colleague asked: not the shift's owner, nor the manager who asked on their behalf."""
    return (
        user.id not in (swap.requester_id, swap.created_by)
        and swap.team_id in user.team_ids
        and (swap.target_id is None or swap.target_id == user.id)
    )


def may_cancel(user: CurrentUser, swap: SwapRequest) -> bool:
    """Whoever typed the request withdraws it: the owner their own, the manager the one they
    made on the owner's behalf (the owner is told and may ask the manager)."""
    return user.id == swap.created_by


def may_see(user: CurrentUser, swap: SwapRequest) -> bool:
    return user.is_admin or swap.team_id in user.team_ids


def may_decide(user: CurrentUser, swap: SwapRequest) -> bool:
    return user.manages(swap.team_id) and user.id not in (swap.requester_id, swap.taker_id)


def may_reject(user: CurrentUser, swap: SwapRequest) -> bool:
    """The manager who asked withdraws their own request (cancel) rather than reject it."""
    return may_decide(user, swap) and user.id != swap.created_by


def _refused_person(step: Step, user: CurrentUser, swap: SwapRequest) -> DomainError | None:
    """Why this person may not take this step, whatever the state (None: they may)."""
    who = TRANSITIONS[step].by
    if who == "colleague":
        if user.id == swap.requester_id and swap.team_id in user.team_ids:
            return InvalidInput(_("This is your own request."))
        if user.id == swap.created_by:
            return Forbidden(_("You asked for this replacement: your colleagues answer it."))
        if not may_take(user, swap):
            return Forbidden(_("This request is not addressed to you."))
    elif who == "creator":
        if not may_cancel(user, swap):
            if user.id == swap.requester_id:
                return Forbidden(
                    _(
                        "%(name)s asked for this replacement on your behalf: only they can "
                        "cancel it.",
                        name=swap.created_by_name or "?",
                    )
                )
            return Forbidden(_("Only the person who asked can cancel this request."))
    elif who == "manager":
        if not user.manages(swap.team_id):
            return Forbidden(_("You do not manage this team."))
        if not may_decide(user, swap):
            return Forbidden(_("You cannot decide on a request you take part in."))
        if step == "reject" and not may_reject(user, swap):
            return Forbidden(_("You asked for this replacement: cancel it instead."))
    return None


def refusal(
    step: Step, user: CurrentUser, swap: SwapRequest, now: datetime, version: int | None = None
) -> DomainError | None:
    """Why `user` cannot take `step` on the request now, said plainly; None when they can.

    Who may comes first (a stranger learns nothing of the state), then the state, then, for a
    manager's decision, the version they saw (someone acted since they opened it)."""
    refused = _refused_person(step, user, swap)
    if refused is not None:
        return refused
    if swap.shown_status(now) not in TRANSITIONS[step].sources:
        return not_waiting(swap, now)
    if version is not None and swap.version != version:
        return Conflict(_("This request changed since you opened it. Here it is as it is now."))
    return None


def check(
    step: Step, user: CurrentUser, swap: SwapRequest, now: datetime, version: int | None = None
) -> None:
    """Raise the refusal, if any."""
    refused = refusal(step, user, swap, now, version)
    if refused is not None:
        raise refused


def allowed(step: Step, user: CurrentUser, swap: SwapRequest, now: datetime) -> bool:
    """Whether the page offers the step's button to this person now."""
    return refusal(step, user, swap, now) is None


# Why a request cannot move on ---------------------------------------------------------------


def stale_message() -> str:
    return _(
        "The shift changed since this request was made: nothing was applied and the request "
        "is closed. Ask again if it is still needed."
    )


def changed_meanwhile() -> Conflict:
    """Two people acted at once and the other one's step was written first."""
    return Conflict(_("This request changed in the meantime. Reload and retry."))


def not_waiting(swap: SwapRequest, now: datetime) -> DomainError:
    """Why a request cannot move on, said plainly to the person who tried."""
    status = swap.shown_status(now)
    when = format_datetime(swap.decided_at, "short") if swap.decided_at else ""
    if status == "approved":
        return Conflict(
            _(
                "This request was already approved by %(name)s at %(when)s.",
                name=swap.decided_by_name or _("the team's rule"),
                when=when,
            )
        )
    if status == "rejected":
        return Conflict(
            _(
                "This request was already rejected by %(name)s at %(when)s.",
                name=swap.decided_by_name or "?",
                when=when,
            )
        )
    if status == "cancelled":
        return Conflict(_("The requester cancelled this request."))
    if status == "expired":
        return RuleViolation(_("This request expired when its shift started."))
    if status == "void":
        return Conflict(stale_message())
    if status == "declined":
        return Conflict(_("This request was declined."))
    if status == "accepted":
        return Conflict(_("A colleague already took this request."))
    return Conflict(_("No colleague has taken this request yet."))
