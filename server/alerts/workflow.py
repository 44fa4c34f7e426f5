"""An alert's life, the service: raised (or repeated, by its dedup key), acknowledged (from
the app, the API or a notification's single-use token), resolved, given to someone. Each
change, its timeline event, its audit entry, the notifications it causes and their queued
deliveries are one transaction: a crash leaves either all of it or none."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.alerts.escalation import fire_due_step, page
from server.alerts.models import Alert, AlertIn
from server.alerts.rules import due_at, step_after
from server.alerts.store import (
    ack_token_row,
    add_event,
    assign,
    audit,
    count_repeat,
    get_alert,
    insert_ack_token,
    insert_alert,
    mark_acknowledged,
    mark_resolved,
    open_alert,
    open_alert_id,
    team_policy,
    use_ack_token,
)
from server.clients.models import CallerMatch
from server.db import Database
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.i18n import gettext as _
from server.interventions.store import list_interventions
from server.notifications.store import cancel_for_alert
from server.teams.store import get_team, members
from server.tokens import hash_token, new_token


def create_alert(
    database: Database,
    team_id: int,
    data: AlertIn,
    *,
    now: datetime,
    channels: frozenset[str],
    actor: str = "",
    caller: CallerMatch | None = None,
) -> tuple[Alert, bool]:
    """(the alert, True) when new; (the open alert, False) when its dedup key was already open.
    `caller`: the client whose number called, named on a new alert."""
    with database.write():
        if data.dedup_key:
            existing = open_alert(database, team_id, data.dedup_key)
            if existing is not None:
                count_repeat(database, existing.id)
                add_event(
                    database,
                    existing.id,
                    "repeated",
                    now,
                    actor or data.source,
                    title=data.title,
                    details=data.details[:500],
                )
                return get_alert(database, existing.id), False
        alert_id = insert_alert(
            database, team_id, data, team_policy(database, team_id), now, caller
        )
        add_event(database, alert_id, "created", now, actor or data.source, severity=data.severity)
        fire_due_step(database, alert_id, now, channels)
        return get_alert(database, alert_id), True


def apply_group(
    database: Database,
    team_id: int,
    plan: list[tuple[str, AlertIn | None]],
    *,
    now: datetime,
    channels: frozenset[str],
    actor: str,
) -> tuple[int, int, int]:
    """A monitoring system's group of alerts, each (dedup key, the alert to raise or None to
    resolve it), applied in one transaction: (created, repeated, resolved). Alertmanager
    resends a whole group on any error, so none of it may be half-written."""
    created = repeated = resolved = 0
    with database.write():
        for dedup, alert_in in plan:
            if alert_in is None:
                alert_id = open_alert_id(database, team_id, dedup)
                if alert_id is not None:
                    # The system recovered: a fact, closed even where the team wants a report
                    # (refusing would make Alertmanager resend the group forever).
                    resolve(database, alert_id, user_id=None, actor=actor, now=now, by_source=True)
                    resolved += 1
                continue
            _alert, new = create_alert(
                database, team_id, alert_in, now=now, channels=channels, actor=actor
            )
            created += new
            repeated += not new
    return created, repeated, resolved


def acknowledge(
    database: Database, alert_id: int, *, user_id: int | None, actor: str, now: datetime
) -> Alert:
    with database.write():
        alert = get_alert(database, alert_id)
        if alert.status == "acknowledged":
            raise Conflict(_("This alert is already acknowledged."))
        if alert.status == "resolved":
            raise Conflict(_("This alert is already resolved."))
        mark_acknowledged(database, alert_id, user_id, now)
        dropped = cancel_for_alert(database, alert_id, "acknowledged")
        add_event(database, alert_id, "acknowledged", now, actor, cancelled=dropped)
        audit(database, alert, "alert.acknowledge", actor, user_id, now, {"status": "acknowledged"})
        return get_alert(database, alert_id)


def issue_ack_token(
    database: Database, alert_id: int, user_id: int, now: datetime, lifetime: timedelta
) -> str:
    """A single-use secret for one person to acknowledge one alert from its push; run inside
    the caller's transaction. Only its hash is kept."""
    token = new_token(24)
    insert_ack_token(database, hash_token(token), alert_id, user_id, now + lifetime)
    return token


