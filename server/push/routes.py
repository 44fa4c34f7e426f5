"""Turning alerts on per device, "my devices", and the endpoint the service worker calls
without a page to renew its subscription (its other call, acknowledging an alert from a
notification, is the alerts package's: alerts/api.py)."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from server.auth.actor import actor_of
from server.auth.guards import public, requires_login
from server.deps import Config, Db, Now
from server.errors import InvalidInput, NotFound
from server.i18n import gettext as _
from server.notifications.outbound import registration_refusal
from server.openapi import NO_CREDENTIAL, json_body, refusals
from server.push.devices import remove_own_device, send_test
from server.push.models import RenewIn, Subscribed, SubscribeIn, SubscriptionIn
from server.push.store import is_known_device, renew, subscribe
from server.settings import Settings


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
        send_test(db, request.user.id, device_id, clock.now())
        request.app.state.engine.wake()
        return Redirect("/settings?done=test#devices", status_code=303)

    @post("/devices/{device_id:int}/remove")
    async def remove(
        self, request: Request, device_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        remove_own_device(db, request.user.id, device_id, actor=actor_of(request), now=clock.now())
        return Redirect("/settings?done=device-removed#devices", status_code=303)


class PushApiController(Controller):
    """Called by the service worker, which has no page and no CSRF token: the call carries its
    own secret (the device token)."""

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
