"""The demo's qualifications (issue 16's "done when"): Nadia, asked to take Thomas's night,
is warned that her BR habilitation expires before the night ends; the matrix shows what
expires within 90 days."""

from __future__ import annotations

import pytest

from server.clock import ManualClock
from server.db import Database
from server.demo import MAINTENANCE, seed_demo
from server.teams.store import find_team
from tests.conftest import Client
from tests.integration.schedule_helpers import parse


@pytest.fixture
def demo(database: Database, clock: ManualClock) -> int:
    assert seed_demo(database, clock.now())
    return find_team(database, MAINTENANCE).id


def test_nadia_is_warned_her_habilitation_expires_before_thomass_night_ends(
    client: Client, database: Database, demo: int
) -> None:
    names = {row["name"] for row in database.query("SELECT name FROM qualifications")}
    assert {"Habilitation électrique B1V", "SST", "CACES R489"} <= names
    swap = database.scalar("SELECT id FROM swap_requests WHERE status = 'pending'")
    client.login("nadia.lefebvre@astreinte.test", "astreinte-demo")
    checks = parse(client.get(f"/swaps/{swap}").text).one("ul", class_="checks").text
    assert "La qualification « Habilitation électrique BR » de Nadia Lefebvre expire le" in checks
    assert "avant la fin de l’astreinte" in checks


def test_the_demo_matrix_shows_what_expires_soon(
    client: Client, database: Database, demo: int
) -> None:
    client.login("claire.martin@astreinte.test", "astreinte-demo")
    page = client.get(f"/qualifications/team?team={demo}")
    assert page.status_code == 200
    assert page.text.count("qualification-expiring") >= 2  # Julien's SST, Nadia's BR
