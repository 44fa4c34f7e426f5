"""Alerts in SQL: intake with dedup, each escalation step fired exactly once, ack and resolve.

Every change, its timeline event, the notifications it causes and their queued deliveries
are one transaction: a crash leaves either all of it or none."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from server.alerts.models import Alert, AlertEvent, AlertIn, EscalationPolicy
from server.alerts.rules import (
    backup_first,
    due_at,
    nobody_reason,
    plan_firing,
    resolve_targets,
    step_after,
)
from server.audit.models import Actor
from server.clock import from_db, to_db
from server.db import Database
from server.errors import Conflict, InvalidInput, NotFound
from server.i18n import gettext as _
from server.interventions.store import list_interventions
from server.notifications.deliveries import cancel_for_alert, enqueue
from server.notifications.store import notify
from server.rest.fatigue import FatigueReport, latest_fatigue
from server.schedules.lookup import who_is_on_call
from server.teams.store import get_team, members
from server.tokens import hash_token, new_token

# Fatigue declared longer ago than this no longer changes who is woken first.
TIRED_WINDOW = timedelta(hours=12)


def _opt(value: str | None) -> datetime | None:
    return from_db(value) if value else None


def _alert(row: dict) -> Alert:
    return Alert(
        id=row["id"],
        team_id=row["team_id"],
        title=row["title"],
        details=row["details"],
        severity=row["severity"],
        dedup_key=row["dedup_key"],
        source=row["source"],
        links=msgspec.json.decode(row["links"]),
        status=row["status"],
        created_at=from_db(row["created_at"]),
        acknowledged_at=_opt(row["acknowledged_at"]),
        acknowledged_by=row["acknowledged_by"],
        resolved_at=_opt(row["resolved_at"]),
        resolved_by=row["resolved_by"],
        assigned_user_id=row["assigned_user_id"],
        policy=msgspec.json.decode(row["policy"], type=EscalationPolicy),
        step=row["step"],
        round=row["round"],
        next_step_at=_opt(row["next_step_at"]),
        event_count=row["event_count"],
        version=row["version"],
    )


def get_alert(database: Database, alert_id: int) -> Alert:
    row = database.one("SELECT * FROM alerts WHERE id = ?", (alert_id,))
    if row is None:
        raise NotFound(_("This alert does not exist."))
    return _alert(row)


def list_alerts(
    database: Database, team_ids: list[int], *, limit: int = 100, open_only: bool = False
) -> list[Alert]:
    marks = ",".join("?" * len(team_ids)) or "NULL"
    where = f"team_id IN ({marks})" + (" AND status != 'resolved'" if open_only else "")
    rows = database.query(
        f"SELECT * FROM alerts WHERE {where} "
        "ORDER BY status = 'resolved', created_at DESC, id DESC LIMIT ?",
        (*team_ids, limit),
    )
    return [_alert(row) for row in rows]


def open_alerts_for(database: Database, user_id: int) -> list[Alert]:
    """Open alerts this person was paged for or is assigned to."""
    # As count_open_for: the person's alert notifications read once (a join re-read them for
    # every open alert: 1.3 s for the Today page of someone paged 3,000 times in a storm).
    rows = database.query(
        "SELECT a.* FROM alerts a WHERE a.status != 'resolved' AND (a.id IN ("
        "SELECT json_extract(n.params, '$.alert_id') FROM notifications n "
        "WHERE n.user_id = ?2 AND n.kind = 'alert') OR a.assigned_user_id = ?1) "
        "ORDER BY a.created_at DESC",
        (user_id, user_id),
    )
    return [_alert(row) for row in rows]


def events_of(database: Database, alert_id: int) -> list[AlertEvent]:
    rows = database.query("SELECT * FROM alert_events WHERE alert_id = ? ORDER BY id", (alert_id,))
    return [
        AlertEvent(
            id=r["id"],
            at=from_db(r["at"]),
            kind=r["kind"],
            actor=r["actor"],
            detail=msgspec.json.decode(r["detail"]),
        )
        for r in rows
    ]


def add_event(
    database: Database, alert_id: int, kind: str, now: datetime, actor: str = "", **detail
) -> None:
    database.insert(
        "alert_events",
        {
            "alert_id": alert_id,
            "at": to_db(now),
            "kind": kind,
            "actor": actor,
            "detail": msgspec.json.encode(detail).decode(),
        },
    )


def team_policy(database: Database, team_id: int) -> EscalationPolicy:
    row = database.one("SELECT policy FROM escalation_policies WHERE team_id = ?", (team_id,))
    return msgspec.json.decode(row["policy"], type=EscalationPolicy) if row else EscalationPolicy()


def save_policy(
    database: Database, team_id: int, policy: EscalationPolicy, *, actor: Actor, now: datetime
) -> None:
    from server.audit.store import record

    with database.write():
        before = team_policy(database, team_id)
        database.execute(
            "INSERT INTO escalation_policies (team_id, policy, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (team_id) DO UPDATE SET policy = excluded.policy, "
            "updated_at = excluded.updated_at",
            (team_id, msgspec.json.encode(policy).decode(), to_db(now)),
        )
        record(
            database,
            at=now,
            actor=actor,
            action="escalation.save",
            entity_type="team",
            entity_id=team_id,
            team_id=team_id,
            before=before,
            after=policy,
        )


def create_alert(
    database: Database,
    team_id: int,
    data: AlertIn,
    *,
    now: datetime,
    channels: frozenset[str],
    actor: str = "",
) -> tuple[Alert, bool]:
    """(the alert, True) when new; (the open alert, False) when its dedup key was already open."""
    with database.write():
        if data.dedup_key:
            row = database.one(
                "SELECT * FROM alerts WHERE team_id = ? AND dedup_key = ? AND status != 'resolved'",
                (team_id, data.dedup_key),
            )
            if row is not None:
                database.execute(
                    "UPDATE alerts SET event_count = event_count + 1, version = version + 1 "
                    "WHERE id = ?",
                    (row["id"],),
                )
                add_event(
                    database,
                    row["id"],
                    "repeated",
                    now,
                    actor or data.source,
                    title=data.title,
                    details=data.details[:500],
                )
                return get_alert(database, row["id"]), False
        policy = team_policy(database, team_id)
        alert_id = database.insert(
            "alerts",
            {
                "team_id": team_id,
                "title": data.title,
                "details": data.details,
                "severity": data.severity,
                "dedup_key": data.dedup_key,
                "source": data.source,
                "links": msgspec.json.encode(data.links).decode(),
                "status": "triggered",
                "created_at": to_db(now),
                "policy": msgspec.json.encode(policy).decode(),
                "step": 0,
                "round": 0,
                "next_step_at": to_db(now),
            },
        )
        add_event(database, alert_id, "created", now, actor or data.source, severity=data.severity)
        fire_due_step(database, alert_id, now, channels)
        return get_alert(database, alert_id), True


def fire_due_step(
    database: Database, alert_id: int, now: datetime, channels: frozenset[str]
) -> bool:
    """Fire the alert's next step if it is due, and move the cursor; exactly once, because the
    pages and the cursor are written in one transaction (a crash before the commit loses both,
    and the step fires again after the restart; after it, neither)."""
    with database.write():
        alert = get_alert(database, alert_id)
        if alert.status != "triggered" or alert.next_step_at is None or alert.next_step_at > now:
            return False
        oncall = who_is_on_call(database, alert.team_id, now)
        team = [m for m in members(database, alert.team_id) if m.active]
        primary = oncall.primary.user_id if oncall.primary else None
        secondary = oncall.secondary.user_id if oncall.secondary else None
        tired = _tired_primary(database, alert, primary, secondary, now)
        if tired is not None:
            primary, secondary = secondary, primary
        managers = [m.user_id for m in team if m.team_role == "manager"]

        in_team = {m.user_id for m in team}

        def people_of(step: int) -> list[int]:
            people = resolve_targets(
                alert.policy.steps[step].targets,
                primary=primary,
                secondary=secondary,
                managers=managers,
                team=[m.user_id for m in team],
            )
            if alert.assigned_user_id and alert.assigned_user_id not in people:
                people.insert(0, alert.assigned_user_id)
            # A shift or a policy can still name someone who left the team or was deactivated:
            # their phone must not ring for it (a step left with nobody passes on at once).
            return [person for person in people if person in in_team]

        firing = plan_firing(alert.policy, alert.step, alert.round, people_of, managers)
        people = list(firing.people)
        names = {m.user_id: m.name for m in team}
        # Nobody on call at all, and the alert went past the steps that page them: the alert's
        # page and the managers' notification say why they were woken (a hole in the schedule).
        gap = (
            primary is None and secondary is None and bool(firing.passed or firing.managers_instead)
        )
        reason = "coverage_gap" if gap else ""
        for person in people:
            notification_id = notify(
                database,
                person,
                "alert",
                {
                    "alert_id": alert.id,
                    "title": alert.title,
                    "severity": alert.severity,
                    "team": _team_name(database, alert.team_id),
                    **({"reason": reason} if reason else {}),
                },
                now=now,
                url=f"/alerts/{alert.id}",
                urgency="high",
            )
            enqueue(
                database, notification_id, person, now=now, alert_id=alert.id, channels=channels
            )
        if tired is not None and alert.step == 0 and alert.round == 0:
            add_event(
                database,
                alert.id,
                "backup_first",
                now,
                name=names.get(primary, str(primary)),
                score=tired.score,
                at=to_db(tired.reported_at),
            )
        for passed in firing.passed:
            # Nobody at this step: the next one fires now rather than after its delay.
            add_event(
                database,
                alert.id,
                "nobody_to_page",
                now,
                step=passed + 1,
                round=alert.round + 1,
                people=[],
                passed_on=True,
                reason=nobody_reason(alert.policy, passed),
            )
        detail: dict = {"reason": reason} if reason else {}
        if firing.managers_instead:
            detail["managers_instead"] = True
        elif not people:
            detail = {"reason": nobody_reason(alert.policy, firing.step)}
        add_event(
            database,
            alert.id,
            "paged" if people else "nobody_to_page",
            now,
            step=firing.step + 1,
            round=alert.round + 1,
            people=[names.get(p, str(p)) for p in people],
            **detail,
        )
        following = step_after(alert.policy, firing.step, alert.round)
        if following is None:
            database.execute(
                "UPDATE alerts SET next_step_at = NULL, version = version + 1 WHERE id = ?",
                (alert.id,),
            )
        else:
            next_step, next_round = following
            database.execute(
                "UPDATE alerts SET step = ?, round = ?, next_step_at = ?, version = version + 1 "
                "WHERE id = ?",
                (next_step, next_round, to_db(due_at(alert.policy, now, next_step)), alert.id),
            )
        return True


def _tired_primary(
    database: Database, alert: Alert, primary: int | None, secondary: int | None, now: datetime
) -> FatigueReport | None:
    """The primary's fatigue report when it sends this alert to the backup first."""
    if not alert.policy.backup_first_when_tired or primary is None:
        return None
    report = latest_fatigue(database, primary, now - TIRED_WINDOW)
    if backup_first(True, primary, secondary, report.score if report else None):
        return report
    return None


