"""Team skills: adding and removing them, who holds them and what rotations and shifts need;
each change one transaction with its audit entry (the SQL is in store/skills.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from server.audit.models import Actor
from server.audit.store import record
from server.db import Database
from server.errors import Conflict
from server.i18n import gettext as _
from server.swaps.models import Skill
from server.swaps.store.skills import (
    delete_skill_row,
    get_skill,
    insert_skill,
    own_skill_ids,
    person_pairs,
    replace_matrix,
    replace_shift_skills,
    rotation_pairs,
    skill_named,
    team_skills,
)


def create_skill(
    database: Database, team_id: int, name: str, *, actor: Actor, now: datetime
) -> Skill:
    with database.write():
        if skill_named(database, team_id, name):
            raise Conflict(_("This team already has this skill."), field="name")
        skill_id = insert_skill(database, team_id, name, now)
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
        delete_skill_row(database, skill_id)
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
        replace_matrix(database, skill_ids, people, rotations)
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
        replace_shift_skills(database, shift_id, chosen)
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
