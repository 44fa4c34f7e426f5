"""The intervention form picks a client with no network: the phone keeps its teams' client
list (IndexedDB), the search finds a client without its accents, the record saved to the
outbox names it and reaches the server with it; and the list follows a change made online.

"Offline" is the server stopped: its port refuses connections and its access log stays still,
so nothing the search did can have asked it."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.field import (
    Phones,
    assert_nothing_reached,
    earlier,
    expect_pending,
    first_page,
    go_offline,
    open_the_form,
    outbox,
    ready_for_the_field,
    settled,
    wait_for_empty_outbox,
)
from tests.e2e.helpers import STAFF, first_team_of, local_input, read_rows, wait_for

READ_LIST = """async () => {
  const names = (await indexedDB.databases()).map((d) => d.name);
  if (!names.includes("astreinte-clients")) return null;
  return await new Promise((resolve, reject) => {
    const open = indexedDB.open("astreinte-clients");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const request = db.transaction("lists").objectStore("lists").get("mine");
      request.onsuccess = () => { db.close(); resolve(request.result || null); };
      request.onerror = () => { db.close(); reject(request.error); };
    };
  });
}"""


def write(live: LiveServer, sql: str, params: tuple = ()) -> int:
    """A manager's change, written beside the running server (WAL: it sees it at once)."""
    path = live.data_dir / "astreinte.db"
    with contextlib.closing(sqlite3.connect(path, timeout=10)) as db, db:
        return db.execute(sql, params).lastrowid


def add_bakery(live: LiveServer) -> tuple[int, int]:
    """A client of Julien's first team, with a site and a number: (client id, site id)."""
    team = first_team_of(live, STAFF)
    stamp = datetime.now(UTC).isoformat()
    client = write(
        live,
        "INSERT INTO clients (team_id, name, contact_name, created_at, updated_at) "
        "VALUES (?, 'Boulangerie Zéphyrin', 'Amélie Roux', ?, ?)",
        (team, stamp, stamp),
    )
    site = write(
        live,
        "INSERT INTO client_sites (client_id, name, address, created_at, updated_at) "
        "VALUES (?, 'Fournil', '8 rue des Écoles, Villeurbanne', ?, ?)",
        (client, stamp, stamp),
    )
    write(
        live,
        "INSERT INTO client_phones (client_id, number) VALUES (?, '+33611223344')",
        (client,),
    )
    return client, site


def kept_list(page: Page) -> dict | None:
    return settled(page, READ_LIST)


def search(page: Page, text: str):
    box = page.get_by_label("Chercher un client", exact=True)
    box.fill(text)
    return page.locator("#client-results button")


def test_a_client_is_found_and_picked_offline_and_synced_with_the_intervention(
    phones: Phones, own_server: LiveServer
) -> None:
    client_id, site_id = add_bakery(own_server)
    context = phones.launch(own_server)
    page = first_page(context)
    ready_for_the_field(page)  # the form opened online once: the list is on the phone
    assert wait_for(lambda: bool(kept_list(page)), 10), "the client list was not kept"
    assert any(c["id"] == client_id for c in kept_list(page)["clients"])

    mark = go_offline(own_server)
    open_the_form(page)
    start = earlier(90)
    page.get_by_label("Début", exact=True).fill(local_input(start))
    page.get_by_label("Fin", exact=True).fill(local_input(start + timedelta(minutes=40)))
    page.get_by_label("Lieu", exact=True).fill("Fournil, four 2")
    page.get_by_label("Ce que j’ai fait", exact=True).fill("Réarmement")
    # Typed without its accents, by name, by address and by number as people dial it.
    for typed in ("zephyrin", "ecoles villeurbanne", "06 11 22", "amelie"):
        results = search(page, typed)
        expect(results).to_have_count(1)
        expect(results.first).to_contain_text("Boulangerie Zéphyrin")
    expect(search(page, "nobody-has-this-name")).to_have_count(0)
    expect(page.locator("#client-results")).to_contain_text("Aucun client ne correspond.")
    search(page, "zéphyrin").first.tap()
    expect(page.locator("#client-chosen")).to_contain_text("Boulangerie Zéphyrin")
    expect(page.locator("#client-chosen")).to_contain_text("8 rue des Écoles, Villeurbanne")
    page.get_by_role("button", name="Enregistrer", exact=True).tap()
    page.wait_for_url("**/interventions")
    expect_pending(page, 1)
    (entry,) = outbox(page)
    assert entry["op"]["data"]["client_id"] == client_id
    assert entry["op"]["data"]["site_id"] == site_id
    assert_nothing_reached(own_server, mark)

    own_server.start()
    page.reload()
    wait_for_empty_outbox(page)
    rows = read_rows(
        own_server,
        "SELECT client_id, site_id FROM interventions WHERE uuid = ?",
        (entry["uuid"],),
    )
    assert rows == [{"client_id": client_id, "site_id": site_id}]


def test_the_list_follows_a_change_made_online(phones: Phones, own_server: LiveServer) -> None:
    client_id, site_id = add_bakery(own_server)
    context = phones.launch(own_server)
    page = first_page(context)
    ready_for_the_field(page)
    assert wait_for(lambda: bool(kept_list(page)), 10)
    first = kept_list(page)["version"]

    # A manager renames the client and adds a second one while the phone is online.
    write(own_server, "UPDATE clients SET name = 'Pâtisserie Zéphyrin' WHERE id = ?", (client_id,))
    open_the_form(page)  # the page asks for the list again when it opens
    assert wait_for(lambda: kept_list(page)["version"] != first, 10), "the list was not refreshed"
    names = {c["name"] for c in kept_list(page)["clients"]}
    assert "Pâtisserie Zéphyrin" in names and "Boulangerie Zéphyrin" not in names
    # Offline now: the search finds the new name only.
    mark = go_offline(own_server)
    open_the_form(page)
    expect(search(page, "patisserie")).to_have_count(1)
    expect(search(page, "boulangerie zephyrin")).to_have_count(0)
    # "Log the intervention" from an alert's page cached earlier: the copy of the form names
    # the alert's client from the address, with no network.
    page.goto(f"/interventions/new?alert=1&client={client_id}&site={site_id}")
    expect(page.locator("#client-chosen")).to_contain_text("Pâtisserie Zéphyrin")
    expect(page.locator("#client-chosen")).to_contain_text("8 rue des Écoles")
    assert page.locator("input[name=client_id]").input_value() == str(client_id)
    assert page.locator("input[name=site_id]").input_value() == str(site_id)
    assert_nothing_reached(own_server, mark)


def test_logging_out_forgets_the_client_list(phones: Phones, own_server: LiveServer) -> None:
    add_bakery(own_server)
    page = first_page(phones.launch(own_server))
    ready_for_the_field(page)
    assert wait_for(lambda: bool(kept_list(page)), 10)
    page.evaluate("localStorage.setItem('astreinte-survey-qr', '{\"tokens\": []}')")
    page.goto("/settings")
    with page.expect_navigation():
        page.get_by_role("button", name="Se déconnecter", exact=True).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    # The clients of the person's teams do not stay on a phone someone else may pick up.
    assert wait_for(lambda: kept_list(page) is None, 10), "the client list outlived the logout"
    # …nor the survey codes the person held.
    assert page.evaluate("localStorage.getItem('astreinte-survey-qr')") is None
