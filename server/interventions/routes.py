"""Interventions' pages: mine, the team's for managers, detail with correction, CSV export, and
a form that also works without JS, to log one or, for its owner, to change one already synced
(the phone's outbox syncs through api.py)."""

from __future__ import annotations

import contextlib
import uuid as uuidlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from server.auth.guards import requires_login
from server.clients.access import reads
from server.clients.store.lookup import client_card
from server.deps import Db, Now
from server.errors import Forbidden, InvalidInput, NotFound
from server.i18n import gettext as _
from server.interventions.corrections import correct
from server.interventions.export import csv_response
from server.interventions.forms import form_data, form_values
from server.interventions.models import LIMITS, AlertChoice, CreateOp, Intervention, UpdateOp
from server.interventions.models import UUID as RecordId
from server.interventions.own_edits import OwnEdit, own_edit
from server.interventions.panels import panels_for
from server.interventions.rules import (
    OWNER_EDIT_WINDOW,
    TOO_LATE_FOR_OWNER,
    owner_edit_deadline,
    owner_may_change,
    problem,
)
from server.interventions.store import (
    alert_choice,
    alert_choices,
    get_intervention,
    list_interventions,
)
from server.interventions.sync import apply_operation
from server.page_cache import kept_page, next_minute
from server.teams.store import list_teams, members
from server.web import render_page

# The team's list on a page; the CSV export has every matching row.
TEAM_PAGE_ROWS = 2000


