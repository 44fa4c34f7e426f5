"""A person's devices, the service: only the owner may test or remove a device; a test is one
notification pushed to that one device at once, written in one transaction."""

from __future__ import annotations

from datetime import datetime

from server.audit.models import Actor
from server.db import Database
from server.errors import Forbidden
from server.i18n import gettext as _
from server.notifications.store import notify, send_to_device
from server.push.models import Device
from server.push.store import get_device, remove_device


def own_device(database: Database, user_id: int, device_id: int) -> Device:
    device = get_device(database, device_id)
    if device.user_id != user_id:
        raise Forbidden(_("This device is not yours."))
    return device


def send_test(database: Database, user_id: int, device_id: int, now: datetime) -> None:
    """The "send a test" button: a test notification to this one device, whatever channels
    the person chose for alerts."""
    with database.write():
        own_device(database, user_id, device_id)
        notification_id = notify(
            database, user_id, "test", {}, now=now, url="/settings", urgency="high", deliver=False
        )
        send_to_device(database, notification_id, user_id, device_id, now=now)


def remove_own_device(
    database: Database, user_id: int, device_id: int, *, actor: Actor, now: datetime
) -> None:
    with database.write():
        own_device(database, user_id, device_id)
        remove_device(database, device_id, actor=actor, now=now)
