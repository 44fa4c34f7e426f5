"""What the admin home reads: people who never logged in, and the latest sign-ins."""

from __future__ import annotations

import json
from datetime import datetime

from server.clock import from_db, to_db
from server.db import Database
from server.models import Value


class Newcomer(Value):
    """Someone active who has not chosen a password yet, and until when their link works."""

    user_id: int
    name: str
    email: str
    created_at: datetime
    invitation_until: datetime | None


class SignIn(Value):
    user_id: int | None
    name: str
    at: datetime
    user_agent: str


def awaiting_first_login(database: Database, now: datetime) -> list[Newcomer]:
    rows = database.query(
        "SELECT u.id, u.name, u.email, u.created_at, "
        "(SELECT MAX(i.expires_at) FROM invitations i WHERE i.user_id = u.id "
        " AND i.used_at IS NULL AND i.expires_at > ?) AS invitation_until "
        "FROM users u WHERE u.active = 1 AND u.password_hash IS NULL "
        "ORDER BY u.created_at DESC, u.name",
        (to_db(now),),
    )
    return [
        Newcomer(
            user_id=row["id"],
            name=row["name"],
            email=row["email"],
            created_at=from_db(row["created_at"]),
            invitation_until=from_db(row["invitation_until"]) if row["invitation_until"] else None,
        )
        for row in rows
    ]


def recent_sign_ins(database: Database, limit: int = 8) -> list[SignIn]:
    """The latest logins from the audit log (sessions are deleted when they end; logins stay)."""
    rows = database.query(
        "SELECT a.actor_user_id, COALESCE(u.name, a.actor) AS name, a.at, a.after "
        "FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id "
        "WHERE a.action = 'session.login' ORDER BY a.id DESC LIMIT ?",
        (limit,),
    )
    return [
        SignIn(
            user_id=row["actor_user_id"],
            name=row["name"],
            at=from_db(row["at"]),
            user_agent=(json.loads(row["after"]) if row["after"] else {}).get("user_agent", ""),
        )
        for row in rows
    ]
