"""Today, Schedule, Interventions, Rest, Team, and Settings (language, password, sessions)."""

from __future__ import annotations

from datetime import datetime

import anyio
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.response import Redirect, Template

from server.accounts.models import MIN_PASSWORD, PasswordChange, Preferences
from server.accounts.passwords import hash_password, password_problem, verify_password
from server.accounts.store import get_user, set_password, update_preferences, user_row_by_email
from server.alerts.store import open_alerts_for
from server.auth.actor import actor_of
from server.auth.guards import requires_login
from server.auth.store import sessions_of
from server.clock import Clock
from server.db import Database
from server.deps import Db, Now
from server.errors import InvalidInput
from server.i18n import gettext as _
from server.i18n.timezones import timezone_choices
from server.notifications.store import rules_of, set_rules
from server.page_cache import MAX_KEPT, kept_page
from server.push.store import devices_of
from server.rest.today import today_rest
from server.schedules.today import today_view
from server.statements.views import without_compensation
from server.teams.store import members, teams_of
from server.web import read_form, render_page, with_csrf_inputs


class PagesController(Controller):
    include_in_schema = False
    guards = [requires_login]

    @get("/")
    async def home(self, request: Request, db: Db, clock: Now) -> Response:
        # An administrator's home is the company's (/admin); their own on-call day, if they are
        # on a roster too, is at /today, linked from there.
        if request.user.is_admin:
            welcome = "?welcome=1" if request.query_params.get("welcome") == "1" else ""
            return Redirect(f"/admin{welcome}", status_code=303)
        return self._today(request, db, clock)

    @get("/today")
    async def today(self, request: Request, db: Db, clock: Now) -> Response:
        return self._today(request, db, clock)

    def _today(self, request: Request, db: Database, clock: Clock) -> Response:
        now = clock.now()
        welcome = request.query_params.get("welcome") == "1"

        def render() -> tuple[str, datetime]:
            view = today_view(db, request.user, now)
            alerts = open_alerts_for(db, request.user.id)
            rest = today_rest(db, request.user.id, now)
            context = {
                "area": "today",
                "view": view,
                "now": now,
                "welcome": welcome,
                "alerts": alerts,
                **rest.context,
            }
            html = render_page(request, "today.html", context)
            return html, min(view.fresh_until, rest.fresh_until)

        if welcome:  # shown once, after the invitation is accepted: never kept
            html, _until = render()
            return Response(content=with_csrf_inputs(request, html), media_type=MediaType.HTML)
        return kept_page(request, db, now, render)

    @get("/team")
    async def team(self, request: Request, db: Db, clock: Now) -> Response:
        now = clock.now()

        def render() -> tuple[str, datetime]:
            teams = [
                (team, role, members(db, team.id)) for team, role in teams_of(db, request.user.id)
            ]
            # Its managers are told when a team pays nothing for on-call time (L3121-9).
            unpaid = without_compensation(
                db, [team.id for team, _role, _m in teams if request.user.manages(team.id)]
            )
            html = render_page(
                request, "team.html", {"area": "team", "teams": teams, "unpaid": unpaid}
            )
            return html, now + MAX_KEPT  # who is in the team changes only by a write

        return kept_page(request, db, now, render)


class SettingsController(Controller):
    include_in_schema = False
    guards = [requires_login]
    path = "/settings"

    def _page(self, request: Request, db: Database, **extra) -> dict:
        return {
            "area": "settings",
            "profile": get_user(db, request.user.id),
            "sessions": sessions_of(db, request.user.id),
            "current_session": request.user.session_id,
            "timezones": timezone_choices(get_user(db, request.user.id).timezone),
            "devices": devices_of(db, request.user.id),
            "rules": dict(rules_of(db, request.user.id)),
            "channels": request.app.state.engine.dispatcher.channels,
            "done": request.query_params.get("done"),
            **extra,
        }

    @get("/")
    async def show(self, request: Request, db: Db) -> Template:
        return Template("settings.html", context=self._page(request, db))

    @post("/preferences")
    async def preferences(self, request: Request, db: Db, clock: Now) -> Response:
        try:
            prefs = await read_form(request, Preferences)
        except InvalidInput as error:
            return Template(
                "settings.html",
                context=self._page(request, db, prefs_error=error.message),
                status_code=400,
            )
        update_preferences(db, request.user.id, prefs, actor=actor_of(request), now=clock.now())
        return Redirect("/settings?done=preferences", status_code=303)

    @post("/password")
    async def password(self, request: Request, db: Db, clock: Now) -> Response:
        def refuse(message: str) -> Template:
            return Template(
                "settings.html",
                context=self._page(request, db, password_error=message),
                status_code=400,
            )

        try:
            form = await read_form(request, PasswordChange)
        except InvalidInput as error:
            return refuse(error.message)
        row = user_row_by_email(db, request.user.email)
        if not await anyio.to_thread.run_sync(
            verify_password, row["password_hash"], form.current_password
        ):
            return refuse(_("The current password is wrong."))
        problem = password_problem(form.new_password, form.confirm_password)
        if problem:
            return refuse(_(problem, min=MIN_PASSWORD))
        new_hash = await anyio.to_thread.run_sync(hash_password, form.new_password)
        set_password(
            db,
            request.user.id,
            new_hash,
            actor=actor_of(request),
            now=clock.now(),
            keep_session=request.user.session_id,
        )
        return Redirect("/settings?done=password", status_code=303)

    @post("/channels")
    async def channels(self, request: Request, db: Db, clock: Now) -> Response:
        form = await request.form()
        available = request.app.state.engine.dispatcher.channels
        rules = []
        for channel in ("push", "email", "webhook"):
            value = str(form.get(channel, ""))
            if value == "":
                continue
            if channel not in available:
                raise InvalidInput(_("This channel is not set up on this server."))
            if not value.isdigit() or int(value) > 240:
                raise InvalidInput(_("Choose a delay between 0 and 240 minutes."))
            rules.append((channel, int(value)))
        if not rules:
            raise InvalidInput(_("Keep at least one way for alerts to reach you."))
        set_rules(db, request.user.id, rules, actor=actor_of(request), now=clock.now())
        return Redirect("/settings?done=channels#channels", status_code=303)
