"""The changes a manager makes to a told schedule: giving a shift to someone else, putting
someone on call over a stretch (an override) and taking an override back."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar_htmx import HTMXRequest

from server.auth.actor import actor_of
from server.auth.guards import requires_manager
from server.auth.team_scope import MANAGED_TEAM, ManagedTeam, managed_team
from server.db import Database
from server.deps import Db, Now
from server.errors import DomainError
from server.qualifications import gate
from server.schedules.changes import cancel_override, create_override, reassign
from server.schedules.models import AssignForm, NoticeForm, OverrideForm, Shift
from server.schedules.planning import shift_warnings
from server.schedules.routes.manage_page import (
    card_response,
    done_response,
    form_values,
    manage_context,
)
from server.schedules.store import get_shift
from server.teams.models import Team
from server.teams.rules import local_input
from server.teams.store import members
from server.web import read_form


def shift_context(db: Database, shift: Shift, team: Team, **extra) -> dict:
    """The shift's page: who else could take it, and what it would break for each of them."""
    people = [m for m in members(db, team.id) if m.active]
    warnings = {
        m.user_id: shift_warnings(db, team, m.user_id, shift)
        for m in people
        if m.user_id != shift.user_id
    }
    # Who would lack a qualification the shift requires (or hold one expiring before its end).
    qualification_gaps = {
        m.user_id: gate.messages(
            db, team, gate.gaps(db, team, [(m.user_id, shift.id, shift.rotation_id, shift.ends_at)])
        )
        for m in people
        if m.user_id != shift.user_id
    }
    return {
        "area": "schedule",
        "shift": shift,
        "team": team,
        "people": people,
        "warnings": warnings,
        "qualification_gaps": qualification_gaps,
        **extra,
    }


class ShiftChangesController(Controller):
    include_in_schema = False
    path = "/schedule/manage"
    guards = [requires_manager]

    @get("/shifts/{shift_id:int}")
    async def show_shift(self, request: HTMXRequest, shift_id: FromPath[int], db: Db) -> Template:
        shift = get_shift(db, shift_id)
        team = managed_team(request, db, shift.team_id)
        return Template("schedules/shift.html", context=shift_context(db, shift, team))

    @post("/shifts/{shift_id:int}")
    async def update_shift(
        self, request: HTMXRequest, shift_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        shift = get_shift(db, shift_id)
        team = managed_team(request, db, shift.team_id)
        try:
            form = await read_form(request, AssignForm)
            reassign(
                db,
                team,
                shift_id,
                form.user_id,
                version=form.version,
                exceptional=form.exceptional,
                reason=form.reason,
                actor=actor_of(request),
                now=clock.now(),
            )
        except DomainError as error:
            fresh = get_shift(db, shift_id)
            raw = await request.form()
            context = shift_context(
                db,
                fresh,
                team,
                error=error.message,
                error_field=error.field,
                values=form_values(raw, "user_id", "reason"),
            )
            return Template("schedules/shift.html", context=context, status_code=error.status)
        return Redirect(f"/schedule/manage?team={team.id}&done=shift", status_code=303)

    @post("/overrides")
    async def add_override(
        self, request: HTMXRequest, db: Db, clock: Now, team: FromQuery[int]
    ) -> Response:
        chosen = managed_team(request, db, team)
        now = clock.now()
        try:
            form = await read_form(request, OverrideForm)
            create_override(
                db,
                chosen,
                user_id=form.user_id,
                layer=form.layer,
                starts_at=local_input(form.starts_at, chosen),
                ends_at=local_input(form.ends_at, chosen),
                exceptional=form.exceptional,
                reason=form.reason,
                actor=actor_of(request),
                now=now,
                qualifications_seen=form.qualifications_seen,
            )
        except DomainError as error:
            raw = await request.form()
            values = form_values(raw, "user_id", "layer", "starts_at", "ends_at", "reason")
            context = manage_context(
                request,
                db,
                chosen,
                now,
                override_error=error.message,
                override_field=error.field,
                override_values=values,
            )
            return card_response(request, "schedules/_override_card.html", context, error.status)
        return done_response(request, f"/schedule/manage?team={chosen.id}&done=override")

    @get("/overrides", dependencies=MANAGED_TEAM)
    async def overrides_page(self, chosen: ManagedTeam) -> Redirect:
        """The address a refused override was shown at reloads to the page."""
        return Redirect(f"/schedule/manage?team={chosen.id}#override-card", status_code=303)

    @get("/overrides/{shift_id:int}/cancel")
    async def cancel_page(self, request: HTMXRequest, shift_id: FromPath[int], db: Db) -> Redirect:
        shift = get_shift(db, shift_id)
        team = managed_team(request, db, shift.team_id)
        return Redirect(f"/schedule/manage?team={team.id}#override-card", status_code=303)

    @post("/overrides/{shift_id:int}/cancel")
    async def remove_override(
        self, request: HTMXRequest, shift_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        shift = get_shift(db, shift_id)
        team = managed_team(request, db, shift.team_id)
        now = clock.now()
        try:
            form = await read_form(request, NoticeForm)
            cancel_override(
                db,
                team,
                shift_id,
                exceptional=form.exceptional,
                reason=form.reason,
                actor=actor_of(request),
                now=now,
            )
        except DomainError as error:
            raw = await request.form()
            context = manage_context(
                request,
                db,
                team,
                now,
                cancel_error=error.message,
                cancel_id=shift_id,
                cancel_values=form_values(raw, "reason"),
            )
            return card_response(request, "schedules/_override_card.html", context, error.status)
        return done_response(request, f"/schedule/manage?team={team.id}&done=override-cancelled")
