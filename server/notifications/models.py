"""A notification as stored (kind + parameters) and as read (in the reader's language)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from server.models import Value

Urgency = Literal["low", "normal", "high"]


class Notification(Value, kw_only=True):
    id: int
    user_id: int
    kind: str
    params: dict
    url: str
    urgency: Urgency
    created_at: datetime
    read_at: datetime | None


class Rendered(Value, kw_only=True):
    title: str
    body: str


class DeliveryAttempt(Value, kw_only=True):
    """One try at a delivery: `outcome` is sent, retry (it will be tried again), failed or gone
    (the device unsubscribed); `status_code` the service's answer (0: unreachable, -1: refused
    before sending)."""

    attempt: int
    at: datetime
    outcome: str
    status_code: int
    detail: str


class Message(Value, kw_only=True):
    """What a notification says on one channel: the JSON a service worker receives (kept
    under the push package's size limit once encoded), an e-mail's subject and text, the
    webhook's body."""

    type: str
    title: str
    body: str
    url: str
    tag: str
    urgency: str = "normal"
    require_interaction: bool = False
    ack_url: str | None = None
    ack_token: str | None = None
    labels: dict[str, str] = {}
    badge: int | None = None


# A failure no retry can mend (a malformed device key, a message that cannot be built).
PERMANENT = -1


class SendResult(Value, kw_only=True):
    """One attempt's answer, whatever the channel: the push service's or webhook's HTTP
    status, 250 for a mail accepted, 0 when nothing could be reached, PERMANENT when it was
    refused before sending."""

    status: int
    retry_after: int | None = None
    error: str = ""
