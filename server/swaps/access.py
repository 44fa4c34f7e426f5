"""Who may do what with a request: take it, see it, decide on it."""

from __future__ import annotations

from server.accounts.models import CurrentUser
from server.auth.actor import actor_for  # noqa: F401  (re-exported: the swaps services use it)
from server.swaps.models import SwapRequest


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
