"""A person corrects their own intervention the morning after, with no network: the record has
synced, its page opens from the phone's copy, "Modifier" opens the form filled with it, and the
change waits in the outbox as an `update` until the server is back; then the server holds the
new values in the same row, one version up.

"Offline" is the real server stopped (its port refuses connections, its access log stays
still), as in test_offline_interventions.py, whose phones and steps this reuses."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import Error, Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.field import (
    Phones,
    assert_nothing_reached,
    earlier,
    expect_pending,
    first_page,
    go_offline,
    log_intervention,
    outbox,
    raced,
    ready_for_the_field,
    reload,
    server_rows,
    settled,
    wait_for_empty_outbox,
)
from tests.e2e.helpers import PARIS, local_input, read_rows, wait_for

CACHED = "async (url) => Boolean(await caches.match(url))"


def stored(live: LiveServer, record: str) -> list[dict]:
    """Every row the server holds under the record's uuid, deleted ones too."""
    return read_rows(
        live,
        "SELECT ended_at, done, client_version, deleted_at FROM interventions WHERE uuid = ?",
        (record,),
    )


def open_page(page: Page, url: str) -> None:
    """Go to a page; the list reloading itself after a sync may win the race: go again."""
    for _attempt in range(3):
        try:
            page.goto(url)
            return
        except Error as error:
            if not raced(error):
                raise
            page.wait_for_load_state()
    page.goto(url)


def test_a_synced_intervention_is_changed_offline_and_arrives_as_an_update(
    phones: Phones,
    own_server: LiveServer,
) -> None:
    context = phones.launch(own_server)
    page = first_page(context)
    ready_for_the_field(page)
    start = earlier(150)
    end = start + timedelta(minutes=30)
    log_intervention(page, "Modif, chaufferie", start=start, end=end, done="Réarmement")
    wait_for_empty_outbox(page)
    assert wait_for(lambda: len(server_rows(own_server, "Modif")) == 1)
    [row] = server_rows(own_server, "Modif")
    detail = f"/interventions/{row['uuid']}"
    # The list fetches ahead the pages of what the person may still change.
    assert wait_for(lambda: settled(page, CACHED, detail), 10), "the page was not fetched ahead"

    mark = go_offline(own_server)
    recent = page.get_by_role("region", name="Mes interventions récentes")
    with page.expect_navigation():
        recent.locator(f"a[href='{detail}']").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Intervention")
    with page.expect_navigation():
        page.get_by_role("link", name="Modifier", exact=True).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier l’intervention")
    expect(page.locator("#timer")).to_be_hidden()
    expect(page.get_by_label("Début", exact=True)).to_have_value(local_input(start))
    expect(page.get_by_label("Fin", exact=True)).to_have_value(local_input(end))
    expect(page.get_by_label("Lieu", exact=True)).to_have_value("Modif, chaufferie")
    expect(page.get_by_label("Ce que j’ai fait", exact=True)).to_have_value("Réarmement")

    new_end = end + timedelta(minutes=25)
    page.get_by_label("Fin", exact=True).fill(local_input(new_end))
    page.get_by_label("Ce que j’ai fait", exact=True).fill("Réarmement, brûleur changé")
    page.get_by_role("button", name="Enregistrer", exact=True).tap()
    page.wait_for_url(re.compile(r"/interventions$"))
    expect_pending(page, 1)
    expect(page.locator("#outbox-list .tag")).to_have_text(["en attente"])
    [entry] = outbox(page)
    assert (entry["op"]["op"], entry["uuid"], entry["op"]["version"]) == ("update", row["uuid"], 2)
    assert entry["op"]["data"]["place"] == "Modif, chaufferie"  # the whole record, not a patch
    assert_nothing_reached(own_server, mark)
    assert stored(own_server, row["uuid"])[0]["done"] == "Réarmement"

    own_server.start()
    reload(page)
    wait_for_empty_outbox(page)
    assert wait_for(lambda: stored(own_server, row["uuid"])[0]["client_version"] == 2)
    [after] = stored(own_server, row["uuid"])
    assert (after["done"], after["deleted_at"]) == ("Réarmement, brûleur changé", None)
    stored_end = datetime.fromisoformat(after["ended_at"]).astimezone(PARIS)
    assert local_input(stored_end) == local_input(new_end)
    assert [r["uuid"] for r in server_rows(own_server, "Modif")] == [row["uuid"]]
    # Back online, the list (it reloads itself once the outbox is empty) and the intervention's
    # page show the new values.
    expect(recent).to_contain_text(local_input(new_end)[-5:])
    open_page(page, detail)
    expect(page.get_by_text("Réarmement, brûleur changé")).to_be_visible()
