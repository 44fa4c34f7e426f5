"""Teams and memberships in SQL."""

from __future__ import annotations

from datetime import datetime

import msgspec

from server.audit.models import Actor
from server.audit.store import record
from server.clock import to_db
from server.db import Database
from server.errors import Conflict, InvalidInput, NotFound
from server.i18n import gettext as _
from server.teams.models import Member, Team, TeamForm, TeamPolicy, TeamRole


def _team(row: dict) -> Team:
    return Team(
        id=row["id"],
        name=row["name"],
        timezone=row["timezone"],
        policy=msgspec.json.decode(row["policy"] or "{}", type=TeamPolicy),
        created_at=row["created_at"],
    )


def list_teams(database: Database, ids: list[int] | None = None) -> list[Team]:
    if ids is None:
        rows = database.query("SELECT * FROM teams ORDER BY name")
    else:
        marks = ",".join("?" * len(ids)) or "NULL"
        rows = database.query(f"SELECT * FROM teams WHERE id IN ({marks}) ORDER BY name", ids)
    return [_team(row) for row in rows]


def get_team(database: Database, team_id: int) -> Team:
    row = database.one("SELECT * FROM teams WHERE id = ?", (team_id,))
    if row is None:
        raise NotFound(_("This team does not exist."))
    return _team(row)


def find_team(database: Database, id_or_name: str) -> Team:
    """A team by its id or its exact name (for the CLI)."""
    row = None
    if id_or_name.isdigit():
        row = database.one("SELECT * FROM teams WHERE id = ?", (int(id_or_name),))
    if row is None:
        row = database.one("SELECT * FROM teams WHERE name = ? COLLATE NOCASE", (id_or_name,))
    if row is None:
        raise NotFound(_("This team does not exist."))
    return _team(row)


def create_team(database: Database, form: TeamForm, *, actor: Actor, now: datetime) -> Team:
    with database.write():
        if database.one("SELECT id FROM teams WHERE name = ? COLLATE NOCASE", (form.name,)):
            raise Conflict(_("A team with this name already exists."), field="name")
        policy = msgspec.json.encode(TeamPolicy()).decode()
        team_id = database.insert(
            "teams",
            {
                "name": form.name,
                "timezone": form.timezone,
                "policy": policy,
                "created_at": to_db(now),
                "updated_at": to_db(now),
            },
        )
        team = get_team(database, team_id)
        record(
            database,
            at=now,
            actor=actor,
            action="team.create",
            entity_type="team",
            entity_id=team_id,
            team_id=team_id,
            after=team,
        )
    return team


def update_team(
    database: Database, team_id: int, form: TeamForm, *, actor: Actor, now: datetime
) -> Team:
    with database.write():
        before = get_team(database, team_id)
        clash = database.one(
            "SELECT id FROM teams WHERE name = ? COLLATE NOCASE AND id != ?", (form.name, team_id)
        )
        if clash:
            raise Conflict(_("A team with this name already exists."), field="name")
        database.execute(
            "UPDATE teams SET name = ?, timezone = ?, updated_at = ? WHERE id = ?",
            (form.name, form.timezone, to_db(now), team_id),
        )
        after = get_team(database, team_id)
        record(
            database,
            at=now,
            actor=actor,
            action="team.update",
            entity_type="team",
            entity_id=team_id,
            team_id=team_id,
            before=before,
            after=after,
        )
    return after


def set_policy(
    database: Database,
    team_id: int,
    policy: TeamPolicy,
    *,
    actor: Actor,
    now: datetime,
    reason: str,
) -> Team:
    """Replace the team's policy; the audit entry keeps both versions and why it changed."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput(_("Say why the team's rules change."), field="reason")
    with database.write():
        before = get_team(database, team_id)
        database.execute(
            "UPDATE teams SET policy = ?, updated_at = ? WHERE id = ?",
            (msgspec.json.encode(policy).decode(), to_db(now), team_id),
        )
        after = get_team(database, team_id)
        record(
            database,
            at=now,
            actor=actor,
            action="team.policy",
            entity_type="team",
            entity_id=team_id,
            team_id=team_id,
            before={"policy": before.policy},
            after={"policy": after.policy, "reason": reason[:500]},
        )
    return after


def members(database: Database, team_id: int) -> list[Member]:
    rows = database.query(
        "SELECT u.id AS user_id, u.name, u.email, u.phone, u.role, u.active, m.team_role "
        "FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.team_id = ? "
        "ORDER BY m.team_role = 'manager' DESC, u.name",
        (team_id,),
    )
    return [Member(**{**row, "active": bool(row["active"])}) for row in rows]


def set_membership(
    database: Database,
    team_id: int,
    user_id: int,
    team_role: TeamRole,
    *,
    actor: Actor,
    now: datetime,
) -> None:
    with database.write():
        get_team(database, team_id)
        if not database.one("SELECT id FROM users WHERE id = ?", (user_id,)):
            raise NotFound(_("This person does not exist."))
        before = database.one(
            "SELECT team_role FROM memberships WHERE team_id = ? AND user_id = ?",
            (team_id, user_id),
        )
        database.execute(
            "INSERT INTO memberships (team_id, user_id, team_role, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (team_id, user_id) DO UPDATE SET team_role = excluded.team_role",
            (team_id, user_id, team_role, to_db(now)),
        )
        record(
            database,
            at=now,
            actor=actor,
            action="membership.set",
            entity_type="membership",
            entity_id=f"{team_id}:{user_id}",
            team_id=team_id,
            before=before,
            after={"team_role": team_role},
        )


def delete_membership(
    database: Database, team_id: int, user_id: int, *, actor: Actor, now: datetime
) -> None:
    """The membership row and its audit entry only: removing someone from a team also ends
    that team's reach into their phones, so call accounts/memberships.py: remove_member."""
    with database.write():
        before = database.one(
            "SELECT team_role FROM memberships WHERE team_id = ? AND user_id = ?",
            (team_id, user_id),
        )
        if before is None:
            raise NotFound(_("This person is not in this team."))
        database.execute(
            "DELETE FROM memberships WHERE team_id = ? AND user_id = ?", (team_id, user_id)
        )
        record(
            database,
            at=now,
            actor=actor,
            action="membership.remove",
            entity_type="membership",
            entity_id=f"{team_id}:{user_id}",
            team_id=team_id,
            before=before,
        )


def teams_of(database: Database, user_id: int) -> list[tuple[Team, TeamRole]]:
    rows = database.query(
        "SELECT t.*, m.team_role FROM memberships m JOIN teams t ON t.id = m.team_id "
        "WHERE m.user_id = ? ORDER BY t.name",
        (user_id,),
    )
    return [(_team(row), row["team_role"]) for row in rows]


def memberships_by_user(
    database: Database, user_ids: list[int]
) -> dict[int, list[tuple[int, TeamRole]]]:
    """(team id, role in it) of each of these people, in one query."""
    if not user_ids:
        return {}
    marks = ",".join("?" * len(user_ids))
    rows = database.query(
        f"SELECT user_id, team_id, team_role FROM memberships WHERE user_id IN ({marks})",
        user_ids,
    )
    found: dict[int, list[tuple[int, TeamRole]]] = {}
    for row in rows:
        found.setdefault(row["user_id"], []).append((row["team_id"], row["team_role"]))
    return found
