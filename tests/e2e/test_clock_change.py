"""The night the clocks go back: 02:00 to 03:00 happens twice in Paris, and a wall-clock time
in that hour names two instants. An intervention timed across it keeps its real length."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import expect

from server.clock import from_db
from tests.e2e.conftest import LiveServer
from tests.e2e.field import Phones, first_page, ready_for_the_field, server_rows
from tests.e2e.helpers import wait_for


def last_clock_change_back() -> datetime:
    """01:00 UTC on the last Sunday of October of last year (03:00 summer time becomes 02:00):
    in the past whatever the day the suite runs, so the server takes what the phone logs."""
    october_31 = date(datetime.now(UTC).year - 1, 10, 31)
    sunday = october_31 - timedelta(days=(october_31.weekday() + 1) % 7)
    return datetime(sunday.year, sunday.month, sunday.day, 1, 0, tzinfo=UTC)


def test_an_intervention_timed_across_the_clocks_going_back_keeps_its_real_length(
    phones: Phones,
    own_server: LiveServer,
) -> None:
    change = last_clock_change_back()
    context = phones.launch(own_server)
    page = first_page(context)
    ready_for_the_field(page, visit=False)
    # The phone's clock at 02:31 summer time; the call lasts 65 minutes, over the change.
    # The clock moves only when the test moves it: the timer keeps seconds, so a second of the
    # machine's own time passing between the taps would show in the length.
    page.clock.install(time=change - timedelta(minutes=29, seconds=5))
    page.clock.pause_at(change - timedelta(minutes=29))
    page.goto("/interventions/new")
    page.get_by_role("button", name="Démarrer l’intervention").tap()
    page.clock.run_for(65 * 60_000)
    expect(page.locator("#timer-display")).to_have_text("01:05:00")
    page.get_by_role("button", name="Terminer").tap()
    page.clock.resume()

    # The fields show the wall clock: 02:31, then 02:36 (winter time, an hour later too).
    day = change.date().isoformat()
    expect(page.get_by_label("Début", exact=True)).to_have_value(f"{day}T02:31")
    expect(page.get_by_label("Fin", exact=True)).to_have_value(f"{day}T02:36")
    page.get_by_label("Lieu", exact=True).fill("Chaufferie, changement d’heure")
    page.get_by_label("Ce que j’ai fait", exact=True).fill("Réarmement")
    page.get_by_role("button", name="Enregistrer", exact=True).tap()

    assert wait_for(lambda: server_rows(own_server, "Chaufferie")), "the record never arrived"
    (row,) = server_rows(own_server, "Chaufferie")
    assert from_db(row["started_at"]) == change - timedelta(minutes=29), row
    assert from_db(row["ended_at"]) - from_db(row["started_at"]) == timedelta(minutes=65), row
