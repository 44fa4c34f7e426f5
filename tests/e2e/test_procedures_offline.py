"""Issue 16's done-when for procedures, on a 390×844 phone: once logged in, the procedures of
Julien's team are kept on the phone (their size said in Settings); with the server stopped,
the procedure linked to the alert opens from the alert's page, and its checklist is ticked in
the intervention form; when the server is back the ticks reach it once, with the record, and
its page shows them against the procedure's version."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect

from server.clock import to_db
from server.db import Database
from tests.e2e.conftest import LiveServer, PhoneFactory
from tests.e2e.field import READ_OUTBOX
from tests.e2e.helpers import (
    PARIS,
    STAFF,
    first_team_of,
    local_input,
    login,
    port_refuses,
    raise_alert,
    read_rows,
    wait_for,
    wait_for_js,
    wait_for_service_worker,
    wait_until_cached,
)
from tests.integration.procedure_offline_helpers import add_procedure

PHONE_390 = {"viewport": {"width": 390, "height": 844}, "timezone_id": "Europe/Paris"}
TITLE = "Chaudière en défaut : remise en route"
BODY = (
    "Avant de réarmer, **toujours** :\n\n"
    "- [ ] Couper l'alimentation du brûleur\n"
    "- [ ] Vérifier la pression (1,5 bar)\n"
    "- [ ] Appeler le gardien\n"
)


def julien_team_procedure(live: LiveServer) -> int:
    """A procedure of Julien's team for the alerts typed by the dispatcher (source)."""
    database = Database(str(live.data_dir / "astreinte.db"))
    try:
        team_id = first_team_of(live, STAFF)
        return add_procedure(
            database,
            team_id,
            TITLE,
            BODY,
            tags=(("source", "dispatcher"),),
            updated_at=to_db(datetime.now(PARIS)),
        )
    finally:
        database.close()


KEPT = """async ([name, id, alert]) => {
    const cache = await caches.open(name);
    const index = await cache.match("/procedures/kept.json");
    if (!index) return null;
    const kept = await index.json();
    const page = await cache.match("/procedures/" + id);
    const linked = alert === null || (kept.alerts[String(alert)] || []).includes(id);
    return page && kept.procedures[id] && linked ? kept : null;
}"""

# What the phone holds of a kept page: the stored entry's marks and size, and its text unzipped.
STORED = """async ([name, id]) => {
    const hit = await (await caches.open(name)).match("/procedures/" + id);
    const stored = await hit.clone().arrayBuffer();
    const unzipped = await new Response(
        hit.body.pipeThrough(new DecompressionStream("gzip"))).text();
    return {
        mark: hit.headers.get("X-Astreinte-Stored"),
        type: hit.headers.get("Content-Type"),
        bytes: stored.byteLength,
        html: unzipped,
        magic: Array.from(new Uint8Array(stored.slice(0, 2))),
    };
}"""


