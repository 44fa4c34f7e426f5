"""Alert pages: the list, the detail with its timeline, acknowledge / resolve / reassign,
raising an alert by hand ("a client just called"), and the team's escalation policy, edited
by its managers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar_htmx import HTMXRequest

from server.alerts.models import AlertIn, Severity
from server.alerts.policy_form import (
    DELAYS,
    Form,
    parse_policy,
    role_labels,
    rows_of_form,
    rows_of_policy,
)
from server.alerts.store import events_of, get_alert, list_alerts, save_policy, team_policy
from server.alerts.workflow import ReportRequired, acknowledge, create_alert, reassign, resolve
from server.auth.actor import actor_of
from server.auth.guards import requires_login, requires_manager
from server.auth.team_scope import MANAGED_TEAM, ManagedTeam, managed_team
from server.clients.store.lookup import client_card, client_names
from server.deps import Db, Now
from server.errors import DomainError, Forbidden, InvalidInput
from server.i18n import gettext as _
from server.interventions.store import list_interventions
from server.models import Base
from server.page_cache import MAX_KEPT, kept_page
from server.procedures.matching import procedures_for_alert
from server.teams.store import list_teams, members, teams_of
from server.web import read_form, render_page


class AlertForm(Base, kw_only=True):
    team_id: int
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    details: Annotated[str, msgspec.Meta(max_length=8000)] = ""
    severity: Severity = "critical"


def _visible_team_ids(request: Request, db) -> list[int]:
    me = request.user
    return [t.id for t in list_teams(db)] if me.is_admin else list(me.team_ids)


def _check_team(request: Request, team_id: int) -> None:
    me = request.user
    if not (me.is_admin or team_id in me.team_ids):
        raise Forbidden(_("This alert belongs to another team."))


class AlertsController(Controller):
    include_in_schema = False
    path = "/alerts"
    guards = [requires_login]

    @get("/")
    async def index(self, request: Request, db: Db, clock: Now) -> Response:
        now = clock.now()

        def render() -> tuple[str, datetime]:
            alerts = list_alerts(db, _visible_team_ids(request, db))
            teams = {t.id: t for t in list_teams(db)}
            # The client of a call, named where people look (never its site's access).
            clients = client_names(db, [a.client_id for a in alerts if a.client_id])
            context = {"area": None, "alerts": alerts, "teams": teams, "clients": clients}
            # An alert changes (raised, escalated, acknowledged) only by a write.
            return render_page(request, "alerts/index.html", context), now + MAX_KEPT

        return kept_page(request, db, now, render)

    @get("/new")
    async def new(self, request: Request, db: Db) -> Template:
        teams = [t for t, _role in teams_of(db, request.user.id)] or list_teams(db)
        return Template("alerts/new.html", context={"area": None, "teams": teams, "values": {}})

    @post("/new")
    async def create(self, request: Request, db: Db, clock: Now) -> Response:
        teams = [t for t, _role in teams_of(db, request.user.id)] or list_teams(db)
        try:
            form = await read_form(request, AlertForm)
            _check_team(request, form.team_id)
            data = AlertIn(
                title=form.title, details=form.details, severity=form.severity, source="dispatcher"
            )
            alert, _new = create_alert(
                db,
                form.team_id,
                data,
                now=clock.now(),
                channels=request.app.state.engine.dispatcher.channels,
                actor=request.user.email,
            )
        except (DomainError, ValueError) as error:
            message = error.message if isinstance(error, DomainError) else _(str(error))
            raw = dict(await request.form())
            return Template(
                "alerts/new.html",
                status_code=error.status if isinstance(error, DomainError) else 400,
                context={"area": None, "teams": teams, "values": raw, "error": message},
            )
        request.app.state.engine.wake()
        return Redirect(f"/alerts/{alert.id}", status_code=303)

    def _detail(self, request: Request, db, alert_id: int) -> dict:
        alert = get_alert(db, alert_id)
        _check_team(request, alert.team_id)
        team_members = [m for m in members(db, alert.team_id) if m.active]
        names = {m.user_id: m.name for m in team_members}
        team = next(t for t in list_teams(db) if t.id == alert.team_id)
        me = request.user
        reports = list_interventions(db, alert_id=alert_id, limit=50)
        events = events_of(db, alert_id)
        return {
            "area": None,
            "alert": alert,
            "events": events,
            # Why the managers were woken: nobody was on call when the alert came.
            "coverage_gap": any(e.detail.get("reason") == "coverage_gap" for e in events),
            "people": team_members,
            "names": names,
            "team": team,
            "reports": reports,
            # The person's own reports and those of teams they manage open (as on /interventions).
            "openable": {r.uuid for r in reports if r.user_id == me.id or me.manages(r.team_id)},
            "report_required": team.policy.require_intervention_report,
            # Who called, and where to go; the access codes for the team's members only (an
            # admin outside the team sees the alert, not the client's keys).
            "client": client_card(db, alert.client_id, alert.site_id) if alert.client_id else None,
            "show_codes": alert.team_id in me.team_ids,
            # The team's procedures this alert calls for, best first, shown before anything.
            "procedures": procedures_for_alert(
                db,
                alert.team_id,
                source=alert.source,
                labels=alert.labels,
                client_id=alert.client_id,
                site_id=alert.site_id,
            ),
        }

    @get("/{alert_id:int}")
    async def show(self, request: Request, alert_id: FromPath[int], db: Db) -> Template:
        return Template("alerts/show.html", context=self._detail(request, db, alert_id))

    async def _act(self, request: HTMXRequest, alert_id: int, db, action) -> Response:
        alert = get_alert(db, alert_id)
        _check_team(request, alert.team_id)
        try:
            action()
        except DomainError as error:
            context = {
                **self._detail(request, db, alert_id),
                "error": error.message,
                "report_missing": isinstance(error, ReportRequired),
            }
            template = "alerts/_panel.html" if request.htmx else "alerts/show.html"
            return Template(template, context=context, status_code=error.status)
        if request.htmx:
            return Template("alerts/_panel.html", context=self._detail(request, db, alert_id))
        return Redirect(f"/alerts/{alert_id}", status_code=303)

    async def _act_as_me(self, request: HTMXRequest, alert_id: int, db, clock, step) -> Response:
        """Acknowledge or resolve: the same call, made by the person at the page."""
        me = request.user
        return await self._act(
            request,
            alert_id,
            db,
            lambda: step(db, alert_id, user_id=me.id, actor=me.email, now=clock.now()),
        )

    @post("/{alert_id:int}/acknowledge")
    async def acknowledge(
        self, request: Request, alert_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        return await self._act_as_me(request, alert_id, db, clock, acknowledge)

    @post("/{alert_id:int}/resolve")
    async def resolve(
        self, request: Request, alert_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        return await self._act_as_me(request, alert_id, db, clock, resolve)

    @post("/{alert_id:int}/reassign")
    async def reassign(
        self, request: Request, alert_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        form = await request.form()
        raw = str(form.get("user_id", ""))
        user_id = int(raw) if raw.isdigit() else 0
        me = request.user
        response = await self._act(
            request,
            alert_id,
            db,
            lambda: reassign(
                db,
                alert_id,
                user_id,
                actor=me.email,
                now=clock.now(),
                channels=request.app.state.engine.dispatcher.channels,
                actor_user_id=me.id,
            ),
        )
        request.app.state.engine.wake()
        return response


class EscalationController(Controller):
    include_in_schema = False
    path = "/alerts/policy"
    guards = [requires_manager]
    dependencies = MANAGED_TEAM

    def _context(self, db, team, rows: list[dict], repeat: str, tired: bool, **extra) -> dict:
        return {
            "area": None,
            "team": team,
            "rows": rows,
            "repeat": repeat,
            "tired": tired,
            "roles": role_labels(),
            "people": [m for m in members(db, team.id) if m.active],
            "delays": DELAYS,
            **extra,
        }

    @get("/")
    async def show(self, request: Request, db: Db, chosen: ManagedTeam) -> Template:
        policy = team_policy(db, chosen.id)
        context = self._context(
            db,
            chosen,
            rows_of_policy(policy),
            str(policy.repeat),
            policy.backup_first_when_tired,
            done=request.query_params.get("done"),
        )
        return Template("alerts/policy.html", context=context)

    @post("/")
    async def save(self, request: Request, db: Db, clock: Now, team: FromQuery[int]) -> Response:
        chosen = managed_team(request, db, team)
        form: Form = {}
        for key, value in (await request.form()).multi_items():
            if isinstance(value, str):
                form.setdefault(key, []).append(value.strip())
        people = {m.user_id for m in members(db, chosen.id) if m.active}
        try:
            policy = parse_policy(form, people)
        except InvalidInput as error:
            context = self._context(
                db,
                chosen,
                rows_of_form(form),
                (form.get("repeat") or [""])[-1],
                "on" in form.get("backup_first_when_tired", []),
                error=error.message,
            )
            return Template("alerts/policy.html", context=context, status_code=400)
        save_policy(db, chosen.id, policy, actor=actor_of(request), now=clock.now())
        return Redirect(f"/alerts/policy?team={chosen.id}&done=saved", status_code=303)
