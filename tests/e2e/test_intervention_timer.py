"""The intervention timer on a phone: "Terminer" waits for "Démarrer", a running timer shows on
every page (so it is not forgotten at 3 a.m.), and a call timed for 20 seconds (start and end in
the same minute) is saved as a minute's work and taken by the server, never refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from server.clock import from_db
from tests.e2e.conftest import LiveServer
from tests.e2e.field import Phones, first_page, outbox, ready_for_the_field, server_rows
from tests.e2e.helpers import local_input, wait_for


def test_a_twenty_second_call_timed_is_saved_and_taken_and_the_timer_shows_everywhere(
    phones: Phones,
    server: LiveServer,
) -> None:
    context = phones.launch(server)
    page = first_page(context)
    ready_for_the_field(page, visit=False)
    # The phone's clock stands still two hours ago, at 10 seconds past a minute: the call
    # starts and ends within that minute. It moves only when the test moves it.
    start = (datetime.now(UTC) - timedelta(hours=2)).replace(second=10, microsecond=0)
    page.clock.install(time=start - timedelta(seconds=5))
    page.clock.pause_at(start)
    page.goto("/interventions/new")
    finish = page.get_by_role("button", name="Terminer")
    expect(finish).to_be_disabled()  # nothing to finish before the start
    expect(page.locator("#timer-banner")).to_be_hidden()  # the form's own card says it

    page.get_by_role("button", name="Démarrer l’intervention").tap()
    expect(finish).to_be_enabled()
    page.clock.run_for(8_000)

    # Offline, Today's saved copy says it too (the start is kept on the phone).
    context.set_offline(True)
    page.goto("/")
    expect(page.locator("#cached-banner")).to_be_visible()
    expect(page.locator("#timer-banner")).to_contain_text("Chronomètre d’intervention en cours")
    context.set_offline(False)

    # Elsewhere in the app, the banner says the timer runs and leads back to it.
    page.get_by_role("link", name="Planning").first.tap()
    page.wait_for_url("**/schedule**")
    banner = page.locator("#timer-banner")
    expect(banner).to_be_visible()
    page.clock.run_for(2_000)
    expect(banner).to_contain_text("Chronomètre d’intervention en cours : 00:00:1")
    banner.get_by_role("link", name="Ouvrir le chronomètre").tap()
    page.wait_for_url("**/interventions/new#timer")
    page.clock.run_for(10_000)
    expect(page.locator("#timer-display")).to_have_text("00:00:20")
    page.get_by_role("button", name="Terminer").tap()

    # The fields read a minute's work, not 17:00–17:00.
    expect(page.get_by_label("Début", exact=True)).to_have_value(local_input(start))
    expect(page.get_by_label("Fin", exact=True)).to_have_value(
        local_input(start + timedelta(minutes=1))
    )
    page.clock.resume()  # the list's own timers run again from here
    page.get_by_label("Lieu", exact=True).fill("Minute, armoire T3")
    page.get_by_label("Ce que j’ai fait", exact=True).fill("Acquittement")
    page.get_by_role("button", name="Enregistrer", exact=True).tap()
    page.wait_for_url("**/interventions")

    assert wait_for(lambda: server_rows(server, "Minute")), f"never arrived: {outbox(page)}"
    (row,) = server_rows(server, "Minute")
    assert from_db(row["started_at"]) == start, row
    assert from_db(row["ended_at"]) == start + timedelta(minutes=1), row
    expect(page.locator("#refused")).to_be_hidden()
    # Finished: no banner left behind on any page.
    page.goto("/")
    expect(page.locator("#timer-banner")).to_be_hidden()


def test_an_end_before_the_start_is_refused_on_the_phone_not_saved(
    phones: Phones,
    server: LiveServer,
) -> None:
    context = phones.launch(server)
    page = first_page(context)
    ready_for_the_field(page, visit=False)
    start = (datetime.now(UTC) - timedelta(hours=3)).replace(second=0, microsecond=0)
    page.goto("/interventions/new")
    page.get_by_label("Début", exact=True).fill(local_input(start))
    page.get_by_label("Fin", exact=True).fill(local_input(start))
    page.get_by_label("Lieu", exact=True).fill("Nulle, local 4")
    page.get_by_role("button", name="Enregistrer", exact=True).tap()
    end = page.get_by_label("Fin", exact=True)
    assert end.evaluate("(input) => input.validationMessage") == "La fin doit être après le début."
    assert page.url.endswith("/interventions/new")
    assert outbox(page) == []
    # Corrected, it saves.
    end.fill(local_input(start + timedelta(minutes=12)))
    page.get_by_role("button", name="Enregistrer", exact=True).tap()
    page.wait_for_url("**/interventions")
    assert wait_for(lambda: server_rows(server, "Nulle")), f"never arrived: {outbox(page)}"
