"""The demo's clients: per team a few dozen, with sites, numbers and, for some, access details,
named after the history's places (the residences the maintenance team heats, the agencies the
IT desk serves) so the alerts of the history read as theirs.

Numbers are in the ranges ARCEP keeps for fiction (06 39 98 …, 04 65 71 …): nobody real is
ever called or texted from the demo. The first Maintenance client, Résidence Les Tilleuls,
calls from 06 39 98 00 01 (README, "Clients and sites": a demo call)."""

from __future__ import annotations

from datetime import datetime

from server.audit.models import Actor
from server.clients.rules import ClientInput, PhoneInput, SiteInput
from server.clients.workflow import create_client
from server.db import Database
from server.demo.history_catalogue import RESIDENCES, SITES
from server.demo.people import IT_SUPPORT, MAINTENANCE

DEMO_CALLER = "+33639980001"  # Résidence Les Tilleuls, Maintenance
STREETS = (
    "rue Garibaldi",
    "avenue Jean Jaurès",
    "rue de la République",
    "cours Gambetta",
    "rue Paul Bert",
    "avenue Berthelot",
    "rue Duguesclin",
    "boulevard des Belges",
)
CONTACTS = (
    "Mme Garnier",
    "M. Lambert",
    "Mme Rousseau",
    "M. Girard",
    "Mme Bonnet",
    "M. Fournier",
    "Mme Mercier",
    "M. Blanc",
)
COMPANIES = (
    "Cabinet Durand Avocats",
    "Pharmacie du Centre",
    "Boulangerie Martin",
    "Garage des Alpes",
    "Agence Immobilière Rhône",
    "Clinique vétérinaire",
    "Expert-comptable Perrin",
    "Imprimerie Lumière",
    "Opticien Vision+",
    "Librairie Passages",
    "Atelier Bois & Co",
    "Traiteur Saveurs",
)


def _maintenance(index: int, name: str) -> tuple[ClientInput, list[SiteInput], list[PhoneInput]]:
    contact = CONTACTS[index % len(CONTACTS)]
    street = STREETS[index % len(STREETS)]
    data = ClientInput(
        name=name,
        contact_name=contact,
        email=f"gardien{index + 1}@demo.astreinte.test",
        reference=f"M-{index + 1:03d}",
        notes="Gardien joignable de 7 h à 19 h." if index % 3 == 0 else "",
    )
    sites = [
        SiteInput(
            name=f"{name} — chaufferie",
            address=f"{10 + index} {street}, 69003 Lyon",
            latitude=round(45.75 + index * 0.002, 5),
            longitude=round(4.85 + index * 0.002, 5),
            access_instructions="Clé au poste du gardien ; badge pour le parking.",
            access_codes=f"Porte {4800 + index}B" if index % 2 == 0 else "",
        )
    ]
    if index % 4 == 0:
        sites.append(SiteInput(name=f"{name} — parking", address=f"{12 + index} {street}, Lyon"))
    phones = [PhoneInput(number=f"+336399800{index + 1:02d}", label="Gardien")]
    if index % 2 == 1:
        phones.append(PhoneInput(number=f"+334657100{index + 1:02d}", label="Accueil"))
    return data, sites, phones


def _it(index: int, name: str) -> tuple[ClientInput, list[SiteInput], list[PhoneInput]]:
    agency = SITES[index % len(SITES)]
    data = ClientInput(
        name=name,
        kind="company",
        contact_name=CONTACTS[(index + 3) % len(CONTACTS)],
        email=f"contact{index + 1}@client.demo.astreinte.test",
        reference=f"IT-{index + 1:03d}",
        locale="en" if index % 7 == 6 else "fr",
    )
    sites = [
        SiteInput(
            name=f"Agence {agency}",
            address=f"{3 + index} {STREETS[(index + 2) % len(STREETS)]}, {agency}",
            access_instructions="Baie de brassage au sous-sol, demander l'accueil.",
        )
    ]
    phones = [PhoneInput(number=f"+336399801{index:02d}", label="Standard")]
    return data, sites, phones


def demo_clients() -> dict[str, list[tuple[ClientInput, list[SiteInput], list[PhoneInput]]]]:
    """Pure: the same clients on every seed (30 or so a team)."""
    maintenance = [_maintenance(i, name) for i, name in enumerate(RESIDENCES)]
    maintenance += [
        _maintenance(len(RESIDENCES) + i, f"Copropriété {street.split(' ', 1)[1]}")
        for i, street in enumerate(STREETS)
    ]
    names = [*COMPANIES, *(f"Mairie de {site}" for site in SITES), "Association Sport Lyon"]
    it = [_it(i, name) for i, name in enumerate(names)]
    return {MAINTENANCE: maintenance, IT_SUPPORT: it}


def seed_clients(database: Database, teams: dict[str, int], now: datetime) -> None:
    """Write them through the clients' own workflow (about 60 clients: a few milliseconds)."""
    actor = Actor(label="demo")
    for team_name, clients in demo_clients().items():
        for data, sites, phones in clients:
            create_client(database, teams[team_name], data, sites, phones, actor=actor, now=now)
