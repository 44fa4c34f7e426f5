"""What goes wrong at the demo's two teams, for a year of history: each problem's source, title,
sites, how often, when (heating in winter), how it is handled (on site or remote, for how
long) and what was done. Pure data; history_plan.py draws from it."""

from __future__ import annotations

from typing import NamedTuple

from server.alerts.models import Severity
from server.demo.people import IT_SUPPORT, MAINTENANCE


class Problem(NamedTuple):
    source: str
    what: str
    sites: tuple[str, ...]
    weight: float  # relative frequency among the team's problems
    severity: Severity
    winter: float = 1.0  # frequency multiplier from November to March
    handled: float = 0.6  # share of acknowledged alerts followed by an intervention
    on_site: float = 0.7  # share of those interventions made on site
    minutes: int = 45  # median duration of an intervention, travel excluded
    done: tuple[str, ...] = ("Remise en service, contrôle effectué",)
    flapping: float = 0.0  # share resolved by the source itself before anyone acknowledged

    def title(self, site: str) -> str:
        return f"{self.what} — {site}"


RESIDENCES = (
    "Résidence Les Tilleuls",
    "Résidence Les Érables",
    "Résidence du Parc",
    "Résidence Bellevue",
    "Groupe scolaire Jean Moulin",
    "Gymnase municipal",
    "Médiathèque",
    "Hôtel de ville",
    "Résidence Les Acacias",
    "Résidence Le Clos Fleuri",
    "Résidence Saint-Exupéry",
    "Collège Victor Hugo",
    "Piscine municipale",
    "Centre technique municipal",
    "Crèche Les Lutins",
    "Salle des fêtes",
)
SITES = (
    "Lyon 3",
    "Lyon 7",
    "Lyon 8",
    "Villeurbanne",
    "Vénissieux",
    "Bron",
    "Caluire",
    "Oullins",
    "Rillieux",
    "Décines",
    "Saint-Priest",
    "Meyzieu",
)
SERVERS = (
    "srv-fichiers",
    "srv-compta",
    "srv-erp",
    "srv-mail",
    "srv-web",
    "srv-paie",
    "srv-ged",
    "srv-intranet",
    "srv-impression",
    "srv-annuaire",
    "srv-bdd1",
    "srv-bdd2",
)

# The same heating failure at the same residence keeps coming back all winter: the demo's
# "recurring problem" a manager should notice.
CHRONIC_HEATING = Problem(
    "GTB",
    "Chaudière en défaut",
    ("Résidence Les Tilleuls",),
    1.5,
    "critical",
    winter=4.0,
    handled=0.85,
    on_site=0.95,
    minutes=70,
    done=("Réarmement du brûleur, purge du circuit", "Remplacement de l'électrode d'allumage"),
)
CHRONIC_NETWORK = Problem(
    "Supervision réseau",
    "Perte réseau site",
    ("Lyon 3",),
    2.5,
    "critical",
    handled=0.5,
    on_site=0.2,
    minutes=35,
    done=("Redémarrage du routeur à distance", "Bascule sur le lien 4G de secours"),
    flapping=0.25,
)

PROBLEMS: dict[str, tuple[Problem, ...]] = {
    MAINTENANCE: (
        CHRONIC_HEATING,
        Problem(
            "GTB",
            "Chaudière en défaut",
            RESIDENCES[1:],
            6,
            "critical",
            winter=3.0,
            handled=0.8,
            on_site=0.9,
            minutes=60,
            done=("Réarmement du brûleur", "Remplacement du pressostat"),
        ),
        Problem(
            "Supervision ascenseurs",
            "Ascenseur bloqué",
            RESIDENCES,
            9,
            "critical",
            handled=0.9,
            on_site=0.95,
            minutes=40,
            done=("Désincarcération, remise en service", "Porte palière réglée"),
        ),
        Problem(
            "GTB",
            "Fuite d'eau détectée",
            RESIDENCES,
            6,
            "critical",
            handled=0.8,
            on_site=0.95,
            minutes=55,
            done=("Vanne fermée, plombier prévenu", "Raccord changé"),
        ),
        Problem(
            "Télésurveillance",
            "Alarme intrusion",
            RESIDENCES,
            8,
            "warning",
            handled=0.4,
            on_site=0.5,
            minutes=25,
            done=("Levée de doute, fausse alarme", "Détecteur remplacé"),
            flapping=0.15,
        ),
        Problem(
            "GTB",
            "Pompe de relevage en défaut",
            RESIDENCES[:10],
            3,
            "warning",
            handled=0.7,
            on_site=0.9,
            minutes=50,
            done=("Flotteur débloqué", "Pompe remplacée"),
        ),
        Problem(
            "GTB",
            "Coupure électrique partielle",
            RESIDENCES,
            4,
            "critical",
            handled=0.7,
            on_site=0.8,
            minutes=45,
            done=("Disjoncteur réarmé", "Départ isolé, électricien prévenu"),
        ),
        Problem(
            "Télésurveillance",
            "Porte de parking bloquée ouverte",
            RESIDENCES[:10],
            4,
            "warning",
            handled=0.6,
            on_site=0.7,
            minutes=30,
            done=("Moteur réarmé", "Fin de course réglé"),
        ),
    ),
    IT_SUPPORT: (
        CHRONIC_NETWORK,
        Problem(
            "Supervision réseau",
            "Perte réseau site",
            SITES[1:],
            7,
            "critical",
            handled=0.5,
            on_site=0.3,
            minutes=40,
            done=("Redémarrage du routeur à distance", "Opérateur relancé, lien rétabli"),
            flapping=0.2,
        ),
        Problem(
            "Zabbix",
            "Disque plein",
            SERVERS,
            6,
            "warning",
            handled=0.7,
            on_site=0.05,
            minutes=25,
            done=("Journaux purgés", "Volume agrandi"),
        ),
        Problem(
            "Zabbix",
            "Serveur injoignable",
            SERVERS,
            6,
            "critical",
            handled=0.75,
            on_site=0.3,
            minutes=45,
            done=("Redémarrage du service", "Machine virtuelle redémarrée sur un autre hôte"),
        ),
        Problem(
            "Sauvegardes",
            "Sauvegarde nocturne en échec",
            SERVERS,
            5,
            "warning",
            handled=0.6,
            on_site=0.0,
            minutes=30,
            done=("Sauvegarde relancée à la main", "Quota du stockage augmenté"),
        ),
        Problem(
            "Helpdesk",
            "Messagerie indisponible",
            ("Siège", "Agence Nord", "Agence Sud"),
            1,
            "critical",
            handled=0.9,
            on_site=0.1,
            minutes=50,
            done=("Service de messagerie redémarré", "Certificat renouvelé"),
        ),
        Problem(
            "Zabbix",
            "VPN saturé",
            ("Passerelle VPN principale", "Passerelle VPN de secours"),
            1.5,
            "warning",
            handled=0.5,
            on_site=0.0,
            minutes=20,
            done=("Sessions inactives coupées", "Licences ajoutées"),
            flapping=0.3,
        ),
        Problem(
            "Helpdesk",
            "Imprimantes hors ligne",
            SITES,
            3,
            "info",
            handled=0.5,
            on_site=0.6,
            minutes=30,
            done=("File d'impression purgée", "Imprimante redémarrée"),
        ),
    ),
}
