"""Alert intake for integrations (API key of a team): alerts, Alertmanager, phone calls; and
acknowledging from a notification with its single-use token (the service worker's call)."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, Response, post

from server.alerts.models import (
    AlertIn,
    AlertmanagerAlert,
    AlertmanagerIn,
    AlertmanagerOut,
    AlertOut,
    CallIn,
    Link,
)
from server.alerts.store import get_alert
from server.alerts.workflow import (
    acknowledge,
    acknowledge_with_token,
    apply_group,
    create_alert,
    resolve,
)
from server.auth.guards import public, requires_api_key
from server.clients.models import CallerMatch
from server.clients.phones import for_display, to_e164
from server.clients.store.lookup import caller_of, client_card
from server.deps import Db, Now
from server.errors import Forbidden, InvalidInput
from server.i18n import gettext as _
from server.openapi import (
    NO_CREDENTIAL,
    Outcome,
    RowId,
    TokenIn,
    json_body,
    refusals,
    success,
    token_in,
)

# An alert's JSON is small; a larger body is a mistake or an attack.
MAX_ALERT_BODY = 64 * 1024
# A group of up to 500 alerts, each with its labels and annotations.
MAX_ALERTMANAGER_BODY = 1024 * 1024


def _call_title(db, data: CallIn, caller: CallerMatch | None) -> str:
    """Who calls, as the push says it: the client's name when the number is known."""
    card = client_card(db, caller.client_id, caller.site_id) if caller else None
    if card is None:
        return _("Incoming call from %(caller)s", caller=data.caller)
    number = to_e164(data.caller)
    return _(
        "Call from %(client)s (%(caller)s)",
        client=card.name,
        caller=for_display(number) if number else data.caller,
    )


def _call_details(db, data: CallIn, caller: CallerMatch | None) -> str:
    """The site's name and address (never its access instructions or codes: notifications
    leave the team's devices), and the number called."""
    lines = []
    card = client_card(db, caller.client_id, caller.site_id) if caller else None
    if card is not None and card.site is not None:
        where = ", ".join(part for part in (card.site.name, card.site.address) if part)
        lines.append(_("Site: %(site)s", site=where))
    if data.called:
        lines.append(_("Called number: %(called)s", called=data.called))
    return "\n".join(lines)


def _out(alert) -> AlertOut:
    return AlertOut(
        id=alert.id,
        status=alert.status,
        dedup_key=alert.dedup_key,
        team_id=alert.team_id,
        title=alert.title,
        severity=alert.severity,
        created_at=alert.created_at,
        event_count=alert.event_count,
        client_id=alert.client_id,
        site_id=alert.site_id,
    )


async def _decode(request: Request, shape):
    # The route's `request_max_body_size` has refused a larger body with a 413 already.
    body = await request.body()
    try:
        return msgspec.json.decode(body, type=shape)
    except msgspec.ValidationError as error:
        raise InvalidInput(str(error)) from None
    except msgspec.DecodeError:
        raise InvalidInput(_("The request body is not valid JSON.")) from None


def _owned(request: Request, db, alert_id: int):
    alert = get_alert(db, alert_id)
    if alert.team_id != request.scope["auth"].team_id:
        raise Forbidden(_("This API key belongs to another team."))
    return alert


def _from_alertmanager(item: AlertmanagerAlert) -> tuple[str, AlertIn | None]:
    """(dedup key, the alert to raise, or None to resolve it) for one Alertmanager alert."""
    labels = ",".join(f"{k}={v}" for k, v in sorted(item.labels.items()))
    dedup = ("am:" + (item.fingerprint or labels))[:200]
    if item.status == "resolved":
        return dedup, None
    name = item.labels.get("alertname", "").strip()
    title = " ".join((item.annotations.get("summary") or "").split()) or name or "Alertmanager"
    severity = item.labels.get("severity", "critical")
    link = item.generatorURL if item.generatorURL.startswith(("http://", "https://")) else ""
    return dedup, AlertIn(
        title=title[:200],
        details=item.annotations.get("description", "")[:8000],
        severity=severity if severity in ("critical", "warning", "info") else "critical",
        dedup_key=dedup,
        source="alertmanager",
        links=[Link(href=link[:2000], text="Prometheus")] if link else [],
        # Kept for the procedures tagged with one (the first 50, cut to the limits AlertIn sets).
        labels={k[:100]: v[:200] for k, v in sorted(item.labels.items())[:50]},
    )


