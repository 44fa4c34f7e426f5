"""Server-side sessions and failed-login records in SQL, each change in the audit log.

The log never holds a session token or its hash: a session is named by a short fingerprint, enough
to pair its login with its logout and useless to anyone reading the log."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.accounts.models import CurrentUser
from server.accounts.store import cut_off_person
from server.audit.models import Actor
from server.audit.store import record
from server.clock import from_db, to_db
from server.db import Database
from server.tokens import hash_token, new_token

# A session's last use is written at most this often, so reading pages stays read-only.
_TOUCH_EVERY = timedelta(minutes=5)


def fingerprint(session_id: str) -> str:
    """A session's name in the audit log: the start of the hash of its token (its id)."""
    return session_id[:12]


def create_session(
    database: Database, user_id: int, *, now: datetime, days: int, user_agent: str, address: str
) -> str:
    """A new session for the person (logging in, or accepting an invitation); its token."""
    token = new_token(32)
    session = {
        "id": hash_token(token),
        "user_id": user_id,
        "created_at": to_db(now),
        "last_seen_at": to_db(now),
        "expires_at": to_db(now + timedelta(days=days)),
        "user_agent": user_agent[:300],
        "address": address[:64],
    }
    with database.write():
        database.insert("sessions", session)
        email = database.one("SELECT email FROM users WHERE id = ?", (user_id,))["email"]
        record(
            database,
            at=now,
            actor=Actor(label=email, user_id=user_id),
            action="session.login",
            entity_type="user",
            entity_id=user_id,
            after={
                "session": fingerprint(session["id"]),
                "address": session["address"],
                "user_agent": session["user_agent"],
                "expires_at": session["expires_at"],
            },
        )
    return token


def session_user(database: Database, token: str, *, now: datetime, days: int) -> CurrentUser | None:
    """The person behind a session cookie, in one query; slides the expiry on use."""
    session_id = hash_token(token)
    row = database.one(
        "SELECT s.user_id, s.last_seen_at, s.expires_at, u.email, u.name, u.role, u.locale, "
        "u.timezone, (SELECT group_concat(m.team_id || ':' || m.team_role) FROM memberships m "
        "WHERE m.user_id = u.id) AS teams FROM sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.id = ? AND u.active = 1",
        (session_id,),
    )
    if row is None or from_db(row["expires_at"]) <= now:
        return None
    if now - from_db(row["last_seen_at"]) >= _TOUCH_EVERY:
        with database.write(bookkeeping=True):
            database.execute(
                "UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?",
                (to_db(now), to_db(now + timedelta(days=days)), session_id),
            )
    teams = [item.split(":") for item in (row["teams"] or "").split(",") if item]
    return CurrentUser(
        id=row["user_id"],
        email=row["email"],
        name=row["name"],
        role=row["role"],
        locale=row["locale"],
        timezone=row["timezone"],
        team_ids=tuple(int(team) for team, _role in teams),
        managed_team_ids=tuple(int(team) for team, role in teams if role == "manager"),
        session_id=session_id,
    )


class SessionCache:
    """Who is behind each session token, kept until the next write of this process.

    A page load then costs no query to know its user; any change (logout, role, membership,
    deactivation) is a write, which bumps the database version and empties the cache."""

    def __init__(self, database: Database, limit: int = 10_000) -> None:
        self.database = database
        self.limit = limit
        self._version = -1
        self._entries: dict[str, tuple[CurrentUser | None, datetime]] = {}

    def user(self, token: str, *, now: datetime, days: int) -> CurrentUser | None:
        if self._version != self.database.version or len(self._entries) > self.limit:
            self._entries.clear()
            self._version = self.database.version
        hit = self._entries.get(token)
        if hit is not None and now < hit[1]:
            return hit[0]
        user = session_user(self.database, token, now=now, days=days)
        # A reading stays good for a minute at most: expiry and the sliding touch are timed.
        self._entries[token] = (user, now + timedelta(minutes=1))
        self._version = self.database.version
        return user


def end_session(database: Database, session_id: str, *, actor: Actor, now: datetime) -> None:
    with database.write():
        row = database.one("SELECT user_id FROM sessions WHERE id = ?", (session_id,))
        if row is None:
            return
        database.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        record(
            database,
            at=now,
            actor=actor,
            action="session.logout",
            entity_type="user",
            entity_id=row["user_id"],
            before={"session": fingerprint(session_id)},
        )


def end_all_sessions(database: Database, user_id: int, *, actor: Actor, now: datetime) -> int:
    """Every session of the person ends; returns how many, as the audit entry says. It is the
    button for a lost phone: the phone's alerts, the secrets its pushes carried and the calendar
    addresses its apps keep stop working too."""
    with database.write():
        ended = database.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,)).rowcount
        cut_off_person(database, user_id, actor=actor, now=now, why="logout everywhere", feeds=True)
        record(
            database,
            at=now,
            actor=actor,
            action="session.logout_everywhere",
            entity_type="user",
            entity_id=user_id,
            before={"sessions": ended},
            after={"sessions": 0},
        )
    return ended


def sessions_of(database: Database, user_id: int) -> list[dict]:
    return database.query(
        "SELECT id, created_at, last_seen_at, user_agent, address FROM sessions "
        "WHERE user_id = ? ORDER BY last_seen_at DESC",
        (user_id,),
    )


def record_failure(
    database: Database, *, account: str, address: str, now: datetime, locked_seconds: int | None
) -> None:
    """A failed attempt counts toward the limit (login_failures, pruned after a day) and stays in
    the audit log: the account tried and from where, never the password. `locked_seconds` is
    the lock this failure starts, if it reached a limit."""
    attempt = {"account": account, "address": address}
    with database.write():
        database.insert("login_failures", {**attempt, "at": to_db(now)})
        # Old failures no longer count for anything; keep the table small.
        database.execute(
            "DELETE FROM login_failures WHERE at < ?", (to_db(now - timedelta(days=1)),)
        )
        record(
            database,
            at=now,
            actor=Actor(label="anonymous"),
            action="login.failed",
            entity_type="login",
            entity_id=account,
            after=attempt,
        )
        # Attempts refused while locked are not logged: the lock is, once, when it starts, so
        # hammering the form cannot grow the log without end.
        if locked_seconds:
            record(
                database,
                at=now,
                actor=Actor(label="anonymous"),
                action="login.locked",
                entity_type="login",
                entity_id=account,
                after={**attempt, "seconds": locked_seconds},
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
