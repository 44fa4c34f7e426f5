"""The delivery queue: each notification becomes a delivery per channel (and per device for
push), due at once or after the person's delay; the dispatcher sends them outside requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.audit.models import Actor
from server.audit.store import record
from server.clock import from_db, to_db
from server.db import Database
from server.notifications.models import DeliveryAttempt

# Without rules of their own, a person is pushed at once and e-mailed after five minutes.
DEFAULT_RULES: tuple[tuple[str, int], ...] = (("push", 0), ("email", 5))


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