class InterventionsController(Controller):
    include_in_schema = False
    path = "/interventions"
    guards = [requires_login]

    @get("/")
    async def mine(self, request: Request, db: Db, clock: Now) -> Response:
        now = clock.now()

        def render() -> tuple[str, datetime]:
            items = list_interventions(db, user_id=request.user.id, limit=50)
            # Their pages are fetched ahead by the phone, to change them with no network.
            changeable = {i.uuid for i in items if owner_may_change(i.ended_at, i.created_at, now)}
            context = {
                "area": "interventions",
                "items": items,
                "changeable": changeable,
                # "As of" shows the minute: the page holds for that minute, as of its start.
                "rendered_at": now.replace(second=0, microsecond=0),
            }
            html = render_page(request, "interventions/index.html", context)
            # …and until the first of them leaves the window in which its owner may change it.
            deadlines = [owner_edit_deadline(i.ended_at, i.created_at) for i in items]
            closing = [d + timedelta(microseconds=1) for d in deadlines if d >= now]
            return html, min([next_minute(now), *closing])

        return kept_page(request, db, now, render)

    def _form_context(self, request: Request, db, now: datetime, **extra) -> dict:
        team_ids = list(request.user.team_ids)
        alerts = alert_choices(db, team_ids, limit=20) if team_ids else []
        return {
            "area": "interventions",
            "alerts": alerts,
            "rendered_at": now,
            "new_uuid": str(uuidlib.uuid4()),
            "limits": LIMITS,
            "edit_window_days": OWNER_EDIT_WINDOW.days,
            **extra,
        }

    def _edit_context(self, request: Request, db, now: datetime, record: str, **extra) -> dict:
        """The form changing the person's own synced intervention, filled with what is stored."""
        item, mine = _own_record(request, db, now, record)
        context = self._form_context(request, db, now, editing=mine, **extra)
        context.setdefault("values", form_values(item))
        if item.alert_id is not None and all(a.id != item.alert_id for a in context["alerts"]):
            with contextlib.suppress(NotFound):
                context["alerts"] = [alert_choice(db, item.alert_id), *context["alerts"]]
        return context

    @get("/new")
    async def new(
        self,
        request: Request,
        db: Db,
        clock: Now,
        alert: FromQuery[int | None] = None,
        edit: FromQuery[str | None] = None,
    ) -> Template:
        if edit:
            context = self._edit_context(request, db, clock.now(), edit)
            return Template("interventions/form.html", context=_with_client(request, db, context))
        context = self._form_context(request, db, clock.now())
        linked = _linkable_alert(request, db, alert)
        if linked is not None:
            # "Log the intervention" from an alert's page: the form answers that alert.
            if all(a.id != linked.id for a in context["alerts"]):
                context["alerts"] = [linked, *context["alerts"]]
            context["values"] = {
                "alert_id": linked.id,
                "client_id": linked.client_id,
                "site_id": linked.site_id if linked.client_id else None,
            }
        return Template("interventions/form.html", context=_with_client(request, db, context))

    @post("/new")
    async def create(self, request: Request, db: Db, clock: Now) -> Response:
        """Without JavaScript the form posts here; with it, the phone's outbox syncs instead."""
        form = dict(await request.form())
        now = clock.now()
        zone = request.user.timezone
        edit = str(form.get("edit") or "")

        def again(error: str) -> Template:
            """The form shown again with what was typed and why it was refused."""
            if edit:
                context = self._edit_context(request, db, now, edit, error=error, values=form)
            else:
                context = self._form_context(request, db, now, error=error, values=form)
            context = _with_client(request, db, context)
            return Template("interventions/form.html", status_code=400, context=context)

        # A change of their own synced record keeps what the form leaves out (its position).
        stored = _own_record(request, db, now, edit)[0] if edit else None
        try:
            data = form_data(form, zone, stored)
        except msgspec.ValidationError:
            return again(_("Please check the times and the fields."))
        if stored is not None:
            # The server's own version plus one: without JavaScript the page is always fresh.
            op = UpdateOp(
                op_id=str(uuidlib.uuid4()),
                uuid=stored.uuid,
                version=stored.client_version + 1,
                changed_at=now,
                data=data,
            )
        else:
            # Checked as the sync endpoint checks it (built by hand, a Struct checks nothing).
            try:
                record_uuid = msgspec.convert(str(form.get("uuid") or uuidlib.uuid4()), RecordId)
            except msgspec.ValidationError:
                return again(_("This form's record number is not valid: please save it again."))
            op = CreateOp(
                op_id=str(uuidlib.uuid4()), uuid=record_uuid, version=1, changed_at=now, data=data
            )
        result = apply_operation(db, request.user, op, now)
        if result.status == "rejected":
            return again(result.reason)
        return Redirect("/interventions?done=saved", status_code=303)

    @get("/team")
    async def team(
        self,
        request: Request,
        db: Db,
        clock: Now,
        team: FromQuery[int | None] = None,
        person: FromQuery[int | None] = None,
        outcome: FromQuery[str | None] = None,
        start: FromQuery[str | None] = None,
        end: FromQuery[str | None] = None,
        alert: FromQuery[int | None] = None,
    ) -> Response:
        me = request.user
        if not me.is_manager:
            raise Forbidden(_("You are not allowed to do this."))
        teams = [t for t in list_teams(db) if me.manages(t.id)]
        if team is not None and not me.manages(team):
            raise Forbidden(_("You do not manage this team."))
        chosen = next((t for t in teams if t.id == team), teams[0] if teams else None)
        if chosen is None:
            raise Forbidden(_("You do not manage any team."))
        zone = ZoneInfo(chosen.timezone)
        today = clock.now().astimezone(zone).date()
        first = _day(start, today - timedelta(days=30))
        last = _day(end, today)
        # Every filter in SQL, before any limit: a filter applied afterwards would lose rows.
        matching = {
            "team_ids": [chosen.id],
            "user_id": person or None,
            "start": datetime.combine(first, time(0), zone),
            "end": datetime.combine(last + timedelta(days=1), time(0), zone),
            "alert_id": alert,
            "outcome": outcome or None,
        }
        if request.url.path.endswith(".csv") or request.query_params.get("format") == "csv":
            return csv_response(list_interventions(db, **matching, limit=None), chosen.timezone)
        # One more than shown, to know whether the page holds them all.
        items = list_interventions(db, **matching, limit=TEAM_PAGE_ROWS + 1)
        people = [(m.user_id, m.name) for m in members(db, chosen.id)]
        alerts = alert_choices(db, [chosen.id], limit=50)
        return Template(
            "interventions/team.html",
            context={
                "area": "interventions",
                "teams": teams,
                "team": chosen,
                "items": items[:TEAM_PAGE_ROWS],
                "capped": len(items) > TEAM_PAGE_ROWS,
                "shown": TEAM_PAGE_ROWS,
                "people": people,
                "alerts": alerts,
                "filters": {
                    "person": person,
                    "outcome": outcome or "",
                    "start": first,
                    "end": last,
                    "alert": alert,
                },
            },
        )

    @get("/{record:str}")
    async def show(self, request: Request, record: FromPath[str], db: Db, clock: Now) -> Template:
        item = get_intervention(db, record)
        me = request.user
        if item.user_id != me.id and not (item.team_id and me.manages(item.team_id)):
            raise Forbidden(_("You are not allowed to do this."))
        can_correct = bool(item.team_id and me.manages(item.team_id))
        # The client and site by name (never the site's access: that is on the alert's and
        # the client's pages); an erased client is named nowhere.
        client = client_card(db, item.client_id, item.site_id) if item.client_id else None
        return Template(
            "interventions/show.html",
            context={
                "area": "interventions",
                "item": item,
                "client": client,
                "client_link": client is not None and reads(me, client.team_id),
                "own_edit": own_edit(item, me.id, clock.now()),
                "edit_window_days": OWNER_EDIT_WINDOW.days,
                "can_correct": can_correct,
                "alerts": _correctable_alerts(db, item) if can_correct else [],
                "limits": LIMITS,
                # What the domains above add (the quality review): server/interventions/panels.py
                "panels": panels_for(db, item, me),
            },
        )

    @post("/{record:str}/correct")
    async def correct(
        self, request: Request, record: FromPath[str], db: Db, clock: Now
    ) -> Response:
        item = get_intervention(db, record)
        me = request.user
        if not (item.team_id and me.manages(item.team_id)):
            raise Forbidden(_("You can only correct interventions of the teams you manage."))
        form = dict(await request.form())
        zone = me.timezone
        try:
            data = form_data(form, zone, item)
        except msgspec.ValidationError:
            raise InvalidInput(_("Please check the times and the fields.")) from None
        wrong = problem(data, clock.now())
        if wrong:
            raise InvalidInput(_(wrong[0]), field=wrong[1])
        correct(db, record, data, manager=me, now=clock.now())
        return Redirect(f"/interventions/{record}?done=corrected", status_code=303)


