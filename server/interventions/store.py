"""Interventions in SQL, and the sync that applies a phone's operations exactly once.

A phone's batch is one transaction (two look-ups for the whole batch, the audit and
sync_operations rows written together at its end); each operation is undone alone if the
database refuses it, and is remembered by its op_id: replaying it answers the first result
again instead of applying it twice, and one bad item never blocks the others."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime

import msgspec

from server.accounts.models import CurrentUser
from server.audit.models import Actor
from server.audit.store import entry, record, record_many
from server.clock import from_db, to_db
from server.db import Database
from server.errors import Forbidden, InvalidInput, NotFound
from server.i18n import gettext as _
from server.interventions.models import (
    CreateOp,
    DeleteOp,
    Intervention,
    InterventionData,
    Operation,
    OpResult,
    UpdateOp,
)
from server.interventions.rules import (
    EARLIEST,
    OWNER_EDIT_WINDOW,
    TOO_LATE_FOR_OWNER,
    owner_may_change,
    phone_wins,
    problem,
)

log = logging.getLogger("astreinte.interventions")

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
        created_at=from_db(row["created_at"]),
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
    limit: int | None = 500,
) -> list[Intervention]:
    """Newest first, every filter in SQL; `limit=None` for all of them (an export)."""
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
    # LIMIT -1 is SQLite's "no limit".
    rows = database.query(
        _SELECT + "WHERE " + " AND ".join(clauses) + " ORDER BY i.started_at DESC LIMIT ?",
        (*params, -1 if limit is None else limit),
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


def apply_operations(
    database: Database, user: CurrentUser, ops: list[Operation], now: datetime
) -> list[OpResult]:
    """A phone's batch, one result per operation in order, in one transaction; an operation the
    database refuses is undone alone (it writes a single statement, which SQLite rolls back)."""
    if not ops:
        return []
    with database.write():
        batch = _Batch(database, user, ops, now)
        for op in ops:
            batch.apply(op)
        batch.save()
    return batch.results


def apply_operation(
    database: Database, user: CurrentUser, op: Operation, now: datetime
) -> OpResult:
    """One operation (the form without JavaScript): a batch of one."""
    return apply_operations(database, user, [op], now)[0]


_REMEMBER = (
    "INSERT INTO sync_operations (op_id, uuid, user_id, result, applied_at) VALUES (?, ?, ?, ?, ?)"
)
_RESULT = msgspec.json.Decoder(OpResult)


def _first_answers(database: Database, user_id: int, op_ids: list[str]) -> dict[str, OpResult]:
    """What this person's operations were answered when first applied, by op_id."""
    marks = ",".join("?" * len(op_ids))
    rows = database.query(
        f"SELECT op_id, result FROM sync_operations WHERE user_id = ? AND op_id IN ({marks})",
        (user_id, *op_ids),
    )
    return {row["op_id"]: _RESULT.decode(row["result"]) for row in rows}


def _rows_by_uuid(database: Database, uuids: list[str]) -> dict[str, dict | None]:
    """The stored row of each uuid; None where the server has none yet."""
    found: dict[str, dict | None] = dict.fromkeys(uuids)
    marks = ",".join("?" * len(uuids))
    for row in database.query(_SELECT + f"WHERE i.uuid IN ({marks})", uuids):
        found[row["uuid"]] = row
    return found


class _Pending:
    """A new record waiting for the batch's insert, and where its traces are in the batch
    (result, audit entry, memory), to undo them should the database refuse it."""

    __slots__ = ("marks", "op", "values")

    def __init__(self, op: Operation, values: dict) -> None:
        self.op, self.values = op, values
        self.marks: tuple[int, int, int] = (0, 0, 0)


