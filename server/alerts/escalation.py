"""Escalation, the service: each due step of an alert fires exactly once. Who is on call, the
team and the primary's fatigue are read; the rules decide who is paged (alerts/rules.py:
who_to_page); then the pages, their deliveries, the timeline and the cursor's move are
written in one transaction, so a crash before the commit loses all of it (the step fires
again after the restart) and after it none."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.alerts.models import Alert
from server.alerts.rules import due_at, timeline_of, who_to_page
from server.alerts.store import (
    add_event,
    due_alert_ids,
    get_alert,
    move_cursor,
    team_name,
)
from server.clock import to_db
from server.db import Database
from server.notifications.store import enqueue, notify
from server.rest.models import FatigueReport
from server.rest.store import latest_fatigue
from server.schedules.lookup import who_is_on_call
from server.teams.store import members

# Fatigue declared longer ago than this no longer changes who is woken first.
TIRED_WINDOW = timedelta(hours=12)


def page(
    database: Database,
    alert: Alert,
    person: int,
    *,
    now: datetime,
    channels: frozenset[str],
    reason: str = "",
) -> None:
    """Wake one person for the alert: their notification and its deliveries on the channels
    they chose (inside the caller's transaction)."""
    notification_id = notify(
        database,
        person,
        "alert",
        {
            "alert_id": alert.id,
            "title": alert.title,
            "severity": alert.severity,
            "team": team_name(database, alert.team_id),
            **({"reason": reason} if reason else {}),
        },
        now=now,
        url=f"/alerts/{alert.id}",
        urgency="high",
    )
    enqueue(database, notification_id, person, now=now, alert_id=alert.id, channels=channels)


def _fatigue(
    database: Database, alert: Alert, primary: int | None, now: datetime
) -> FatigueReport | None:
    """The primary's latest fatigue report, when the team lets it send alerts to the backup
    first (read only then)."""
    if not alert.policy.backup_first_when_tired or primary is None:
        return None
    return latest_fatigue(database, primary, now - TIRED_WINDOW)


def fire_due_step(
    database: Database, alert_id: int, now: datetime, channels: frozenset[str]
) -> bool:
    """Fire the alert's next step if it is due, and move the cursor; exactly once, because the
    pages and the cursor are written in one transaction."""
    with database.write():
        alert = get_alert(database, alert_id)
        if alert.status != "triggered" or alert.next_step_at is None or alert.next_step_at > now:
            return False
        oncall = who_is_on_call(database, alert.team_id, now)
        team = [m for m in members(database, alert.team_id) if m.active]
        primary = oncall.primary.user_id if oncall.primary else None
        secondary = oncall.secondary.user_id if oncall.secondary else None
        report = _fatigue(database, alert, primary, now)
        decided = who_to_page(
            alert.policy,
            alert.step,
            alert.round,
            primary=primary,
            secondary=secondary,
            primary_score=report.score if report else None,
            managers=[m.user_id for m in team if m.team_role == "manager"],
            team=[m.user_id for m in team],
            assigned=alert.assigned_user_id,
        )
        names = {m.user_id: m.name for m in team}
        for person in decided.firing.people:
            page(database, alert, person, now=now, channels=channels, reason=decided.reason)
        if decided.backup_first and report is not None and alert.step == 0 and alert.round == 0:
            add_event(
                database,
                alert.id,
                "backup_first",
                now,
                name=names.get(decided.primary, str(decided.primary)),
                score=report.score,
                at=to_db(report.reported_at),
            )
        for kind, detail in timeline_of(decided, alert.policy, alert.round, names):
            add_event(database, alert.id, kind, now, **detail)
        following = decided.following
        due = due_at(alert.policy, now, following[0]) if following else None
        move_cursor(database, alert.id, following, due)
        return True


def escalate_due(database: Database, now: datetime, channels: frozenset[str]) -> int:
    """The engine's job: every alert whose next step is due fires it."""
    return sum(
        fire_due_step(database, alert_id, now, channels)
        for alert_id in due_alert_ids(database, now)
    )