def _own_record(request: Request, db, now: datetime, record: str) -> tuple[Intervention, OwnEdit]:
    """The person's own intervention and their edit of it; refused to anyone else, and to its
    owner once their window has closed (a manager corrects it then)."""
    item = get_intervention(db, record)
    mine = own_edit(item, request.user.id, now)
    if mine is None:
        raise Forbidden(_("You are not allowed to do this."))
    if not mine.allowed:
        raise Forbidden(_(TOO_LATE_FOR_OWNER, days=OWNER_EDIT_WINDOW.days))
    return item, mine


def _correctable_alerts(db, item: Intervention) -> list[AlertChoice]:
    """The alerts a correction may link: the team's recent ones, and the one linked now even if
    it is older, so that saving the form never unlinks it by accident."""
    alerts = alert_choices(db, [item.team_id], limit=20)
    if item.alert_id is not None and all(a.id != item.alert_id for a in alerts):
        with contextlib.suppress(NotFound):
            alerts = [alert_choice(db, item.alert_id), *alerts]
    return alerts


def _linkable_alert(request: Request, db, alert_id: int | None):
    """The alert named by ?alert= if this person may answer it (an alert of one of their teams);
    otherwise None, and the form says nothing of it."""
    if alert_id is None:
        return None
    with contextlib.suppress(NotFound):
        alert = alert_choice(db, alert_id)
        if request.user.is_admin or alert.team_id in request.user.team_ids:
            return alert
    return None


def _with_client(request: Request, db, context: dict) -> dict:
    """The form's context with the client it names, to show by name (the phone's list shows it
    too, offline); only a client of the person's teams: a posted id names nobody else's."""
    values = context.get("values") or {}
    client_id, site_id = _row_id(values.get("client_id")), _row_id(values.get("site_id"))
    card = client_card(db, client_id, site_id) if client_id else None
    if card is not None and card.team_id in request.user.team_ids:
        context["client"] = card
    return context


def _row_id(value: object) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 16 else None


def _day(value: str | None, default: date) -> date:
    """A filter's day from the query, or the default when absent or not a date."""
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


__all__ = ["InterventionsController", "NotAuthorizedException"]
