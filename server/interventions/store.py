"""Interventions in SQL, and the sync that applies a phone's operations exactly once.

Each operation is its own transaction, remembered by its op_id: replaying it answers the
first result again instead of applying it twice, and one bad item never blocks the others."""

from __future__ import annotations

from datetime import datetime

import msgspec

from server.accounts.models import CurrentUser
from server.audit.models import Actor
from server.audit.store import record
from server.clock import from_db, to_db
from server.db import Database
from server.errors import Forbidden, NotFound
from server.i18n import gettext as _
from server.interventions.models import (
    DeleteOp,
    Intervention,
    InterventionData,
    Operation,
    OpResult,
)
from server.interventions.rules import phone_wins, problem

_SELECT = "SELECT i.*, u.name AS user_name FROM interventions i JOIN users u ON u.id = i.user_id "


def _intervention(row: dict) -> Intervention:
    return Intervention(
        id=row["id"],
        uuid=row["uuid"],
        user_id=row["user_id"],
        user_name=row["user_name"],
        team_id=row["team_id"],
        alert_id=row["alert_id"],
        started_at=from_db(row["started_at"]),
        ended_at=from_db(row["ended_at"]),
        travel_minutes=row["travel_minutes"],
        place=row["place"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        mode=row["mode"],
        found=row["found"],
        done=row["done"],
        outcome=row["outcome"],
        client_version=row["client_version"],
        client_changed_at=from_db(row["client_changed_at"]),
        server_changed_at=from_db(row["server_changed_at"]),
        corrected_by=row["corrected_by"],
        deleted=row["deleted_at"] is not None,
    )


def get_intervention(database: Database, uuid: str) -> Intervention:
    row = database.one(_SELECT + "WHERE i.uuid = ?", (uuid,))
    if row is None:
        raise NotFound(_("This intervention does not exist."))
    return _intervention(row)


def list_interventions(
    database: Database,
    *,
    user_id: int | None = None,
    team_ids: list[int] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    alert_id: int | None = None,
    outcome: str | None = None,
    limit: int = 500,
) -> list[Intervention]:
    clauses, params = ["i.deleted_at IS NULL"], []
    if user_id is not None:
        clauses.append("i.user_id = ?")
        params.append(user_id)
    if team_ids is not None:
        clauses.append(f"i.team_id IN ({','.join('?' * len(team_ids)) or 'NULL'})")
        params += team_ids
    if start is not None:
        clauses.append("i.ended_at > ?")
        params.append(to_db(start))
    if end is not None:
        clauses.append("i.started_at < ?")
        params.append(to_db(end))
    if alert_id is not None:
        clauses.append("i.alert_id = ?")
        params.append(alert_id)
    if outcome:
        clauses.append("i.outcome = ?")
        params.append(outcome)
    rows = database.query(
        _SELECT + "WHERE " + " AND ".join(clauses) + " ORDER BY i.started_at DESC LIMIT ?",
        (*params, limit),
    )
    return [_intervention(row) for row in rows]


def _data_columns(data: InterventionData) -> dict:
    return {
        "started_at": to_db(data.started_at),
        "ended_at": to_db(data.ended_at),
        "travel_minutes": data.travel_minutes,
        "place": data.place.strip(),
        "latitude": data.latitude,
        "longitude": data.longitude,
        "mode": data.mode,
        "found": data.found.strip(),
        "done": data.done.strip(),
        "outcome": data.outcome,
        "alert_id": data.alert_id,
    }


def _team_for(database: Database, user: CurrentUser, alert_id: int | None) -> int | str | None:
    """The intervention's team: the alert's (which must be one of the person's teams), else
    the person's first team. A string is the reason it cannot be."""
    if alert_id is not None:
        team_id = database.scalar("SELECT team_id FROM alerts WHERE id = ?", (alert_id,))
        if team_id is None:
            return _("This alert does not exist.")
        if team_id not in user.team_ids and not user.is_admin:
            return _("This alert belongs to another team.")
        return team_id
    return user.team_ids[0] if user.team_ids else None


def apply_operation(
    database: Database, user: CurrentUser, op: Operation, now: datetime
) -> OpResult:
    with database.write():
        seen = database.one(
            "SELECT result FROM sync_operations WHERE user_id = ? AND op_id = ?",
            (user.id, op.op_id),
        )
        if seen is not None:
            first = msgspec.json.decode(seen["result"], type=OpResult)
            if first.status == "applied":
                return msgspec.structs.replace(first, status="already_applied")
            return first
        result = _apply(database, user, op, now)
        database.insert(
            "sync_operations",
            {
                "op_id": op.op_id,
                "uuid": op.uuid,
                "user_id": user.id,
                "result": msgspec.json.encode(result).decode(),
                "applied_at": to_db(now),
            },
        )
        return result


def _reject(op: Operation, reason: str, field: str | None = None) -> OpResult:
    return OpResult(op_id=op.op_id, uuid=op.uuid, status="rejected", reason=reason, field=field)


def _apply(database: Database, user: CurrentUser, op: Operation, now: datetime) -> OpResult:
    row = database.one(_SELECT + "WHERE i.uuid = ?", (op.uuid,))
    if row is not None and row["user_id"] != user.id:
        return _reject(op, _("This intervention belongs to someone else."))
    actor = Actor(label=user.email, user_id=user.id)
    if isinstance(op, DeleteOp):
        if row is None or row["deleted_at"]:
            return OpResult(op_id=op.op_id, uuid=op.uuid, status="applied")
        before = _intervention(row)
        if row["corrected_by"] is not None and not phone_wins(
            op.changed_at, before.server_changed_at
        ):
            return _superseded(database, op, before, actor, now, None)
        database.execute(
            "UPDATE interventions SET deleted_at = ?, updated_at = ? WHERE id = ?",
            (to_db(now), to_db(now), row["id"]),
        )
        record(
            database,
            at=now,
            actor=actor,
            action="intervention.delete",
            entity_type="intervention",
            entity_id=op.uuid,
            team_id=row["team_id"],
            before=before,
        )
        return OpResult(op_id=op.op_id, uuid=op.uuid, status="applied")
    wrong = problem(op.data, now)
    if wrong:
        return _reject(op, _(wrong[0]), wrong[1])
    team = _team_for(database, user, op.data.alert_id)
    if isinstance(team, str):
        return _reject(op, team, "alert_id")
    columns = _data_columns(op.data)
    if row is None:
        # No row yet: a create, or an edit of a create that was rejected and then fixed on
        # the phone; either way this operation creates the record.
        database.insert(
            "interventions",
            {
                "uuid": op.uuid,
                "user_id": user.id,
                "team_id": team,
                **columns,
                "client_version": op.version,
                "client_changed_at": to_db(op.changed_at),
                "server_changed_at": to_db(now),
                "created_at": to_db(now),
                "updated_at": to_db(now),
            },
        )
        after = get_intervention(database, op.uuid)
        record(
            database,
            at=now,
            actor=actor,
            action="intervention.create",
            entity_type="intervention",
            entity_id=op.uuid,
            team_id=team,
            after=after,
        )
        return OpResult(op_id=op.op_id, uuid=op.uuid, status="applied")
    if row["deleted_at"]:
        return _reject(op, _("This intervention was deleted."))
    if op.version <= row["client_version"]:
        # An edit older than (or the same as) what the server holds: it changes nothing.
        return OpResult(op_id=op.op_id, uuid=op.uuid, status="already_applied")
    before = _intervention(row)
    if row["corrected_by"] is not None and not phone_wins(op.changed_at, before.server_changed_at):
        return _superseded(database, op, before, actor, now, msgspec.to_builtins(op.data))
    _update(
        database,
        op.uuid,
        {
            **columns,
            "team_id": team,
            "client_version": max(op.version, row["client_version"]),
            "client_changed_at": to_db(op.changed_at),
            "server_changed_at": to_db(now),
            "corrected_by": None,
            "updated_at": to_db(now),
        },
    )
    after = get_intervention(database, op.uuid)
    record(
        database,
        at=now,
        actor=actor,
        action="intervention.update",
        entity_type="intervention",
        entity_id=op.uuid,
        team_id=team,
        before=before,
        after=after,
    )
    return OpResult(op_id=op.op_id, uuid=op.uuid, status="applied")


def _update(database: Database, uuid: str, values: dict) -> None:
    """Write an intervention's new values (the phone's edit or a manager's correction)."""
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    database.execute(
        f"UPDATE interventions SET {assignments} WHERE uuid = :uuid", {**values, "uuid": uuid}
    )


def _superseded(
    database: Database,
    op: Operation,
    before: Intervention,
    actor: Actor,
    now: datetime,
    phone_version: dict | None,
) -> OpResult:
    """A manager's later correction stands; the phone's change is kept in the audit log."""
    record(
        database,
        at=now,
        actor=actor,
        action="intervention.superseded",
        entity_type="intervention",
        entity_id=op.uuid,
        team_id=before.team_id,
        before=before,
        after=phone_version or {"deleted": True},
    )
    return OpResult(
        op_id=op.op_id,
        uuid=op.uuid,
        status="superseded",
        reason=_(
            "Your manager corrected this intervention after your change: their version is kept."
        ),
        server_version=msgspec.to_builtins(before),
    )


def correct(
    database: Database, uuid: str, data: InterventionData, *, manager: CurrentUser, now: datetime
) -> Intervention:
    """A manager's correction, audited with both versions; a later phone edit loses to it
    unless made after it (rules.phone_wins)."""
    with database.write():
        before = get_intervention(database, uuid)
        if before.team_id is None or not manager.manages(before.team_id):
            raise Forbidden(_("You can only correct interventions of the teams you manage."))
        columns = _data_columns(data)
        _update(
            database,
            uuid,
            {
                **columns,
                "server_changed_at": to_db(now),
                "corrected_by": manager.id,
                "updated_at": to_db(now),
            },
        )
        after = get_intervention(database, uuid)
        record(
            database,
            at=now,
            actor=Actor(label=manager.email, user_id=manager.id),
            action="intervention.correct",
            entity_type="intervention",
            entity_id=uuid,
            team_id=before.team_id,
            before=before,
            after=after,
        )
        return after
