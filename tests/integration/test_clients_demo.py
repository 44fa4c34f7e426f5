"""The demo company's clients: a few dozen per team with sites and numbers, and the one whose
number the README quotes for a demo call."""

from __future__ import annotations

from server.clients.phones import to_e164
from server.clock import ManualClock
from server.db import Database
from server.demo import IT_SUPPORT, MAINTENANCE, seed_demo
from server.demo.clients import DEMO_CALLER
from server.teams.store import find_team
from tests.integration.schedule_helpers import page_text


def test_each_demo_team_has_clients_and_the_readme_caller_is_one(
    database: Database, clock: ManualClock, browsers
) -> None:
    assert seed_demo(database, clock.now())
    for name in (MAINTENANCE, IT_SUPPORT):
        team = find_team(database, name).id
        count = database.scalar("SELECT count(*) FROM clients WHERE team_id = ?", (team,))
        assert count >= 20, (name, count)
        no_site = database.scalar(
            "SELECT count(*) FROM clients c WHERE team_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM client_sites s WHERE s.client_id = c.id)",
            (team,),
        )
        assert no_site == 0
    # The number the README gives, written as a phone system would send it.
    assert to_e164("06 39 98 00 01") == DEMO_CALLER
    owner = database.one(
        "SELECT c.name, c.team_id FROM client_phones p JOIN clients c ON c.id = p.client_id "
        "WHERE p.number = ?",
        (DEMO_CALLER,),
    )
    assert owner == {
        "name": "Résidence Les Tilleuls",
        "team_id": find_team(database, MAINTENANCE).id,
    }
    # Claire, the Maintenance manager, finds it by the number as she would type it.
    claire = browsers()
    claire.login("claire.martin@astreinte.test", "astreinte-demo")
    page = claire.get(f"/teams/{owner['team_id']}/clients", params={"q": "06 39 98 00 01"})
    assert "Résidence Les Tilleuls" in page_text(page.text)
