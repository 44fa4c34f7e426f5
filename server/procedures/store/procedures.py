"""Procedures in SQL: the procedure row and its current version read together, each kept
version, tags, reads and the stale reminders; written inside the caller's transaction
(server/procedures/workflow.py decides, notifies and audits)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from server.clock import from_db, to_db
from server.db import Database
from server.errors import NotFound
from server.i18n import gettext as _
from server.procedures.models import (
    Procedure,
    ProcedureDoc,
    ProcedureInput,
    Reader,
    Tag,
    Version,
)
from server.procedures.rendering import render_markdown

SEARCH_LIMIT = 100

_CURRENT = (
    "SELECT p.*, v.title, v.body, u.name AS owner_name FROM procedures p "
    "JOIN procedure_versions v ON v.procedure_id = p.id AND v.version = p.version "
    "LEFT JOIN users u ON u.id = p.owner_id "
)


def _procedure(row: dict, tags: Iterable[Tag] = ()) -> Procedure:
    return Procedure(
        id=row["id"],
        team_id=row["team_id"],
        version=row["version"],
        title=row["title"],
        body=row["body"],
        owner_id=row["owner_id"],
        owner_name=row["owner_name"],
        review_on=date.fromisoformat(row["review_on"]),
        archived=row["archived_at"] is not None,
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        tags=tuple(tags),
    )


def tags_of(database: Database, procedure_ids: list[int]) -> dict[int, list[Tag]]:
    found: dict[int, list[Tag]] = {}
    for start in range(0, len(procedure_ids), 500):
        chunk = procedure_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in database.query(
            f"SELECT procedure_id, kind, value FROM procedure_tags "
            f"WHERE procedure_id IN ({marks}) ORDER BY kind, value",
            chunk,
        ):
            found.setdefault(row["procedure_id"], []).append(
                Tag(kind=row["kind"], value=row["value"])
            )
    return found


def find_procedure(database: Database, procedure_id: int) -> Procedure | None:
    row = database.one(_CURRENT + "WHERE p.id = ?", (procedure_id,))
    if row is None:
        return None
    return _procedure(row, tags_of(database, [procedure_id]).get(procedure_id, []))


def get_procedure(database: Database, procedure_id: int) -> Procedure:
    found = find_procedure(database, procedure_id)
    if found is None:
        raise NotFound(_("This procedure does not exist."))
    return found


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def team_procedures(database: Database, team_id: int, query: str = "") -> list[Procedure]:
    """The team's procedures in use, by title; with a query, those whose title or text holds
    it (SQLite's LIKE: letters without accents match in either case)."""
    sql = _CURRENT + "WHERE p.team_id = ? AND p.archived_at IS NULL "
    params: list = [team_id]
    if query:
        sql += "AND (v.title LIKE ? ESCAPE '\\' OR v.body LIKE ? ESCAPE '\\') "
        params += [_like(query), _like(query)]
    rows = database.query(sql + "ORDER BY v.title COLLATE NOCASE LIMIT ?", [*params, SEARCH_LIMIT])
    tags = tags_of(database, [row["id"] for row in rows])
    return [_procedure(row, tags.get(row["id"], [])) for row in rows]


def matching_candidates(
    database: Database, team_id: int, facts: set[tuple[str, str]]
) -> list[Procedure]:
    """The team's procedures in use with at least one tag among these (kind, value) facts;
    server/procedures/rules.py orders them."""
    if not facts:
        return []
    pairs = sorted(facts)
    where = " OR ".join("(t.kind = ? AND t.value = ?)" for _pair in pairs)
    params = [team_id, *(item for pair in pairs for item in pair)]
    rows = database.query(
        _CURRENT + "WHERE p.team_id = ? AND p.archived_at IS NULL AND p.id IN "
        f"(SELECT t.procedure_id FROM procedure_tags t WHERE {where})",
        params,
    )
    tags = tags_of(database, [row["id"] for row in rows])
    return [_procedure(row, tags.get(row["id"], [])) for row in rows]


def versions_of(database: Database, procedure_id: int) -> list[Version]:
    """Every kept version, newest first."""
    rows = database.query(
        "SELECT v.*, u.name AS author_name FROM procedure_versions v "
        "LEFT JOIN users u ON u.id = v.author_id WHERE v.procedure_id = ? "
        "ORDER BY v.version DESC",
        (procedure_id,),
    )
    return [
        Version(
            procedure_id=row["procedure_id"],
            version=row["version"],
            title=row["title"],
            body=row["body"],
            note=row["note"],
            author_name=row["author_name"],
            created_at=from_db(row["created_at"]),
        )
        for row in rows
    ]


def readers(database: Database, team_id: int, procedure_id: int) -> list[Reader]:
    """The team's active members and the latest version each said they read (None: none)."""
    rows = database.query(
        "SELECT u.id AS user_id, u.name, (SELECT MAX(r.version) FROM procedure_reads r "
        "WHERE r.procedure_id = ? AND r.user_id = u.id) AS version "
        "FROM memberships m JOIN users u ON u.id = m.user_id "
        "WHERE m.team_id = ? AND u.active = 1 ORDER BY u.name",
        (procedure_id, team_id),
    )
    return [Reader(**row) for row in rows]


def current_read_counts(database: Database, team_id: int) -> dict[int, int]:
    """Per procedure of the team, how many of its active members read the current version."""
    rows = database.query(
        "SELECT p.id, COUNT(r.user_id) AS readers FROM procedures p "
        "JOIN procedure_reads r ON r.procedure_id = p.id AND r.version = p.version "
        "JOIN memberships m ON m.user_id = r.user_id AND m.team_id = p.team_id "
        "JOIN users u ON u.id = r.user_id AND u.active = 1 "
        "WHERE p.team_id = ? GROUP BY p.id",
        (team_id,),
    )
    return {row["id"]: row["readers"] for row in rows}


def active_member_count(database: Database, team_id: int) -> int:
    return database.scalar(
        "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id "
        "WHERE m.team_id = ? AND u.active = 1",
        (team_id,),
    )


def team_places(database: Database, team_id: int) -> list[dict]:
    """The team's clients in use and their sites, for the tag choices: (client id, client
    name, site id, site name) rows, a client without site once with site id None."""
    return database.query(
        "SELECT c.id AS client_id, c.name AS client_name, s.id AS site_id, s.name AS site_name "
        "FROM clients c LEFT JOIN client_sites s ON s.client_id = c.id "
        "WHERE c.team_id = ? AND c.erased_at IS NULL ORDER BY c.name COLLATE NOCASE, s.id",
        (team_id,),
    )


def procedures_for_user(database: Database, user_id: int) -> list[ProcedureDoc]:
    """The procedures in use of every team the person belongs to, current version rendered
    (kept per version, see rendering.py): what the phone keeps for reading offline."""
    rows = database.query(
        "SELECT p.id, p.team_id, p.version, p.updated_at, v.title, v.body FROM procedures p "
        "JOIN procedure_versions v ON v.procedure_id = p.id AND v.version = p.version "
        "WHERE p.archived_at IS NULL AND p.team_id IN "
        "(SELECT team_id FROM memberships WHERE user_id = ?) ORDER BY p.team_id, p.id",
        (user_id,),
    )
    return [
        ProcedureDoc(
            id=row["id"],
            team_id=row["team_id"],
            version=row["version"],
            title=row["title"],
            html=render_markdown(row["body"], row["id"], row["version"]),
            updated_at=from_db(row["updated_at"]),
        )
        for row in rows
    ]


def stale_unreminded(database: Database, before: date) -> list[dict]:
    """Procedures in use whose review date is before `before` and whose owner has not been
    reminded of that date yet: (id, team_id, owner_id, review_on, title, timezone)."""
    return database.query(
        "SELECT p.id, p.team_id, p.owner_id, p.review_on, v.title, t.timezone FROM procedures p "
        "JOIN procedure_versions v ON v.procedure_id = p.id AND v.version = p.version "
        "JOIN teams t ON t.id = p.team_id "
        "WHERE p.archived_at IS NULL AND p.review_on < ? AND NOT EXISTS "
        "(SELECT 1 FROM procedure_review_reminders r "
        " WHERE r.procedure_id = p.id AND r.review_on = p.review_on) ORDER BY p.id",
        (before.isoformat(),),
    )


# Writes, inside the caller's transaction.


def insert_procedure(
    database: Database, team_id: int, owner_id: int | None, review_on: date, now: datetime
) -> int:
    return database.insert(
        "procedures",
        {
            "team_id": team_id,
            "version": 1,
            "owner_id": owner_id,
            "review_on": review_on.isoformat(),
            "created_at": to_db(now),
            "updated_at": to_db(now),
        },
    )


def insert_version(
    database: Database,
    procedure_id: int,
    version: int,
    data: ProcedureInput,
    author_id: int | None,
    now: datetime,
) -> None:
    database.insert(
        "procedure_versions",
        {
            "procedure_id": procedure_id,
            "version": version,
            "title": data.title,
            "body": data.body,
            "note": data.note,
            "author_id": author_id,
            "created_at": to_db(now),
        },
    )


def update_procedure_row(
    database: Database,
    procedure_id: int,
    version: int,
    owner_id: int | None,
    review_on: date,
    now: datetime,
) -> None:
    database.execute(
        "UPDATE procedures SET version = ?, owner_id = ?, review_on = ?, updated_at = ? "
        "WHERE id = ?",
        (version, owner_id, review_on.isoformat(), to_db(now), procedure_id),
    )


def replace_tags(database: Database, procedure_id: int, tags: Iterable[Tag]) -> None:
    database.execute("DELETE FROM procedure_tags WHERE procedure_id = ?", (procedure_id,))
    database.executemany(
        "INSERT INTO procedure_tags (procedure_id, kind, value) VALUES (?, ?, ?)",
        [(procedure_id, tag.kind, tag.value) for tag in tags],
    )


def record_read(
    database: Database, procedure_id: int, user_id: int, version: int, now: datetime
) -> bool:
    """True when this is the first time the person says they read this version."""
    cursor = database.execute(
        "INSERT OR IGNORE INTO procedure_reads (procedure_id, user_id, version, read_at) "
        "VALUES (?, ?, ?, ?)",
        (procedure_id, user_id, version, to_db(now)),
    )
    return cursor.rowcount == 1


def mark_reminded(database: Database, procedure_id: int, review_on: str, now: datetime) -> bool:
    cursor = database.execute(
        "INSERT OR IGNORE INTO procedure_review_reminders (procedure_id, review_on, sent_at) "
        "VALUES (?, ?, ?)",
        (procedure_id, review_on, to_db(now)),
    )
    return cursor.rowcount == 1
