"""Swap requests, their declines and approval tokens in SQL, and the few facts about people
the steps need (names, administrators); reads return Structs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import msgspec

from server.clock import from_db, to_db
from server.db import Database
from server.errors import NotFound
from server.i18n import gettext as _
from server.swaps.models import LIVE, Finding, SwapRequest
from server.tokens import hash_token, new_token

# An approval carried by a push is good for a day, like an alert's acknowledgement.
APPROVAL_TOKEN_LIFETIME = timedelta(hours=24)

_SELECT = (
    "SELECT r.*, q.name AS requester_name, t.name AS target_name, k.name AS taker_name, "
    "d.name AS decided_by_name, a.name AS created_by_name FROM swap_requests r "
    "JOIN users q ON q.id = r.requester_id "
    "LEFT JOIN users a ON a.id = r.created_by "
    "LEFT JOIN users t ON t.id = r.target_id "
    "LEFT JOIN users k ON k.id = r.taker_id "
    "LEFT JOIN users d ON d.id = r.decided_by "
)
_FINDINGS = msgspec.json.Decoder(list[Finding])


def _opt(value: str | None) -> datetime | None:
    return from_db(value) if value else None


def _swap(row: dict) -> SwapRequest:
    return SwapRequest(
        id=row["id"],
        team_id=row["team_id"],
        kind=row["kind"],
        requester_id=row["requester_id"],
        requester_name=row["requester_name"],
        created_by=row["created_by"],
        created_by_name=row["created_by_name"],
        shift_id=row["shift_id"],
        shift_fingerprint=row["shift_fingerprint"],
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
        counter_shift_id=row["counter_shift_id"],
        counter_fingerprint=row["counter_fingerprint"],
        target_id=row["target_id"],
        target_name=row["target_name"],
        taker_id=row["taker_id"],
        taker_name=row["taker_name"],
        status=row["status"],
        note=row["note"],
        findings=_FINDINGS.decode(row["findings"]) if row["findings"] else [],
        decision_reason=row["decision_reason"],
        decided_by=row["decided_by"],
        decided_by_name=row["decided_by_name"],
        expires_at=from_db(row["expires_at"]),
        created_at=from_db(row["created_at"]),
        accepted_at=_opt(row["accepted_at"]),
        decided_at=_opt(row["decided_at"]),
        version=row["version"],
    )


def get_swap(database: Database, swap_id: int) -> SwapRequest:
    row = database.one(_SELECT + "WHERE r.id = ?", (swap_id,))
    if row is None:
        raise NotFound(_("This request does not exist."))
    return _swap(row)


def list_swaps(
    database: Database,
    *,
    team_ids: Sequence[int] | None = None,
    requester_id: int | None = None,
    created_by: int | None = None,
    statuses: Sequence[str] | None = None,
    shift_id: int | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[SwapRequest]:
    clauses, params = [], []
    if team_ids is not None:
        clauses.append(f"r.team_id IN ({','.join('?' * len(team_ids)) or 'NULL'})")
        params += list(team_ids)
    if requester_id is not None:
        clauses.append("r.requester_id = ?")
        params.append(requester_id)
    if created_by is not None:
        clauses.append("r.created_by = ?")
        params.append(created_by)
    if statuses is not None:
        clauses.append(f"r.status IN ({','.join('?' * len(statuses)) or 'NULL'})")
        params += list(statuses)
    if shift_id is not None:
        clauses.append("(r.shift_id = ? OR r.counter_shift_id = ?)")
        params += [shift_id, shift_id]
    if since is not None:
        # Settled lately, or still waiting however old.
        clauses.append("(r.updated_at >= ? OR r.status IN ('pending', 'accepted'))")
        params.append(to_db(since))
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    rows = database.query(
        _SELECT + where + " ORDER BY r.starts_at, r.id LIMIT ?", (*params, int(limit))
    )
    return [_swap(row) for row in rows]


def open_to(
    database: Database, user_id: int, team_ids: Sequence[int], now: datetime
) -> list[SwapRequest]:
    """Requests waiting for a colleague that this person may take: open to one of their teams
    or addressed to them, not their own, not already declined by them, not expired."""
    marks = ",".join("?" * len(team_ids)) or "NULL"
    rows = database.query(
        _SELECT + f"WHERE r.status = 'pending' AND r.team_id IN ({marks}) "
        "AND r.requester_id != ? AND (r.target_id IS NULL OR r.target_id = ?) "
        "AND r.expires_at > ? AND NOT EXISTS (SELECT 1 FROM swap_declines x "
        "WHERE x.swap_id = r.id AND x.user_id = ?) ORDER BY r.starts_at, r.id",
        (*team_ids, user_id, user_id, to_db(now), user_id),
    )
    return [_swap(row) for row in rows]


def awaiting_approval(
    database: Database, team_ids: Sequence[int], now: datetime
) -> list[SwapRequest]:
    marks = ",".join("?" * len(team_ids)) or "NULL"
    rows = database.query(
        _SELECT + f"WHERE r.status = 'accepted' AND r.team_id IN ({marks}) AND r.expires_at > ? "
        "ORDER BY r.expires_at, r.id",
        (*team_ids, to_db(now)),
    )
    return [_swap(row) for row in rows]


def count_awaiting(database: Database, team_ids: Sequence[int] | None, now: datetime) -> int:
    """Requests waiting for a manager's approval in these teams (None: every team)."""
    if team_ids is None:
        return database.scalar(
            "SELECT COUNT(*) FROM swap_requests WHERE status = 'accepted' AND expires_at > ?",
            (to_db(now),),
        )
    if not team_ids:
        return 0
    marks = ",".join("?" * len(team_ids))
    return database.scalar(
        f"SELECT COUNT(*) FROM swap_requests WHERE status = 'accepted' AND team_id IN ({marks}) "
        "AND expires_at > ?",
        (*team_ids, to_db(now)),
    )


