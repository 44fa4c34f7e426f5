"""Closed months in SQL: month closings, statement versions (never updated nor deleted:
triggers of migration 0011 refuse it) and acknowledgements of receipt."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import msgspec

from server.audit.models import Actor
from server.audit.store import entry, record, record_many
from server.clock import from_db, to_db
from server.db import Database
from server.statements.documents import encode
from server.statements.models import Acknowledgement, Closing, StatementContent, StoredStatement

_content = msgspec.json.Decoder(StatementContent)


# Closings -----------------------------------------------------------------------------------


def _closing(row: dict) -> Closing:
    return Closing(
        id=row["id"],
        team_id=row["team_id"],
        month=row["month"],
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
        closed_at=from_db(row["closed_at"]),
        closed_by=row["closed_by"],
        checked_at=from_db(row["checked_at"]),
    )


def get_closing(database: Database, team_id: int, month: str) -> Closing | None:
    row = database.one(
        "SELECT * FROM statement_closings WHERE team_id = ? AND month = ?", (team_id, month)
    )
    return _closing(row) if row else None


def closed_months(database: Database, team_id: int) -> set[str]:
    rows = database.query("SELECT month FROM statement_closings WHERE team_id = ?", (team_id,))
    return {row["month"] for row in rows}


def insert_closing(
    database: Database,
    team_id: int,
    month: str,
    *,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    checked_at: datetime,
    closed_by: int | None,
) -> Closing | None:
    """The month's closing, inside the caller's transaction; None when it was closed already
    (the UNIQUE constraint decides between two managers closing at once)."""
    cursor = database.execute(
        "INSERT INTO statement_closings "
        "(team_id, month, starts_at, ends_at, closed_at, closed_by, checked_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (team_id, month) DO NOTHING",
        (
            team_id,
            month,
            to_db(starts_at),
            to_db(ends_at),
            to_db(now),
            closed_by,
            to_db(checked_at),
        ),
    )
    if cursor.rowcount != 1:
        return None
    return get_closing(database, team_id, month)


def closings_to_recheck(database: Database) -> list[Closing]:
    """Closed months with a shift or an intervention of the team changed since they were last
    checked (an intervention synced late, a correction, a deletion, a swap in the past)."""
    # The lower bounds on the starts keep each look to the month's slice of the (team, start)
    # indexes: an intervention lasts at most a day, a shift at most 35 (MAX_SHIFT_DAYS).
    rows = database.query(
        "SELECT c.* FROM statement_closings c WHERE EXISTS ("
        "  SELECT 1 FROM interventions i WHERE i.team_id = c.team_id"
        "  AND i.started_at < c.ends_at"
        "  AND i.started_at > strftime('%Y-%m-%dT%H:%M:%SZ', c.starts_at, '-1 days')"
        "  AND i.ended_at > c.starts_at AND i.updated_at >= c.checked_at"
        ") OR EXISTS ("
        "  SELECT 1 FROM shifts s WHERE s.team_id = c.team_id"
        "  AND s.starts_at < c.ends_at"
        "  AND s.starts_at > strftime('%Y-%m-%dT%H:%M:%SZ', c.starts_at, '-35 days')"
        "  AND s.ends_at > c.starts_at AND s.updated_at >= c.checked_at"
        ") ORDER BY c.id"
    )
    return [_closing(row) for row in rows]


def mark_checked(database: Database, closing_id: int, at: datetime) -> None:
    """Inside the caller's transaction: changes before `at` are in the statements."""
    database.execute(
        "UPDATE statement_closings SET checked_at = ? WHERE id = ?", (to_db(at), closing_id)
    )


# Statements ---------------------------------------------------------------------------------

_STATEMENT_SELECT = (
    "SELECT s.*, a.acknowledged_at FROM statements s "
    "LEFT JOIN statement_acknowledgements a ON a.statement_id = s.id "
)


