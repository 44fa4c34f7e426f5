"""The demo company's cast: its two teams, nine people, their working hours and how each
answers (who declines, who is slow, who was called out last night)."""

from __future__ import annotations

import msgspec

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


# Working hours of the demo: the office's, and the IT desk's later ones.
OFFICE_WEEK = "08:30-12:00, 13:30-17:30"
IT_WEEK = "09:00-12:30, 14:00-18:00"
# Who was called out last night, and how tired they said they were afterwards.
CALLED_OUT = "nadia.lefebvre@astreinte.test"
# The demo's decline, so a manager sees a shift that needs action.
DECLINER = "thomas.petit@astreinte.test"
# People whose coming shifts stay unanswered in the demo.
SLOW_TO_ANSWER = ("nadia.lefebvre@astreinte.test", "lea.dubois@astreinte.test")


def logins_text(base_url: str) -> str:
    lines = [f"Astreinte demo on {base_url} (password for everyone: {DEMO_PASSWORD})"]
    for person in PEOPLE:
        where = f" — {person.team}" if person.team else ""
        lines.append(f"  {person.role:<8} {person.email:<34} {person.name}{where}")
    return "\n".join(lines)
