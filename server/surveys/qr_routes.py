"""The QR survey's routes: the phone's pool of tokens (JSON, the person's session) and the
public page a client opens by scanning the code (no login; the token is the secret)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from server.accounts.models import CurrentUser
from server.auth.guards import public
from server.clock import from_db
from server.db import Database
from server.deps import Config, Db, Now
from server.errors import InvalidInput
from server.i18n import LOCALES
from server.i18n import gettext as _
from server.interventions.api import requires_same_site_json
from server.interventions.hooks import register_sync_hook
from server.interventions.models import CreateOp, UpdateOp
from server.interventions.panels import register_panel
from server.models import Base
from server.openapi import SESSION, json_body, refusals
from server.surveys import qr
from server.surveys.public import public_page, read_answer, wait_seconds
from server.surveys.rules import COMMENT_LENGTH
from server.surveys.store import qr as store

TokenId = Annotated[int, msgspec.Meta(ge=1, le=2**53 - 1)]


class QrPoolIn(Base, kw_only=True):
    """The ids of the tokens the phone still holds (the server never sends a token twice)."""

    held: Annotated[list[TokenId], msgspec.Meta(max_length=100)] = []


class QrToken(Base, kw_only=True):
    id: int
    url: str
    svg: str
    use_by: str


class QrPool(Base, kw_only=True):
    """`kept`: the held tokens the phone may still show; `tokens`: new ones for its pool."""

    kept: list[int]
    tokens: list[QrToken]


class QrPoolController(Controller):
    path = "/api/v1/surveys"
    tags = ["surveys"]

    @post(
        "/qr-pool",
        guards=[requires_same_site_json],
        status_code=200,
        summary="Refill the phone's pool of survey QR codes (shown to clients offline)",
        operation_class=json_body(QrPoolIn),
        security=SESSION,
        responses=refusals(400, 401, 403),
    )
    async def refill(self, request: Request, db: Db, clock: Now, settings: Config) -> QrPool:
        try:
            data = msgspec.json.decode(await request.body(), type=QrPoolIn)
        except (msgspec.ValidationError, msgspec.DecodeError):
            raise InvalidInput(
                _('Send {"held": [the ids of the codes this phone holds]}.')
            ) from None
        pool = qr.refill_pool(
            db, request.user.id, list(data.held), settings.public_url, clock.now()
        )
        return QrPool(kept=pool["kept"], tokens=[QrToken(**t) for t in pool["tokens"]])


async def _refused(request: Request) -> Response | None:
    """Before either handler: the survey links' rate limit (per address, shared with
    /s/{token}), and the light page rather than the app's own for a code that does not
    exist."""
    token = request.path_params["token"]
    wait = wait_seconds(request)
    if wait:
        return _render(request, {**_NOBODY, "state": "limited"}, token, status=429, wait=wait)
    if not qr.exists(request.app.state["database"], token):
        return _render(request, {**_NOBODY, "state": "unknown"}, token, status=404)
    return None


class QrAnswerController(Controller):
    path = "/s/q"
    include_in_schema = False
    before_request = _refused

    @get("/{token:str}", guards=[public])
    async def page(self, request: Request, token: FromPath[str], db: Db, clock: Now) -> Response:
        shown = qr.survey_page(db, token, clock.now())
        return _render(request, shown, token, status=STATUS[shown["state"]])

    @post("/{token:str}", guards=[public])
    async def answer(self, request: Request, token: FromPath[str], db: Db, clock: Now) -> Response:
        shown = qr.survey_page(db, token, clock.now())
        try:
            answer = read_answer(await request.form())
        except InvalidInput as error:
            return _render(request, shown, token, error=error.message, status=400)
        outcome = qr.record_answer(db, token, answer._asdict(), clock.now())
        if outcome == "answered":
            engine = request.app.state.get("engine")
            if engine is not None:
                engine.wake()  # a manager's notification goes out now, not at the next round
            return _render(request, {**shown, "state": "thanks"}, token)
        return _render(request, {**shown, "state": outcome}, token, status=STATUS[outcome])


TEMPLATE = "surveys/qr_answer.html"
# As the links' page answers (server/surveys/routes.py): answered 409, closed 410.
STATUS = {"open": 200, "already": 409, "expired": 410}
_NOBODY = {"first_name": "", "day": None, "locale": None}


def _render(
    request: Request,
    shown: dict,
    token: str,
    *,
    error: str = "",
    status: int = 200,
    wait: int | None = None,
) -> Response:
    # In the client's language once the intervention says who the client is, else the
    # browser's.
    locale = shown["locale"] if shown["locale"] in LOCALES else None
    context = {
        **shown,
        "token": token,
        "error": error,
        "comment_length": COMMENT_LENGTH,
    }
    return public_page(request, TEMPLATE, context, locale=locale, status=status, wait=wait)


def bind_from_sync(database: Database, user: CurrentUser, applied: list, now) -> None:
    """The sync hook: the survey QR codes the phone showed for the interventions it sent."""
    bindings = [
        (op.uuid, op.data.survey_token_id)
        for op in applied
        if isinstance(op, CreateOp | UpdateOp) and op.data.survey_token_id is not None
    ]
    if bindings:
        qr.bind_tokens(database, user.id, bindings, now)


def answer_panel(database: Database, item, viewer) -> tuple[str, dict] | None:
    """The client's answer on the intervention's page (its technician and managers read it);
    before one, its technician is offered the QR code (on the form, where it binds)."""
    found = store.answer_of(database, item.id)
    if found is not None:
        answered = from_db(found["answered_at"])
        return "surveys/_answer_panel.html", {**found, "answered_at": answered}
    if (
        item.client_id is not None
        and not item.deleted
        and viewer.id == item.user_id
        and store.client_accepts_surveys(database, item.client_id)
        and store.token_bound_to(database, item.uuid) is None
    ):
        return "surveys/_qr_offer.html", {"uuid": item.uuid}
    return None


def register_qr_binding() -> None:
    register_sync_hook("survey_qr", bind_from_sync)
    register_panel("satisfaction", answer_panel)
