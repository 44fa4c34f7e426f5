"""Invitation links in SQL: made by a manager or an admin, used once to choose a password (for
someone who had one, a reset that logs every session out and forgets their devices)."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.accounts.models import User
from server.accounts.store.cut_off import cut_off_person
from server.accounts.store.users import get_user
from server.audit.models import Actor
from server.audit.store import record
from server.clock import from_db, to_db
from server.db import Database
from server.errors import InvalidInput, NotFound
from server.i18n import gettext as _
from server.tokens import hash_token, new_token


def expired_invitation() -> str:
    return _(
        "This invitation link has expired or was already used. Ask your manager for a new one."
    )


def create_invitation(
    database: Database, user_id: int, *, actor: Actor, now: datetime, hours: int
) -> str:
    """A one-time link token; earlier unused links of the same person stop working."""
    token = new_token(32)
    with database.write():
        get_user(database, user_id)
        database.execute(
            "UPDATE invitations SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
            (to_db(now), user_id),
        )
        database.insert(
            "invitations",
            {
                "token_hash": hash_token(token),
                "user_id": user_id,
                "created_by": actor.user_id,
                "created_at": to_db(now),
                "expires_at": to_db(now + timedelta(hours=hours)),
                "used_at": None,
            },
        )
        record(
            database,
            at=now,
            actor=actor,
            action="invitation.create",
            entity_type="user",
            entity_id=user_id,
        )
    return token


def invitation_user(database: Database, token: str, now: datetime) -> User:
    row = database.one("SELECT * FROM invitations WHERE token_hash = ?", (hash_token(token),))
    if row is None or row["used_at"] is not None or from_db(row["expires_at"]) <= now:
        raise NotFound(expired_invitation())
    user = get_user(database, row["user_id"])
    if not user.active:
        raise NotFound(expired_invitation())
    return user


def accept_invitation(database: Database, token: str, password_hash: str, *, now: datetime) -> User:
    with database.write():
        user = invitation_user(database, token, now)
        changed = database.execute(
            "UPDATE invitations SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
            (to_db(now), hash_token(token)),
        ).rowcount
        if changed != 1:
            raise InvalidInput(expired_invitation())
        database.execute(
            "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
            (password_hash, to_db(now), user.id),
        )
        actor = Actor(label=user.email, user_id=user.id)
        # The link doubles as a password reset: whoever used the old password is logged out
        # of every session (the new one opens after this) and loses the person's devices.
        ended = database.execute("DELETE FROM sessions WHERE user_id = ?", (user.id,)).rowcount
        record(
            database,
            at=now,
            actor=actor,
            action="invitation.accept",
            entity_type="user",
            entity_id=user.id,
            after={"reset": user.has_password, "sessions_ended": ended},
        )
        if user.has_password:
            cut_off_person(database, user.id, actor=actor, now=now, why="password reset")
    return user
