"""The manager's month is kept rendered (a 200-person team's page is read far more often than
its figures change): a second read computes nothing, a receipt or a closing shows at once, and
the "phones not synced" warning, which reads sessions' last use, follows within a minute.

The clock starts on Monday 30 November 2026 at 10:00 in Paris; December 2026 is looked at."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.clock import ManualClock
from server.db import Database
from server.statements import monthly
from tests.conftest import Company
from tests.integration.schedule_helpers import paris
from tests.integration.statement_helpers import pay
from tests.integration.swap_helpers import add_shift
from tests.integration.test_statements_pages import AFTER_END, MONTH, NIGHT, close, text


@pytest.fixture
def december(company: Company, database: Database, clock: ManualClock) -> Company:
    add_shift(database, company.team_a.id, company.staff_a.id, *NIGHT)
    pay(database, company.team_a.id, clock.now())
    return company


def test_a_second_read_is_served_kept_and_a_receipt_shows_at_once(
    december: Company, database: Database, browsers, clock: ManualClock, monkeypatch
) -> None:
    clock.set(AFTER_END)
    close(database, december)
    url = f"/teams/{december.team_a.id}/statements/{MONTH}"
    marc, sophie = browsers("manager.a@test.fr"), browsers("staff.a@test.fr")
    first = marc.get(url)
    assert "Pas encore d’accusé de réception 1 Sophie Staff" in text(first.text)

    def computed_again(*args, **kwargs):
        raise AssertionError("the manager's month was computed again with nothing changed")

    with monkeypatch.context() as patch:
        patch.setattr(monthly, "team_month", computed_again)
        again = marc.get(url)
    assert again.status_code == 200 and again.text == first.text

    statement = monthly.store.latest_statements(database, december.team_a.id, MONTH)
    statement_id = statement[december.staff_a.id].id
    assert sophie.post_form(f"/statements/receipts/{statement_id}").status_code == 303
    read = text(marc.get(url).text)
    assert "Tout le monde a accusé réception." in read
    assert "Pas encore d’accusé de réception 0" in read


def test_the_close_button_appears_when_the_month_ends_with_no_write(
    december: Company, browsers, clock: ManualClock
) -> None:
    url = f"/teams/{december.team_a.id}/statements/{MONTH}"
    clock.set(paris(2026, 12, 31, 23, 59))
    marc = browsers("manager.a@test.fr")
    assert "Clôturer le mois" not in text(marc.get(url).text)
    clock.advance(timedelta(minutes=1))  # midnight in Paris: December is over
    assert "Clôturer le mois" in text(marc.get(url).text)


def test_the_not_synced_warning_goes_within_a_minute_of_the_phone_reaching_the_server(
    december: Company, browsers, clock: ManualClock
) -> None:
    url = f"/teams/{december.team_a.id}/statements/{MONTH}"
    clock.set(paris(2026, 12, 20, 12))
    sophie = browsers("staff.a@test.fr")
    marc = browsers("manager.a@test.fr")
    clock.set(AFTER_END)
    assert "Des interventions peuvent encore arriver" in text(marc.get(url).text)
    # Her app opens: the session's last use is written, as bookkeeping (no page cache sees it).
    assert sophie.get("/").status_code == 200
    clock.advance(timedelta(seconds=61))
    assert "Des interventions peuvent encore arriver" not in text(marc.get(url).text)
