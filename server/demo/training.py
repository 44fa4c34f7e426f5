"""The demo's training: the building team's stress management session four months ago (its
effect read over the year of history, the 3 months after complete), an electrical
habilitation course five weeks ago that granted Thomas his H0V (its after partial), and the IT
desk's session on speaking with clients, given by Karim six weeks ago."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from server.accounts.store import user_row_by_email
from server.audit.models import Actor
from server.db import Database
from server.demo.people import IT_SUPPORT, MAINTENANCE
from server.training import store
from server.training.workflow import create_session

ZONE = ZoneInfo("Europe/Paris")
# (team, topic, kind, days ago, trainer: a name or an e-mail, qualification, attendees' e-mails)
SESSIONS = (
    (
        MAINTENANCE,
        "Gérer le stress des nuits d’astreinte",
        "stress",
        122,
        "Cabinet Prévention Santé",
        None,
        (
            "julien.moreau@astreinte.test",
            "nadia.lefebvre@astreinte.test",
            "thomas.petit@astreinte.test",
        ),
    ),
    (
        MAINTENANCE,
        "Habilitation électrique H0V, formation initiale",
        "technical",
        35,
        "APAVE",
        "Habilitation électrique H0V",
        ("thomas.petit@astreinte.test",),
    ),
    (
        IT_SUPPORT,
        "Parler au client au téléphone : rassurer, reformuler, conclure",
        "communication",
        42,
        "karim.benali@astreinte.test",
        None,
        (
            "camille.roux@astreinte.test",
            "mathieu.fontaine@astreinte.test",
            "lea.dubois@astreinte.test",
        ),
    ),
)


def seed_training(database: Database, teams: dict[str, int], now: datetime) -> None:
    """Inside the demo's transaction, after the qualifications' catalogue."""
    today = now.astimezone(ZONE).date()
    actor = Actor(label="demo")
    catalogue = {row["name"]: row["id"] for row in store.qualification_catalogue(database)}
    for team, topic, kind, ago, trainer, granted, emails in SESSIONS:
        people = [user_row_by_email(database, email)["id"] for email in emails]
        values = {
            "topic": topic,
            "kind": kind,
            "held_on": (today - timedelta(days=ago)).isoformat(),
            "qualification_id": str(catalogue[granted]) if granted in catalogue else "",
        }
        named = set(people)
        if "@" in trainer:
            trainer_id = user_row_by_email(database, trainer)["id"]
            values["trainer_id"] = str(trainer_id)
            named.add(trainer_id)
        else:
            values["trainer_name"] = trainer
        create_session(
            database,
            teams[team],
            values,
            [str(p) for p in people],
            people=named,
            today=today,
            actor=actor,
            now=now,
        )
