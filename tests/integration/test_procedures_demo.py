"""The demo's procedures: each team's own, with checklists; a boiler alert of the residence
whose boiler fails all winter shows its procedure first, one tap away."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from server.alerts.models import AlertIn
from server.alerts.workflow import create_alert
from server.clock import ManualClock
from server.db import Database
from server.demo.company import seed_demo

START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_the_demo_alert_shows_its_procedure_first(
    database: Database, clock: ManualClock, make_client
) -> None:
    clock.set(START)
    assert seed_demo(database, START)
    team = database.scalar("SELECT id FROM teams WHERE name = 'Maintenance des bâtiments'")
    titles = {
        row["title"]
        for row in database.query(
            "SELECT v.title FROM procedures p JOIN procedure_versions v "
            "ON v.procedure_id = p.id AND v.version = p.version WHERE p.team_id = ?",
            (team,),
        )
    }
    assert titles == {"Chaudière en défaut", "Ascenseur bloqué", "Fuite d'eau détectée"}
    tilleuls = database.scalar(
        "SELECT id FROM clients WHERE team_id = ? AND name = 'Résidence Les Tilleuls'", (team,)
    )
    alert, _new = create_alert(
        database,
        team,
        AlertIn(title="Chaudière en défaut — Résidence Les Tilleuls", source="GTB"),
        now=START,
        channels=frozenset(),
    )
    with database.write():
        database.execute("UPDATE alerts SET client_id = ? WHERE id = ?", (tilleuls, alert.id))
    julien = make_client()
    julien.login("julien.moreau@astreinte.test", "astreinte-demo")
    page = julien.get(f"/alerts/{alert.id}").text
    section = page[page.index('id="procedures"') :]
    shown = re.findall(r'href="/procedures/(\d+)">([^<]+)<', section)
    # The client's procedure first, then the other GTB one; the lift's is not for this alert.
    assert [title for _id, title in shown] == ["Chaudière en défaut", "Fuite d&#39;eau détectée"]
    boiler = julien.get(f"/procedures/{shown[0][0]}").text
    assert 'class="checklist"' in boiler and 'data-item="5"' in boiler
