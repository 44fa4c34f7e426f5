"""A manager adds a client on a phone, a member finds it by its number as they dial it and
reads its door code (issue 15, clients and sites)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, PhoneFactory
from tests.e2e.helpers import MANAGER, STAFF, login


def test_a_client_added_on_a_phone_is_found_by_its_number(
    make_phone: PhoneFactory, server: LiveServer
) -> None:
    manager = make_phone(server)
    login(manager, MANAGER)
    manager.goto("/team")
    manager.locator("#team-1 a[href='/teams/1/clients']").click()
    manager.get_by_role("link", name="Nouveau client").click()
    manager.locator("#f-name").fill("Pâtisserie Éclair")
    manager.locator("#f-phone_0_number").fill("06 39 98 77 66")
    manager.locator("#f-site_0_name").fill("Laboratoire")
    manager.locator("#f-site_0_address").fill("4 rue Mercière, Lyon")
    manager.locator("#f-site_0_access_codes").fill("Digicode 7319")
    manager.get_by_role("button", name="Enregistrer").click()
    expect(manager.locator("main .notice.success")).to_contain_text("Client ajouté")
    expect(manager.locator("h1")).to_have_text("Pâtisserie Éclair")

    member = make_phone(server)
    login(member, STAFF)
    member.goto("/teams/1/clients")
    # Typed as dialled, without pressing search: the results follow the box (htmx).
    member.locator("#f-q").fill("06 39 98 77")
    results = member.locator("#client-results")
    expect(results).to_contain_text("Pâtisserie Éclair")
    expect(results).not_to_contain_text("Résidence Les Tilleuls")
    results.get_by_role("link", name="Pâtisserie Éclair").click()
    expect(member.locator("#sites")).to_contain_text("Digicode 7319")
    # A member reads; the edit button is the managers'.
    expect(member.get_by_role("link", name="Modifier")).to_have_count(0)
