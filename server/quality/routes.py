"""The quality review's pages: a team's queue and checklist for its managers
(`/teams/{id}/quality`), and an intervention's review (`/interventions/{uuid}/review`),
written by the team's managers, read and answered by the technician. Plain forms that htmx
turns into swaps of the review card."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar_htmx import HTMXRequest

from server.auth.actor import actor_of
from server.auth.guards import requires_login, requires_manager
from server.db import Database
from server.deps import Db, Now
from server.errors import DomainError, Forbidden
from server.i18n import gettext as _
from server.interventions.models import Intervention
from server.quality import views, workflow
from server.quality.models import RESULTS
from server.quality.texts import RESULT_LABELS, item_label, reason_text


def helpers() -> dict:
    return {
        "item_label": item_label,
        "reason_text": reason_text,
        "result_labels": RESULT_LABELS,
        "results": RESULTS,
    }


def _values(form) -> dict[str, str]:
    return {key: str(value) for key, value in form.items() if not key.startswith("_")}


class QualityQueueController(Controller):
    """A team's review queue and its checklist, for the team's managers and admins."""

    include_in_schema = False
    guards = [requires_manager]
    path = "/teams/{team_id:int}/quality"

    @get("/")
    async def queue(self, request: Request, db: Db, team_id: FromPath[int]) -> Template:
        team = views.managed_team(db, request.user, team_id)
        return Template(
            "quality/queue.html",
            context={
                "area": "team",
                "page": views.queue_page(db, team),
                "done": request.query_params.get("done"),
                **helpers(),
            },
        )

    @get("/checklist")
    async def checklist(self, request: Request, db: Db, team_id: FromPath[int]) -> Template:
        team = views.managed_team(db, request.user, team_id)
        return _checklist_page(request, db, team)

    @post("/checklist")
    async def save_checklist(
        self, request: Request, db: Db, clock: Now, team_id: FromPath[int]
    ) -> Response:
        team = views.managed_team(db, request.user, team_id)
        text = str((await request.form()).get("items") or "")
        try:
            workflow.save_checklist(db, team.id, text, actor=actor_of(request), now=clock.now())
        except DomainError as error:
            return _checklist_page(
                request, db, team, error=error.message, text=text, status=error.status
            )
        return Redirect(f"/teams/{team.id}/quality?done=checklist", status_code=303)


def _checklist_page(request, db, team, *, error=None, text=None, status=200) -> Template:
    if text is None:
        text = "\n".join(item_label(i) for i in workflow.checklist(db, team.id))
    return Template(
        "quality/checklist.html",
        context={"area": "team", "team": team, "text": text, "error": error},
        status_code=status,
    )


class ReviewController(Controller):
    """An intervention's review: its team's managers write it, its technician reads it,
    answers it and says when the follow-up asked for is done."""

    include_in_schema = False
    guards = [requires_login]
    path = "/interventions/{record:str}/review"

    @get("/")
    async def show(self, request: HTMXRequest, db: Db, record: FromPath[str]) -> Template:
        item = views.reviewed_intervention(db, request.user, record)
        return _review_response(request, db, item)

    @post("/")
    async def save(
        self, request: HTMXRequest, db: Db, clock: Now, record: FromPath[str]
    ) -> Response:
        item = views.reviewed_intervention(db, request.user, record)
        if not views.may_review(request.user, item):
            raise Forbidden(_("Only the team's managers review its interventions, not their own."))
        values = _values(await request.form())

        def write() -> None:
            workflow.save_review(
                db,
                item,
                values,
                reviewer=request.user,
                actor=actor_of(request),
                now=clock.now(),
            )

        return _write(request, db, item, write, "saved", values)

    @post("/answer")
    async def answer(
        self, request: HTMXRequest, db: Db, clock: Now, record: FromPath[str]
    ) -> Response:
        item = views.reviewed_intervention(db, request.user, record)
        values = _values(await request.form())

        def write() -> None:
            workflow.answer_review(
                db, item, values.get("answer", ""), user=request.user, now=clock.now()
            )

        return _write(request, db, item, write, "answered", values)

    @post("/follow-up/done")
    async def follow_up_done(
        self, request: HTMXRequest, db: Db, clock: Now, record: FromPath[str]
    ) -> Response:
        item = views.reviewed_intervention(db, request.user, record)

        def write() -> None:
            workflow.finish_follow_up(db, item, user=request.user, now=clock.now())

        return _write(request, db, item, write, "follow_up_done", {})


def _write(
    request: HTMXRequest, db: Database, item: Intervention, write, done: str, values: dict
) -> Response:
    """Run the write; the card again (htmx) or the page after a redirect; with what was typed
    and why when it is refused (a refusal of access is not shown as a form error)."""
    try:
        write()
    except Forbidden:
        raise
    except DomainError as error:
        extra = {"error": error.message, "error_field": error.field, "values": values}
        return _review_response(request, db, item, status=error.status, **extra)
    if request.htmx:
        return _review_response(request, db, item, done=done)
    return Redirect(f"{workflow.review_url(item.uuid)}?done={done}", status_code=303)


def _review_response(
    request: HTMXRequest, db: Database, item: Intervention, *, status: int = 200, **extra
) -> Template:
    context = {
        "area": "interventions",
        "page": views.review_page(db, request.user, item),
        "done": extra.pop("done", None) or request.query_params.get("done"),
        "values": {},
        **helpers(),
        **extra,
    }
    name = "quality/_review.html" if request.htmx else "quality/review.html"
    return Template(name, context=context, status_code=status)