class _Batch:
    """A batch being applied: what its two look-ups found, and the audit and sync_operations
    rows it writes at its end, one statement each."""

    def __init__(
        self, database: Database, user: CurrentUser, ops: list[Operation], now: datetime
    ) -> None:
        self.database, self.user, self.now = database, user, now
        self.stamp = to_db(now)
        self.actor = Actor(label=user.email, user_id=user.id)
        self.answers = _first_answers(database, user.id, [op.op_id for op in ops])
        # A replayed operation is answered without its row: look up the others' only.
        fresh = [op.uuid for op in ops if op.op_id not in self.answers]
        self.rows = _rows_by_uuid(database, fresh)
        # Entries are set to None when the operation they belong to is undone.
        self.audit: list[tuple | None] = []
        self.remembered: list[tuple | None] = []
        self.results: list[OpResult] = []
        # New records wait here and go in with one statement (`flush`): their ids are given
        # out in the transaction, so the audit can name them before the insert.
        self.pending: dict[str, _Pending] = {}
        self.next_id: int | None = None

    def apply(self, op: Operation) -> OpResult:
        """Apply one operation, or answer what it got the first time (exactly once)."""
        first = self.answers.get(op.op_id)
        if first is not None:
            result = first if first.status != "applied" else _replace(first, "already_applied")
            self.results.append(result)
            return result
        logged = len(self.audit)
        try:
            # No savepoint: an operation writes one statement at most (its audit row and its
            # memory are written at the end of the batch), and SQLite undoes a failed statement
            # on its own. A savepoint per operation cost a tenth of the endpoint's time.
            result = _apply(self, op)
        except sqlite3.IntegrityError:
            # A constraint the rules did not foresee: this operation alone is undone, and not
            # remembered, so the phone may send it again once fixed.
            log.exception("sync operation %s refused by the database", op.op_id)
            del self.audit[logged:]
            result = _reject(op, _("This change could not be saved: check it and save it again."))
            self.results.append(result)
            return result
        finally:
            # A later operation of the batch on the same record reads what this one wrote.
            self.rows.pop(op.uuid, None)
        self.answers[op.op_id] = result
        encoded = msgspec.json.encode(result).decode()
        self.remembered.append((op.op_id, op.uuid, self.user.id, encoded, self.stamp))
        pending = self.pending.get(op.uuid)
        if pending is not None and pending.op is op:
            pending.marks = (len(self.results), logged, len(self.remembered) - 1)
        self.results.append(result)
        return result

    def allot_id(self) -> int:
        """The id the next new record gets (the write lock is held: nobody else inserts)."""
        if self.next_id is None:
            self.next_id = self.database.scalar(
                "SELECT COALESCE(MAX(id), 0) + 1 FROM interventions"
            )
        allotted, self.next_id = self.next_id, self.next_id + 1
        return allotted

    def flush(self) -> None:
        """Insert the pending records with one statement. Should the database refuse one (a
        constraint the rules did not foresee), the others go in one by one and the refused
        operation is undone alone: answered rejected, not audited, not remembered."""
        if not self.pending:
            return
        pending, self.pending = list(self.pending.values()), {}
        columns = list(pending[0].values)
        sql = (
            f"INSERT INTO interventions ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})"
        )
        try:
            self.database.executemany(sql, [tuple(p.values.values()) for p in pending])
            return
        except sqlite3.IntegrityError:
            log.exception("a batch of new interventions was refused; inserting one by one")
        uuids = [p.values["uuid"] for p in pending]
        marks = ",".join("?" * len(uuids))
        stored = {
            row["uuid"]
            for row in self.database.query(
                f"SELECT uuid FROM interventions WHERE uuid IN ({marks})", uuids
            )
        }
        for item in pending:
            if item.values["uuid"] in stored:
                continue
            try:
                self.database.execute(sql, tuple(item.values.values()))
            except sqlite3.IntegrityError:
                log.exception("sync operation %s refused by the database", item.op.op_id)
                self.undo(item)

    def undo(self, item: _Pending) -> None:
        result_at, audit_at, remembered_at = item.marks
        self.audit[audit_at] = None
        self.remembered[remembered_at] = None
        refused = _reject(item.op, _("This change could not be saved: check it and save it again."))
        self.results[result_at] = refused
        self.answers.pop(item.op.op_id, None)

    def row(self, uuid: str) -> dict | None:
        """The record's stored row, from the batch's look-up or read again after a change."""
        if uuid in self.pending:
            self.flush()  # a later operation of the batch on a record created in it
        if uuid not in self.rows:
            self.rows[uuid] = self.database.one(_SELECT + "WHERE i.uuid = ?", (uuid,))
        return self.rows[uuid]

    def add_audit(self, action: str, op: Operation, team_id: int | None, **change: object) -> None:
        """An audit entry (before=, after=) for this batch, written with the others at the end."""
        self.audit.append(
            entry(
                at=self.now,
                actor=self.actor,
                action=action,
                entity_type="intervention",
                entity_id=op.uuid,
                team_id=team_id,
                **change,
            )
        )

    def save(self) -> None:
        self.flush()
        record_many(self.database, [a for a in self.audit if a is not None])
        remembered = [r for r in self.remembered if r is not None]
        if remembered:
            self.database.executemany(_REMEMBER, remembered)


