"""Write and read audit entries; `record` runs inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from server.audit.models import Actor, AuditEntry
from server.clock import to_db
from server.db import Database

# Fields never copied into the log, whatever the entity.
_SECRET_FIELDS = frozenset({"password_hash", "key_hash", "token_hash", "secret", "password"})


def _snapshot(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, msgspec.Struct) and _SECRET_FIELDS.isdisjoint(
        value.__struct_encode_fields__
    ):
        # Nothing to leave out: straight to JSON (a sync batch logs hundreds of these).
        return msgspec.json.encode(value).decode()
    data = msgspec.to_builtins(value)
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k not in _SECRET_FIELDS}
    return msgspec.json.encode(data).decode()


_INSERT = (
    "INSERT INTO audit_log (at, actor_user_id, actor, action, entity_type, entity_id, team_id, "
    "before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def entry(
    *,
    at: datetime,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: int | str,
    team_id: int | None = None,
    before: Any = None,
    after: Any = None,
) -> tuple:
    """One entry's row, for `record` or, gathered over a batch, `record_many`."""
    return (
        to_db(at),
        actor.user_id,
        actor.label,
        action,
        entity_type,
        str(entity_id),
        team_id,
        _snapshot(before),
        _snapshot(after),
    )


def record(database: Database, **fields: Any) -> None:
    """Append one entry (the fields of `entry`); call it in the same `database.write()` as the
    change it describes."""
    database.execute(_INSERT, entry(**fields))


def record_change(
    database: Database,
    action: str,
    actor: Actor,
    now: datetime,
    *,
    entity_type: str,
    before: Any = None,
    after: Any = None,
) -> None:
    """`record` for a change of one of a team's things, named by its state after (before, for
    a deletion): its `id` and `team_id`, keys of a summary dict or attributes of a Struct.
    Domains bind their entity type once: `partial(record_change, entity_type="client")`."""
    subject = after if after is not None else before
    if isinstance(subject, dict):
        entity_id, team_id = subject["id"], subject["team_id"]
    else:
        entity_id, team_id = subject.id, subject.team_id
    record(
        database,
        at=now,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        team_id=team_id,
        before=before,
        after=after,
    )


def record_many(database: Database, entries: list[tuple]) -> None:
    """Append the rows made by `entry`, in one statement, inside the caller's transaction."""
    if entries:
        database.executemany(_INSERT, entries)


def entries_for(database: Database, entity_type: str, entity_id: int | str) -> list[AuditEntry]:
    rows = database.query(
        "SELECT * FROM audit_log WHERE entity_type = ? AND entity_id = ? ORDER BY id",
        (entity_type, str(entity_id)),
    )
    return [_entry(row) for row in rows]


def recent(
    database: Database, *, team_ids: list[int] | None = None, limit: int = 100
) -> list[AuditEntry]:
    if team_ids is None:
        rows = database.query("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
    else:
        marks = ",".join("?" * len(team_ids)) or "NULL"
        rows = database.query(
            f"SELECT * FROM audit_log WHERE team_id IN ({marks}) ORDER BY id DESC LIMIT ?",
            (*team_ids, limit),
        )
    return [_entry(row) for row in rows]


def _entry(row: dict) -> AuditEntry:
    decode = msgspec.json.decode
    return AuditEntry(
        id=row["id"],
        at=row["at"],
        actor=row["actor"],
        actor_user_id=row["actor_user_id"],
        action=row["action"],
        entity_type=row["entity_type"],
        entity_id=row["entity_id"],
        team_id=row["team_id"],
        before=decode(row["before"]) if row["before"] else None,
        after=decode(row["after"]) if row["after"] else None,
    )
