"""Push subscriptions in SQL: one row per device, renewed by the service worker itself."""

from __future__ import annotations

import secrets
from datetime import datetime

from server.audit.models import Actor
from server.audit.store import record
from server.clock import to_db
from server.db import Database
from server.errors import NotFound
from server.i18n import gettext as _
from server.push.models import Device, Subscribed, SubscriptionIn


def _device(row: dict) -> Device:
    return Device(**{k: row[k] for k in Device.__struct_fields__})


def subscribe(
    database: Database,
    user_id: int,
    sub: SubscriptionIn,
    *,
    user_agent: str,
    now: datetime,
    replaces: str | None = None,
) -> Subscribed:
    """Store (or move to this person) a device's subscription; the token lets the service
    worker renew it later without a page or a cookie-bound CSRF token.

    `replaces` is the endpoint this phone had before it subscribed again (after the server's
    VAPID key changed): that device of this person is moved to the new endpoint, so the phone
    stays one device rather than becoming two, one of them dead."""
    token = secrets.token_urlsafe(32)
    values = (sub.endpoint, sub.keys.p256dh, sub.keys.auth, token, user_agent[:300])
    with database.write():
        old = None
        if replaces and replaces != sub.endpoint:
            old = database.one(
                "SELECT id FROM push_subscriptions WHERE endpoint = ? AND user_id = ?",
                (replaces, user_id),
            )
        if old is not None:
            database.execute(
                "DELETE FROM push_subscriptions WHERE endpoint = ? AND id != ?",
                (sub.endpoint, old["id"]),
            )
            database.execute(
                "UPDATE push_subscriptions SET endpoint = ?, p256dh = ?, auth = ?, "
                "device_token = ?, user_agent = ? WHERE id = ?",
                (*values, old["id"]),
            )
        else:
            database.execute(
                "INSERT INTO push_subscriptions (endpoint, p256dh, auth, device_token, "
                "user_agent, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, "
                "p256dh = excluded.p256dh, auth = excluded.auth, "
                "device_token = excluded.device_token, user_agent = excluded.user_agent",
                (*values, user_id, to_db(now)),
            )
        row = database.one("SELECT id FROM push_subscriptions WHERE endpoint = ?", (sub.endpoint,))
        record(
            database,
            at=now,
            actor=Actor(label=f"user:{user_id}", user_id=user_id),
            action="device.renew" if old is not None else "device.add",
            entity_type="device",
            entity_id=row["id"],
            after={"user_agent": user_agent[:300]},
        )
    return Subscribed(id=row["id"], device_token=token)


def renew(database: Database, device_token: str, sub: SubscriptionIn, now: datetime) -> Subscribed:
    """pushsubscriptionchange: the browser replaced the subscription; keep the same device."""
    with database.write():
        row = database.one(
            "SELECT id, user_id, user_agent FROM push_subscriptions WHERE device_token = ?",
            (device_token,),
        )
        if row is None:
            raise NotFound(_("This device is not known any more: turn alerts on again."))
        database.execute(
            "DELETE FROM push_subscriptions WHERE endpoint = ? AND id != ?",
            (sub.endpoint, row["id"]),
        )
        database.execute(
            "UPDATE push_subscriptions SET endpoint = ?, p256dh = ?, auth = ? WHERE id = ?",
            (sub.endpoint, sub.keys.p256dh, sub.keys.auth, row["id"]),
        )
    return Subscribed(id=row["id"], device_token=device_token)


def is_known_device(database: Database, device_token: str) -> bool:
    row = database.one("SELECT 1 FROM push_subscriptions WHERE device_token = ?", (device_token,))
    return row is not None


def devices_of(database: Database, user_id: int) -> list[Device]:
    rows = database.query(
        "SELECT * FROM push_subscriptions WHERE user_id = ? ORDER BY created_at", (user_id,)
    )
    return [_device(row) for row in rows]


def get_device(database: Database, device_id: int) -> Device:
    row = database.one("SELECT * FROM push_subscriptions WHERE id = ?", (device_id,))
    if row is None:
        raise NotFound(_("This device does not exist."))
    return _device(row)


def remove_device(database: Database, device_id: int, *, actor: Actor, now: datetime) -> None:
    with database.write():
        before = get_device(database, device_id)
        database.execute("DELETE FROM push_subscriptions WHERE id = ?", (device_id,))
        record(
            database,
            at=now,
            actor=actor,
            action="device.remove",
            entity_type="device",
            entity_id=device_id,
            before={"user_agent": before.user_agent},
        )
