"""The Rest tab: the rest clock, fatigue in one tap, declared rest, working hours and days off."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar_htmx import HTMXRequest

from server.accounts.access import may_act_on
from server.accounts.store import get_user
from server.auth.actor import actor_of
from server.auth.guards import requires_login
from server.deps import Db, Now
from server.errors import Forbidden, InvalidInput
from server.i18n import gettext as _
from server.page_cache import kept_page, next_minute
from server.rest.explain import explain, rest_clock
from server.rest.fatigue import KSS_LABELS, declare_rest, record_fatigue
from server.rest.models import AbsenceIn, DeclaredRestIn, FatigueIn, PatternForm
from server.rest.pattern import ABSENCE_LABELS, add_absence, delete_absence, set_pattern
from server.rest.people import person_status, policy_of
from server.rest.store import absences_between, fatigue_history, get_pattern, latest_fatigue
from server.rest.timeline import WEEKDAY_FIELDS, format_day, parse_pattern
from server.web import read_form, render_page

# Whose hours: a manager opens a team member's with ?person=<id>; nobody else may.
Person = FromQuery[int | None]
ASK_CONTEXTS = ("shift_start", "night_intervention")


def may_edit(request: HTMXRequest, db, person_id: int) -> bool:
    """The person themself, or a manager within whose reach their account is (see
    server/accounts/rules.py: not a manager of another team's manager)."""
    me = request.user
    return person_id == me.id or may_act_on(db, me, person_id)


def person_for(request: HTMXRequest, db, person: int | None) -> int:
    person_id = person or request.user.id
    if not may_edit(request, db, person_id):
        raise Forbidden(_("You may change only your own hours, or those of your team."))
    get_user(db, person_id)  # NotFound for a stranger id
    return person_id


def rest_context(request: HTMXRequest, db, now, **extra) -> dict:
    me = request.user
    person = policy_of(db, me.id)
    status = person_status(db, me.id, now, person)
    return {
        "area": "rest",
        "rest": status,
        "clock": rest_clock(status.rest_since, status.daily_rest_hours, now),
        "tz": person.rest.timezone,
        "explained": [
            explain(v, person.rest.timezone, person.rest.avg_weeks) for v in status.violations
        ],
        "limits": person.rest,
        "fatigue": latest_fatigue(db, me.id),
        "history": fatigue_history(db, me.id, limit=5),
        "kss": KSS_LABELS,
        "has_pattern": bool(get_pattern(db, me.id)),
        "ask": request.query_params.get("ask")
        if request.query_params.get("ask") in ASK_CONTEXTS
        else None,
        "rest_start": status.rest_since or now - timedelta(hours=8),
        "now": now,
        **extra,
    }


class RestController(Controller):
    include_in_schema = False
    guards = [requires_login]
    path = "/rest"

    @get("/")
    async def show(self, request: HTMXRequest, db: Db, clock: Now) -> Response:
        now = clock.now()

        def render() -> tuple[str, datetime]:
            html = render_page(request, "rest/index.html", rest_context(request, db, now))
            # The clock, the hours worked so far and the form's bounds show the minute.
            return html, next_minute(now)

        return kept_page(request, db, now, render)

    @get("/clock")
    async def clock(
        self, request: HTMXRequest, db: Db, clock: Now, where: FromQuery[str] = "rest"
    ) -> Template:
        """The clock alone, for the page to refresh it (Today shows it only while rest is owed)."""
        now = clock.now()
        person = policy_of(db, request.user.id)
        status = person_status(db, request.user.id, now, person)
        shown = where != "today" or status.state in ("rest_owed", "working_in_rest")
        return Template(
            "rest/_clock_slot.html",
            context={
                "rest": status if shown else None,
                "clock": rest_clock(status.rest_since, status.daily_rest_hours, now),
                "tz": person.rest.timezone,
                "where": "today" if where == "today" else "rest",
            },
        )

    @post("/fatigue")
    async def fatigue(self, request: HTMXRequest, db: Db, clock: Now) -> Response:
        now = clock.now()
        try:
            form = await read_form(request, FatigueIn)
        except InvalidInput:
            error = _("Choose a score from 1 (extremely alert) to 9 (fighting sleep).")
            if request.htmx:
                raise InvalidInput(error, field="score") from None
            context = rest_context(request, db, now, fatigue_error=error)
            return Template("rest/index.html", context=context, status_code=400)
        report = record_fatigue(db, request.user.id, form.score, context=form.context, now=now)
        if request.htmx:
            return Template(
                "rest/_fatigue.html",
                context={"fatigue": report, "kss": KSS_LABELS, "just_saved": True},
            )
        back = "/" if request.query_params.get("from") == "today" else "/rest"
        return Redirect(f"{back}?done=fatigue", status_code=303)

    @post("/declared")
    async def declared(self, request: HTMXRequest, db: Db, clock: Now) -> Response:
        now = clock.now()
        try:
            form = await read_form(request, DeclaredRestIn)
            zone = ZoneInfo(policy_of(db, request.user.id).rest.timezone)
            form = DeclaredRestIn(
                started_at=_aware(form.started_at, zone), ended_at=_aware(form.ended_at, zone)
            )
            declare_rest(db, request.user.id, form, actor=actor_of(request), now=now)
        except InvalidInput as error:
            context = rest_context(request, db, now, declared_error=error.message)
            return Template("rest/index.html", context=context, status_code=400)
        return Redirect("/rest?done=declared", status_code=303)

    @get("/pattern")
    async def pattern(
        self, request: HTMXRequest, db: Db, clock: Now, person: Person = None
    ) -> Template:
        person_id = person_for(request, db, person)
        return Template("rest/pattern.html", context=_pattern_context(db, person_id, clock.now()))

    @post("/pattern")
    async def save_pattern(
        self, request: HTMXRequest, db: Db, clock: Now, person: Person = None
    ) -> Response:
        person_id = person_for(request, db, person)
        now = clock.now()
        form = await read_form(request, PatternForm)
        try:
            pattern = parse_pattern(form)
        except InvalidInput as error:
            context = _pattern_context(
                db, person_id, now, error=error.message, error_field=error.field, values=form
            )
            return Template("rest/pattern.html", context=context, status_code=400)
        set_pattern(db, person_id, pattern, actor=actor_of(request), now=now)
        return Redirect(_pattern_url(request, person_id, "saved"), status_code=303)

    @post("/absences")
    async def add_absence(
        self, request: HTMXRequest, db: Db, clock: Now, person: Person = None
    ) -> Response:
        person_id = person_for(request, db, person)
        now = clock.now()
        try:
            absence = await read_form(request, AbsenceIn)
            add_absence(db, person_id, absence, actor=actor_of(request), now=now)
        except InvalidInput as error:
            context = _pattern_context(db, person_id, now, absence_error=error.message)
            return Template("rest/pattern.html", context=context, status_code=400)
        return Redirect(_pattern_url(request, person_id, "absence"), status_code=303)

    @post("/absences/{absence_id:int}/delete")
    async def remove_absence(
        self,
        request: HTMXRequest,
        absence_id: FromPath[int],
        db: Db,
        clock: Now,
        person: Person = None,
    ) -> Response:
        person_id = person_for(request, db, person)
        delete_absence(db, person_id, absence_id, actor=actor_of(request), now=clock.now())
        return Redirect(_pattern_url(request, person_id, "removed"), status_code=303)


def _aware(moment, zone):
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _pattern_url(request: HTMXRequest, person_id: int, done: str) -> str:
    query = f"person={person_id}&" if person_id != request.user.id else ""
    return f"/rest/pattern?{query}done={done}"


def _pattern_context(db, person_id: int, now, **extra) -> dict:
    pattern = get_pattern(db, person_id)
    policy = policy_of(db, person_id)
    today = now.astimezone(policy.rest.zone).date()
    values = extra.pop("values", None)
    return {
        "area": "rest",
        "person": get_user(db, person_id),
        "days": [
            (field, getattr(values, field) if values else format_day(pattern, weekday))
            for weekday, field in enumerate(WEEKDAY_FIELDS)
        ],
        "absences": absences_between(
            db, person_id, today - timedelta(days=31), today + timedelta(days=366)
        ),
        "absence_kinds": ABSENCE_LABELS,
        "alsace": policy.alsace_moselle,
        "today": today,
        **extra,
    }
