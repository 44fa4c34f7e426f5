"""The phone's copy of its teams' procedures: the manifest (GET /api/v1/me/procedures, with
an ETag: unchanged, it costs an empty answer) and the pages it lacks, in bundles (GET
/api/v1/me/procedures/pages?ids=…). Also the sync hook that keeps a checklist ticked with an
intervention, and the intervention page's panel that shows it."""

from __future__ import annotations

import re

import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import FromQuery
from markupsafe import Markup

from server.accounts.models import CurrentUser
from server.auth.guards import requires_login
from server.db import Database
from server.deps import Db, Now
from server.errors import InvalidInput
from server.i18n import gettext as _
from server.interventions.hooks import register_sync_hook
from server.interventions.models import CreateOp, UpdateOp
from server.interventions.panels import register_panel
from server.openapi import SESSION, refusals, success
from server.procedures import offline
from server.procedures.offline_rules import checklist_items, ticked_items
from server.procedures.rendering import render_markdown
from server.procedures.store import offline as store
from server.web import render_page, with_csrf_inputs

FRAME_TEMPLATE = "procedures/offline_page.html"
NO_STORE = {"Cache-Control": "private, no-cache"}
# A row id as the phone writes it (ASCII digits; str.isdigit would take "²").
_NUMBER = re.compile(r"[0-9]{1,15}")


def _frame(request: Request) -> str:
    context = {
        "area": None,
        # Markup: the slots go through gettext's formatting unescaped, to be found again.
        "title_slot": Markup(offline.TITLE_SLOT),
        "version_slot": Markup(offline.VERSION_SLOT),
        "body_slot": Markup(offline.BODY_SLOT),
        "team_slot": offline.TEAM_SLOT,
    }
    return with_csrf_inputs(request, render_page(request, FRAME_TEMPLATE, context))


def _ids(text: str) -> list[int]:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts or not all(_NUMBER.fullmatch(part) for part in parts):
        raise InvalidInput(_("List the procedures by number, separated by commas."), field="ids")
    if len(parts) > offline.BUNDLE_MAX:
        raise InvalidInput(
            _("At most %(count)s procedures at once.", count=offline.BUNDLE_MAX), field="ids"
        )
    return [int(part) for part in parts]


class OfflineProceduresController(Controller):
    path = "/api/v1/me/procedures"
    guards = [requires_login]
    tags = ["procedures"]

    @get(
        "",
        summary="The procedures of my teams that this phone keeps for reading offline",
        security=SESSION,
        responses={
            **success(200, offline.Manifest, "What to keep; its `version` is also the ETag."),
            **refusals(401),
        },
    )
    async def manifest(self, request: Request, db: Db, clock: Now) -> Response:
        budget = request.app.state.settings.procedures_offline_kb * 1024
        found = offline.manifest(db, request.user, _frame(request), budget, clock.now())
        etag = f'"{found.version}"'
        headers = {**NO_STORE, "ETag": etag}
        if request.headers.get("if-none-match") == etag:
            return Response(content=b"", status_code=304, headers=headers)
        body = msgspec.json.encode(found)
        return Response(content=body, media_type="application/json", headers=headers)

    @get(
        "/pages",
        summary="The pages of some of my teams' procedures, as the phone keeps them",
        security=SESSION,
        responses={
            **success(200, offline.Bundle, "The pages asked for that are my teams'."),
            **refusals(400, 401),
        },
    )
    async def pages(self, request: Request, db: Db, ids: FromQuery[str]) -> Response:
        found = offline.bundle(db, request.user, _frame(request), _ids(ids))
        body = msgspec.json.encode(found)
        return Response(content=body, media_type="application/json", headers=NO_STORE)


def save_from_sync(database: Database, user: CurrentUser, applied: list, now) -> None:
    """The sync hook: the checklists sent with the interventions just applied. A checklist of
    a procedure outside the person's teams, or of a version that does not exist, is dropped
    (the intervention itself stands); items the version does not have are dropped too."""
    sent = [
        (op.uuid, ticks)
        for op in applied
        if isinstance(op, CreateOp | UpdateOp)
        for ticks in op.data.checklist
    ]
    if not sent:
        return
    ids = store.intervention_ids(database, [uuid for uuid, _ticks in sent])
    bodies = store.versions_of_teams(
        database, [(t.procedure_id, t.version) for _uuid, t in sent], user.team_ids
    )
    rows = []
    for uuid, ticks in sent:
        pair = (ticks.procedure_id, ticks.version)
        if uuid not in ids or pair not in bodies:
            continue
        numbers = checklist_items(render_markdown(bodies[pair], *pair))
        rows.append((ids[uuid], *pair, [n for n in ticks.items if n in numbers]))
    if rows:
        store.save_ticks(database, rows, now)


def checklist_panel(database: Database, item, viewer) -> tuple[str, dict] | None:
    """The checklists ticked with the intervention, each with the version ticked against."""
    saved = store.ticks_of(database, item.id)
    if not saved:
        return None
    lists = []
    for row in saved:
        items = checklist_items(render_markdown(row["body"], row["procedure_id"], row["version"]))
        entries = ticked_items(items, row["items"])
        lists.append(
            {
                "procedure_id": row["procedure_id"],
                "version": row["version"],
                "title": row["title"],
                "items": entries,
                "ticked": sum(1 for e in entries if e.ticked),
            }
        )
    record = [
        {"procedure_id": row["procedure_id"], "version": row["version"], "items": row["items"]}
        for row in saved
    ]
    return "procedures/_checklist_panel.html", {"lists": lists, "record": record}


def register_offline_procedures() -> None:
    register_sync_hook("procedure_checklists", save_from_sync)
    register_panel("checklists", checklist_panel)
