"""The monthly service review's pages: a team's month (or its PDF at `{YYYY-MM}.pdf`) for the
team's members, managers and admins, and the actions its managers add, edit, mark done,
reopen and delete (plain forms that htmx turns into swaps of the actions card).

Litestar matches whole path segments, so `{YYYY-MM}` and `{YYYY-MM}.pdf` are one route: the
page's handler serves the PDF when the segment ends with `.pdf` (statements/links.py tells
why the statements' CSV went elsewhere instead)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar_htmx import HTMXRequest

from server.auth.actor import actor_of
from server.auth.guards import requires_login, requires_manager
from server.db import Database
from server.deps import Config, Db, Now
from server.errors import InvalidInput
from server.i18n import current_locale
from server.reviews import actions, views
from server.reviews.pdf import pdf_file_name, render_pdf
from server.reviews.texts import page_helpers
from server.statements.views import shift_month
from server.teams.models import Team

PDF_SUFFIX = ".pdf"


def review_url(team_id: int, month: str) -> str:
    return f"/teams/{team_id}/reviews/{month}"


def page_context(request: Request, db: Database, team: Team, month: str, now, **extra) -> dict:
    found = views.review(db, team, month, now)
    return {
        "area": "team",
        "review": found,
        "next_month": shift_month(month, 1),
        **card_context(request, db, team, month, found.actions, **extra),
    }


def card_context(request: Request, db: Database, team: Team, month: str, lines, **extra) -> dict:
    """What the actions card needs, alone (htmx) or in the page."""
    return {
        "team": team,
        "month": month,
        "lines": lines,
        "can_write": request.user.manages(team.id),
        "people": views.assignable(db, team) if request.user.manages(team.id) else [],
        "done": request.query_params.get("done"),
        **page_helpers(),
        **extra,
    }


class ReviewsController(Controller):
    """A team's review of a month, read by its members, managers and admins."""

    include_in_schema = False
    guards = [requires_login]
    path = "/teams/{team_id:int}/reviews"

    @get("/")
    async def latest(
        self, request: Request, db: Db, clock: Now, team_id: FromPath[int]
    ) -> Redirect:
        """The last month that has ended: the one a review meeting looks back on."""
        team = views.readable_team(db, request.user, team_id)
        month = views.last_complete_month(clock.now(), team)
        return Redirect(review_url(team.id, month), status_code=303)

    @get("/{month:str}")
    async def month(
        self,
        request: HTMXRequest,
        db: Db,
        clock: Now,
        settings: Config,
        team_id: FromPath[int],
        month: FromPath[str],
    ) -> Response:
        now = clock.now()
        team = views.readable_team(db, request.user, team_id)
        as_pdf = month.endswith(PDF_SUFFIX)
        month = views.review_month(month.removesuffix(PDF_SUFFIX), now, team)
        if not as_pdf:
            return Template(
                "reviews/month.html", context=page_context(request, db, team, month, now)
            )
        content = render_pdf(
            views.review(db, team, month, now),
            locale=current_locale.get(),
            company=settings.company_name,
            now=now,
        )
        return Response(
            content=content,
            media_type="application/pdf",
            headers={
                "content-disposition": f'attachment; filename="{pdf_file_name(team, month)}"',
                # The team's business, and the month under way changes: no shared cache.
                "cache-control": "private, no-store",
            },
        )


class ReviewActionsController(Controller):
    """The actions a team decided, written by its managers from a month's review."""

    include_in_schema = False
    guards = [requires_manager]
    path = "/teams/{team_id:int}/reviews/{month:str}/actions"

    async def _write(
        self,
        request: HTMXRequest,
        db: Database,
        now,
        team_id: int,
        month: str,
        write,
        done: str,
        action_id: int | None = None,
    ) -> Response:
        team = views.managed_team(db, request.user, team_id)
        month = views.review_month(month, now, team)
        form = await request.form()
        values = {key: str(value) for key, value in form.items() if not key.startswith("_")}
        try:
            write(team, month, values)
        except InvalidInput as error:
            extra = {
                "error": error.message,
                "error_field": error.field,
                "error_action": action_id,
                "values": values,
            }
            if request.htmx:
                lines = views.action_lines(db, team, month, now)
                context = card_context(request, db, team, month, lines, **extra)
                return Template("reviews/_actions.html", context=context, status_code=error.status)
            context = page_context(request, db, team, month, now, **extra)
            return Template("reviews/month.html", context=context, status_code=error.status)
        if request.htmx:
            lines = views.action_lines(db, team, month, now)
            context = card_context(request, db, team, month, lines, done=done)
            return Template("reviews/_actions.html", context=context)
        return Redirect(f"{review_url(team.id, month)}?done={done}#actions", status_code=303)

    @post("/")
    async def add(
        self, request: HTMXRequest, db: Db, clock: Now, team_id: FromPath[int], month: FromPath[str]
    ) -> Response:
        now = clock.now()

        def write(team: Team, month: str, values: dict) -> None:
            actions.add_action(db, team.id, month, values, actor=actor_of(request), now=now)

        return await self._write(request, db, now, team_id, month, write, "added")

    @post("/{action_id:int}")
    async def edit(
        self,
        request: HTMXRequest,
        db: Db,
        clock: Now,
        team_id: FromPath[int],
        month: FromPath[str],
        action_id: FromPath[int],
    ) -> Response:
        now = clock.now()

        def write(team: Team, month: str, values: dict) -> None:
            actions.edit_action(db, team.id, action_id, values, actor=actor_of(request), now=now)

        return await self._write(request, db, now, team_id, month, write, "saved", action_id)

    @post("/{action_id:int}/done")
    async def mark_done(
        self,
        request: HTMXRequest,
        db: Db,
        clock: Now,
        team_id: FromPath[int],
        month: FromPath[str],
        action_id: FromPath[int],
    ) -> Response:
        now = clock.now()

        def write(team: Team, month: str, values: dict) -> None:
            actions.set_done(db, team.id, action_id, True, actor=actor_of(request), now=now)

        return await self._write(request, db, now, team_id, month, write, "done", action_id)

    @post("/{action_id:int}/reopen")
    async def reopen(
        self,
        request: HTMXRequest,
        db: Db,
        clock: Now,
        team_id: FromPath[int],
        month: FromPath[str],
        action_id: FromPath[int],
    ) -> Response:
        now = clock.now()

        def write(team: Team, month: str, values: dict) -> None:
            actions.set_done(db, team.id, action_id, False, actor=actor_of(request), now=now)

        return await self._write(request, db, now, team_id, month, write, "reopened", action_id)

    @post("/{action_id:int}/delete")
    async def delete(
        self,
        request: HTMXRequest,
        db: Db,
        clock: Now,
        team_id: FromPath[int],
        month: FromPath[str],
        action_id: FromPath[int],
    ) -> Response:
        now = clock.now()

        def write(team: Team, month: str, values: dict) -> None:
            actions.delete_action(db, team.id, action_id, actor=actor_of(request), now=now)

        return await self._write(request, db, now, team_id, month, write, "deleted", action_id)