def _team_name(database: Database, team_id: int) -> str:
    return database.scalar("SELECT name FROM teams WHERE id = ?", (team_id,)) or ""


def escalate_due(database: Database, now: datetime, channels: frozenset[str]) -> int:
    """The engine's job: every alert whose next step is due fires it."""
    due = database.query(
        "SELECT id FROM alerts WHERE status = 'triggered' AND next_step_at <= ? "
        "ORDER BY next_step_at",
        (to_db(now),),
    )
    return sum(fire_due_step(database, row["id"], now, channels) for row in due)


def acknowledge(
    database: Database, alert_id: int, *, user_id: int | None, actor: str, now: datetime
) -> Alert:
    with database.write():
        alert = get_alert(database, alert_id)
        if alert.status == "acknowledged":
            raise Conflict(_("This alert is already acknowledged."))
        if alert.status == "resolved":
            raise Conflict(_("This alert is already resolved."))
        database.execute(
            "UPDATE alerts SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, "
            "next_step_at = NULL, version = version + 1 WHERE id = ?",
            (to_db(now), user_id, alert_id),
        )
        dropped = cancel_for_alert(database, alert_id, "acknowledged")
        add_event(database, alert_id, "acknowledged", now, actor, cancelled=dropped)
        _audit(
            database, alert, "alert.acknowledge", actor, user_id, now, {"status": "acknowledged"}
        )
        return get_alert(database, alert_id)


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
        database.execute(
            "UPDATE alerts SET status = 'resolved', resolved_at = ?, resolved_by = ?, "
            "next_step_at = NULL, version = version + 1 WHERE id = ?",
            (to_db(now), user_id, alert_id),
        )
        dropped = cancel_for_alert(database, alert_id, "resolved")
        add_event(database, alert_id, "resolved", now, actor, cancelled=dropped)
        _audit(database, alert, "alert.resolve", actor, user_id, now, {"status": "resolved"})
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
        next_step, next_round = following or (0, 0)
        next_at = to_db(due_at(alert.policy, now, next_step)) if following else None
        database.execute(
            "UPDATE alerts SET assigned_user_id = ?, status = 'triggered', acknowledged_at = NULL, "
            "acknowledged_by = NULL, step = ?, round = ?, next_step_at = ?, version = version + 1 "
            "WHERE id = ?",
            (user_id, next_step, next_round, next_at, alert_id),
        )
        notification_id = notify(
            database,
            user_id,
            "alert",
            {
                "alert_id": alert.id,
                "title": alert.title,
                "severity": alert.severity,
                "team": _team_name(database, alert.team_id),
            },
            now=now,
            url=f"/alerts/{alert.id}",
            urgency="high",
        )
        enqueue(database, notification_id, user_id, now=now, alert_id=alert.id, channels=channels)
        add_event(database, alert_id, "reassigned", now, actor, user_id=user_id)
        add_event(database, alert_id, "paged", now, step=1, round=1, people=[team[user_id]])
        _audit(database, alert, "alert.reassign", actor, actor_user_id, now, {"user_id": user_id})
        return get_alert(database, alert_id)