def next_awaiting_expiry(
    database: Database, team_ids: Sequence[int] | None, now: datetime
) -> datetime | None:
    """When the first request waiting for approval expires (its shift starts): a manager's count
    drops then. All teams when `team_ids` is None (an admin)."""
    where = ""
    if team_ids is not None:
        where = f"AND team_id IN ({','.join('?' * len(team_ids)) or 'NULL'}) "
    value = database.scalar(
        "SELECT MIN(expires_at) FROM swap_requests WHERE status = 'accepted' "
        + where
        + "AND expires_at > ?",
        (*(team_ids or ()), to_db(now)),
    )
    return from_db(value) if value else None


def live_for_shift(database: Database, shift_id: int, now: datetime) -> SwapRequest | None:
    """The request still waiting on a shift (as the one given away), if any."""
    marks = ",".join("?" * len(LIVE))
    row = database.one(
        _SELECT + f"WHERE r.shift_id = ? AND r.status IN ({marks}) AND r.expires_at > ? "
        "ORDER BY r.id DESC LIMIT 1",
        (shift_id, *LIVE, to_db(now)),
    )
    return _swap(row) if row else None


def insert_swap(database: Database, row: dict) -> int:
    return database.insert("swap_requests", row)


def update_swap(database: Database, swap_id: int, version: int, changes: dict) -> bool:
    """Change a request if it is still the version the caller read; False otherwise."""
    assignments = ", ".join(f"{column} = ?" for column in changes)
    return (
        database.execute(
            f"UPDATE swap_requests SET {assignments}, version = version + 1 "
            "WHERE id = ? AND version = ?",
            (*changes.values(), swap_id, version),
        ).rowcount
        == 1
    )


def encode_findings(findings: Sequence[Finding]) -> str:
    return msgspec.json.encode(list(findings)).decode()


def add_decline(database: Database, swap_id: int, user_id: int, now: datetime) -> None:
    database.execute(
        "INSERT OR IGNORE INTO swap_declines (swap_id, user_id, at) VALUES (?, ?, ?)",
        (swap_id, user_id, to_db(now)),
    )


def declined_by(database: Database, swap_id: int) -> set[int]:
    rows = database.query("SELECT user_id FROM swap_declines WHERE swap_id = ?", (swap_id,))
    return {row["user_id"] for row in rows}


def due_to_expire(database: Database, now: datetime) -> list[SwapRequest]:
    marks = ",".join("?" * len(LIVE))
    rows = database.query(
        _SELECT + f"WHERE r.status IN ({marks}) AND r.expires_at <= ? ORDER BY r.id",
        (*LIVE, to_db(now)),
    )
    return [_swap(row) for row in rows]


# Approval tokens ----------------------------------------------------------------------------


def issue_approval_token(
    database: Database, swap_id: int, user_id: int, version: int, now: datetime
) -> str:
    """A single-use secret for one manager to approve one version of one request; run inside
    the caller's transaction. Only its hash is kept."""
    token = new_token(24)
    database.insert(
        "swap_approval_tokens",
        {
            "token_hash": hash_token(token),
            "swap_id": swap_id,
            "user_id": user_id,
            "version": version,
            "expires_at": to_db(now + APPROVAL_TOKEN_LIFETIME),
        },
    )
    return token


def find_approval_token(database: Database, token: str) -> dict | None:
    return database.one(
        "SELECT * FROM swap_approval_tokens WHERE token_hash = ?", (hash_token(token),)
    )


def use_approval_token(database: Database, token_hash: str, now: datetime) -> bool:
    """Spend a token inside the approval's transaction; False when it was already spent."""
    used = database.execute(
        "UPDATE swap_approval_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
        (to_db(now), token_hash),
    ).rowcount
    return used == 1


# People -------------------------------------------------------------------------------------


def names_of(database: Database, user_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(user_ids))
    marks = ",".join("?" * len(ids)) or "NULL"
    rows = database.query(f"SELECT id, name FROM users WHERE id IN ({marks})", ids)
    return {row["id"]: row["name"] for row in rows}


def active_admin_ids(database: Database) -> list[int]:
    rows = database.query("SELECT id FROM users WHERE role = 'admin' AND active = 1")
    return [row["id"] for row in rows]


def user_id_by_email(database: Database, email: str) -> int | None:
    return database.scalar("SELECT id FROM users WHERE email = ?", (email,))
