"""Temporary: the delivery queue's SQL moved to server/notifications/store.py (issue 12); this
name goes once its last importers are updated."""

from server.notifications.store import (  # noqa: F401
    attempts_of,
    cancel_for_alert,
    enqueue,
    next_due,
    rules_of,
    send_to_device,
    set_rules,
)
