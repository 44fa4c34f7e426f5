"""The statement pages: a person's months and one month (provisional, or closed with its
versions and receipt), a manager's view of a person's month, the manager's month of a team
(warnings, receipts, closing), the team's compensation form and a person's hourly wage.

Thin: parse, call the monthly service (server/statements/monthly.py through views.py),
render. The PDF, the CSV and the JSON API are api.py's."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar_htmx import HTMXRequest

from server.accounts.store import get_user
from server.auth.actor import actor_of
from server.auth.guards import requires_login, requires_manager
from server.auth.team_scope import managed_teams
from server.db import Database
from server.deps import Db, Now
from server.errors import Forbidden
from server.i18n import gettext as _
from server.page_cache import kept_page, next_minute
from server.statements import links, monthly, store, texts, views
from server.statements.closing import acknowledge, close_month
from server.statements.documents import month_bounds
from server.statements.form import (
    GROUPS,
    HOLIDAY_LABELS,
    LABELS,
    FormError,
    cents_to_input,
    compensation_from_form,
    euros_to_cents,
    form_values,
)
from server.statements.models import HOLIDAY_CODES, TeamMonth
from server.statements.wages import check_wage_reach, wage_of
from server.teams.models import Team
from server.web import render_page


def next_midnight(now: datetime, timezone: str) -> datetime:
    """A page naming "this month" holds until the day changes in the reader's zone."""
    zone = ZoneInfo(timezone)
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(), zone)


def team_month_fresh_until(view: TeamMonth, month: str, now: datetime, timezone: str) -> datetime:
    """Until when a manager's month holds with no write: the pager's "this month" changes at
    midnight, an open month ends at its last instant (the close button appears), and once it
    has ended unclosed, its "phones not synced" warning reads sessions' last use, which is
    written as bookkeeping (no cache sees it): that page holds a minute."""
    until = next_midnight(now, timezone)
    if view.closing is None:
        if view.ended:
            return min(until, next_minute(now))
        until = min(until, month_bounds(month, timezone)[1])
    return until


def _common() -> dict:
    return {
        "money": texts.money,
        "duration": texts.duration,
        "month_label": texts.month_label,
        "change": texts.change,
        "figure_label": texts.figure_label,
        "categories": texts.CATEGORIES,
        "pdf_url": links.pdf_url,
        "csv_url": links.payroll_csv_url,
    }


class StatementsController(Controller):
    """A person's own statements, and a manager's view of a person's month."""

    include_in_schema = False
    guards = [requires_login]
    path = "/statements"

    @get("/")
    async def months(self, request: HTMXRequest, db: Db, clock: Now) -> Response:
        now = clock.now()
        me = request.user

        def render() -> tuple[str, datetime]:
            entries = views.person_months(db, me.id, now, me.timezone)
            html = render_page(
                request,
                "statements/index.html",
                {"area": "statements", "entries": entries, **_common()},
            )
            return html, next_midnight(now, me.timezone)

        return kept_page(request, db, now, render)

    @get("/{month:str}")
    async def own_month(
        self, request: HTMXRequest, db: Db, clock: Now, month: FromPath[str]
    ) -> Response:
        now = clock.now()
        me = request.user
        views.checked_month(month)
        views.check_not_future(month, now, me.timezone)

        def render() -> tuple[str, datetime]:
            teams = views.teams_seen_by(db, me, me.id)
            context = _month_context(db, me.id, me.name, month, teams, own=True)
            context["done"] = request.query_params.get("done")
            html = render_page(request, "statements/month.html", context)
            return html, next_midnight(now, me.timezone)

        return kept_page(request, db, now, render)

    @get("/{person_id:int}/{month:str}")
    async def person_month(
        self, request: Request, db: Db, clock: Now, person_id: FromPath[int], month: FromPath[str]
    ) -> Response:
        me = request.user
        views.checked_month(month)
        teams = views.teams_seen_by(db, me, person_id)
        if person_id == me.id:
            return Redirect(f"/statements/{month}", status_code=303)
        views.check_not_future(month, clock.now(), me.timezone)
        person = get_user(db, person_id)
        context = _month_context(db, person_id, person.name, month, teams, own=False)
        return Template("statements/month.html", context=context)

    @post("/receipts/{statement_id:int}")
    async def acknowledge(
        self, request: Request, db: Db, clock: Now, statement_id: FromPath[int]
    ) -> Response:
        statement = monthly.get_statement(db, statement_id)
        if statement.user_id != request.user.id:
            # Only its person acknowledges a statement: a manager's tap is no proof of receipt.
            raise Forbidden(_("Only the person it is handed to acknowledges receipt."))
        acknowledge(db, statement_id, person=request.user, now=clock.now())
        return Redirect(
            f"/statements/{statement.month}?done=received#statement-{statement.team_id}",
            status_code=303,
        )


def _month_context(
    db: Database, person_id: int, name: str, month: str, teams: list[int], *, own: bool
) -> dict:
    return {
        "area": "statements",
        "own": own,
        "person_id": person_id,
        "person_name": name,
        "month": month,
        "previous": views.shift_month(month, -1),
        "next": views.shift_month(month, 1),
        "documents": views.person_month(db, person_id, month, teams),
        **_common(),
    }


