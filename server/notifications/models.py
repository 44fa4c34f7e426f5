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
