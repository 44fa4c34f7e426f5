"""The rest clock on the phone after a night of calls logged offline: the interventions wait in
the outbox while the server is down (its log proves nothing reached it), and as soon as they
sync, Today shows the rest owed and when work may resume, without the person reloading."""

from __future__ import annotations

from datetime import datetime, timedelta

from playwright.sync_api import expect

from server.clock import from_db
from tests.e2e.conftest import LiveServer
from tests.e2e.field import (
    Phones,
    assert_nothing_reached,
    earlier,
    expect_pending,
    first_page,
    go_offline,
    log_intervention,
    ready_for_the_field,
    server_rows,
    wait_for_empty_outbox,
)
from tests.e2e.helpers import PARIS, read_rows, wait_for

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def travel_of(live: LiveServer, uuid: str) -> int:
    [row] = read_rows(live, "SELECT travel_minutes FROM interventions WHERE uuid = ?", (uuid,))
    return row["travel_minutes"]


def resume_time(row: dict, travel: int) -> str:
    """End of the call, plus the half of the travel after it, plus the 11 h owed again."""
    back = from_db(row["ended_at"]) + timedelta(minutes=travel - travel // 2)
    return (back + timedelta(hours=11)).astimezone(PARIS).strftime("%H:%M")


def test_the_rest_clock_counts_calls_synced_from_the_outbox(
    phones: Phones,
    own_server: LiveServer,
) -> None:
    context = phones.launch(own_server)
    page = first_page(context)
    ready_for_the_field(page)
    # No regular hours, so that only the calls count, whatever day the suite runs.
    page.goto("/rest/pattern")
    for day in DAYS:
        page.locator(f"#f-{day}").fill("")
    page.get_by_role("button", name="Enregistrer les horaires").tap()
    expect(page.get_by_role("status")).to_contain_text("Les horaires sont enregistrés")
    page.goto("/")
    expect(page.locator("#rest-clock")).to_have_count(0)

    mark = go_offline(own_server)
    # A long evening call, then a night one only 9 h after it: the rest was cut short, and
    # no 11 h of rest lie in the 24 h before the second call's end.
    first = earlier(16 * 60)
    log_intervention(page, "Poste de relevage", start=first, end=first + timedelta(hours=4))
    second = earlier(180)
    log_intervention(page, "Chaufferie, bâtiment C", start=second, end=second + timedelta(hours=1))
    expect_pending(page, 2)
    page.goto("/")  # Today, from the phone's cache
    expect(page.locator("#rest-clock")).to_have_count(0)
    assert_nothing_reached(own_server, mark)

    own_server.start()
    # The app sends what waits (as it does when the network returns, or every minute).
    page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'REPLAY'})")
    assert wait_for(lambda: len(server_rows(own_server)) == 2), server_rows(own_server)
    latest = max(server_rows(own_server), key=lambda row: row["ended_at"])
    resume = resume_time(latest, travel_of(own_server, latest["uuid"]))
    clock = page.locator("#rest-clock")
    # Today was not reloaded: the clock appeared when the outbox told the page it synced.
    expect(clock).to_contain_text(f"reprise possible à {resume}")
    expect(clock).to_contain_text("sur 11 h")
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    wait_for_empty_outbox(page)

    # The Rest tab says the same, with the reason and the article of law.
    page.goto("/rest")
    expect(page.locator("#rest-clock")).to_contain_text(resume)
    expect(page.locator("#rest-clock")).to_contain_text("L3131-1")
    assert datetime.now(PARIS) < from_db(latest["ended_at"]) + timedelta(hours=11)
