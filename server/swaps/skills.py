"""Team skills in SQL: which people hold which skill, which rotations and shifts need which."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from server.audit.models import Actor
from server.audit.store import record
from server.clock import to_db
from server.db import Database
from server.errors import Conflict, NotFound
from server.i18n import gettext as _
from server.swaps.models import Skill


def team_skills(database: Database, team_id: int) -> list[Skill]:
    rows = database.query(
        "SELECT id, team_id, name FROM skills WHERE team_id = ? ORDER BY name COLLATE NOCASE",
        (team_id,),
    )
    return [Skill(**row) for row in rows]


def get_skill(database: Database, skill_id: int) -> Skill:
    row = database.one("SELECT id, team_id, name FROM skills WHERE id = ?", (skill_id,))
    if row is None:
        raise NotFound(_("This skill does not exist."))
    return Skill(**row)


def create_skill(
    database: Database, team_id: int, name: str, *, actor: Actor, now: datetime
) -> Skill:
    with database.write():
        if database.one(
            "SELECT 1 FROM skills WHERE team_id = ? AND name = ? COLLATE NOCASE", (team_id, name)
        ):
            raise Conflict(_("This team already has this skill."), field="name")
        skill_id = database.insert(
            "skills", {"team_id": team_id, "name": name, "created_at": to_db(now)}
        )
        skill = get_skill(database, skill_id)
        record(
            database,
            at=now,
            actor=actor,
            action="skill.create",
            entity_type="skill",
            entity_id=skill_id,
            team_id=team_id,
            after=skill,
        )
    return skill


def delete_skill(database: Database, skill_id: int, *, actor: Actor, now: datetime) -> None:
    with database.write():
        skill = get_skill(database, skill_id)
        database.execute("DELETE FROM skills WHERE id = ?", (skill_id,))
        record(
            database,
            at=now,
            actor=actor,
            action="skill.delete",
            entity_type="skill",
            entity_id=skill_id,
            team_id=skill.team_id,
            before=skill,
        )


def _pairs(database: Database, table: str, column: str, team_id: int) -> set[tuple[int, int]]:
    rows = database.query(
        f"SELECT x.skill_id, x.{column} AS other FROM {table} x "
        "JOIN skills s ON s.id = x.skill_id WHERE s.team_id = ?",
        (team_id,),
    )
    return {(row["skill_id"], row["other"]) for row in rows}


def person_pairs(database: Database, team_id: int) -> set[tuple[int, int]]:
    """(skill id, user id) of everyone holding a skill of the team."""
    return _pairs(database, "person_skills", "user_id", team_id)


def rotation_pairs(database: Database, team_id: int) -> set[tuple[int, int]]:
    """(skill id, rotation id) of the team's rotations that need a skill."""
    return _pairs(database, "rotation_skills", "rotation_id", team_id)


def set_matrix(
    database: Database,
    team_id: int,
    people: Iterable[tuple[int, int]],
    rotations: Iterable[tuple[int, int]],
    *,
    actor: Actor,
    now: datetime,
) -> None:
    """Replace who holds and which rotations need the team's skills, in one transaction."""
    with database.write():
        skill_ids = {s.id for s in team_skills(database, team_id)}
        before = {
            "people": sorted(person_pairs(database, team_id)),
            "rotations": sorted(rotation_pairs(database, team_id)),
        }
        people = sorted({p for p in people if p[0] in skill_ids})
        rotations = sorted({r for r in rotations if r[0] in skill_ids})
        marks = ",".join("?" * len(skill_ids)) or "NULL"
        database.execute(f"DELETE FROM person_skills WHERE skill_id IN ({marks})", (*skill_ids,))
        database.execute(f"DELETE FROM rotation_skills WHERE skill_id IN ({marks})", (*skill_ids,))
        database.conn.executemany(
            "INSERT INTO person_skills (skill_id, user_id) VALUES (?, ?)", people
        )
        database.conn.executemany(
            "INSERT INTO rotation_skills (skill_id, rotation_id) VALUES (?, ?)", rotations
        )
        record(
            database,
            at=now,
            actor=actor,
            action="skills.set",
            entity_type="team",
            entity_id=team_id,
            team_id=team_id,
            before=before,
            after={"people": people, "rotations": rotations},
        )


def held_by(database: Database, user_id: int) -> set[int]:
    rows = database.query("SELECT skill_id FROM person_skills WHERE user_id = ?", (user_id,))
    return {row["skill_id"] for row in rows}


def required_for(database: Database, shift_id: int) -> dict[int, str]:
    """Skills a shift needs: its rotation's and its own."""
    rows = database.query(
        "SELECT s.id, s.name FROM skills s JOIN rotation_skills r ON r.skill_id = s.id "
        "JOIN shifts h ON h.rotation_id = r.rotation_id WHERE h.id = ? "
        "UNION SELECT s.id, s.name FROM skills s JOIN shift_skills x ON x.skill_id = s.id "
        "WHERE x.shift_id = ?",
        (shift_id, shift_id),
    )
    return {row["id"]: row["name"] for row in rows}


def own_skill_ids(database: Database, shift_id: int) -> set[int]:
    rows = database.query("SELECT skill_id FROM shift_skills WHERE shift_id = ?", (shift_id,))
    return {row["skill_id"] for row in rows}


def set_shift_skills(
    database: Database,
    team_id: int,
    shift_id: int,
    skill_ids: Iterable[int],
    *,
    actor: Actor,
    now: datetime,
) -> None:
    with database.write():
        allowed = {s.id for s in team_skills(database, team_id)}
        chosen = sorted(set(skill_ids) & allowed)
        before = sorted(own_skill_ids(database, shift_id))
        database.execute("DELETE FROM shift_skills WHERE shift_id = ?", (shift_id,))
        database.conn.executemany(
            "INSERT INTO shift_skills (skill_id, shift_id) VALUES (?, ?)",
            [(skill_id, shift_id) for skill_id in chosen],
        )
        record(
            database,
            at=now,
            actor=actor,
            action="shift.skills",
            entity_type="shift",
            entity_id=shift_id,
            team_id=team_id,
            before={"skills": before},
            after={"skills": chosen},
        )


def copy_shift_skills(database: Database, from_shift: int, to_shift: int) -> None:
    """A piece split off a shift needs what the shift needed; inside the caller's transaction."""
    database.execute(
        "INSERT OR IGNORE INTO shift_skills (skill_id, shift_id) "
        "SELECT skill_id, ? FROM shift_skills WHERE shift_id = ?",
        (to_shift, from_shift),
    )
