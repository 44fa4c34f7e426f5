"""Asking: a swap or a cover request for a shift, checked before it is written (a request that
could not succeed is refused with its findings) and told to the colleagues concerned. The
steps that follow are server/swaps/workflow.py."""

from __future__ import annotations

from datetime import datetime

from server.accounts.models import CurrentUser
from server.audit.store import record
from server.auth.actor import actor_for
from server.clock import to_db
from server.db import Database
from server.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from server.i18n import format_datetime
from server.i18n import gettext as _
from server.notifications.store import notify
from server.schedules.models import Shift
from server.schedules.store import get_shift
from server.swaps import rules
from server.swaps.evaluate import explain, precheck
from server.swaps.machine import may_ask
from server.swaps.models import Finding, SwapKind, SwapRequest
from server.swaps.rules import print_of
from server.swaps.store.requests import get_swap, insert_swap, live_for_shift
from server.swaps.workflow import params_of
from server.teams.store import get_team, members


class CannotSucceed(RuleViolation):
    """A request the checks would block whoever answers: refused before anything is written,
    with the findings, so the page can offer what works instead."""

    def __init__(self, message: str, *, findings: list[Finding]) -> None:
        super().__init__(message)
        self.findings = findings


def draft_request(
    shift: Shift,
    user: CurrentUser,
    *,
    kind: SwapKind,
    start: datetime,
    end: datetime,
    counter: Shift | None,
    target_id: int | None,
    now: datetime,
) -> SwapRequest:
    """The request as it would be written, for the checks to run on before it is."""
    return SwapRequest(
        id=0,
        team_id=shift.team_id,
        kind=kind,
        requester_id=shift.user_id,
        requester_name=shift.user_name,
        created_by=user.id,
        shift_id=shift.id,
        shift_fingerprint=print_of(shift),
        starts_at=start,
        ends_at=end,
        counter_shift_id=counter.id if counter else None,
        counter_fingerprint=print_of(counter) if counter else None,
        target_id=target_id,
        status="pending",
        expires_at=min(shift.starts_at, counter.starts_at if counter else shift.starts_at),
        created_at=now,
    )


def whole_shift_blocks(
    database: Database, user: CurrentUser, shift: Shift, now: datetime
) -> list[Finding]:
    """What would block a cover of the whole shift asked of the whole team, known before the
    form is filled in (a manager asking on someone's behalf within the notice limit)."""
    if shift.starts_at <= now:
        return []
    draft = draft_request(
        shift,
        user,
        kind="cover",
        start=shift.starts_at,
        end=shift.ends_at,
        counter=None,
        target_id=None,
        now=now,
    )
    return rules.blocks(precheck(database, get_team(database, shift.team_id), draft, now))


def create_request(
    database: Database,
    user: CurrentUser,
    shift_id: int,
    *,
    kind: SwapKind,
    starts_at: datetime | None,
    ends_at: datetime | None,
    target_id: int | None,
    counter_shift_id: int | None,
    note: str,
    now: datetime,
) -> SwapRequest:
    """Ask for a swap or a cover of a shift: by its owner, or by a manager on their behalf."""
    with database.write():
        shift = get_shift(database, shift_id)
        if not may_ask(user, shift):
            raise Forbidden(_("This shift is not yours."))
        if not shift.told:
            raise InvalidInput(_("This shift is not published yet."))
        if shift.ends_at <= now:
            raise InvalidInput(_("This shift is over: a request is for a shift to come."))
        start = shift.starts_at if kind == "swap" or starts_at is None else starts_at
        end = shift.ends_at if kind == "swap" or ends_at is None else ends_at
        problem = rules.range_problem(shift.starts_at, shift.ends_at, start, end, now)
        if problem == "started":
            raise InvalidInput(
                _("This shift has already started: a request must be made before it starts.")
            )
        if problem == "empty":
            raise InvalidInput(_("The end must be after the start."), field="ends_at")
        if problem == "outside":
            raise InvalidInput(
                _(
                    "The time range must lie within the shift, from %(start)s to %(end)s.",
                    start=format_datetime(shift.starts_at, "short"),
                    end=format_datetime(shift.ends_at, "short"),
                ),
                field="starts_at",
            )
        if live_for_shift(database, shift.id, now) is not None:
            raise Conflict(_("A request for this shift is already waiting. Cancel it first."))
        team = get_team(database, shift.team_id)
        colleagues = {
            m.user_id for m in members(database, team.id) if m.active and m.user_id != shift.user_id
        }
        counter = None
        if kind == "swap":
            if counter_shift_id is None:
                raise InvalidInput(
                    _("Choose the colleague's shift you take in exchange."), field="counter_shift"
                )
            counter = get_shift(database, counter_shift_id)
            if counter.team_id != team.id or not counter.told or counter.user_id not in colleagues:
                raise InvalidInput(
                    _("Choose a published shift of a colleague of this team."),
                    field="counter_shift",
                )
            if counter.starts_at <= now:
                raise InvalidInput(
                    _("The colleague's shift has already started."), field="counter_shift"
                )
            target_id = counter.user_id
        if target_id is not None and target_id not in colleagues:
            raise InvalidInput(_("Choose a colleague of this team."), field="target")
        expires = min(shift.starts_at, counter.starts_at if counter else shift.starts_at)
        draft = draft_request(
            shift,
            user,
            kind=kind,
            start=start,
            end=end,
            counter=counter,
            target_id=target_id,
            now=now,
        )
        hard = rules.blocks(precheck(database, team, draft, now))
        if hard:
            raise CannotSucceed(
                _(
                    "This request could not succeed, so it was not sent: %(why)s",
                    why=explain(database, team, hard),
                ),
                findings=hard,
            )
        stamp = to_db(now)
        swap_id = insert_swap(
            database,
            {
                "team_id": team.id,
                "kind": kind,
                "requester_id": shift.user_id,
                "created_by": user.id,
                "shift_id": shift.id,
                "shift_fingerprint": print_of(shift),
                "starts_at": to_db(start),
                "ends_at": to_db(end),
                "counter_shift_id": counter.id if counter else None,
                "counter_fingerprint": print_of(counter) if counter else None,
                "target_id": target_id,
                "note": note[:500],
                "expires_at": to_db(expires),
                "created_at": stamp,
                "updated_at": stamp,
            },
        )
        swap = get_swap(database, swap_id)
        record(
            database,
            at=now,
            actor=actor_for(user),
            action="swap.request",
            entity_type="swap",
            entity_id=swap_id,
            team_id=team.id,
            after=swap,
        )
        url = f"/swaps/{swap_id}"
        more = {"other": counter.starts_at.isoformat()} if counter else {}
        if swap.imposed:
            more["by"] = user.name  # the colleagues read who asked, not only whose shift
        for colleague in sorted({target_id} if target_id else colleagues - {user.id}):
            notify(
                database, colleague, "swap_offered", params_of(swap, team, **more), now=now, url=url
            )
        if swap.imposed:
            notify(
                database,
                swap.requester_id,
                "swap_on_behalf",
                params_of(swap, team, by=user.name),
                now=now,
                url=url,
            )
    return swap
