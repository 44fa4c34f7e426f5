"""Swap pages: ask from a shift, my requests and my team's open ones, a request with its checks
and its buttons (take, decline, cancel, approve, reject), the managers' inbox."""

from __future__ import annotations

from datetime import timedelta

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar_htmx import HTMXRequest

from server.auth.guards import requires_login, requires_manager
from server.auth.team_scope import managed_team_ids
from server.deps import Db, Now
from server.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from server.i18n import format_local_input
from server.i18n import gettext as _
from server.schedules.store import get_shift
from server.swaps.ask import CannotSucceed, create_request, whole_shift_blocks
from server.swaps.evaluate import explain
from server.swaps.exchange import ExchangeFilter
from server.swaps.machine import may_ask, may_see
from server.swaps.models import DecisionForm, RequestForm
from server.swaps.store.requests import awaiting_approval, get_swap, list_swaps, open_to
from server.swaps.texts import WORDS
from server.swaps.views import (
    colleagues_of,
    exchange_context,
    exchange_filter,
    instead_of,
    request_view,
)
from server.swaps.workflow import accept, approve, cancel, decline, reject
from server.teams.rules import local_input
from server.teams.store import get_team, members
from server.web import read_form

# What a person fixes and tries again; being refused (403) or a missing page stays an error page.
RETRYABLE = (InvalidInput, Conflict, RuleViolation)
# "My requests" shows the settled ones of the last weeks too.
HISTORY = timedelta(days=60)


