"""What the swap pages show: a request with its checks for the person looking, a shift's
history; built from the store, no HTTP."""

from __future__ import annotations

from datetime import datetime

from server.accounts.models import CurrentUser
from server.audit.store import entries_for
from server.db import Database
from server.i18n import N_
from server.i18n import gettext as _
from server.models import Value
from server.schedules.models import Shift
from server.schedules.store import get_shift
from server.swaps.access import may_cancel, may_decide, may_reject, may_take
from server.swaps.evaluate import Stale, evaluate
from server.swaps.outcomes import names_of
from server.swaps.store import declined_by, get_swap, list_swaps
from server.swaps.texts import describe
from server.teams.store import get_team


class Line(Value, kw_only=True):
    """A finding as a person reads it."""

    severity: str
    text: str


class Event(Value, kw_only=True):
    at: str
    who: str
    what: str
    detail: str = ""


def _shift_or_none(database: Database, shift_id: int | None) -> Shift | None:
    if shift_id is None:
        return None
    rows = database.query("SELECT id FROM shifts WHERE id = ?", (shift_id,))
    return get_shift(database, shift_id) if rows else None


ACTIONS = {
    "swap.request": N_("asked"),
    "swap.accept": N_("taken by a colleague"),
    "swap.decline": N_("declined by a colleague"),
    "swap.cancel": N_("cancelled"),
    "swap.approve": N_("approved and applied"),
    "swap.reject": N_("rejected"),
    "swap.void": N_("closed: the shift changed"),
    "swap.expire": N_("expired"),
    "shift.accept": N_("accepted by the person"),
    "shift.decline": N_("declined by the person"),
    "shift.reassign": N_("given to someone else by a manager"),
    "override.create": N_("replacement created"),
    "override.cancel": N_("replacement cancelled"),
    "shift.swap": N_("changed hands through a request"),
    "shift.split": N_("cut from another shift by a cover"),
    "shift.skills": N_("required skills changed"),
}


def events(database: Database, entity_type: str, entity_id: int) -> list[Event]:
    entries = entries_for(database, entity_type, entity_id)
    names = names_of(database, [e.actor_user_id for e in entries if e.actor_user_id])
    found = []
    for entry in entries:
        who = names.get(entry.actor_user_id or 0) or (
            _("automatic") if entry.actor == "system" else entry.actor
        )
        what = _(ACTIONS[entry.action]) if entry.action in ACTIONS else entry.action
        detail = ""
        after = entry.after or {}
        if after.get("reason"):
            detail = str(after["reason"])
        found.append(Event(at=entry.at, who=who, what=what, detail=detail))
    return found


def request_view(
    database: Database, swap_id: int, me: CurrentUser, now: datetime
) -> dict[str, object]:
    """Everything the request page needs, the checks computed for whoever would take it."""
    swap = get_swap(database, swap_id)
    team = get_team(database, swap.team_id)
    status = swap.shown_status(now)
    shift = _shift_or_none(database, swap.shift_id)
    counter = _shift_or_none(database, swap.counter_shift_id)
    can_take = status == "pending" and may_take(me, swap)
    can_decide = status == "accepted" and may_decide(me, swap)
    taker = swap.taker_id if status == "accepted" else (me.id if can_take else None)
    findings, stale = list(swap.findings), False
    if taker is not None:
        try:
            findings = evaluate(database, team, swap, taker, now)
        except Stale:
            stale, findings = True, []
    names = names_of(database, [f.user_id for f in findings])
    lines = [
        Line(severity=f.severity, text=describe(f, names, team.policy.notice_days))
        for f in findings
    ]
    return {
        "swap": swap,
        "team": team,
        "status": status,
        "shift": shift,
        "counter": counter,
        "lines": lines,
        "blocked": any(line.severity == "block" for line in lines),
        "warned": any(line.severity == "warning" for line in lines),
        "stale": stale,
        "can_take": can_take and not stale,
        "declined": me.id in declined_by(database, swap.id),
        "can_cancel": status in ("pending", "accepted") and may_cancel(me, swap),
        # A decision is due once a colleague took it, not before.
        "can_approve": can_decide and status == "accepted" and not stale,
        "can_reject": status == "accepted" and may_reject(me, swap),
        "events": events(database, "swap", swap.id),
    }


def shift_history(database: Database, shift_id: int) -> dict[str, object]:
    return {
        "events": events(database, "shift", shift_id),
        "requests": list_swaps(database, shift_id=shift_id),
    }
