"""Notifications and their deliveries in SQL: a notification is created inside the
transaction of the change it tells about; each becomes a delivery per channel (and per device
for push), due at once or after the person's delay; the dispatcher reads the due ones and
records every attempt."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import msgspec

from server.audit.models import Actor
from server.audit.store import record
from server.clock import from_db, to_db
from server.db import Database
from server.notifications.models import DeliveryAttempt, Notification, SendResult, Urgency
from server.notifications.rules import DEFAULT_RULES, Outcome

PUSH_ONLY = frozenset({"push"})


def notify(
    database: Database,
    user_id: int,
    kind: str,
    params: dict,
    *,
    now: datetime,
    url: str = "/",
    urgency: Urgency = "normal",
    deliver: bool = True,
) -> int:
    """Store a notification; all but alerts (which follow the person's channel rules) are
    pushed to the person's devices at once (unless `deliver` is off: the caller queues)."""
    notification_id = database.insert(
        "notifications",
        {
            "user_id": user_id,
            "kind": kind,
            "params": msgspec.json.encode(params).decode(),
            "url": url,
            "urgency": urgency,
            "created_at": to_db(now),
            "read_at": None,
        },
    )
    if deliver and kind != "alert":
        enqueue(database, notification_id, user_id, now=now, channels=PUSH_ONLY, immediate=True)
    return notification_id


def _notification(row: dict) -> Notification:
    return Notification(
        id=row["id"],
        user_id=row["user_id"],
        kind=row["kind"],
        params=msgspec.json.decode(row["params"]),
        url=row["url"],
        urgency=row["urgency"],
        created_at=from_db(row["created_at"]),
        read_at=from_db(row["read_at"]) if row["read_at"] else None,
    )


def notifications_for(database: Database, user_id: int, limit: int = 50) -> list[Notification]:
    rows = database.query(
        "SELECT * FROM notifications WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
        (user_id, limit),
    )
    return [_notification(row) for row in rows]


def unread_count(database: Database, user_id: int) -> int:
    return database.scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL", (user_id,)
    )


def mark_all_read(database: Database, user_id: int, now: datetime) -> None:
    with database.write():
        database.execute(
            "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
            (to_db(now), user_id),
        )


def rules_of(database: Database, user_id: int) -> list[tuple[str, int]]:
    rows = database.query(
        "SELECT channel, delay_minutes FROM notification_rules WHERE user_id = ? "
        "ORDER BY delay_minutes, channel",
        (user_id,),
    )
    return [(row["channel"], row["delay_minutes"]) for row in rows] or list(DEFAULT_RULES)


def _rules_snapshot(rules: list[tuple[str, int]]) -> dict:
    return {"rules": [{"channel": channel, "delay_minutes": delay} for channel, delay in rules]}


