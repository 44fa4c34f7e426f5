"""The demo's own SQL: what seeding does that no page does (passwords given without an
invitation, shifts published and answered as if weeks had passed, a year of history written
in bulk)."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from server.clock import to_db
from server.db import Database
from server.demo.history_models import History


def any_user(database: Database) -> bool:
    """Whether anyone exists yet (an empty database gets the demo outside production)."""
    return bool(database.scalar("SELECT COUNT(*) FROM users"))


def give_password(database: Database, user_id: int, password_hash: str) -> None:
    """The demo's shared password, hashed once for everyone (argon2 is slow on purpose)."""
    database.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))


def publish_told(database: Database, team_id: int, *, told_at: str, before: str) -> None:
    """The team's shifts starting before `before` published, as told at `told_at` (stored
    times, as the schedule's seeding computes them)."""
    database.execute(
        "UPDATE shifts SET status = 'published', published_at = ? "
        "WHERE team_id = ? AND starts_at < ?",
        (told_at, team_id, before),
    )


def published_shifts(database: Database, team_id: int) -> list[dict]:
    """id, user_id and starts_at (stored text) of the team's published shifts, in order."""
    return database.query(
        "SELECT id, user_id, starts_at FROM shifts WHERE team_id = ? AND status = 'published' "
        "ORDER BY starts_at",
        (team_id,),
    )


def decline(database: Database, shift_id: int, *, told_at: str, reason: str) -> None:
    database.execute(
        "UPDATE shifts SET status = 'declined', answered_at = ?, decline_reason = ? WHERE id = ?",
        (told_at, reason, shift_id),
    )


def accept(database: Database, shift_id: int, *, told_at: str) -> None:
    database.execute(
        "UPDATE shifts SET status = 'accepted', answered_at = ? WHERE id = ?", (told_at, shift_id)
    )


def publish_draft(
    database: Database, shift_id: int, *, answered: bool, told_at: str, now: datetime
) -> None:
    """A draft published as told at `told_at`, accepted then too unless its person is slow to
    answer; a draft published meanwhile is left alone."""
    database.execute(
        "UPDATE shifts SET status = ?, published_at = ?, answered_at = ?, "
        "version = version + 1, updated_at = ? WHERE id = ? AND status = 'draft'",
        (
            "accepted" if answered else "published",
            told_at,
            told_at if answered else None,
            to_db(now),
            shift_id,
        ),
    )


def earliest_shift(database: Database, team_id: int, layer: str) -> str | None:
    """When the team's first shift of the layer starts (stored text)."""
    return database.scalar(
        "SELECT MIN(starts_at) FROM shifts WHERE team_id = ? AND layer = ?", (team_id, layer)
    )


def accept_drafts_before(database: Database, team_id: int, *, told_at: str, before: str) -> None:
    """The team's drafts starting before `before` published and accepted at `told_at`."""
    database.execute(
        "UPDATE shifts SET status = 'accepted', published_at = ?, answered_at = ? "
        "WHERE team_id = ? AND status = 'draft' AND starts_at < ?",
        (told_at, told_at, team_id, before),
    )


def held_shifts(database: Database, team_id: int) -> list[dict]:
    """layer, user_id, starts_at, ends_at of the team's published or accepted shifts."""
    return database.query(
        "SELECT layer, user_id, starts_at, ends_at FROM shifts "
        "WHERE team_id = ? AND status IN ('published', 'accepted') ORDER BY starts_at",
        (team_id,),
    )


def intervention_times(database: Database) -> list[dict]:
    """user_id, started_at, ended_at, travel_minutes of every intervention (not deleted)."""
    return database.query(
        "SELECT user_id, started_at, ended_at, travel_minutes FROM interventions "
        "WHERE deleted_at IS NULL ORDER BY started_at"
    )


def _next_id(database: Database, table: str) -> int:
    return (database.scalar(f"SELECT COALESCE(MAX(id), 0) FROM {table}") or 0) + 1


