"""People in SQL: their accounts, preferences, passwords and who they are to a request."""

from __future__ import annotations

from datetime import datetime

from server.accounts.models import CurrentUser, Preferences, User, UserForm
from server.accounts.passwords import hash_password
from server.accounts.store.cut_off import cut_off_person
from server.audit.models import Actor
from server.audit.store import record
from server.clock import to_db
from server.db import Database
from server.errors import Conflict, NotFound
from server.i18n import gettext as _


def _user(row: dict) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        phone=row["phone"],
        locale=row["locale"],
        timezone=row["timezone"],
        role=row["role"],
        active=bool(row["active"]),
        has_password=row["password_hash"] is not None,
        created_at=row["created_at"],
        reminder_minutes=row["reminder_minutes"],
    )


def get_user(database: Database, user_id: int) -> User:
    row = database.one("SELECT * FROM users WHERE id = ?", (user_id,))
    if row is None:
        raise NotFound(_("This person does not exist."))
    return _user(row)


def user_row_by_email(database: Database, email: str) -> dict | None:
    return database.one("SELECT * FROM users WHERE email = ?", (email.strip().lower(),))


def list_users(database: Database, team_ids: list[int] | None = None) -> list[User]:
    if team_ids is None:
        rows = database.query("SELECT * FROM users ORDER BY name")
    else:
        marks = ",".join("?" * len(team_ids)) or "NULL"
        rows = database.query(
            f"SELECT DISTINCT u.* FROM users u JOIN memberships m ON m.user_id = u.id "
            f"WHERE m.team_id IN ({marks}) ORDER BY u.name",
            team_ids,
        )
    return [_user(row) for row in rows]


def create_user(
    database: Database, form: UserForm, *, actor: Actor, now: datetime, password: str | None = None
) -> User:
    with database.write():
        if user_row_by_email(database, form.email):
            raise Conflict(_("Someone already has this email address."), field="email")
        user_id = database.insert(
            "users",
            {
                "email": form.email,
                "name": form.name,
                "phone": form.phone,
                "locale": form.locale or None,
                "timezone": form.timezone,
                "role": form.role,
                "password_hash": hash_password(password) if password else None,
                "active": int(form.active),
                "created_at": to_db(now),
                "updated_at": to_db(now),
            },
        )
        user = get_user(database, user_id)
        record(
            database,
            at=now,
            actor=actor,
            action="user.create",
            entity_type="user",
            entity_id=user_id,
            after=user,
        )
    return user


def update_user(
    database: Database, user_id: int, form: UserForm, *, actor: Actor, now: datetime
) -> User:
    with database.write():
        before = get_user(database, user_id)
        clash = database.one(
            "SELECT id FROM users WHERE email = ? AND id != ?", (form.email, user_id)
        )
        if clash:
            raise Conflict(_("Someone already has this email address."), field="email")
        database.execute(
            "UPDATE users SET email = ?, name = ?, phone = ?, locale = ?, timezone = ?, role = ?, "
            "active = ?, updated_at = ? WHERE id = ?",
            (
                form.email,
                form.name,
                form.phone,
                form.locale or None,
                form.timezone,
                form.role,
                int(form.active),
                to_db(now),
                user_id,
            ),
        )
        if not form.active:
            database.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
        if before.active and not form.active:
            cut_off_person(
                database,
                user_id,
                actor=actor,
                now=now,
                why="deactivated",
                feeds=True,
                all_channels=True,
            )
        after = get_user(database, user_id)
        record(
            database,
            at=now,
            actor=actor,
            action="user.update",
            entity_type="user",
            entity_id=user_id,
            before=before,
            after=after,
        )
    return after


def update_preferences(
    database: Database, user_id: int, prefs: Preferences, *, actor: Actor, now: datetime
) -> User:
    with database.write():
        before = get_user(database, user_id)
        database.execute(
            "UPDATE users SET locale = ?, timezone = ?, phone = ?, reminder_minutes = ?, "
            "updated_at = ? WHERE id = ?",
            (
                prefs.locale or None,
                prefs.timezone,
                prefs.phone,
                prefs.reminder_minutes,
                to_db(now),
                user_id,
            ),
        )
        after = get_user(database, user_id)
        record(
            database,
            at=now,
            actor=actor,
            action="user.preferences",
            entity_type="user",
            entity_id=user_id,
            before=before,
            after=after,
        )
    return after


def set_password(
    database: Database,
    user_id: int,
    password_hash: str,
    *,
    actor: Actor,
    now: datetime,
    keep_session: str | None = None,
) -> None:
    """New password; every other session of the person is closed and their devices forgotten
    (a phone cannot be told from the session it was turned on in: this one turns alerts on
    again from Settings)."""
    with database.write():
        database.execute(
            "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
            (password_hash, to_db(now), user_id),
        )
        database.execute(
            "DELETE FROM sessions WHERE user_id = ? AND id != ?", (user_id, keep_session or "")
        )
        cut_off_person(database, user_id, actor=actor, now=now, why="password changed")
        record(
            database,
            at=now,
            actor=actor,
            action="user.password",
            entity_type="user",
            entity_id=user_id,
        )


def current_user(database: Database, user_id: int, session_id: str = "") -> CurrentUser | None:
    row = database.one("SELECT * FROM users WHERE id = ? AND active = 1", (user_id,))
    if row is None:
        return None
    teams = database.query(
        "SELECT team_id, team_role FROM memberships WHERE user_id = ?", (user_id,)
    )
    return CurrentUser(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        role=row["role"],
        locale=row["locale"],
        timezone=row["timezone"],
        team_ids=tuple(t["team_id"] for t in teams),
        managed_team_ids=tuple(t["team_id"] for t in teams if t["team_role"] == "manager"),
        session_id=session_id,
    )
