"""Server-side sessions and failed-login records in SQL."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from server.accounts.models import CurrentUser
from server.accounts.store import current_user, token_hash
from server.clock import from_db, to_db
from server.db import Database

# A session's last use is written at most this often, so reading pages stays read-only.
_TOUCH_EVERY = timedelta(minutes=5)


def create_session(
    database: Database, user_id: int, *, now: datetime, days: int, user_agent: str, address: str
) -> str:
    token = secrets.token_urlsafe(32)
    with database.write():
        database.insert(
            "sessions",
            {
                "id": token_hash(token),
                "user_id": user_id,
                "created_at": to_db(now),
                "last_seen_at": to_db(now),
                "expires_at": to_db(now + timedelta(days=days)),
                "user_agent": user_agent[:300],
                "address": address[:64],
            },
        )
    return token


def session_user(database: Database, token: str, *, now: datetime, days: int) -> CurrentUser | None:
    session_id = token_hash(token)
    row = database.one(
        "SELECT user_id, last_seen_at, expires_at FROM sessions WHERE id = ?", (session_id,)
    )
    if row is None or from_db(row["expires_at"]) <= now:
        return None
    if now - from_db(row["last_seen_at"]) >= _TOUCH_EVERY:
        with database.write():
            database.execute(
                "UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?",
                (to_db(now), to_db(now + timedelta(days=days)), session_id),
            )
    return current_user(database, row["user_id"], session_id)


def end_session(database: Database, session_id: str) -> None:
    with database.write():
        database.execute("DELETE FROM sessions WHERE id = ?", (session_id,))


def end_all_sessions(database: Database, user_id: int) -> int:
    with database.write():
        return database.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,)).rowcount


def sessions_of(database: Database, user_id: int) -> list[dict]:
    return database.query(
        "SELECT id, created_at, last_seen_at, user_agent, address FROM sessions "
        "WHERE user_id = ? ORDER BY last_seen_at DESC",
        (user_id,),
    )


def record_failure(database: Database, *, account: str, address: str, now: datetime) -> None:
    with database.write():
        database.insert(
            "login_failures", {"account": account, "address": address, "at": to_db(now)}
        )
        # Old failures no longer count for anything; keep the table small.
        database.execute(
            "DELETE FROM login_failures WHERE at < ?", (to_db(now - timedelta(days=1)),)
        )


def failures(
    database: Database, *, account: str, address: str, since: datetime
) -> tuple[list[datetime], list[datetime]]:
    by_account = database.query(
        "SELECT at FROM login_failures WHERE account = ? AND at >= ?", (account, to_db(since))
    )
    by_address = database.query(
        "SELECT at FROM login_failures WHERE address = ? AND at >= ?", (address, to_db(since))
    )
    return [from_db(r["at"]) for r in by_account], [from_db(r["at"]) for r in by_address]


def clear_failures(database: Database, account: str) -> None:
    with database.write():
        database.execute("DELETE FROM login_failures WHERE account = ?", (account,))
