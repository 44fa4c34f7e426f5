"""The sync that applies a phone's operations exactly once: rules.py decides each one, the
store writes it.

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
from server.audit.store import entry, record_many
from server.clients.store.lookup import link_owners
from server.clock import to_db
from server.db import Database
from server.i18n import N_
from server.i18n import gettext as _
from server.interventions import store
from server.interventions.hooks import run_sync_hooks
from server.interventions.models import (
    CreateOp,
    DeleteOp,
    Intervention,
    Operation,
    OpResult,
    UpdateOp,
)
from server.interventions.rules import (
    OWNER_EDIT_WINDOW,
    TOO_LATE_FOR_OWNER,
    Verdict,
    client_problem,
    judge_change,
    judge_delete,
    phone_time,
    problem,
    stored_fields,
    team_for,
    to_second,
)

log = logging.getLogger("astreinte.interventions")

REFUSED = N_("This change could not be saved: check it and save it again.")


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
        # What higher layers do with the records now written (the survey QR codes' bindings).
        applied = [
            op
            for op, result in zip(ops, batch.results, strict=True)
            if result.status == "applied" and not isinstance(op, DeleteOp)
        ]
        run_sync_hooks(database, user, applied, now)
    return batch.results


def apply_operation(
    database: Database, user: CurrentUser, op: Operation, now: datetime
) -> OpResult:
    """One operation (the form without JavaScript): a batch of one."""
    return apply_operations(database, user, [op], now)[0]


class _Pending:
    """A new record waiting for the batch's insert, and where its traces are in the batch
    (result, audit entry, memory), to undo them should the database refuse it."""

    __slots__ = ("marks", "op", "record")

    def __init__(self, op: Operation, record: Intervention) -> None:
        self.op, self.record = op, record
        self.marks: tuple[int, int, int] = (0, 0, 0)


class _Batch:
    """A batch being applied: what its two look-ups found, and the audit and sync_operations
    rows it writes at its end, one statement each."""

    def __init__(
        self, database: Database, user: CurrentUser, ops: list[Operation], now: datetime
    ) -> None:
        self.database, self.user, self.now = database, user, now
        self.stamp = to_db(now)
        # What a re-read of a row written now would say of "now".
        self.now_stored = to_second(now)
        self.actor = Actor(label=user.email, user_id=user.id)
        self.answers = store.first_answers(database, user.id, [op.op_id for op in ops])
        # A replayed operation is answered without its row: look up the others' only.
        fresh = [op.uuid for op in ops if op.op_id not in self.answers]
        self.records = store.find_interventions(database, fresh)
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
            result = _reject(op, _(REFUSED))
            self.results.append(result)
            return result
        finally:
            # A later operation of the batch on the same record reads what this one wrote.
            self.records.pop(op.uuid, None)
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
            self.next_id = store.next_intervention_id(self.database)
        allotted, self.next_id = self.next_id, self.next_id + 1
        return allotted

    def flush(self) -> None:
        """Insert the pending records with one statement. Should the database refuse one (a
        constraint the rules did not foresee), the others go in one by one and the refused
        operation is undone alone: answered rejected, not audited, not remembered."""
        if not self.pending:
            return
        pending, self.pending = list(self.pending.values()), {}
        try:
            store.insert_interventions(self.database, [p.record for p in pending])
            return
        except sqlite3.IntegrityError:
            log.exception("a batch of new interventions was refused; inserting one by one")
        stored = store.stored_uuids(self.database, [p.record.uuid for p in pending])
        for item in pending:
            if item.record.uuid in stored:
                continue
            try:
                store.insert_intervention(self.database, item.record)
            except sqlite3.IntegrityError:
                log.exception("sync operation %s refused by the database", item.op.op_id)
                self.undo(item)

    def undo(self, item: _Pending) -> None:
        result_at, audit_at, remembered_at = item.marks
        self.audit[audit_at] = None
        self.remembered[remembered_at] = None
        self.results[result_at] = _reject(item.op, _(REFUSED))
        self.answers.pop(item.op.op_id, None)

    def record(self, uuid: str) -> Intervention | None:
        """The stored record, from the batch's look-up or read again after a change."""
        if uuid in self.pending:
            self.flush()  # a later operation of the batch on a record created in it
        if uuid not in self.records:
            self.records[uuid] = store.find_intervention(self.database, uuid)
        return self.records[uuid]

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
        store.remember_answers(self.database, [r for r in self.remembered if r is not None])


def _replace(result: OpResult, status: str) -> OpResult:
    return msgspec.structs.replace(result, status=status)


