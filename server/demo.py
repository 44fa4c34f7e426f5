"""The demo company seeded on a first start outside production: two teams, nine people."""

from __future__ import annotations

from datetime import datetime

import msgspec

from server.accounts.models import UserForm
from server.accounts.passwords import hash_password
from server.accounts.store import create_user, user_row_by_email
from server.audit.models import Actor
from server.db import Database
from server.teams.models import TeamForm
from server.teams.store import create_team, set_membership

DEMO_PASSWORD = "astreinte-demo"


class DemoPerson(msgspec.Struct, frozen=True):
    email: str
    name: str
    phone: str
    role: str
    team: str | None
    team_role: str = "member"


MAINTENANCE = "Maintenance des bâtiments"
IT_SUPPORT = "Support informatique"

PEOPLE = (
    DemoPerson("admin@astreinte.test", "Hélène Garnier", "+33 6 11 22 33 44", "admin", None),
    DemoPerson(
        "claire.martin@astreinte.test",
        "Claire Martin",
        "+33 6 12 34 56 78",
        "manager",
        MAINTENANCE,
        "manager",
    ),
    DemoPerson(
        "julien.moreau@astreinte.test", "Julien Moreau", "+33 6 23 45 67 89", "staff", MAINTENANCE
    ),
    DemoPerson(
        "nadia.lefebvre@astreinte.test", "Nadia Lefebvre", "+33 6 34 56 78 90", "staff", MAINTENANCE
    ),
    DemoPerson(
        "thomas.petit@astreinte.test", "Thomas Petit", "+33 6 45 67 89 01", "staff", MAINTENANCE
    ),
    DemoPerson(
        "karim.benali@astreinte.test",
        "Karim Benali",
        "+33 6 56 78 90 12",
        "manager",
        IT_SUPPORT,
        "manager",
    ),
    DemoPerson(
        "camille.roux@astreinte.test", "Camille Roux", "+33 6 67 89 01 23", "staff", IT_SUPPORT
    ),
    DemoPerson(
        "mathieu.fontaine@astreinte.test",
        "Mathieu Fontaine",
        "+33 7 78 90 12 34",
        "staff",
        IT_SUPPORT,
    ),
    DemoPerson("lea.dubois@astreinte.test", "Léa Dubois", "+33 7 89 01 23 45", "staff", IT_SUPPORT),
)


def is_empty(database: Database) -> bool:
    return not database.scalar("SELECT COUNT(*) FROM users")


def seed_demo(database: Database, now: datetime) -> bool:
    """Create the demo company in one transaction; False when it is already there."""
    if user_row_by_email(database, PEOPLE[0].email):
        return False
    actor = Actor(label="demo")
    password_hash = hash_password(DEMO_PASSWORD)
    with database.write():
        teams = {
            name: create_team(database, TeamForm(name=name), actor=actor, now=now).id
            for name in (MAINTENANCE, IT_SUPPORT)
        }
        for person in PEOPLE:
            form = UserForm(
                email=person.email, name=person.name, phone=person.phone, role=person.role
            )
            user = create_user(database, form, actor=actor, now=now)
            database.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user.id)
            )
            if person.team:
                set_membership(
                    database, teams[person.team], user.id, person.team_role, actor=actor, now=now
                )
    return True


def logins_text(base_url: str) -> str:
    lines = [f"Astreinte demo on {base_url} (password for everyone: {DEMO_PASSWORD})"]
    for person in PEOPLE:
        where = f" — {person.team}" if person.team else ""
        lines.append(f"  {person.role:<8} {person.email:<34} {person.name}{where}")
    return "\n".join(lines)
