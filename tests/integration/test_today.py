"""Today is kept rendered between changes: it never shows a stale duty after a write, a
hand-off or midnight."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.clock import ManualClock
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import add_rotation, paris, publish_ok


@pytest.fixture
def sophie_on_call_from_15_december(client: Client, company: Company) -> None:
    """Weekly turns from Monday 30 November: Samuel, Marc, then Sophie from 14 December;
    published with full notice from Tuesday 15 December."""
    client.login("manager.a@test.fr")
    order = [company.staff_a2.id, company.manager_a.id, company.staff_a.id]
    add_rotation(client, company.team_a.id, order)
    publish_ok(client, company.team_a.id, "2026-12-15", "2026-12-21")


def duty(browser: Client) -> str:
    page = browser.get("/").text
    start = page.index('id="duty-title"')
    return page[start : page.index("</section>", start)]


def test_today_changes_at_once_after_a_write(client: Client, company: Company, browsers) -> None:
    sophie = browsers("staff.a@test.fr")
    assert "Aucune astreinte n’est prévue pour vous." in duty(sophie)
    client.login("manager.a@test.fr")
    order = [company.staff_a2.id, company.manager_a.id, company.staff_a.id]
    add_rotation(client, company.team_a.id, order)
    publish_ok(client, company.team_a.id, "2026-12-15", "2026-12-21")
    assert "Prochaine astreinte : mar. 15 déc. 18:00" in duty(sophie)


def test_today_turns_to_on_call_when_the_shift_starts(
    sophie_on_call_from_15_december, clock: ManualClock, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    clock.set(paris(2026, 12, 15, 17, 59))
    assert "Prochaine astreinte" in duty(sophie)
    clock.advance(timedelta(minutes=2))
    text = duty(sophie)
    assert "Vous êtes d’astreinte jusqu’au mer. 16 déc. 08:00." in text
    clock.set(paris(2026, 12, 16, 8, 1))
    assert "Prochaine astreinte : mer. 16 déc. 18:00" in duty(sophie)


def test_the_date_on_today_turns_at_midnight(
    company: Company, clock: ManualClock, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    clock.set(paris(2026, 12, 1, 23, 59))
    assert "Mardi 1 décembre 2026" in sophie.get("/").text
    clock.advance(timedelta(minutes=2))
    assert "Mercredi 2 décembre 2026" in sophie.get("/").text


def test_each_person_sees_their_own_today(sophie_on_call_from_15_december, browsers) -> None:
    sophie, bruno = browsers("staff.a@test.fr"), browsers("staff.b@test.fr")
    assert "Prochaine astreinte" in duty(sophie)
    assert "Aucune astreinte n’est prévue pour vous." in duty(bruno)
    assert "Bonjour Bruno" in bruno.get("/").text
