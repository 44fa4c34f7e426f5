"""The sync endpoint the phone's outbox calls (JSON under /api/v1): read each operation on its
own, apply the readable ones in one batch, answer them all in the order sent."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, post

from server.auth.guards import user_of
from server.deps import Db, Now
from server.errors import Forbidden, InvalidInput
from server.i18n import gettext as _
from server.interventions.decoding import decode_operation
from server.interventions.models import MAX_BATCH, OpResult, SyncBatch, SyncResult
from server.interventions.sync import apply_operations
from server.openapi import SESSION, json_body, refusals

MAX_SYNC_BODY = 2_000_000


async def requires_same_site_json(connection, _handler) -> None:
    """The sync endpoint uses the session cookie: a cross-site page cannot send it JSON without
    a CORS preflight we never answer, and browsers say where a request comes from."""
    user_of(connection)
    if connection.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise InvalidInput(_("Send the operations as application/json."))
    site = connection.headers.get("sec-fetch-site")
    if site not in (None, "same-origin", "none"):
        raise Forbidden(_("Cross-site requests are refused."))


def _too_large() -> InvalidInput:
    return InvalidInput(
        _("This batch is too large: send at most %(count)s changes at once.", count=MAX_BATCH)
    )


class SyncController(Controller):
    path = "/api/v1/sync"
    tags = ["sync"]

    @post(
        "/interventions",
        guards=[requires_same_site_json],
        status_code=200,
        # 200 operations with their longest texts: larger than the app's usual body limit.
        request_max_body_size=MAX_SYNC_BODY,
        summary="Apply a phone's outbox: create, update and delete operations, idempotent",
        operation_class=json_body(SyncBatch),
        security=SESSION,
        responses=refusals(400, 401, 403, 413),
    )
    async def sync(self, request: Request, db: Db, clock: Now) -> SyncResult:
        body = await request.body()
        if len(body) > MAX_SYNC_BODY:
            raise _too_large()
        try:
            batch = msgspec.json.decode(body, type=dict[str, list[msgspec.Raw]])
        except (msgspec.ValidationError, msgspec.DecodeError):
            raise InvalidInput(_("The request body is not valid JSON.")) from None
        operations = batch.get("operations")
        if operations is None:
            raise InvalidInput(_('Send {"operations": [...]}.'))
        if len(operations) > MAX_BATCH:
            raise _too_large()
        decoded = [decode_operation(raw) for raw in operations]
        readable = [op for op in decoded if not isinstance(op, OpResult)]
        applied = iter(apply_operations(db, request.user, readable, clock.now()))
        # In the order sent: the unreadable items' refusals among the others' results.
        results = [op if isinstance(op, OpResult) else next(applied) for op in decoded]
        return SyncResult(results=results)
