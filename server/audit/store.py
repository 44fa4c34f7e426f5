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
    data = msgspec.to_builtins(value)
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k not in _SECRET_FIELDS}
    return msgspec.json.encode(data).decode()


def record(
    database: Database,
    *,
    at: datetime,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: int | str,
    team_id: int | None = None,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one entry; call it in the same `database.write()` as the change it describes."""
    database.insert(
        "audit_log",
        {
            "at": to_db(at),
            "actor_user_id": actor.user_id,
            "actor": actor.label,
            "action": action,
            "entity_type": entity_type,
            "entity_id": str(entity_id),
            "team_id": team_id,
            "before": _snapshot(before),
            "after": _snapshot(after),
        },
    )


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