class SwapsController(Controller):
    include_in_schema = False
    path = "/swaps"
    guards = [requires_login]

    @get("/")
    async def index(self, request: HTMXRequest, db: Db, clock: Now) -> Template:
        me, now = request.user, clock.now()
        mine = list_swaps(db, requester_id=me.id, since=now - HISTORY)
        # A manager's requests include those made on someone's behalf.
        known = {s.id for s in mine}
        mine += [
            s for s in list_swaps(db, created_by=me.id, since=now - HISTORY) if s.id not in known
        ]
        return Template(
            "swaps/index.html",
            context={
                **WORDS,
                "area": "schedule",
                "now": now,
                "mine": sorted(mine, key=lambda s: s.created_at, reverse=True),
                "offered": open_to(db, me.id, me.team_ids, now),
                "done": request.query_params.get("done"),
            },
        )

    @get("/inbox", guards=[requires_manager])
    async def inbox(self, request: HTMXRequest, db: Db, clock: Now) -> Template:
        now = clock.now()
        pending = awaiting_approval(db, managed_team_ids(request, db), now)
        views = [request_view(db, s.id, request.user, now) for s in pending]
        return Template(
            "swaps/inbox.html",
            context={
                **WORDS,
                "area": "swaps-inbox",
                "now": now,
                "views": views,
                "done": request.query_params.get("done"),
            },
        )

    # Asking ----------------------------------------------------------------------------------

    def _ask_context(self, request: HTMXRequest, db, shift, now, **extra) -> dict:
        team = get_team(db, shift.team_id)
        colleagues = colleagues_of(members(db, team.id), shift)
        values = extra.get("values") or {}
        chosen = extra.pop("exchange", None) or ExchangeFilter()
        keep = str(values.get("counter_shift", ""))
        exchange = exchange_context(
            db, shift, team, colleagues, chosen, now, keep=int(keep) if keep.isdigit() else None
        )
        return {
            "area": "schedule",
            "shift": shift,
            "team": team,
            "colleagues": colleagues,
            **exchange,
            # Someone in several teams reads which team each offered shift belongs to.
            "exchange_team_always": len(request.user.team_ids) > 1,
            "started": shift.starts_at <= now,
            "over": shift.ends_at <= now,
            "on_behalf": shift.user_id != request.user.id,
            "values": extra.pop("values", {}),
            **extra,
        }

    def _own_or_managed(self, request: HTMXRequest, db, shift_id: int):
        shift = get_shift(db, shift_id)
        if not may_ask(request.user, shift):
            raise Forbidden(_("This shift is not yours."))
        return shift

    @get("/shifts/{shift_id:int}/new")
    async def ask_form(
        self, request: HTMXRequest, shift_id: FromPath[int], db: Db, clock: Now
    ) -> Template:
        shift = self._own_or_managed(request, db, shift_id)
        now = clock.now()
        extra, status = {}, 200
        # The exchange list's filter (a GET form): a value it cannot send is a 400 that says
        # what to choose, shown above the list, which then shows its default.
        params = request.query_params
        try:
            colleagues = colleagues_of(members(db, shift.team_id), shift)
            team = get_team(db, shift.team_id)
            extra["exchange"] = exchange_filter(params, colleagues, team, now)
        except InvalidInput as error:
            extra["exchange_error"], status = error.message, error.status
        if {"period", "level", "colleague"} & set(params):
            # The filter is the swap's: the page opens on it, the shift chosen still chosen.
            chosen = params.get("counter_shift", "")
            extra["values"] = {"kind": "swap", "whole": "true", "counter_shift": chosen}
        # Asked on someone's behalf, a request the checks already block is refused before the
        # form is filled in, with what works instead.
        hard = whole_shift_blocks(db, request.user, shift, now) if shift.told else []
        if hard:
            extra |= self._cannot(
                db,
                shift,
                now,
                _(
                    "A replacement cannot be asked for this shift: %(why)s",
                    why=explain(db, get_team(db, shift.team_id), hard),
                ),
            )
        elif shift.starts_at <= now < shift.ends_at and shift.user_id != request.user.id:
            # Under way ("on call now" on the team rest page): no request can be made, but the
            # backup can still be paged first.
            extra["instead"] = instead_of(db, get_team(db, shift.team_id), shift, now)
        context = self._ask_context(request, db, shift, now, **extra)
        # htmx narrows the list in place; going back in history asks for the whole page.
        if request.htmx and not request.htmx.history_restore_request:
            return Template("swaps/_exchange.html", context=context, status_code=status)
        return Template("swaps/new.html", context=context, status_code=status)

    def _cannot(self, db, shift, now, message: str, values: dict | None = None) -> dict:
        """The refusal of a request that could not succeed, with the ways that work; the form
        stays when a later part of the shift may still be asked for (it starts there)."""
        team = get_team(db, shift.team_id)
        instead = instead_of(db, team, shift, now)
        if values is None and instead.later_from is not None:
            values = {"kind": "cover", "target": "team"}
            values["starts_at"] = format_local_input(instead.later_from, team.timezone)
        return {"cannot": message, "instead": instead, "values": values or {}}

    @post("/shifts/{shift_id:int}/new")
    async def ask(
        self, request: HTMXRequest, shift_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        shift = self._own_or_managed(request, db, shift_id)
        team = get_team(db, shift.team_id)
        now = clock.now()
        raw = await request.form()
        try:
            form = await read_form(request, RequestForm)
            target = None if form.target in ("", "team") else _int(form.target, "target")
            counter = _int(form.counter_shift, "counter_shift") if form.counter_shift else None
            whole = form.whole or form.kind == "swap"
            swap = create_request(
                db,
                request.user,
                shift_id,
                kind=form.kind,
                starts_at=None
                if whole or not form.starts_at
                else local_input(form.starts_at, team),
                ends_at=None if whole or not form.ends_at else local_input(form.ends_at, team),
                target_id=target,
                counter_shift_id=counter,
                note=form.note,
                now=now,
            )
        except CannotSucceed as error:
            # Asked on someone's behalf: what works instead; asked for oneself: the reason.
            if shift.user_id != request.user.id:
                extra = self._cannot(db, shift, now, error.message, values=dict(raw.items()))
            else:
                extra = {"error": error.message, "values": dict(raw.items())}
            context = self._ask_context(request, db, shift, now, **extra)
            return Template("swaps/new.html", context=context, status_code=error.status)
        except RETRYABLE as error:
            context = self._ask_context(
                request,
                db,
                shift,
                now,
                error=error.message,
                error_field=error.field,
                values=dict(raw.items()),
            )
            return Template("swaps/new.html", context=context, status_code=error.status)
        request.app.state.engine.wake()  # the colleagues' pushes go now, not at the next round
        return Redirect(f"/swaps/{swap.id}?done=asked", status_code=303)

    # A request ---------------------------------------------------------------------------------

    def _page(self, request: HTMXRequest, db, swap_id: int, now, status_code: int = 200, **extra):
        swap = get_swap(db, swap_id)
        if not may_see(request.user, swap):
            raise Forbidden(_("This request belongs to another team."))
        context = {
            **WORDS,
            "area": "schedule",
            "now": now,
            **request_view(db, swap_id, request.user, now),
            "done": request.query_params.get("done"),
            **extra,
        }
        name = "swaps/_panel.html" if request.htmx else "swaps/show.html"
        return Template(name, context=context, status_code=status_code)

    @get("/{swap_id:int}")
    async def show(
        self, request: HTMXRequest, swap_id: FromPath[int], db: Db, clock: Now
    ) -> Template:
        return self._page(request, db, swap_id, clock.now())

    async def _act(
        self, request: HTMXRequest, db, swap_id: int, now, action, done: str
    ) -> Response:
        try:
            await action()
        except RETRYABLE as error:
            # The reason typed stays in the field it was typed in, beside the error.
            raw = await request.form()
            typed = {done: str(raw.get("reason", ""))}
            return self._page(
                request,
                db,
                swap_id,
                now,
                status_code=error.status,
                error=error.message,
                typed=typed,
            )
        request.app.state.engine.wake()
        if request.htmx:
            return self._page(request, db, swap_id, now, done=done)
        return Redirect(f"/swaps/{swap_id}?done={done}", status_code=303)

    async def _step(
        self, request: HTMXRequest, db, swap_id: int, clock, step, done: str
    ) -> Response:
        """A step the person takes on a request (take, decline, withdraw)."""
        now = clock.now()

        async def action() -> None:
            step(db, swap_id, request.user, now)

        return await self._act(request, db, swap_id, now, action, done)

    async def _decide(
        self, request: HTMXRequest, db, swap_id: int, clock, decision, done: str
    ) -> Response:
        """A manager's decision, with the version they saw and their reason."""
        now = clock.now()
        _check_manages(request, db, swap_id)

        async def action() -> None:
            form = await read_form(request, DecisionForm)
            decision(
                db, swap_id, version=form.version, reason=form.reason, user=request.user, now=now
            )

        return await self._act(request, db, swap_id, now, action, done)

    @get(
        [
            "/{swap_id:int}/accept",
            "/{swap_id:int}/decline",
            "/{swap_id:int}/cancel",
            "/{swap_id:int}/approve",
            "/{swap_id:int}/reject",
        ]
    )
    async def step_address(self, request: HTMXRequest, swap_id: FromPath[int], db: Db) -> Redirect:
        """A refusal without JavaScript is shown at the form's address: reloading it (or opening
        it again) leads to the request, not to a 405 page."""
        if not may_see(request.user, get_swap(db, swap_id)):
            raise Forbidden(_("This request belongs to another team."))
        return Redirect(f"/swaps/{swap_id}", status_code=303)

    @post("/{swap_id:int}/accept")
    async def take(
        self, request: HTMXRequest, swap_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        return await self._step(request, db, swap_id, clock, accept, "accepted")

    @post("/{swap_id:int}/decline")
    async def refuse(
        self, request: HTMXRequest, swap_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        return await self._step(request, db, swap_id, clock, decline, "declined")

    @post("/{swap_id:int}/cancel")
    async def withdraw(
        self, request: HTMXRequest, swap_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        return await self._step(request, db, swap_id, clock, cancel, "cancelled")

    @post("/{swap_id:int}/approve")
    async def approve(
        self, request: HTMXRequest, swap_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        return await self._decide(request, db, swap_id, clock, approve, "approved")

    @post("/{swap_id:int}/reject")
    async def reject(
        self, request: HTMXRequest, swap_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        return await self._decide(request, db, swap_id, clock, reject, "rejected")


def _check_manages(request: HTMXRequest, db, swap_id: int) -> None:
    """Refused before the form is read: a manager of another team learns nothing more."""
    if not request.user.manages(get_swap(db, swap_id).team_id):
        raise Forbidden(_("Only a manager of this team can approve or reject its requests."))


def _int(value: str, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(_("Please check this choice."), field=field) from None
