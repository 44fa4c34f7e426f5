"""What every step of a request shares: the plain words for a request that cannot move on,
the notification's values, the audit entry, and closing a request whose shift changed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from server.audit.models import Actor
from server.audit.store import record
from server.clock import to_db
from server.db import Database
from server.errors import Conflict, DomainError, RuleViolation
from server.i18n import format_datetime
from server.i18n import gettext as _
from server.notifications.store import notify
from server.swaps.models import Finding, SwapRequest
from server.swaps.store import update_swap
from server.swaps.texts import describe
from server.teams.models import Team
from server.teams.store import get_team, members


def stale_message() -> str:
    return _(
        "The shift changed since this request was made: nothing was applied and the request "
        "is closed. Ask again if it is still needed."
    )


def names_of(database: Database, user_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(user_ids))
    marks = ",".join("?" * len(ids)) or "NULL"
    rows = database.query(f"SELECT id, name FROM users WHERE id IN ({marks})", ids)
    return {row["id"]: row["name"] for row in rows}


def explain(database: Database, team: Team, findings: Iterable[Finding]) -> str:
    findings = list(findings)
    names = names_of(database, [f.user_id for f in findings])
    return " ".join(describe(f, names, team.policy.notice_days) for f in findings)


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


def approvers(database: Database, team_id: int, exclude: set[int]) -> list[int]:
    """The team's managers not part of the request; the admins when there is none."""
    managers = [
        m.user_id
        for m in members(database, team_id)
        if m.team_role == "manager" and m.active and m.user_id not in exclude
    ]
    if managers:
        return managers
    rows = database.query("SELECT id FROM users WHERE role = 'admin' AND active = 1")
    return [row["id"] for row in rows if row["id"] not in exclude]


def params_of(swap: SwapRequest, team: Team, **more) -> dict:
    return {
        "swap_id": swap.id,
        "kind": swap.kind,
        "name": swap.requester_name,
        "start": swap.starts_at.isoformat(),
        "end": swap.ends_at.isoformat(),
        "team": team.name,
        **more,
    }


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


def void(database: Database, swap: SwapRequest, actor: Actor, now: datetime) -> None:
    """The shift changed under the request: close it and tell the people waiting on it."""
    changes = {"status": "void", "decided_at": to_db(now), "updated_at": to_db(now)}
    if not update_swap(database, swap.id, swap.version, changes):
        return
    audit(database, swap, "swap.void", actor, now, status="void")
    team = get_team(database, swap.team_id)
    for person in {swap.requester_id, swap.taker_id} - {None}:
        notify(
            database, person, "swap_void", params_of(swap, team), now=now, url=f"/swaps/{swap.id}"
        )
