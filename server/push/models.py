"""Push subscription values and how much a phone can receive in one push."""

from __future__ import annotations

from typing import Annotated

import msgspec

from server.models import Base, Value

# RFC 8291 with aes128gcm: 4,096 bytes of body minus the header and padding leave this much.
MAX_PLAINTEXT = 3993


class SubscriptionKeys(Base, kw_only=True):
    p256dh: Annotated[str, msgspec.Meta(min_length=40, max_length=200)]
    auth: Annotated[str, msgspec.Meta(min_length=8, max_length=100)]


class SubscriptionIn(Base, kw_only=True):
    """What PushManager.subscribe() gives the page (PushSubscription.toJSON())."""

    # An http(s) URL: a pattern rather than a check after decoding, so the API docs say it.
    endpoint: Annotated[str, msgspec.Meta(min_length=10, max_length=2000, pattern="^https?://")]
    keys: SubscriptionKeys
    expirationTime: int | None = None


class SubscribeIn(SubscriptionIn, kw_only=True):
    """What the page posts to turn alerts on: the subscription, and the endpoint of the one it
    replaces on this phone (unsubscribed because the server's VAPID key changed), if any."""

    replaces: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class RenewIn(Base, kw_only=True):
    device_token: Annotated[str, msgspec.Meta(min_length=16, max_length=100)]
    subscription: SubscriptionIn


class Subscribed(Value, kw_only=True):
    id: int
    device_token: str


class Device(Value, kw_only=True):
    id: int
    user_id: int
    endpoint: str
    p256dh: str
    auth: str
    user_agent: str
    created_at: str
    last_success_at: str | None
    last_failure_at: str | None