class TeamStatementsController(Controller):
    """The manager's month of a team and the team's compensation."""

    include_in_schema = False
    guards = [requires_manager]
    path = "/teams/{team_id:int}"

    @get("/statements")
    async def latest(
        self, request: Request, db: Db, clock: Now, team_id: FromPath[int]
    ) -> Response:
        """The month a manager acts on: the last one (to close, then its receipts)."""
        team = views.managed(db, request.user, team_id)
        month = views.shift_month(views.this_month(clock.now(), team.timezone), -1)
        return Redirect(f"/teams/{team.id}/statements/{month}", status_code=303)

    @get("/statements/{month:str}")
    async def month(
        self,
        request: HTMXRequest,
        db: Db,
        clock: Now,
        team_id: FromPath[int],
        month: FromPath[str],
    ) -> Response:
        now = clock.now()
        team = views.managed(db, request.user, team_id)
        views.checked_month(month)

        def render() -> tuple[str, datetime]:
            context = _team_month_context(request, db, team, month, now)
            html = render_page(request, "statements/team.html", context)
            return html, team_month_fresh_until(context["view"], month, now, team.timezone)

        # Kept like the bottom bar's pages: a 200-person month is read far more often than its
        # shifts, interventions, closings or receipts change (any such write makes it stale).
        return kept_page(request, db, now, render)

    @post("/statements/{month:str}/close")
    async def close(
        self, request: Request, db: Db, clock: Now, team_id: FromPath[int], month: FromPath[str]
    ) -> Response:
        team = views.managed(db, request.user, team_id)
        views.checked_month(month)
        result = close_month(
            db,
            team.id,
            month,
            now=clock.now(),
            channels=request.app.state.engine.dispatcher.channels,
            by=request.user,
        )
        if result.created:
            request.app.state.engine.wake()  # the hand-out pushes go now
        done = "closed" if result.created else "already"
        return Redirect(f"/teams/{team.id}/statements/{month}?done={done}", status_code=303)

    @get("/compensation")
    async def compensation(self, request: Request, db: Db, team_id: FromPath[int]) -> Template:
        team = views.managed(db, request.user, team_id)
        return Template(
            "statements/compensation.html", context=_compensation_context(request, db, team)
        )

    @post("/compensation")
    async def save_compensation(
        self, request: Request, db: Db, clock: Now, team_id: FromPath[int]
    ) -> Response:
        team = views.managed(db, request.user, team_id)
        form = await request.form()
        values = {key: str(value) for key, value in form.items() if not key.startswith("_")}
        reason = values.get("reason", "").strip()
        try:
            compensation = compensation_from_form(values)
            if not reason:
                raise FormError("reason", _("Say why the compensation changes."))
            if len(reason) > 500:
                raise FormError("reason", _("The reason is too long (500 characters at most)."))
        except FormError as error:
            context = _compensation_context(
                request, db, team, values=values, error=error.message, error_field=error.field
            )
            return Template("statements/compensation.html", context=context, status_code=400)
        store.save_compensation(
            db, team.id, compensation, actor=actor_of(request), now=clock.now(), reason=reason
        )
        return Redirect(f"/teams/{team.id}/compensation?done=saved", status_code=303)


def _team_month_context(request: Request, db: Database, team: Team, month: str, now) -> dict:
    found = monthly.team_month(db, team.id, month, now)
    names = {line.user_id: line.person_name for line in found.lines}
    warned = {user_id for warning in found.warnings for user_id in warning.user_ids}
    everyone = views.names_of(db, warned, names)
    closer = None
    if found.closing is not None and found.closing.closed_by is not None:
        closer = views.names_of(db, [found.closing.closed_by], {})[found.closing.closed_by]
    return {
        "area": "team",
        "team": team,
        "teams": managed_teams(request, db),
        "month": month,
        "previous": views.shift_month(month, -1),
        "next": views.shift_month(month, 1),
        "current": views.this_month(now, team.timezone),
        "view": found,
        "rows": views.team_rows(found.lines),
        "warnings": [
            (warning.code, ", ".join(everyone[user_id] for user_id in warning.user_ids))
            for warning in found.warnings
        ],
        "closer": closer,
        "unacknowledged": [
            line for line in found.lines if line.statement_id and not line.acknowledged_at
        ],
        "done": request.query_params.get("done"),
        "tz": team.timezone,
        **_common(),
    }


def _compensation_context(request: Request, db: Database, team: Team, **extra) -> dict:
    saved = store.get_compensation(db, team.id)
    values = extra.pop("values", None) or form_values(saved)
    return {
        "area": "team",
        "team": team,
        "groups": GROUPS,
        "labels": LABELS,
        "holiday_codes": HOLIDAY_CODES,
        "holiday_labels": HOLIDAY_LABELS,
        "values": values,
        "is_set": saved is not None,
        "done": request.query_params.get("done"),
        "reason": values.get("reason", ""),
        **extra,
    }


class WageController(Controller):
    """A person's hourly wage, set from their page by a manager within reach or an admin."""

    include_in_schema = False
    guards = [requires_manager]
    path = "/people/{user_id:int}/wage"

    @post("/")
    async def save(self, request: Request, db: Db, clock: Now, user_id: FromPath[int]) -> Response:
        person = check_wage_reach(db, request.user, user_id)
        form = await request.form()
        text = str(form.get("hourly_wage", "")).strip()
        try:
            cents = euros_to_cents(text)
        except ValueError:
            # The person's page is another package's: the field comes back on a page of its
            # own, with what was typed and why it is refused.
            message = _(
                "“%(field)s”: an amount in euros, with at most 2 decimals (e.g. 1,50).",
                field=_("Hourly wage, euros"),
            )
            context = {
                "area": "team",
                "person": person,
                "wage": wage_of(db, user_id),
                "typed": text,
                "error": message,
                "money": texts.money,
                "wage_input": cents_to_input,
            }
            return Template("statements/wage.html", context=context, status_code=400)
        store.save_wage(db, user_id, cents, actor=actor_of(request), now=clock.now())
        return Redirect(f"/people/{user_id}?done=wage#wage", status_code=303)