def _reject(op: Operation, reason: str, field: str | None = None) -> OpResult:
    return OpResult(op_id=op.op_id, uuid=op.uuid, status="rejected", reason=reason, field=field)


def _applied(op: Operation) -> OpResult:
    return OpResult(op_id=op.op_id, uuid=op.uuid, status="applied")


def _apply(batch: _Batch, op: Operation) -> OpResult:
    stored = batch.record(op.uuid)
    if stored is not None and stored.user_id != batch.user.id:
        return _reject(op, _("This intervention belongs to someone else."))
    if isinstance(op, DeleteOp):
        return _delete(batch, op, stored)
    wrong = problem(op.data, batch.now)
    if wrong:
        return _reject(op, _(wrong[0]), wrong[1])
    alert_id = op.data.alert_id
    alert_team = None if alert_id is None else store.alert_team(batch.database, alert_id)
    team, refusal = team_for(
        alert_id, alert_team, batch.user.team_ids, is_admin=batch.user.is_admin
    )
    if refusal is not None:
        return _reject(op, _(refusal), "alert_id")
    wrong = _client_problem(batch, op.data)
    if wrong:
        return _reject(op, _(wrong[0]), wrong[1])
    if stored is None:
        # No record yet: a create, or an edit of a create that was rejected and then fixed on
        # the phone; either way this operation creates the record.
        return _create(batch, op, team)
    return _edit(batch, op, stored, team)


def _client_problem(batch: _Batch, data) -> tuple[str, str] | None:
    if data.client_id is None and data.site_id is None:
        return None  # most records, and every old phone's: no look-up
    client_team, site_client = link_owners(batch.database, data.client_id, data.site_id)
    return client_problem(
        data.client_id, data.site_id, client_team, site_client, batch.user.team_ids
    )


def _create(batch: _Batch, op: CreateOp | UpdateOp, team: int | None) -> OpResult:
    # The audit's snapshot is what will be written, not read back.
    created = Intervention(
        id=batch.allot_id(),
        uuid=op.uuid,
        user_id=batch.user.id,
        user_name=batch.user.name,
        team_id=team,
        **stored_fields(op.data),
        client_version=op.version,
        client_changed_at=to_second(phone_time(op.changed_at, batch.now)),
        server_changed_at=batch.now_stored,
        corrected_by=None,
        deleted=False,
        created_at=batch.now_stored,
    )
    batch.pending[op.uuid] = _Pending(op=op, record=created)
    batch.add_audit("intervention.create", op, team, after=created)
    return _applied(op)


def _edit(
    batch: _Batch, op: CreateOp | UpdateOp, before: Intervention, team: int | None
) -> OpResult:
    verdict = judge_change(before, op.version, op.changed_at, batch.now)
    if verdict != "apply":
        return _not_applied(batch, op, before, verdict, msgspec.to_builtins(op.data))
    after = msgspec.structs.replace(
        before,
        **stored_fields(op.data),
        team_id=team,
        client_version=max(op.version, before.client_version),
        client_changed_at=to_second(phone_time(op.changed_at, batch.now)),
        server_changed_at=batch.now_stored,
        corrected_by=None,
    )
    store.save_intervention(batch.database, after)
    batch.add_audit("intervention.update", op, team, before=before, after=after)
    return _applied(op)


def _delete(batch: _Batch, op: DeleteOp, before: Intervention | None) -> OpResult:
    verdict = judge_delete(before, op.changed_at, batch.now)
    if verdict == "gone":
        return _applied(op)
    if verdict != "apply":
        return _not_applied(batch, op, before, verdict, None)
    store.mark_deleted(batch.database, before.id, batch.now)
    batch.add_audit("intervention.delete", op, before.team_id, before=before)
    return _applied(op)


def _not_applied(
    batch: _Batch, op: Operation, before: Intervention, verdict: Verdict, phone: dict | None
) -> OpResult:
    """The answer to a change the rules turned down."""
    if verdict == "deleted":
        return _reject(op, _("This intervention was deleted."))
    if verdict == "stale":
        # An edit older than (or the same as) what the server holds: it changes nothing.
        return OpResult(op_id=op.op_id, uuid=op.uuid, status="already_applied")
    if verdict == "too_late":
        return _reject(op, _(TOO_LATE_FOR_OWNER, days=OWNER_EDIT_WINDOW.days))
    # "superseded": a manager's later correction stands; the phone's change is kept in the
    # audit log.
    after = phone or {"deleted": True}
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
