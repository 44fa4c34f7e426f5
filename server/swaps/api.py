"""Approve from the notification: the service worker sends the single-use token its push
carried, with no page, no cookie and no CSRF token; the token is the credential."""

from __future__ import annotations

from litestar import Controller, Request, post

from server.accounts.store import current_user
from server.auth.guards import public
from server.clock import to_db
from server.deps import Db, Now
from server.errors import Conflict, Forbidden, NotFound
from server.i18n import gettext as _
from server.openapi import (
    NO_CREDENTIAL,
    Outcome,
    TokenIn,
    json_body,
    refusals,
    success,
    token_in,
)
from server.swaps.store.requests import find_approval_token
from server.swaps.workflow import approve
from server.tokens import hash_token


class SwapApiController(Controller):
    path = "/api/v1/swaps"
    guards = [public]
    tags = ["swaps"]

    @post(
        "/approve",
        status_code=200,
        summary="Approve a swap or cover with the token a manager's notification carried",
        operation_class=json_body(TokenIn),
        security=NO_CREDENTIAL,
        responses={
            **success(200, Outcome, "The request was approved and applied."),
            **refusals(400, 403, 404, 409, 413, 422),
        },
    )
    async def approve_with_token(self, request: Request, db: Db, clock: Now) -> dict:
        token = token_in(await request.body(), _("Send the approval token as JSON."))
        now = clock.now()
        row = find_approval_token(db, token)
        if row is None or row["expires_at"] <= to_db(now):
            raise NotFound(_("This approval link is not valid any more."))
        if row["used_at"]:
            raise Conflict(_("This approval link was already used."))
        manager = current_user(db, row["user_id"])
        if manager is None:
            raise Forbidden(_("This account is no longer active."))
        swap = approve(
            db,
            row["swap_id"],
            version=row["version"],
            reason="",
            user=manager,
            now=now,
            via="notification",
            token_hash=hash_token(token),
        )
        request.app.state.engine.wake()
        return {"id": swap.id, "status": swap.status}
