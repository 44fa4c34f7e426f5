"""Team skills in SQL: which people hold which skill, which rotations and shifts need which."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from server.clock import to_db
from server.db import Database
from server.errors import NotFound
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


def skill_named(database: Database, team_id: int, name: str) -> bool:
    """Whether the team has a skill of this name, whatever its case."""
    return (
        database.one(
            "SELECT 1 FROM skills WHERE team_id = ? AND name = ? COLLATE NOCASE", (team_id, name)
        )
        is not None
    )


def insert_skill(database: Database, team_id: int, name: str, now: datetime) -> int:
    return database.insert("skills", {"team_id": team_id, "name": name, "created_at": to_db(now)})


def delete_skill_row(database: Database, skill_id: int) -> None:
    database.execute("DELETE FROM skills WHERE id = ?", (skill_id,))


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


def replace_matrix(
    database: Database,
    skill_ids: Iterable[int],
    people: Iterable[tuple[int, int]],
    rotations: Iterable[tuple[int, int]],
) -> None:
    """Who holds and which rotations need these skills, replaced; inside the caller's
    transaction."""
    skill_ids = list(skill_ids)
    marks = ",".join("?" * len(skill_ids)) or "NULL"
    database.execute(f"DELETE FROM person_skills WHERE skill_id IN ({marks})", (*skill_ids,))
    database.execute(f"DELETE FROM rotation_skills WHERE skill_id IN ({marks})", (*skill_ids,))
    database.conn.executemany(
        "INSERT INTO person_skills (skill_id, user_id) VALUES (?, ?)", list(people)
    )
    database.conn.executemany(
        "INSERT INTO rotation_skills (skill_id, rotation_id) VALUES (?, ?)", list(rotations)
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


def replace_shift_skills(database: Database, shift_id: int, skill_ids: Iterable[int]) -> None:
    """What a shift needs of its own, replaced; inside the caller's transaction."""
    database.execute("DELETE FROM shift_skills WHERE shift_id = ?", (shift_id,))
    database.conn.executemany(
        "INSERT INTO shift_skills (skill_id, shift_id) VALUES (?, ?)",
        [(skill_id, shift_id) for skill_id in skill_ids],
    )


def copy_shift_skills(database: Database, from_shift: int, to_shift: int) -> None:
    """A piece split off a shift needs what the shift needed; inside the caller's transaction."""
    database.execute(
        "INSERT OR IGNORE INTO shift_skills (skill_id, shift_id) "
        "SELECT skill_id, ? FROM shift_skills WHERE shift_id = ?",
        (to_shift, from_shift),
    )