def _phone_time(op: CreateOp | UpdateOp, now: datetime) -> str:
    """When the phone says the change was made, never later than the server's now: a phone
    whose clock runs ahead must not leave a stored time from the future; nor earlier than
    EARLIEST (a clock in year 1 could not be stored, and failed the whole batch)."""
    return to_db(min(max(op.changed_at, EARLIEST), now))


def _replace(result: OpResult, status: str) -> OpResult:
    return msgspec.structs.replace(result, status=status)


def _reject(op: Operation, reason: str, field: str | None = None) -> OpResult:
    return OpResult(op_id=op.op_id, uuid=op.uuid, status="rejected", reason=reason, field=field)


def _applied(op: Operation) -> OpResult:
    return OpResult(op_id=op.op_id, uuid=op.uuid, status="applied")


def _apply(batch: _Batch, op: Operation) -> OpResult:
    row = batch.row(op.uuid)
    if row is not None and row["user_id"] != batch.user.id:
        return _reject(op, _("This intervention belongs to someone else."))
    if isinstance(op, DeleteOp):
        return _delete(batch, op, row)
    wrong = problem(op.data, batch.now)
    if wrong:
        return _reject(op, _(wrong[0]), wrong[1])
    team = _team_for(batch.database, batch.user, op.data.alert_id)
    if isinstance(team, str):
        return _reject(op, team, "alert_id")
    if row is None:
        # No row yet: a create, or an edit of a create that was rejected and then fixed on
        # the phone; either way this operation creates the record.
        return _create(batch, op, team)
    return _edit(batch, op, row, team)


def _create(batch: _Batch, op: CreateOp | UpdateOp, team: int | None) -> OpResult:
    values = {
        "uuid": op.uuid,
        "user_id": batch.user.id,
        "team_id": team,
        **_data_columns(op.data),
        "client_version": op.version,
        "client_changed_at": _phone_time(op, batch.now),
        "server_changed_at": batch.stamp,
        "created_at": batch.stamp,
        "updated_at": batch.stamp,
    }
    values = {"id": batch.allot_id(), **values}
    batch.pending[op.uuid] = _Pending(op=op, values=values)
    # The audit's snapshot is what will be written, not read back.
    stored = {**values, "user_name": batch.user.name, "corrected_by": None}
    after = _intervention({**stored, "deleted_at": None})
    batch.add_audit("intervention.create", op, team, after=after)
    return _applied(op)


