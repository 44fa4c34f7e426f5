"""The manager's schedule page and publishing with notice (its preview as the range changes)."""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import FromQuery, QueryParameter
from litestar.response import Redirect, Template
from litestar_htmx import HTMXRequest

from server.auth.actor import actor_of
from server.auth.guards import requires_manager
from server.auth.team_scope import MANAGED_TEAM, ManagedTeam, managed_team
from server.deps import Db, Now
from server.errors import DomainError, InvalidInput
from server.i18n import gettext as _
from server.schedules.coming import parse_day
from server.schedules.gaps import coverage_gaps
from server.schedules.models import PublishForm
from server.schedules.publish_range import day_range
from server.schedules.routes.manage_page import (
    card_response,
    done_response,
    form_values,
    manage_context,
)
from server.schedules.workflow import preview_publish, publish
from server.web import read_form


def override_prefill(params, names: dict[int, str]) -> dict:
    """The override form filled in from the address (a link from a request that could not be
    made, for the shift it was about); only well-formed values are kept, the rest stays blank."""
    values: dict = {}
    if params.get("override_layer") in ("primary", "secondary"):
        values["layer"] = params["override_layer"]
    for key, name in (("override_from", "starts_at"), ("override_to", "ends_at")):
        with contextlib.suppress(ValueError):
            values[name] = datetime.fromisoformat(params.get(key, "")).strftime("%Y-%m-%dT%H:%M")
    if params.get("override_exceptional") == "true":
        values["exceptional"] = True
    replacing = params.get("override_replacing", "")
    if replacing.isdigit() and int(replacing) in names:
        values["replacing"] = names[int(replacing)]
    return values


class ManageScheduleController(Controller):
    include_in_schema = False
    path = "/schedule/manage"
    guards = [requires_manager]

    @get("/", dependencies=MANAGED_TEAM)
    async def index(
        self,
        request: HTMXRequest,
        db: Db,
        clock: Now,
        chosen: ManagedTeam,
        from_: Annotated[str | None, QueryParameter(name="from")] = None,
    ) -> Template:
        context = manage_context(request, db, chosen, clock.now(), parse_day(from_))
        prefill = override_prefill(request.query_params, context["names"])
        if prefill:
            context["override_values"] = prefill
        return Template("schedules/manage.html", context=context)

    @get("/publish/preview")
    async def publish_preview(
        self,
        request: HTMXRequest,
        db: Db,
        clock: Now,
        team: FromQuery[int],
        start: FromQuery[str],
        end: FromQuery[str],
    ) -> Template:
        chosen = managed_team(request, db, team)
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError:
            raise InvalidInput(_("Please check the dates.")) from None
        now = clock.now()
        preview = preview_publish(db, chosen, first, last, now)
        # What would still page nobody once this range is published (the past left out): the
        # stretches nobody is planned for. Edges held by drafts outside the range are not this
        # publication's business, and with nothing to publish there is nothing to warn of.
        gaps = []
        if preview.shifts:
            start, end = day_range(chosen, first, last)
            found = coverage_gaps(db, chosen.id, max(start, now), end, preview.shifts)
            gaps = [g._replace(unpublished=[]) for g in found if g.holes]
        return Template(
            "schedules/_publish_preview.html",
            context={"preview": preview, "team": chosen, "gaps": gaps},
        )

    @post("/publish")
    async def publish(
        self, request: HTMXRequest, db: Db, clock: Now, team: FromQuery[int]
    ) -> Response:
        chosen = managed_team(request, db, team)
        now = clock.now()
        try:
            form = await read_form(request, PublishForm)
            count = publish(
                db,
                chosen,
                form.start,
                form.end,
                exceptional=form.exceptional,
                reason=form.reason,
                actor=actor_of(request),
                now=now,
            )
        except DomainError as error:
            raw = await request.form()
            extra = {
                "publish_error": error.message,
                "publish_field": error.field,
                "publish_values": form_values(raw, "reason"),
            }
            for key in ("start", "end"):
                with contextlib.suppress(ValueError):
                    extra[f"publish_{key}"] = date.fromisoformat(str(raw.get(key, "")))
            context = manage_context(request, db, chosen, now, **extra)
            return card_response(request, "schedules/_publish_card.html", context, error.status)
        return done_response(request, f"/schedule/manage?team={chosen.id}&done=published-{count}")

    @get("/publish", dependencies=MANAGED_TEAM)
    async def publish_page(self, chosen: ManagedTeam) -> Redirect:
        """The address a refused publication was shown at reloads to the page (of a team the
        manager manages: the redirect says nothing of another team)."""
        return Redirect(f"/schedule/manage?team={chosen.id}#publish-card", status_code=303)
