"""The demo's qualifications: a catalogue of real ones (habilitations électriques per NF C18-510,
renewal recommended every 3 years; SST first aid, 24 months; CACES R489, 5 years; an internal
one), who holds what, and what the rotations require. Nadia's BR habilitation expires the day
Thomas's night for cover begins, before it ends: taking it, she is warned."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.accounts.store import user_row_by_email
from server.db import Database
from server.demo.people import IT_SUPPORT, MAINTENANCE
from server.qualifications import rules, store
from server.schedules.store import list_shifts

CATALOGUE = (
    ("Habilitation électrique B1V", "NF C18-510 : exécutant électricien, voisinage", 36),
    ("Habilitation électrique B2V", "NF C18-510 : chargé de travaux, voisinage", 36),
    ("Habilitation électrique BR", "NF C18-510 : chargé d’intervention générale", 36),
    ("Habilitation électrique BC", "NF C18-510 : chargé de consignation", 36),
    ("Habilitation électrique H0V", "NF C18-510 : non-électricien, haute tension, voisinage", 36),
    ("SST", "Sauveteur secouriste du travail (maintien des acquis tous les 24 mois)", 24),
    ("CACES R489", "Chariots de manutention automoteurs", 60),
    ("Astreinte réseau niveau 2", "Interne : accès aux cœurs de réseau, recyclage annuel", 12),
)
# (email, qualification, months ago obtained); an expiry left to the validity.
HOLDINGS = (
    ("claire.martin@astreinte.test", "Habilitation électrique BR", 20),
    ("claire.martin@astreinte.test", "Habilitation électrique BC", 20),
    ("claire.martin@astreinte.test", "SST", 6),
    ("julien.moreau@astreinte.test", "Habilitation électrique BR", 30),
    ("julien.moreau@astreinte.test", "Habilitation électrique B2V", 30),
    ("julien.moreau@astreinte.test", "SST", 22),  # expires within the 90 days the matrix shows
    ("thomas.petit@astreinte.test", "Habilitation électrique BR", 8),
    ("thomas.petit@astreinte.test", "CACES R489", 40),
    ("nadia.lefebvre@astreinte.test", "SST", 10),
    ("karim.benali@astreinte.test", "Astreinte réseau niveau 2", 3),
    ("karim.benali@astreinte.test", "Habilitation électrique H0V", 12),
    ("camille.roux@astreinte.test", "Astreinte réseau niveau 2", 11),  # soon due again
    ("camille.roux@astreinte.test", "SST", 4),
    ("mathieu.fontaine@astreinte.test", "Astreinte réseau niveau 2", 5),
    ("lea.dubois@astreinte.test", "Astreinte réseau niveau 2", 7),
)
REQUIRED = {MAINTENANCE: "Habilitation électrique BR", IT_SUPPORT: "Astreinte réseau niveau 2"}
ZONE = ZoneInfo("Europe/Paris")


def _months_ago(today: date, months: int) -> date:
    return rules.add_months(today, -months)


def seed_qualifications(database: Database, teams: dict[str, int], now: datetime) -> None:
    """Inside the demo's transaction, after the schedule and Thomas's request for cover."""
    today = now.astimezone(ZONE).date()
    ids = {
        name: store.insert_qualification(database, name, description, months, now)
        for name, description, months in CATALOGUE
    }
    validity = {name: months for name, _d, months in CATALOGUE}
    for email, name, ago in HOLDINGS:
        user = user_row_by_email(database, email)
        obtained = _months_ago(today, ago)
        expires = rules.default_expiry(obtained, validity[name])
        store.save_holding(database, user["id"], ids[name], obtained, expires, now)
    for team, name in REQUIRED.items():
        rotations = store.team_rotations(database, teams[team])
        store.replace_rotation_pairs(
            database, teams[team], [(ids[name], r["id"]) for r in rotations]
        )
    # Nadia's BR: obtained three years before the day Thomas's night begins, so it expires
    # that very day, hours before the night ends.
    thomas = user_row_by_email(database, "thomas.petit@astreinte.test")
    coming = [
        s
        for s in list_shifts(
            database,
            team_ids=[teams[MAINTENANCE]],
            user_id=thomas["id"],
            start=now,
            statuses=["accepted"],
        )
        if s.starts_at > now + timedelta(days=2)
    ]
    expires = coming[0].starts_at.astimezone(ZONE).date() if coming else today + timedelta(days=9)
    nadia = user_row_by_email(database, "nadia.lefebvre@astreinte.test")
    obtained = _months_ago(expires, 36)
    br = ids["Habilitation électrique BR"]
    store.save_holding(database, nadia["id"], br, obtained, expires, now)