class AlertsApiController(Controller):
    path = "/api/v1"
    guards = [requires_api_key]
    tags = ["alerts"]

    @post(
        "/alerts",
        summary="Raise an alert (the same open dedup_key adds an event instead)",
        request_max_body_size=MAX_ALERT_BODY,
        operation_class=json_body(AlertIn),
        responses={
            **success(201, AlertOut, "A new alert was raised."),
            **success(200, AlertOut, "An open alert with this dedup_key got one more event."),
            **refusals(400, 401, 413),
        },
    )
    async def create(self, request: Request, db: Db, clock: Now) -> Response:
        data = await _decode(request, AlertIn)
        key = request.scope["auth"]
        alert, new = create_alert(
            db,
            key.team_id,
            data,
            now=clock.now(),
            channels=request.app.state.engine.dispatcher.channels,
            actor=f"api:{key.name}",
        )
        request.app.state.engine.wake()
        return Response(content=_out(alert), status_code=201 if new else 200)

    @post(
        "/alerts/{alert_id:int}/acknowledge",
        status_code=200,
        summary="Acknowledge an alert",
        responses=refusals(400, 401, 403, 404, 409),
    )
    async def acknowledge(self, request: Request, alert_id: RowId, db: Db, clock: Now) -> AlertOut:
        _owned(request, db, alert_id)
        key = request.scope["auth"]
        return _out(
            acknowledge(db, alert_id, user_id=None, actor=f"api:{key.name}", now=clock.now())
        )

    @post(
        "/alerts/{alert_id:int}/resolve",
        status_code=200,
        summary="Resolve an alert (409 while the team's required intervention report is missing)",
        responses=refusals(400, 401, 403, 404, 409),
    )
    async def resolve(self, request: Request, alert_id: RowId, db: Db, clock: Now) -> AlertOut:
        _owned(request, db, alert_id)
        key = request.scope["auth"]
        return _out(resolve(db, alert_id, user_id=None, actor=f"api:{key.name}", now=clock.now()))

    @post(
        "/integrations/alertmanager",
        status_code=200,
        summary="Prometheus Alertmanager webhook receiver",
        request_max_body_size=MAX_ALERTMANAGER_BODY,
        operation_class=json_body(AlertmanagerIn),
        responses={
            **success(200, AlertmanagerOut, "The group was applied, in one transaction."),
            **refusals(400, 401, 413),
        },
    )
    async def alertmanager(self, request: Request, db: Db, clock: Now) -> dict:
        data = await _decode(request, AlertmanagerIn)
        key = request.scope["auth"]
        channels = request.app.state.engine.dispatcher.channels
        # Every item is read first, then the group is applied in one transaction: Alertmanager
        # resends a whole group on any error, so none of it may be half-written.
        plan = [_from_alertmanager(item) for item in data.alerts]
        created, repeated, resolved = apply_group(
            db, key.team_id, plan, now=clock.now(), channels=channels, actor="alertmanager"
        )
        request.app.state.engine.wake()
        return {"created": created, "repeated": repeated, "resolved": resolved}

    @post(
        "/calls",
        summary="A phone system logs an incoming call as an alert for the on-call person",
        request_max_body_size=MAX_ALERT_BODY,
        operation_class=json_body(CallIn),
        responses={
            **success(201, AlertOut, "The call was logged as a new alert."),
            **success(200, AlertOut, "The same caller in the same minute: one more event."),
            **refusals(400, 401, 413),
        },
    )
    async def call(self, request: Request, db: Db, clock: Now) -> Response:
        data = await _decode(request, CallIn)
        key = request.scope["auth"]
        at = data.at or clock.now()
        caller = caller_of(db, key.team_id, data.caller)
        alert_in = AlertIn(
            title=_call_title(db, data, caller),
            details=_call_details(db, data, caller),
            severity="critical",
            dedup_key=f"call:{data.caller}:{at.isoformat()[:16]}",
            source="phone",
        )
        alert, new = create_alert(
            db,
            key.team_id,
            alert_in,
            now=clock.now(),
            channels=request.app.state.engine.dispatcher.channels,
            actor="phone",
            caller=caller,
        )
        request.app.state.engine.wake()
        return Response(content=_out(alert), status_code=201 if new else 200)


class PushAckController(Controller):
    """Called by the service worker, which has no page and no CSRF token: the call carries its
    own secret, the single-use token the alert's push carried (alerts/notices.py). Under
    /api/v1/push with the worker's other call (push/routes.py: renew)."""

    path = "/api/v1/push"
    guards = [public]
    tags = ["push"]

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
        token = token_in(await request.body(), _("Send the acknowledgement token as JSON."))
        alert = acknowledge_with_token(db, token, clock.now())
        return {"id": alert.id, "status": alert.status}
