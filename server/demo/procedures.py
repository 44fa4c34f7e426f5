"""The demo's procedures: the building team's boiler fault (tagged with the GTB source and the
residence whose boiler fails all winter, so its alerts show it first), the stuck lift and the
water leak; the IT desk's site network loss. Each has a checklist to tick during an
intervention. Written by the team's manager, who owns them."""

from __future__ import annotations

from datetime import datetime

from server.audit.models import Actor
from server.db import Database
from server.demo.people import IT_SUPPORT, MAINTENANCE
from server.procedures.models import ProcedureInput, Tag
from server.procedures.store.procedures import team_places
from server.procedures.workflow import create_procedure
from server.teams.store import get_team, members

BOILER = """## Recueillir

1. Lire l'alarme de la GTB : code défaut, température de départ, pression.
2. Appeler le gardien : radiateurs froids ? eau chaude ?

## Diagnostiquer

- [ ] Pression du circuit entre 1 et 2 bar
- [ ] Brûleur en sécurité (voyant rouge) : noter le code
- [ ] Alimentation gaz ouverte

## Résoudre

- [ ] Réarmer le brûleur une fois, pas plus
- [ ] Purger le circuit si la pression est basse
- [ ] Prévenir le client et noter l'heure de remise en service

Deuxième défaut dans l'heure : appeler le chauffagiste (contrat P2) au lieu de réarmer.
"""

LIFT = """## Avant tout

- [ ] Parler aux personnes bloquées par l'interphone de la cabine
- [ ] Couper l'alimentation de la machinerie

## Désincarcérer

1. Ouvrir la porte palière avec la clé de déverrouillage.
2. Ramener la cabine au niveau par la manœuvre manuelle si besoin.

- [ ] Personnes sorties, cabine vide
- [ ] Ascenseur condamné et affiché hors service
- [ ] Ascensoriste prévenu
"""

LEAK = """## Limiter les dégâts

- [ ] Fermer la vanne d'arrêt du bâtiment (local technique, plan affiché)
- [ ] Couper l'électricité des parties mouillées
- [ ] Photographier avant d'éponger

## Ensuite

1. Chercher l'origine : colonne, raccord, chauffe-eau.
2. Prévenir le plombier d'astreinte et le client.
"""

NETWORK = """## Recueillir

1. Le site est-il joignable en 4G (routeur de secours) ?
2. L'opérateur signale-t-il un incident sur la zone ?

## Résoudre

- [ ] Redémarrer le routeur à distance
- [ ] Sinon, basculer sur le lien 4G de secours
- [ ] Ouvrir un ticket chez l'opérateur si la fibre ne revient pas en 30 minutes
- [ ] Prévenir le client de la coupure et de son retour
"""

# (team, title, text, sources, client names)
PROCEDURES = (
    (MAINTENANCE, "Chaudière en défaut", BOILER, ("gtb",), ("Résidence Les Tilleuls",)),
    (MAINTENANCE, "Ascenseur bloqué", LIFT, ("supervision ascenseurs",), ()),
    (MAINTENANCE, "Fuite d'eau détectée", LEAK, ("gtb",), ()),
    (IT_SUPPORT, "Perte réseau site", NETWORK, ("supervision réseau",), ()),
)


def seed_procedures(database: Database, teams: dict[str, int], now: datetime) -> None:
    """Inside the demo's transaction, after the clients."""
    actor = Actor(label="demo")
    for team_name, title, body, sources, client_names in PROCEDURES:
        team = get_team(database, teams[team_name])
        manager = next(m.user_id for m in members(database, team.id) if m.team_role == "manager")
        clients = {row["client_name"]: row["client_id"] for row in team_places(database, team.id)}
        tags = [Tag(kind="source", value=source) for source in sources]
        tags += [Tag(kind="client", value=str(clients[n])) for n in client_names if n in clients]
        data = ProcedureInput(
            title=title, body=body, note="", owner_id=manager, review_on=None, tags=tuple(tags)
        )
        create_procedure(database, team, data, author_id=manager, actor=actor, now=now)