def acknowledge_with_token(database: Database, token: str, now: datetime) -> Alert:
    """Acknowledge the alert a notification's token names, as the person it was issued to.
    Whoever holds the phone holds the token: it acts only for a person still active and still
    in the alert's team (or an admin, who may acknowledge any alert), once, before it expires;
    the token is spent in the same transaction as the acknowledgement."""
    token_hash = hash_token(token)
    with database.write():
        row = ack_token_row(database, token_hash)
        if row is None or row["expires_at"] <= now:
            raise NotFound(_("This acknowledgement link is not valid any more."))
        if not row["active"]:
            raise Forbidden(_("This account is no longer active."))
        if not row["in_team"]:
            raise Forbidden(_("You are no longer in this alert's team."))
        if row["used_at"]:
            raise Conflict(_("This acknowledgement was already used."))
        use_ack_token(database, token_hash, now)
        return acknowledge(
            database, row["alert_id"], user_id=row["user_id"], actor=row["email"], now=now
        )


class ReportRequired(Conflict):
    """The team closes alerts only once an intervention report is linked to them."""

    code = "intervention-report-required"


def resolve(
    database: Database,
    alert_id: int,
    *,
    user_id: int | None,
    actor: str,
    now: datetime,
    by_source: bool = False,
) -> Alert:
    """Close the alert. When the team requires a report, a person (or an integration acting for
    one) needs an intervention linked to it first; `by_source` is the monitoring system saying
    it recovered, a fact about the system that no report could make untrue, so it closes."""
    with database.write():
        alert = get_alert(database, alert_id)
        if alert.status == "resolved":
            raise Conflict(_("This alert is already resolved."))
        if not by_source and report_missing(database, alert):
            raise ReportRequired(
                _(
                    "This team closes an alert only with its intervention report: "
                    "log the intervention first."
                )
            )
        mark_resolved(database, alert_id, user_id, now)
        dropped = cancel_for_alert(database, alert_id, "resolved")
        add_event(database, alert_id, "resolved", now, actor, cancelled=dropped)
        audit(database, alert, "alert.resolve", actor, user_id, now, {"status": "resolved"})
        return get_alert(database, alert_id)


def report_missing(database: Database, alert: Alert) -> bool:
    """The team requires a report to close its alerts and none (not deleted) is linked yet."""
    if not get_team(database, alert.team_id).policy.require_intervention_report:
        return False
    return not list_interventions(database, alert_id=alert.id, limit=1)


def reassign(
    database: Database,
    alert_id: int,
    user_id: int,
    *,
    actor: str,
    now: datetime,
    channels: frozenset[str],
    actor_user_id: int | None = None,
) -> Alert:
    """Give an open alert to someone: only they are paged now, and if they do not acknowledge,
    escalation goes on from the policy's second step (the first would wake the giver again)."""
    with database.write():
        alert = get_alert(database, alert_id)
        if alert.status == "resolved":
            raise Conflict(_("This alert is already resolved."))
        team = {m.user_id: m.name for m in members(database, alert.team_id) if m.active}
        if user_id not in team:
            raise InvalidInput(_("This person is not in this team."), field="user_id")
        following = step_after(alert.policy, 0, 0)
        due = due_at(alert.policy, now, following[0]) if following else None
        assign(database, alert_id, user_id, following or (0, 0), due)
        page(database, alert, user_id, now=now, channels=channels)
        add_event(database, alert_id, "reassigned", now, actor, user_id=user_id)
        add_event(database, alert_id, "paged", now, step=1, round=1, people=[team[user_id]])
        audit(database, alert, "alert.reassign", actor, actor_user_id, now, {"user_id": user_id})
        return get_alert(database, alert_id)
