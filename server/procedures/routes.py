"""The procedures' pages: a team's list and search, a new procedure; a procedure's page
(rendered text, version, owner, review date, who read it, "I have read it", history), a kept
version with its difference, the edit form. Members read, managers and the owner write
(access.py); every form also works without JavaScript (POST then redirect)."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import time as dt_time
from functools import lru_cache
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar_htmx import HTMXRequest

from server.auth.actor import actor_of
from server.auth.guards import requires_login
from server.db import Database
from server.deps import Db, Now
from server.errors import DomainError, InvalidInput, NotFound
from server.i18n import gettext as _
from server.page_cache import kept_page
from server.procedures import access, workflow
from server.procedures.models import Procedure
from server.procedures.rendering import render_markdown
from server.procedures.rules import diff_lines, is_stale, procedure_input
from server.procedures.store import procedures as store
from server.teams.models import Team
from server.teams.store import get_team, members
from server.web import render_page


def procedure_url(procedure_id: int) -> str:
    return f"/procedures/{procedure_id}"


@lru_cache(maxsize=256)
def _difference(before: str, after: str) -> list:
    """Two kept versions never change: their difference is computed once per process."""
    return diff_lines(before, after)


def _place_names(database: Database, procedure: Procedure) -> dict[tuple[str, str], str]:
    """The names of the clients and sites a procedure is tagged with (read only when it has
    such a tag: a team may have thousands of clients)."""
    if not any(tag.kind in ("client", "site") for tag in procedure.tags):
        return {}
    return {
        (kind, str(row[f"{kind}_id"])): row[f"{kind}_name"]
        for row in store.team_places(database, procedure.team_id)
        for kind in ("client", "site")
        if row[f"{kind}_id"] is not None
    }


def _values(form) -> dict[str, str]:
    return {key: str(value) for key, value in form.items() if isinstance(value, str)}


def _form_context(
    database: Database, team: Team, procedure: Procedure | None, values: dict | None, **extra
) -> dict:
    places = store.team_places(database, team.id)
    clients = {row["client_id"]: row["client_name"] for row in places}
    sites = [row for row in places if row["site_id"] is not None]
    chosen = {(tag.kind, tag.value) for tag in procedure.tags} if procedure else set()
    if values is not None:
        chosen = {("client", v) for v in values.get("_clients", [])} | {
            ("site", v) for v in values.get("_sites", [])
        }
    tags = procedure.tags if procedure else ()
    return {
        "area": "team",
        "team": team,
        "procedure": procedure,
        "values": values,
        "owners": [m for m in members(database, team.id) if m.active],
        "clients": clients,
        "sites": sites,
        "chosen": chosen,
        "sources": "\n".join(t.value for t in tags if t.kind == "source"),
        "labels": "\n".join(t.value for t in tags if t.kind == "label"),
        **extra,
    }


async def _read_form(request: Request):
    form = await request.form()
    values = _values(form)
    clients, sites = form.getall("clients", []), form.getall("sites", [])
    return values, clients, sites


def _refused(database, team, procedure, values, clients, sites, error: DomainError) -> Template:
    context = _form_context(
        database,
        team,
        procedure,
        {**values, "_clients": clients, "_sites": sites},
        error=error.message,
        error_field=error.field,
    )
    return Template("procedures/form.html", context=context, status_code=error.status)


class TeamProceduresController(Controller):
    """A team's procedures: read by its members, written by its managers."""

    include_in_schema = False
    guards = [requires_login]
    path = "/teams/{team_id:int}"

    @get("/procedures")
    async def index(
        self,
        request: HTMXRequest,
        db: Db,
        clock: Now,
        team_id: FromPath[int],
        q: FromQuery[str] = "",
    ) -> Template:
        """The team's procedures by title, or those a search finds (htmx: the results alone)."""
        team = access.readable_team(db, request.user, team_id)
        query = q.strip()[:200]
        context = {
            "area": "team",
            "team": team,
            "q": query,
            "procedures": store.team_procedures(db, team.id, query),
            "limit": store.SEARCH_LIMIT,
            "read_counts": store.current_read_counts(db, team.id),
            "member_count": store.active_member_count(db, team.id),
            "today": workflow.team_today(team, clock.now()),
            "is_stale": is_stale,
            "can_write": request.user.manages(team.id),
            "done": request.query_params.get("done"),
        }
        if request.htmx and request.htmx.target == "procedure-results":
            return Template("procedures/_results.html", context=context)
        return Template("procedures/list.html", context=context)

    @get("/procedures/new")
    async def new_form(self, request: Request, db: Db, team_id: FromPath[int]) -> Template:
        team = access.writable_team(db, request.user, team_id)
        return Template("procedures/form.html", context=_form_context(db, team, None, None))

    @post("/procedures/new")
    async def create(
        self, request: Request, db: Db, clock: Now, team_id: FromPath[int]
    ) -> Response:
        team = access.writable_team(db, request.user, team_id)
        values, clients, sites = await _read_form(request)
        try:
            data = procedure_input(values, clients=clients, sites=sites)
            created = workflow.create_procedure(
                db,
                team,
                data,
                author_id=request.user.id,
                actor=actor_of(request),
                now=clock.now(),
            )
        except DomainError as error:
            return _refused(db, team, None, values, clients, sites, error)
        return Redirect(f"{procedure_url(created.id)}?done=created", status_code=303)