def _audit(
    database: Database,
    alert: Alert,
    action: str,
    actor: str,
    actor_user_id: int | None,
    now: datetime,
    after: dict,
) -> None:
    from server.audit.store import record

    record(
        database,
        at=now,
        actor=Actor(label=actor, user_id=actor_user_id),
        action=action,
        entity_type="alert",
        entity_id=alert.id,
        team_id=alert.team_id,
        before={"status": alert.status, "assigned_user_id": alert.assigned_user_id},
        after=after,
    )


def next_escalation(database: Database) -> datetime | None:
    value = database.scalar("SELECT MIN(next_step_at) FROM alerts WHERE status = 'triggered'")
    return from_db(value) if value else None


def count_open_for(database: Database, user_id: int) -> int:
    """Open alerts this person was paged for or is assigned to (page title and app badge)."""
    return database.scalar(
        # IN (a list read once, from the index notifications_alert), not a correlated EXISTS:
        # that re-read the person's notifications for every open alert, quadratic in a storm
        # (2 s per count at 3,000 open alerts; now 1 ms). The IN comes first: most open alerts
        # pass it from the index alone, without reading their row for assigned_user_id.
        "SELECT COUNT(*) FROM alerts a WHERE a.status = 'triggered' AND (a.id IN ("
        "SELECT json_extract(n.params, '$.alert_id') FROM notifications n "
        "WHERE n.user_id = ?2 AND n.kind = 'alert') OR a.assigned_user_id = ?1)",
        (user_id, user_id),
    )


def open_alert_id(database: Database, team_id: int, dedup_key: str) -> int | None:
    return database.scalar(
        "SELECT id FROM alerts WHERE team_id = ? AND dedup_key = ? AND status != 'resolved'",
        (team_id, dedup_key),
    )


def issue_ack_token(
    database: Database, alert_id: int, user_id: int, now: datetime, lifetime: timedelta
) -> str:
    """A single-use secret for one person to acknowledge one alert from its push; run inside
    the caller's transaction. Only its hash is kept."""
    token = new_token(24)
    database.insert(
        "ack_tokens",
        {
            "token_hash": hash_token(token),
            "alert_id": alert_id,
            "user_id": user_id,
            "expires_at": to_db(now + lifetime),
        },
    )
    return token
