"""Alerts in SQL: rows, timeline events, escalation policies, the escalation cursor and the
single-use acknowledgement tokens. Nothing here decides: the services (escalation.py,
workflow.py) decide with the rules, then write through these in one transaction."""

from __future__ import annotations

from datetime import datetime

import msgspec

from server.alerts.models import Alert, AlertEvent, AlertIn, EscalationPolicy
from server.audit.models import Actor
from server.audit.store import record
from server.clients.models import CallerMatch
from server.clock import from_db, to_db
from server.db import Database
from server.errors import NotFound
from server.i18n import gettext as _


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
        client_id=row["client_id"],
        site_id=row["site_id"],
        labels=msgspec.json.decode(row.get("labels") or "{}"),
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


def open_alert(database: Database, team_id: int, dedup_key: str) -> Alert | None:
    """The team's open alert with this dedup key, if any."""
    row = database.one(
        "SELECT * FROM alerts WHERE team_id = ? AND dedup_key = ? AND status != 'resolved'",
        (team_id, dedup_key),
    )
    return _alert(row) if row is not None else None


def count_repeat(database: Database, alert_id: int) -> None:
    database.execute(
        "UPDATE alerts SET event_count = event_count + 1, version = version + 1 WHERE id = ?",
        (alert_id,),
    )


def insert_alert(
    database: Database,
    team_id: int,
    data: AlertIn,
    policy: EscalationPolicy,
    now: datetime,
    caller: CallerMatch | None = None,
) -> int:
    """A new triggered alert carrying a copy of the team's policy, its first step due now, and
    the client (and site) that called, if known."""
    return database.insert(
        "alerts",
        {
            "team_id": team_id,
            "title": data.title,
            "details": data.details,
            "severity": data.severity,
            "dedup_key": data.dedup_key,
            "source": data.source,
            "links": msgspec.json.encode(data.links).decode(),
            "labels": msgspec.json.encode(data.labels).decode(),
            "status": "triggered",
            "created_at": to_db(now),
            "policy": msgspec.json.encode(policy).decode(),
            "step": 0,
            "round": 0,
            "next_step_at": to_db(now),
            "client_id": caller.client_id if caller else None,
            "site_id": caller.site_id if caller else None,
        },
    )


def move_cursor(
    database: Database, alert_id: int, following: tuple[int, int] | None, due: datetime | None
) -> None:
    """The escalation's next (step, round) and when it is due; None: the policy is done."""
    if following is None:
        database.execute(
            "UPDATE alerts SET next_step_at = NULL, version = version + 1 WHERE id = ?",
            (alert_id,),
        )
        return
    next_step, next_round = following
    database.execute(
        "UPDATE alerts SET step = ?, round = ?, next_step_at = ?, version = version + 1 "
        "WHERE id = ?",
        (next_step, next_round, to_db(due) if due else None, alert_id),
    )


def due_alert_ids(database: Database, now: datetime) -> list[int]:
    """Triggered alerts whose next step is due, the longest waiting first."""
    rows = database.query(
        "SELECT id FROM alerts WHERE status = 'triggered' AND next_step_at <= ? "
        "ORDER BY next_step_at",
        (to_db(now),),
    )
    return [row["id"] for row in rows]


def mark_acknowledged(
    database: Database, alert_id: int, user_id: int | None, now: datetime
) -> None:
    database.execute(
        "UPDATE alerts SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, "
        "next_step_at = NULL, version = version + 1 WHERE id = ?",
        (to_db(now), user_id, alert_id),
    )


def mark_resolved(database: Database, alert_id: int, user_id: int | None, now: datetime) -> None:
    database.execute(
        "UPDATE alerts SET status = 'resolved', resolved_at = ?, resolved_by = ?, "
        "next_step_at = NULL, version = version + 1 WHERE id = ?",
        (to_db(now), user_id, alert_id),
    )


def assign(
    database: Database,
    alert_id: int,
    user_id: int,
    following: tuple[int, int],
    due: datetime | None,
) -> None:
    """Give the alert to someone: triggered again, its cursor at `following` (due at `due`;
    None: no step left)."""
    next_step, next_round = following
    database.execute(
        "UPDATE alerts SET assigned_user_id = ?, status = 'triggered', acknowledged_at = NULL, "
        "acknowledged_by = NULL, step = ?, round = ?, next_step_at = ?, version = version + 1 "
        "WHERE id = ?",
        (user_id, next_step, next_round, to_db(due) if due else None, alert_id),
    )


def team_name(database: Database, team_id: int) -> str:
    return database.scalar("SELECT name FROM teams WHERE id = ?", (team_id,)) or ""


def audit(
    database: Database,
    alert: Alert,
    action: str,
    actor: str,
    actor_user_id: int | None,
    now: datetime,
    after: dict,
) -> None:
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


def insert_ack_token(
    database: Database, token_hash: str, alert_id: int, user_id: int, expires_at: datetime
) -> None:
    database.insert(
        "ack_tokens",
        {
            "token_hash": token_hash,
            "alert_id": alert_id,
            "user_id": user_id,
            "expires_at": to_db(expires_at),
        },
    )


def ack_token_row(database: Database, token_hash: str) -> dict | None:
    """An acknowledgement token with what its use depends on: its alert, person, expiry and
    use, the person's e-mail and whether they are active, and `in_team`: still in the alert's
    team, or an admin (who may acknowledge any alert)."""
    row = database.one(
        "SELECT t.*, u.email, u.active, u.role = 'admin' OR EXISTS (SELECT 1 FROM "
        "memberships m JOIN alerts a ON a.team_id = m.team_id WHERE a.id = t.alert_id "
        "AND m.user_id = t.user_id) AS in_team FROM ack_tokens t "
        "JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
        (token_hash,),
    )
    if row is not None:
        row["expires_at"] = from_db(row["expires_at"])
    return row


def use_ack_token(database: Database, token_hash: str, now: datetime) -> None:
    database.execute(
        "UPDATE ack_tokens SET used_at = ? WHERE token_hash = ?", (to_db(now), token_hash)
    )
