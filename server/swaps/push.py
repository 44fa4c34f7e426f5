"""What a manager's "swap to approve" push carries: an Approve button that works from the
notification, through a single-use token (the pattern of an alert's Acknowledge).

Approval from the notification carries no reason, so it can only succeed when the checks pass.
When they warn (or block), the push has no token, hence no Approve button, and its text names
the findings: its tap opens the request, where the manager reads them and gives the reason."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import msgspec

from server.accounts.models import CurrentUser
from server.badges import register_badge
from server.db import Database
from server.errors import NotFound
from server.i18n import gettext
from server.notifications import kinds
from server.swaps.evaluate import Stale, evaluate
from server.swaps.models import Finding
from server.swaps.store.requests import (
    count_awaiting,
    get_swap,
    issue_approval_token,
    names_of,
    next_awaiting_expiry,
)
from server.swaps.texts import render_swap
from server.teams.models import Team
from server.teams.store import get_team

APPROVE_KIND = "swap_to_approve"
APPROVE_URL = "/api/v1/swaps/approve"


def findings_params(database: Database, team: Team, findings: Iterable[Finding]) -> dict:
    """The notification's values naming what stops an approval without a reason (warnings and
    blocks; information aside), with the names and notice the sentences need: rendered later,
    in the reader's language."""
    stopping = [f for f in findings if f.severity != "info"]
    names = names_of(database, [f.user_id for f in stopping])
    return {
        "findings": msgspec.to_builtins(stopping),
        "names": {str(user_id): name for user_id, name in names.items()},
        "notice_days": team.policy.notice_days,
    }


def approval_token(database: Database, row: dict, now: datetime) -> str | None:
    """For a push of a request waiting for this manager: a token to approve the version the
    push describes, only when that approval can succeed now (the checks neither warn nor
    block); inside the dispatcher's transaction. None for any other delivery.

    The checks are run again at sending (a fatigue report may have arrived since the request
    was taken) and the row's params updated with what they find, so the text says why there
    is no Approve button. They can still change between sending and the tap: approval then
    re-checks and refuses, and the service worker opens the request instead."""
    if row["kind"] != APPROVE_KIND:
        return None
    params = msgspec.json.decode(row["params"])
    try:
        swap = get_swap(database, params.get("swap_id"))
    except NotFound:
        return None
    if swap.shown_status(now) != "accepted" or swap.taker_id is None:
        return None
    team = get_team(database, swap.team_id)
    try:
        findings = evaluate(database, team, swap, swap.taker_id, now)
    except Stale:
        return None  # approving would only close the request: the page says so
    fresh = findings_params(database, team, findings)
    row["params"] = msgspec.json.encode({**params, **fresh}).decode()
    if fresh["findings"] or row["channel"] != "push":
        return None
    return issue_approval_token(database, swap.id, row["user_id"], swap.version, now)


def approval_action() -> tuple[str, dict[str, str]]:
    """(the URL the service worker posts the token to, the button's words) of the Approve
    button; in the reader's language (the dispatcher sets it)."""
    return APPROVE_URL, {"ack": gettext("Approve"), "acked": gettext("Approved")}


def swaps_to_approve(database: Database, user: CurrentUser, now: datetime) -> int:
    """The navigation's count for a manager: requests of their teams (an admin: of every team)
    waiting for approval."""
    if not user.is_manager:
        return 0
    return count_awaiting(database, None if user.is_admin else list(user.managed_team_ids), now)


def swaps_to_approve_change(
    database: Database, user: CurrentUser, now: datetime
) -> datetime | None:
    """When that count drops with no write: the first waiting request expires (its shift starts)."""
    if not user.is_manager:
        return None
    team_ids = None if user.is_admin else list(user.managed_team_ids)
    return next_awaiting_expiry(database, team_ids, now)


def register_notices() -> None:
    """Tells the notifications package how swap notifications read (swaps/texts.py) and what a
    manager's "swap to approve" push carries, and the navigation how many wait for approval."""
    register_badge("swaps_to_approve", swaps_to_approve, swaps_to_approve_change)
    kinds.register("swap_", render=render_swap, prefix=True)
    kinds.register(APPROVE_KIND, render=render_swap, action=approval_action, token=approval_token)
