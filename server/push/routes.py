"""Turning alerts on per device, "my devices", and the two endpoints the service worker calls
without a page: renewing its subscription and acknowledging an alert from a notification."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from server.alerts.store import acknowledge
from server.auth.actor import actor_of
from server.auth.guards import public, requires_login
from server.clock import to_db
from server.deps import Config, Db, Now
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.i18n import gettext as _
from server.notifications.deliveries import send_to_device
from server.notifications.outbound import registration_refusal
from server.notifications.store import notify
from server.openapi import NO_CREDENTIAL, Outcome, TokenIn, json_body, refusals, success
from server.push.models import RenewIn, Subscribed, SubscribeIn, SubscriptionIn
from server.push.store import get_device, is_known_device, remove_device, renew, subscribe
from server.settings import Settings
from server.tokens import hash_token


async def _check_endpoint(subscription: SubscriptionIn, config: Settings) -> None:
    """Browsers' push services are all HTTPS on the public internet. Anything else (plain http,
    an address on the server's own network) is refused unless its origin is listed in
    ASTREINTE_PUSH_ALLOW: otherwise anyone with an account could make the server call inside.
    The same rules are checked again on each connection; this is for a clear answer now."""
    reason = await registration_refusal(subscription.endpoint, config.push_allow_origins)
    if reason == "scheme":
        raise InvalidInput(_("A push endpoint must be an HTTPS address."), field="endpoint")
    if reason is not None:
        raise InvalidInput(
            _(
                "This push endpoint is not on the public internet: the server does not send "
                "there. An admin can allow a self-hosted push service (ASTREINTE_PUSH_ALLOW)."
            ),
            field="endpoint",
        )


def _decode(body: bytes, shape):
    try:
        return msgspec.json.decode(body, type=shape)
    except msgspec.ValidationError as error:
        raise InvalidInput(
            _("The subscription could not be read: %(error)s", error=str(error))
        ) from None
    except msgspec.DecodeError:
        raise InvalidInput(_("The request body is not valid JSON.")) from None


class PushController(Controller):
    include_in_schema = False
    path = "/push"
    guards = [requires_login]

    @get("/key", guards=[requires_login])
    async def key(self, request: Request) -> dict:
        return {"public_key": request.app.state.vapid.public_key}

    @post("/subscriptions", status_code=201)
    async def subscribe(self, request: Request, db: Db, clock: Now, settings: Config) -> Subscribed:
        data = _decode(await request.body(), SubscribeIn)
        await _check_endpoint(data, settings)
        return subscribe(
            db,
            request.user.id,
            data,
            user_agent=request.headers.get("user-agent", ""),
            now=clock.now(),
            replaces=data.replaces,
        )

    @post("/devices/{device_id:int}/test")
    async def test(
        self, request: Request, device_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        device = get_device(db, device_id)
        if device.user_id != request.user.id:
            raise Forbidden(_("This device is not yours."))
        now = clock.now()
        with db.write():
            notification_id = notify(
                db,
                request.user.id,
                "test",
                {},
                now=now,
                url="/settings",
                urgency="high",
                deliver=False,
            )
            # A test is for this one device, whatever channels the person chose for alerts.
            send_to_device(db, notification_id, request.user.id, device_id, now=now)
        request.app.state.engine.wake()
        return Redirect("/settings?done=test#devices", status_code=303)

    @post("/devices/{device_id:int}/remove")
    async def remove(
        self, request: Request, device_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        device = get_device(db, device_id)
        if device.user_id != request.user.id:
            raise Forbidden(_("This device is not yours."))
        remove_device(db, device_id, actor=actor_of(request), now=clock.now())
        return Redirect("/settings?done=device-removed#devices", status_code=303)


class PushApiController(Controller):
    """Called by the service worker, which has no page and no CSRF token: each call carries its
    own secret (the device token, or a single-use acknowledgement token)."""

    path = "/api/v1/push"
    guards = [public]
    tags = ["push"]

    @post(
        "/renew",
        status_code=200,
        summary="The service worker replaces its push subscription",
        operation_class=json_body(RenewIn),
        security=NO_CREDENTIAL,
        responses=refusals(400, 404, 413),
    )
    async def renew(self, request: Request, db: Db, clock: Now, settings: Config) -> Subscribed:
        data = _decode(await request.body(), RenewIn)
        # The device first: only one of ours makes the server look a name up (no DNS probing
        # for whoever posts here).
        if not is_known_device(db, data.device_token):
            raise NotFound(_("This device is not known any more: turn alerts on again."))
        await _check_endpoint(data.subscription, settings)
        return renew(db, data.device_token, data.subscription, clock.now())

    @post(
        "/ack",
        status_code=200,
        summary="Acknowledge an alert with the token its notification carried",
        operation_class=json_body(TokenIn),
        security=NO_CREDENTIAL,
        responses={
            **success(200, Outcome, "The alert was acknowledged."),
            **refusals(400, 403, 404, 409, 413),
        },
    )
    async def ack(self, request: Request, db: Db, clock: Now) -> dict:
        try:
            token = msgspec.json.decode(await request.body(), type=dict[str, str])["token"]
        except (msgspec.DecodeError, msgspec.ValidationError, KeyError):
            raise InvalidInput(_("Send the acknowledgement token as JSON.")) from None
        now = clock.now()
        token_hash = hash_token(token)
        with db.write():
            # Whoever holds the phone holds the token: it acts only for a person still active
            # and still in the alert's team (or an admin, who may acknowledge any alert).
            row = db.one(
                "SELECT t.*, u.email, u.active, u.role = 'admin' OR EXISTS (SELECT 1 FROM "
                "memberships m JOIN alerts a ON a.team_id = m.team_id WHERE a.id = t.alert_id "
                "AND m.user_id = t.user_id) AS in_team FROM ack_tokens t "
                "JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
                (token_hash,),
            )
            if row is None or row["expires_at"] <= to_db(now):
                raise NotFound(_("This acknowledgement link is not valid any more."))
            if not row["active"]:
                raise Forbidden(_("This account is no longer active."))
            if not row["in_team"]:
                raise Forbidden(_("You are no longer in this alert's team."))
            if row["used_at"]:
                raise Conflict(_("This acknowledgement was already used."))
            db.execute(
                "UPDATE ack_tokens SET used_at = ? WHERE token_hash = ?", (to_db(now), token_hash)
            )
            alert = acknowledge(
                db, row["alert_id"], user_id=row["user_id"], actor=row["email"], now=now
            )
        return {"id": alert.id, "status": alert.status}