def test_a_procedure_opens_offline_and_its_checklist_ticked_offline_reaches_the_server_once(
    make_phone: PhoneFactory, own_server: LiveServer
) -> None:
    procedure = julien_team_procedure(own_server)
    phone = make_phone(own_server, **PHONE_390)
    login(phone, STAFF)
    wait_for_service_worker(phone)
    version = phone.evaluate("document.body.dataset.version")
    pages = f"astreinte-pages-{version}"
    # Kept after login with nothing opened: the manifest and the page, in the page cache.
    kept = wait_for_js(phone, KEPT, [pages, procedure, None], what="the procedure kept")
    # The team's own (the demo's) and the one written for this test.
    count = len(kept["procedures"])
    assert str(procedure) in kept["procedures"] and count >= 2
    # Stored gzipped (its first bytes gzip's), its size the one counted and shown in Settings.
    stored = phone.evaluate(STORED, [pages, procedure])
    assert stored["mark"] == "gzip" and stored["magic"] == [0x1F, 0x8B], stored
    assert stored["type"] == "text/html; charset=utf-8"
    assert TITLE in stored["html"] and stored["bytes"] < len(stored["html"].encode())
    assert kept["procedures"][str(procedure)]["bytes"] == stored["bytes"]
    assert kept["bytes"] == sum(p["bytes"] for p in kept["procedures"].values())
    phone.goto("/settings")
    expect(phone.locator("#procedures-kept")).to_have_text(
        re.compile(
            rf"^{count} procédures, \d+ Ko, gardées sur ce téléphone pour les lire hors ligne\.$"
        )
    )
    phone.goto("/interventions/new")  # opened once before leaving: the form works offline
    wait_until_cached(phone, ["/interventions/new"])
    path = raise_alert(phone, "Chaudière en défaut, bâtiment B")
    alert_id = int(path.rsplit("/", 1)[1])
    link = phone.locator("#procedures").get_by_role("link", name=TITLE)
    expect(link).to_be_visible()
    # The alert's page refreshed what is kept: the form offline knows the alert's procedure.
    wait_for_js(phone, KEPT, [pages, procedure, alert_id], what="the alert's procedure")
    wait_until_cached(phone, [path])

    # In the basement: the server stopped, nothing reaches it from here on.
    own_server.stop()
    assert port_refuses(own_server.port)
    mark = len(own_server.log)
    phone.goto(path)
    with phone.expect_navigation():
        phone.locator("#procedures").get_by_role("link", name=TITLE).tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(phone.locator("#cached-banner")).to_be_visible()
    expect(phone.locator(".checklist li")).to_have_count(3)

    phone.goto(f"/interventions/new?alert={alert_id}")
    card = phone.locator("#procedure-checklists")
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name=TITLE)).to_be_visible()
    card.get_by_role("checkbox", name="Couper l'alimentation du brûleur").check()
    card.get_by_role("checkbox", name="Appeler le gardien").check()
    start = datetime.now(PARIS).replace(second=0, microsecond=0) - timedelta(minutes=50)
    phone.get_by_label("Début", exact=True).fill(local_input(start))
    phone.get_by_label("Fin", exact=True).fill(local_input(start + timedelta(minutes=40)))
    phone.get_by_label("Lieu", exact=True).fill("Bâtiment B, chaufferie")
    phone.get_by_role("button", name="Enregistrer", exact=True).tap()
    phone.wait_for_url("**/interventions")
    [entry] = phone.evaluate(READ_OUTBOX)
    assert entry["op"]["data"]["checklist"] == [
        {"procedure_id": procedure, "version": 1, "items": [0, 2]}
    ], entry
    assert len(own_server.log) == mark, own_server.log[mark:]

    # Back in signal: the outbox sends the record and its ticks, once.
    own_server.start()
    phone.reload()

    def ticks() -> list[dict]:
        return read_rows(
            own_server,
            "SELECT c.procedure_id, c.version, c.items FROM intervention_checklists c "
            "JOIN interventions i ON i.id = c.intervention_id WHERE i.uuid = ?",
            (entry["uuid"],),
        )

    assert wait_for(lambda: bool(ticks())), phone.evaluate(READ_OUTBOX)
    assert wait_for(lambda: phone.evaluate(READ_OUTBOX) == [])
    # Another replay (the app opened again) sends nothing twice.
    phone.reload()
    phone.wait_for_timeout(500)
    assert ticks() == [{"procedure_id": procedure, "version": 1, "items": "[0, 2]"}]
    rows = read_rows(own_server, "SELECT id FROM interventions WHERE uuid = ?", (entry["uuid"],))
    assert len(rows) == 1
    assert len(read_rows(own_server, "SELECT 1 FROM intervention_checklists")) == 1

    phone.goto(f"/interventions/{entry['uuid']}")
    ticked = phone.locator("#checklists-ticked")
    expect(ticked).to_contain_text("Cochée sur la version 1 : 2 sur 3")
    expect(ticked.locator('[data-ticked="yes"]')).to_have_count(2)

    # Changing the record later starts from its ticks (the page hands them to the form), and a
    # change of something else leaves them as they were.
    with phone.expect_navigation():
        phone.locator("#own-edit-button").tap()
    card = phone.locator("#procedure-checklists")
    expect(card.get_by_role("checkbox", name="Appeler le gardien")).to_be_checked()
    expect(card.get_by_role("checkbox", name="Vérifier la pression (1,5 bar)")).not_to_be_checked()
    phone.get_by_label("Lieu", exact=True).fill("Bâtiment B, sous-sol")
    phone.get_by_role("button", name="Enregistrer", exact=True).tap()
    phone.wait_for_url("**/interventions")
    place = "SELECT place FROM interventions WHERE uuid = ?"
    assert wait_for(
        lambda: read_rows(own_server, place, (entry["uuid"],))[0]["place"] == "Bâtiment B, sous-sol"
    )
    assert ticks() == [{"procedure_id": procedure, "version": 1, "items": "[0, 2]"}]

    # Logging out leaves none of the team's procedures on the phone.
    phone.goto("/settings")
    with phone.expect_navigation():
        phone.locator("form[action='/logout'] button").tap()
    left = """async () => {
        const found = [];
        for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) {
                const path = new URL(request.url).pathname;
                if (path.startsWith("/procedures/")) found.push(path);
            }
        }
        return found;
    }"""
    assert wait_for(lambda: phone.evaluate(left) == []), phone.evaluate(left)
