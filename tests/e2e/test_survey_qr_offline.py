"""The survey QR code shown by a phone with no network: the client answers from their own phone,
the technician's phone sends the intervention later, and the intervention shows the answer
once. While the technician's phone is offline the server hears only the client's phone."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import timedelta

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, PhoneFactory
from tests.e2e.field import (
    SYNC_WITHIN_S,
    Phones,
    earlier,
    first_page,
    open_the_form,
    outbox,
    ready_for_the_field,
    wait_for_empty_outbox,
)
from tests.e2e.helpers import STAFF, first_team_of, local_input, read_rows, wait_for, wait_for_js

POOL = "() => (JSON.parse(localStorage.getItem('astreinte-survey-qr') || 'null')?.tokens || [])"


def add_client(live: LiveServer, name: str = "Copropriété QR Test", no_surveys: int = 0) -> int:
    """A client of Julien's team, as a manager would have typed it (written beside the server
    before the phone opens anything: the server sees it through SQLite like any write)."""
    path = live.data_dir / "astreinte.db"
    with contextlib.closing(sqlite3.connect(path, timeout=10)) as db:
        team = first_team_of(live, STAFF)
        cursor = db.execute(
            "INSERT INTO clients (team_id, name, no_surveys, locale, created_at, updated_at) "
            "VALUES (?, ?, ?, 'fr', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            (team, name, no_surveys),
        )
        db.commit()
        return cursor.lastrowid


def test_the_client_answers_the_qr_code_of_an_offline_phone(
    phones: Phones, make_phone: PhoneFactory, server: LiveServer
) -> None:
    client_id = add_client(server)
    refuses = add_client(server, "Syndic qui refuse les enquêtes", no_surveys=1)
    context = phones.launch(server)
    page = first_page(context)
    ready_for_the_field(page)  # the form opened once online: the pool of codes filled
    wait_for_js(page, POOL + ".length === 5", what="the phone's pool of survey codes")

    context.set_offline(True)
    mark = len(server.log)
    open_the_form(page)
    start = earlier(50)
    page.get_by_label("Début", exact=True).fill(local_input(start))
    page.get_by_label("Fin", exact=True).fill(local_input(start + timedelta(minutes=40)))
    page.get_by_label("Lieu", exact=True).fill("QR hall B")
    # The client as the picker sets it (the picker itself is tested with the client list).
    page.evaluate(
        "(id) => { document.forms['intervention-form'].client_id.value = id; }", str(client_id)
    )
    card = page.locator("#survey-qr")
    choose = "(id) => { document.forms['intervention-form'].client_id.value = id; }"
    expect(card).to_be_visible()
    # A client who said "do not ask me again" (the phone's client list says so): no code.
    page.evaluate(choose, str(refuses))
    expect(card).to_be_hidden()
    page.evaluate(choose, str(client_id))
    expect(card).to_be_visible()
    page.locator("#survey-qr-show").tap()
    code = page.locator("#survey-qr-code")
    expect(code.locator("svg")).to_be_visible()
    url = code.get_attribute("data-url")
    assert url and "/s/q/" in url

    # The client scans it with their own phone, which has a network.
    visitor = make_phone(server)
    visitor.goto(url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Comment s’est passée notre intervention ?"
    )
    visitor.get_by_label("5", exact=True).check()
    visitor.get_by_label("Oui", exact=True).check()
    visitor.get_by_label("Un commentaire (facultatif)").fill("Rapide et soigné")
    visitor.get_by_role("button", name="Envoyer").tap()
    expect(visitor.locator("#survey-done")).to_have_text("Votre réponse est enregistrée.")

    page.get_by_role("button", name="Enregistrer", exact=True).tap()
    page.wait_for_url("**/interventions")
    [entry] = outbox(page)
    record = entry["uuid"]
    assert entry["op"]["data"]["survey_token_id"] > 0
    # Only the client's phone reached the server while the technician's was offline (and, at
    # times, Chromium's own check for a new /sw.js, which its network emulation lets through:
    # it carries nothing of the phone's).
    heard = [path for _method, path, _status in server.requests(mark) if path != "/sw.js"]
    assert heard and all(path.startswith("/s/q/") for path in heard), heard
    assert len(wait_for_js(page, POOL)) == 4  # the code shown left the pool for good

    context.set_offline(False)
    wait_for_empty_outbox(page)
    answered = lambda: read_rows(  # noqa: E731
        server,
        "SELECT s.score, s.solved, s.comment FROM surveys s "
        "JOIN interventions i ON i.id = s.intervention_id WHERE i.uuid = ?",
        (record,),
    )
    assert wait_for(lambda: len(answered()) == 1, SYNC_WITHIN_S), answered()
    assert answered() == [{"score": 5, "solved": 1, "comment": "Rapide et soigné"}]
    page.goto(f"/interventions/{record}")
    expect(page.locator("#survey-answer")).to_have_count(1)
    expect(page.locator("#survey-answer")).to_contain_text("5/5")
    expect(page.locator("#survey-answer")).to_contain_text("Rapide et soigné")
    # Back online, the pool is full again the next time the form opens.
    open_the_form(page)
    wait_for_js(page, POOL + ".length === 5", what="the pool refilled")