def _edit(batch: _Batch, op: CreateOp | UpdateOp, row: dict, team: int | None) -> OpResult:
    if row["deleted_at"]:
        return _reject(op, _("This intervention was deleted."))
    if op.version <= row["client_version"]:
        # An edit older than (or the same as) what the server holds: it changes nothing.
        return OpResult(op_id=op.op_id, uuid=op.uuid, status="already_applied")
    if not _still_theirs(row, batch.now):
        return _reject(op, _(TOO_LATE_FOR_OWNER, days=OWNER_EDIT_WINDOW.days))
    before = _intervention(row)
    if row["corrected_by"] is not None and not phone_wins(op.changed_at, before.server_changed_at):
        return _superseded(batch, op, before, msgspec.to_builtins(op.data))
    values = {
        **_data_columns(op.data),
        "team_id": team,
        "client_version": max(op.version, row["client_version"]),
        "client_changed_at": _phone_time(op, batch.now),
        "server_changed_at": batch.stamp,
        "corrected_by": None,
        "updated_at": batch.stamp,
    }
    _update(batch.database, op.uuid, values)
    after = _intervention(row | values)
    batch.add_audit("intervention.update", op, team, before=before, after=after)
    return _applied(op)


def _delete(batch: _Batch, op: DeleteOp, row: dict | None) -> OpResult:
    if row is None or row["deleted_at"]:
        return _applied(op)
    if not _still_theirs(row, batch.now):
        return _reject(op, _(TOO_LATE_FOR_OWNER, days=OWNER_EDIT_WINDOW.days))
    before = _intervention(row)
    if row["corrected_by"] is not None and not phone_wins(op.changed_at, before.server_changed_at):
        return _superseded(batch, op, before, None)
    batch.database.execute(
        "UPDATE interventions SET deleted_at = ?, updated_at = ? WHERE id = ?",
        (batch.stamp, batch.stamp, row["id"]),
    )
    batch.add_audit("intervention.delete", op, row["team_id"], before=before)
    return _applied(op)


def _still_theirs(row: dict, now: datetime) -> bool:
    """Whether the phone may still change this stored record (rules.owner_may_change), judged
    by the server's clock when the change arrives: a phone's clock cannot reopen it."""
    return owner_may_change(from_db(row["ended_at"]), from_db(row["created_at"]), now)


def _update(database: Database, uuid: str, values: dict) -> None:
    """Write an intervention's new values (the phone's edit or a manager's correction)."""
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    database.execute(
        f"UPDATE interventions SET {assignments} WHERE uuid = :uuid", {**values, "uuid": uuid}
    )


def _superseded(
    batch: _Batch, op: Operation, before: Intervention, phone_version: dict | None
) -> OpResult:
    """A manager's later correction stands; the phone's change is kept in the audit log."""
    after = phone_version or {"deleted": True}
    batch.add_audit("intervention.superseded", op, before.team_id, before=before, after=after)
    return OpResult(
        op_id=op.op_id,
        uuid=op.uuid,
        status="superseded",
        reason=_(
            "Your manager corrected this intervention after your change: their version is kept."
        ),
        server_version=msgspec.to_builtins(before),
    )


def _check_team_alert(database: Database, alert_id: int, team_id: int) -> None:
    """A correction links an alert of the intervention's own team, never another's."""
    alert_team = database.scalar("SELECT team_id FROM alerts WHERE id = ?", (alert_id,))
    if alert_team is None:
        raise InvalidInput(_("This alert does not exist."), field="alert_id")
    if alert_team != team_id:
        raise InvalidInput(_("This alert belongs to another team."), field="alert_id")


def correct(
    database: Database, uuid: str, data: InterventionData, *, manager: CurrentUser, now: datetime
) -> Intervention:
    """A manager's correction, audited with both versions; a later phone edit loses to it
    unless made after it (rules.phone_wins)."""
    with database.write():
        before = get_intervention(database, uuid)
        if before.team_id is None or not manager.manages(before.team_id):
            raise Forbidden(_("You can only correct interventions of the teams you manage."))
        if data.alert_id is not None and data.alert_id != before.alert_id:
            _check_team_alert(database, data.alert_id, before.team_id)
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
