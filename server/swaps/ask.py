"""Asking: a swap or a cover request for a shift, checked and told to the colleagues concerned."""

from __future__ import annotations

from datetime import datetime

from server.accounts.models import CurrentUser
from server.audit.store import record
from server.clock import to_db
from server.db import Database
from server.errors import Conflict, Forbidden, InvalidInput
from server.i18n import format_datetime
from server.i18n import gettext as _
from server.notifications.store import notify
from server.schedules.store import get_shift
from server.swaps import checks
from server.swaps.access import actor_for
from server.swaps.evaluate import print_of
from server.swaps.models import SwapKind, SwapRequest
from server.swaps.outcomes import params_of
from server.swaps.store import get_swap, insert_swap, live_for_shift
from server.teams.store import get_team, members


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
        if shift.user_id != user.id and not user.manages(shift.team_id):
            raise Forbidden(_("This shift is not yours."))
        if not shift.told:
            raise InvalidInput(_("This shift is not published yet."))
        if shift.ends_at <= now:
            raise InvalidInput(_("This shift is over: a request is for a shift to come."))
        start = shift.starts_at if kind == "swap" or starts_at is None else starts_at
        end = shift.ends_at if kind == "swap" or ends_at is None else ends_at
        problem = checks.range_problem(shift.starts_at, shift.ends_at, start, end, now)
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