def _statement(row: dict) -> StoredStatement:
    return StoredStatement(
        id=row["id"],
        closing_id=row["closing_id"],
        team_id=row["team_id"],
        user_id=row["user_id"],
        month=row["month"],
        version=row["version"],
        content=_content.decode(row["content"]),
        content_json=row["content"],
        sha256=row["sha256"],
        created_at=from_db(row["created_at"]),
        acknowledged_at=from_db(row["acknowledged_at"]) if row["acknowledged_at"] else None,
    )


def insert_statements(
    database: Database,
    closing: Closing,
    contents: Sequence[StatementContent],
    *,
    now: datetime,
    actor: Actor,
) -> list[int]:
    """Store each version, inside the caller's transaction, each issue in the audit log with
    its SHA-256; their ids, in order."""
    ids: list[int] = []
    audit: list[tuple] = []
    stamp = to_db(now)
    for content in contents:
        text, digest = encode(content)
        difference = (
            msgspec.json.encode(content.difference, order="sorted").decode()
            if content.difference
            else None
        )
        statement_id = database.execute(
            "INSERT INTO statements (closing_id, team_id, user_id, month, version, content, "
            "sha256, difference, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                closing.id,
                content.team_id,
                content.user_id,
                content.month,
                content.version,
                text,
                digest,
                difference,
                stamp,
            ),
        ).lastrowid
        ids.append(statement_id)
        audit.append(
            entry(
                at=now,
                actor=actor,
                action="statement.issue" if content.version == 1 else "statement.rectify",
                entity_type="statement",
                entity_id=statement_id,
                team_id=content.team_id,
                after={
                    "user_id": content.user_id,
                    "month": content.month,
                    "version": content.version,
                    "sha256": digest,
                },
            )
        )
    record_many(database, audit)
    return ids


def get_statement(database: Database, statement_id: int) -> StoredStatement | None:
    row = database.one(_STATEMENT_SELECT + "WHERE s.id = ?", (statement_id,))
    return _statement(row) if row else None


def team_statements(database: Database, team_id: int, month: str) -> list[StoredStatement]:
    """Every version of the team's month, by person then version."""
    rows = database.query(
        _STATEMENT_SELECT + "WHERE s.team_id = ? AND s.month = ? ORDER BY s.user_id, s.version",
        (team_id, month),
    )
    return [_statement(row) for row in rows]


def latest_statements(database: Database, team_id: int, month: str) -> dict[int, StoredStatement]:
    """Each person's latest version of the team's month."""
    return {statement.user_id: statement for statement in team_statements(database, team_id, month)}


def person_statements(database: Database, user_id: int) -> list[StoredStatement]:
    """Every version handed to a person, newest month first, then team, then version."""
    rows = database.query(
        _STATEMENT_SELECT + "WHERE s.user_id = ? ORDER BY s.month DESC, s.team_id, s.version",
        (user_id,),
    )
    return [_statement(row) for row in rows]


# Acknowledgements ---------------------------------------------------------------------------


def get_acknowledgement(database: Database, statement_id: int) -> Acknowledgement | None:
    row = database.one(
        "SELECT * FROM statement_acknowledgements WHERE statement_id = ?", (statement_id,)
    )
    if row is None:
        return None
    return Acknowledgement(
        statement_id=row["statement_id"],
        user_id=row["user_id"],
        acknowledged_at=from_db(row["acknowledged_at"]),
    )


def insert_acknowledgement(
    database: Database, statement: StoredStatement, *, actor: Actor, now: datetime
) -> Acknowledgement:
    """The person's receipt, audited; inside the caller's transaction."""
    database.execute(
        "INSERT INTO statement_acknowledgements (statement_id, user_id, acknowledged_at) "
        "VALUES (?, ?, ?)",
        (statement.id, statement.user_id, to_db(now)),
    )
    record(
        database,
        at=now,
        actor=actor,
        action="statement.acknowledge",
        entity_type="statement",
        entity_id=statement.id,
        team_id=statement.team_id,
        after={
            "user_id": statement.user_id,
            "month": statement.month,
            "version": statement.version,
            "sha256": statement.sha256,
            "acknowledged_at": to_db(now),
        },
    )
    acknowledgement = get_acknowledgement(database, statement.id)
    assert acknowledgement is not None
    return acknowledgement