def set_rules(
    database: Database,
    user_id: int,
    rules: list[tuple[str, int]],
    *,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> None:
    """Replace a person's alert channels, audited with the rules before and after.

    Without `actor`, the person changed their own rules (Settings); without `now`, the time is
    the system's (callers with an injected clock pass it)."""
    with database.write():
        before = rules_of(database, user_id)
        database.execute("DELETE FROM notification_rules WHERE user_id = ?", (user_id,))
        for channel, delay in rules:
            database.insert(
                "notification_rules",
                {"user_id": user_id, "channel": channel, "delay_minutes": delay},
            )
        if actor is None:
            email = database.scalar("SELECT email FROM users WHERE id = ?", (user_id,))
            actor = Actor(label=email or f"user:{user_id}", user_id=user_id)
        record(
            database,
            at=now or datetime.now(UTC),
            actor=actor,
            action="notification_rules.set",
            entity_type="user",
            entity_id=user_id,
            before=_rules_snapshot(before),
            after=_rules_snapshot(rules_of(database, user_id)),
        )


def attempts_of(database: Database, delivery_id: int) -> list[DeliveryAttempt]:
    """Every attempt at one delivery, first to last."""
    rows = database.query(
        "SELECT attempt, at, outcome, status_code, detail FROM delivery_attempts "
        "WHERE delivery_id = ? ORDER BY attempt, id",
        (delivery_id,),
    )
    return [
        DeliveryAttempt(
            attempt=row["attempt"],
            at=from_db(row["at"]),
            outcome=row["outcome"],
            status_code=row["status_code"],
            detail=row["detail"],
        )
        for row in rows
    ]


def enqueue(
    database: Database,
    notification_id: int,
    user_id: int,
    *,
    now: datetime,
    alert_id: int | None = None,
    channels: frozenset[str] = frozenset({"push", "email", "webhook"}),
    immediate: bool = False,
) -> int:
    """Queue the deliveries of one notification; run inside the caller's transaction.

    `channels` are those configured on this server (no SMTP host: no e-mail). Delays apply to
    alerts only: a reminder goes out on every channel at once (`immediate`)."""
    count = 0
    devices = [
        row["id"]
        for row in database.query("SELECT id FROM push_subscriptions WHERE user_id = ?", (user_id,))
    ]
    for channel, delay in rules_of(database, user_id):
        if channel not in channels:
            continue
        due = to_db(now if immediate else now + timedelta(minutes=delay))
        targets = devices if channel == "push" else [None]
        for device in targets:
            database.insert(
                "deliveries",
                {
                    "notification_id": notification_id,
                    "alert_id": alert_id,
                    "user_id": user_id,
                    "channel": channel,
                    "subscription_id": device,
                    "next_attempt_at": due,
                    "created_at": to_db(now),
                },
            )
            count += 1
    return count


def cancel_for_alert(database: Database, alert_id: int, reason: str) -> int:
    """Someone acknowledged: pages not yet sent for this alert are dropped."""
    return database.execute(
        "UPDATE deliveries SET status = 'cancelled', last_error = ? "
        "WHERE alert_id = ? AND status = 'pending'",
        (reason, alert_id),
    ).rowcount


def next_due(database: Database) -> datetime | None:
    value = database.scalar("SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending'")
    return from_db(value) if value else None


def send_to_device(
    database: Database, notification_id: int, user_id: int, device_id: int, *, now: datetime
) -> None:
    """One push to one device now (the "send a test" button)."""
    database.insert(
        "deliveries",
        {
            "notification_id": notification_id,
            "user_id": user_id,
            "channel": "push",
            "subscription_id": device_id,
            "next_attempt_at": to_db(now),
            "created_at": to_db(now),
        },
    )


def due_deliveries(database: Database, now: datetime, limit: int) -> list[dict]:
    """The deliveries due by `now`, oldest first, each with its notification, its person and
    (for push) its device."""
    return database.query(
        "SELECT d.id, d.channel, d.attempts, d.alert_id, d.user_id, d.subscription_id, "
        "n.id AS notification_id, n.kind, n.params, n.url, n.urgency, n.created_at AS n_at, "
        "u.email, u.name, u.locale, p.endpoint, p.p256dh, p.auth "
        "FROM deliveries d JOIN notifications n ON n.id = d.notification_id "
        "JOIN users u ON u.id = d.user_id "
        "LEFT JOIN push_subscriptions p ON p.id = d.subscription_id "
        "WHERE d.status = 'pending' AND d.next_attempt_at <= ? "
        "ORDER BY d.next_attempt_at, d.id "
        "LIMIT ?",
        (to_db(now), limit),
    )


# (a due delivery's row, the answer, what it makes of the delivery, the attempt's detail)
Tried = tuple[dict, SendResult, Outcome, str]


def record_attempts(database: Database, tried: Sequence[Tried], now: datetime) -> None:
    """Each attempt: the delivery's new state, its device's last success or failure (a gone
    device is forgotten), one `delivery_attempts` row and, for an alert, its timeline event,
    all in one transaction."""
    stamp = to_db(now)
    attempts_rows: list[tuple] = []
    with database.write():
        for row, result, outcome, detail in tried:
            attempts = row["attempts"] + 1
            status = outcome.status
            device = row["subscription_id"]
            if device and status == "sent":
                database.execute(
                    "UPDATE push_subscriptions SET last_success_at = ? WHERE id = ?",
                    (stamp, device),
                )
            elif device and status == "gone":
                database.execute("DELETE FROM push_subscriptions WHERE id = ?", (device,))
            elif device:
                database.execute(
                    "UPDATE push_subscriptions SET last_failure_at = ? WHERE id = ?",
                    (stamp, device),
                )
            database.execute(
                "UPDATE deliveries SET status = ?, attempts = ?, last_status = ?, "
                "last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at), "
                "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
                (
                    status,
                    attempts,
                    result.status,
                    result.error or None,
                    to_db(outcome.next_at) if outcome.next_at else None,
                    status,
                    stamp,
                    row["id"],
                ),
            )
            attempts_rows.append(
                (
                    row["id"],
                    attempts,
                    stamp,
                    "retry" if status == "pending" else status,
                    result.status,
                    detail,
                )
            )
            if row["alert_id"]:
                # The alert's timeline shows each attempt to wake someone (table alert_events:
                # the alert's own timeline, written here so the attempt and its event are one).
                database.insert(
                    "alert_events",
                    {
                        "alert_id": row["alert_id"],
                        "at": stamp,
                        "kind": "delivery",
                        "actor": "",
                        "detail": msgspec.json.encode(
                            {
                                "channel": row["channel"],
                                "name": row["name"],
                                "status": status,
                                "code": result.status,
                                "error": result.error[:120],
                            }
                        ).decode(),
                    },
                )
        # A delivery deleted while it was being sent (its alert's team removed) is skipped:
        # its foreign key would otherwise roll the whole batch back, to be sent again.
        database.executemany(
            "INSERT INTO delivery_attempts (delivery_id, attempt, at, outcome, status_code, "
            "detail) SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS "
            "(SELECT 1 FROM deliveries WHERE id = ?1)",
            attempts_rows,
        )