class ProceduresController(Controller):
    """One procedure: its page for the team, its changes for its managers and owner."""

    include_in_schema = False
    guards = [requires_login]
    path = "/procedures/{procedure_id:int}"

    @get("/")
    async def show(
        self, request: HTMXRequest, db: Db, clock: Now, procedure_id: FromPath[int]
    ) -> Response:
        me = request.user
        now = clock.now()

        def render() -> tuple[str, datetime]:
            # Checked on each render: a kept copy is this person's, and any change of who may
            # read it (a membership, an archive) is a write, after which it is rendered again.
            procedure = access.readable_procedure(db, me, procedure_id)
            team = get_team(db, procedure.team_id)
            versions = store.versions_of(db, procedure.id)
            readers = store.readers(db, team.id, procedure.id)
            previous = versions[1] if len(versions) > 1 else None
            today = workflow.team_today(team, now)
            context = {
                "area": "team",
                "team": team,
                "procedure": procedure,
                "html": render_markdown(procedure.body, procedure.id, procedure.version),
                "stale": is_stale(procedure.review_on, today),
                "versions": versions,
                "readers": readers,
                "read_current": [r for r in readers if r.version == procedure.version],
                "not_read": [r for r in readers if r.version != procedure.version],
                "i_read": any(
                    r.user_id == me.id and r.version == procedure.version for r in readers
                ),
                "in_team": procedure.team_id in me.team_ids,
                "diff": _difference(previous.body, procedure.body) if previous else [],
                "previous": previous,
                "can_write": access.writes(me, procedure),
                "done": request.query_params.get("done"),
                "places": _place_names(db, procedure),
            }
            html = render_page(request, "procedures/show.html", context)
            # Kept until a write or the team's next midnight, when "stale" may turn on.
            midnight = datetime.combine(
                today + timedelta(days=1), dt_time.min, tzinfo=ZoneInfo(team.timezone)
            )
            return html, midnight

        # A page read in the field, often (bench/RESULTS.md, "procedures"): kept rendered per
        # person like the bottom bar's pages (server/page_cache.py).
        return kept_page(request, db, now, render)

    @get("/versions/{version:int}")
    async def version(
        self, request: Request, db: Db, procedure_id: FromPath[int], version: FromPath[int]
    ) -> Template:
        """A kept version as it read, and what it changed from the one before."""
        procedure = access.readable_procedure(db, request.user, procedure_id)
        versions = {v.version: v for v in store.versions_of(db, procedure.id)}
        if version not in versions:
            raise NotFound(_("This version does not exist."))
        shown = versions[version]
        previous = versions.get(version - 1)
        context = {
            "area": "team",
            "procedure": procedure,
            "shown": shown,
            "previous": previous,
            "html": render_markdown(shown.body, procedure.id, shown.version),
            "diff": _difference(previous.body, shown.body) if previous else [],
        }
        return Template("procedures/version.html", context=context)

    @get("/edit")
    async def edit_form(self, request: Request, db: Db, procedure_id: FromPath[int]) -> Template:
        procedure = access.writable_procedure(db, request.user, procedure_id)
        team = get_team(db, procedure.team_id)
        return Template("procedures/form.html", context=_form_context(db, team, procedure, None))

    @post("/edit")
    async def edit(
        self, request: Request, db: Db, clock: Now, procedure_id: FromPath[int]
    ) -> Response:
        procedure = access.writable_procedure(db, request.user, procedure_id)
        team = get_team(db, procedure.team_id)
        values, clients, sites = await _read_form(request)
        try:
            raw = values.get("version", "").strip()
            if not raw.isdigit():
                raise InvalidInput(_("The form is incomplete: open it again."), field="version")
            data = procedure_input(values, clients=clients, sites=sites)
            workflow.update_procedure(
                db,
                procedure,
                team,
                int(raw),
                data,
                author_id=request.user.id,
                actor=actor_of(request),
                now=clock.now(),
            )
        except DomainError as error:
            return _refused(db, team, procedure, values, clients, sites, error)
        return Redirect(f"{procedure_url(procedure.id)}?done=saved", status_code=303)

    @post("/read")
    async def read(
        self, request: HTMXRequest, db: Db, clock: Now, procedure_id: FromPath[int]
    ) -> Response:
        """ "I have read version N" (the version shown, sent with the button)."""
        procedure = access.readable_procedure(db, request.user, procedure_id)
        raw = _values(await request.form()).get("version", "").strip()
        if not raw.isdigit():
            raise InvalidInput(_("The form is incomplete: open it again."), field="version")
        workflow.mark_read(db, procedure, request.user.id, int(raw), clock.now())
        return Redirect(f"{procedure_url(procedure.id)}?done=read#read", status_code=303)