def insert_history(
    database: Database,
    team_id: int,
    team_name: str,
    policy: str,
    history: History,
    found: str,
) -> None:
    """A team's planned year in bulk (ids given here, so each table is one statement): the
    alerts and their timelines, the pages (notifications, read) and their deliveries with
    each attempt, the interventions (their `found` marks them as seeded) and fatigue reports."""
    alert_id = _next_id(database, "alerts")
    notification_id = _next_id(database, "notifications")
    delivery_id = _next_id(database, "deliveries")
    alerts, events, notifications, deliveries, attempts, works = [], [], [], [], [], []
    for plan in history.alerts:
        alerts.append(
            (
                alert_id,
                team_id,
                plan.title,
                plan.severity,
                plan.dedup_key,
                plan.source,
                to_db(plan.created_at),
                _db(plan.acknowledged_at),
                plan.acknowledged_by,
                to_db(plan.resolved_at),
                plan.resolved_by,
                policy,
                plan.step,
                plan.round,
                plan.event_count,
            )
        )
        events.extend(
            (alert_id, to_db(e.at), e.kind, e.actor, msgspec.json.encode(e.detail).decode())
            for e in plan.events
        )
        for page in plan.pages:
            params = {
                "alert_id": alert_id,
                "title": plan.title,
                "severity": plan.severity,
                "team": team_name,
                **({"reason": page.reason} if page.reason else {}),
            }
            notifications.append(
                (
                    notification_id,
                    page.user_id,
                    msgspec.json.encode(params).decode(),
                    f"/alerts/{alert_id}",
                    to_db(page.at),
                    to_db(page.read_at),
                )
            )
            for d in page.deliveries:
                sent = d.status == "sent"
                deliveries.append(
                    (
                        delivery_id,
                        notification_id,
                        alert_id,
                        page.user_id,
                        d.channel,
                        d.status,
                        1 if sent else 0,
                        to_db(d.due),
                        d.code,
                        d.cancelled_by,
                        to_db(page.at),
                        _db(d.sent_at),
                    )
                )
                if sent:
                    attempts.append((delivery_id, _db(d.sent_at), d.code))
                delivery_id += 1
            notification_id += 1
        if plan.work is not None:
            w = plan.work
            synced = to_db(w.ended_at + timedelta(minutes=10))
            works.append(
                (
                    w.uuid,
                    w.user_id,
                    team_id,
                    alert_id,
                    to_db(w.started_at),
                    to_db(w.ended_at),
                    w.travel_minutes,
                    w.place,
                    w.mode,
                    found,
                    w.done,
                    w.outcome,
                    synced,
                    synced,
                    synced,
                    synced,
                )
            )
        alert_id += 1
    database.executemany(
        "INSERT INTO alerts (id, team_id, title, severity, dedup_key, source, status, "
        "created_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by, policy, step, "
        "round, next_step_at, event_count) "
        "VALUES (?, ?, ?, ?, ?, ?, 'resolved', ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
        alerts,
    )
    database.executemany(
        "INSERT INTO alert_events (alert_id, at, kind, actor, detail) VALUES (?, ?, ?, ?, ?)",
        events,
    )
    database.executemany(
        "INSERT INTO notifications (id, user_id, kind, params, url, urgency, created_at, "
        "read_at) VALUES (?, ?, 'alert', ?, ?, 'high', ?, ?)",
        notifications,
    )
    database.executemany(
        "INSERT INTO deliveries (id, notification_id, alert_id, user_id, channel, status, "
        "attempts, next_attempt_at, last_status, last_error, created_at, sent_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        deliveries,
    )
    database.executemany(
        "INSERT INTO delivery_attempts (delivery_id, attempt, at, outcome, status_code) "
        "VALUES (?, 1, ?, 'sent', ?)",
        attempts,
    )
    database.executemany(
        "INSERT INTO interventions (uuid, user_id, team_id, alert_id, started_at, ended_at, "
        "travel_minutes, place, mode, found, done, outcome, client_changed_at, "
        "server_changed_at, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        works,
    )
    database.executemany(
        "INSERT INTO fatigue_reports (user_id, score, reported_at, context, created_at) "
        "VALUES (?, ?, ?, 'night_intervention', ?)",
        [(f.user_id, f.score, to_db(f.reported_at), to_db(f.reported_at)) for f in history.fatigue],
    )


def _db(moment: datetime | None) -> str | None:
    return to_db(moment) if moment is not None else None
