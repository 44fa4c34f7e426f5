"""Issue 15's "done when", from the demo as `make run` seeds it, in Chromium: a call from a
client's number names the client on the alert; Julien logs two interventions offline (one from
the alert, the other with a client picked in the phone's list); back online they sync; their
surveys wait for 08:00 in the client's zone, then go out, one by SMS (the webhook gateway), one
by e-mail (SMTP); the client answers 2/5 on the public page, once; the low score reaches
Claire's phone as a push; and her review queue holds it, with the sample.

The server's clock is pinned (libfaketime, the tool `make test-anytime` already uses): it starts
on an evening and is moved to just before 08:00 the next morning by a restart, so nothing here
depends on the hour the suite runs at. Chromium keeps the test machine's clock, an hour to a
day after the server's evening: the times typed in the form are the server's evening. Offline
is the server stopped (its port refuses, its access log stays still)."""

from __future__ import annotations

import contextlib
import glob
import json
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from server.clock import to_db
from server.db import Database
from server.surveys.store import delivery
from server.tokens import hash_token, new_token
from tests.e2e.conftest import PUSH_ORIGIN, LiveServer
from tests.e2e.field import (
    Phones,
    assert_nothing_reached,
    expect_pending,
    first_page,
    go_offline,
    open_the_form,
    ready_for_the_field,
    settled,
    wait_for_empty_outbox,
)
from tests.e2e.helpers import (
    MAINTENANCE,
    MANAGER,
    PARIS,
    STAFF,
    TIMEOUT_MS,
    astreinte_cli,
    local_input,
    login,
    read_rows,
    wait_for,
)
from tests.e2e.test_push import (
    PushDelivery,
    PushService,
    notified_phone,
    page_notifications,
    turn_alerts_on,
    use_push_service,
    wait_for_service_worker,
)
from tests.integration.mail_helpers import Inbox, serving_inbox

# libfaketime, as Debian installs it (`make test-anytime` installs it when missing).
FAKETIME_LIBS = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
TILLEULS = "Résidence Les Tilleuls"
TILLEULS_DIALLED = "06 39 98 00 01"  # stored as +33639980001 (README, "A demo call")
# The demo's numbers are in ARCEP's range for fiction (06 39 98 …), which libphonenumber does
# not call mobiles: the demo's clients are asked by e-mail. Claire adds a client reached on a
# mobile, so the other channel, SMS through the gateway, is shown too.
OFFICE = "Cabinet Orsay Notaires"
OFFICE_MOBILE = "06 12 34 56 78"
TILLEULS_EMAIL = "gardien1@demo.astreinte.test"
COMMENT = "Le radiateur du hall est encore froid."
CLIENT_PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 3,
    "locale": "fr-FR",
}
LINK = re.compile(r"https?://\S+/s/[A-Za-z0-9_-]{24,}")


# The phone's copy of its teams' client list (service_worker/clients.js), once it is kept.
KEPT_LIST = """async () => {
  if (!(await indexedDB.databases()).some((d) => d.name === "astreinte-clients")) return false;
  return await new Promise((resolve, reject) => {
    const open = indexedDB.open("astreinte-clients");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const read = open.result.transaction("lists").objectStore("lists").get("mine");
      read.onsuccess = () => { open.result.close(); resolve(Boolean(read.result)); };
      read.onerror = () => { open.result.close(); reject(read.error); };
    };
  });
}"""


def evening_before(now: datetime) -> datetime:
    """20:00 in Paris on the latest day where it is at least an hour before `now`: the
    server's first evening, in the past for the phone whatever the hour the suite runs at."""
    day = now.astimezone(PARIS).date()
    while True:
        evening = datetime.combine(day, clock_time(20, 0), PARIS).astimezone(UTC)
        if evening + timedelta(hours=1) <= now:
            return evening
        day -= timedelta(days=1)


def pin_clock(live: LiveServer, moment: datetime) -> None:
    """The server's next start runs its clock from `moment` (libfaketime, start-at form)."""
    live.extra_env.update(
        {
            "LD_PRELOAD": FAKETIME_LIBS[0],
            "FAKETIME": "@" + moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "TZ": "UTC",  # how libfaketime reads that date
            # Not the shared clock of a `faketime` wrapper the suite may run under.
            "FAKETIME_DISABLE_SHM": "1",
        }
    )


class Gateway:
    """The SMS gateway's HTTP endpoint (ASTREINTE_WEBHOOK_URL): keeps every JSON body."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.http.server_port}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def surveys(self) -> list[dict]:
        return [body for body in list(self.bodies) if body.get("kind") == "survey"]

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@contextlib.contextmanager
def demo_server(evening: datetime, inbox: Inbox, gateway: Gateway) -> Iterator[LiveServer]:
    """`astreinte serve` on a fresh data folder (the demo seeded on its first start, as
    `make run` does), its clock pinned, the test's SMTP receiver and SMS gateway configured."""
    with tempfile.TemporaryDirectory(prefix="astreinte-e2e-survey-") as folder:
        live = LiveServer(Path(folder))
        live.extra_env.update(
            {
                "ASTREINTE_SMTP_HOST": "127.0.0.1",
                "ASTREINTE_SMTP_PORT": str(inbox.port),
                "ASTREINTE_SMTP_STARTTLS": "false",
                "ASTREINTE_WEBHOOK_URL": gateway.origin + "/sms",
                "ASTREINTE_PUSH_ALLOW": f"{PUSH_ORIGIN},{gateway.origin}",
                # A round a second: each step's effect shows within a second of server time.
                "ASTREINTE_ENGINE_INTERVAL": "1",
            }
        )
        pin_clock(live, evening)
        try:
            live.start()
            yield live
        finally:
            live.stop()


def put_on_call_at(live: LiveServer, email: str, start: datetime, hours: int) -> None:
    """`email` primary on call from `start` (the server's clock), an override written beside
    the server as the demo writes its shifts (tests/e2e/helpers.py: put_on_call)."""
    database = Database(live.data_dir / "astreinte.db")
    try:
        with database.write():
            user_id = database.scalar("SELECT id FROM users WHERE email = ?", (email,))
            stamp = to_db(start)
            database.insert(
                "shifts",
                {
                    "team_id": MAINTENANCE,
                    "rotation_id": None,
                    "kind": "override",
                    "layer": "primary",
                    "user_id": user_id,
                    "starts_at": stamp,
                    "ends_at": to_db(start + timedelta(hours=hours)),
                    "status": "accepted",
                    "published_at": stamp,
                    "answered_at": stamp,
                    "edited": 1,
                    "created_at": stamp,
                    "updated_at": stamp,
                },
            )
    finally:
        database.close()


def post_call(live: LiveServer, key: str, caller: str) -> dict:
    """The phone system's webhook, as the README's demo call does it with curl."""
    import urllib.request

    request = urllib.request.Request(
        live.url + "/api/v1/calls",
        json.dumps({"caller": caller}).encode(),
        {"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201, response.status
        return json.loads(response.read())


def server_now(started: float, at: datetime) -> datetime:
    """The pinned server's clock, from when its process was started (monotonic, this side)."""
    return at + timedelta(seconds=time.monotonic() - started)


def claire_prepares(live: LiveServer, page: Page) -> None:
    """Claire, on her phone: alerts on, every intervention drawn for review (the sample made
    deterministic), and a client reached on a mobile, all through the app's forms."""
    login(page, MANAGER)
    page.goto("/settings")
    wait_for_service_worker(page)
    turn_alerts_on(page, "Activer les alertes sur cet appareil")

    page.goto(f"/rest/policy?team={MAINTENANCE}")
    page.locator("#f-review_sample_percent").fill("100")
    page.locator("#f-reason").fill("Audit qualité : toutes les interventions ce mois-ci")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer les règles").tap()
    expect(page.get_by_role("status")).to_be_visible()

    page.goto(f"/teams/{MAINTENANCE}/clients/new")
    page.locator("#f-name").fill(OFFICE)
    page.locator("#f-phone_0_number").fill(OFFICE_MOBILE)
    page.locator("#f-site_0_name").fill("Étude")
    page.locator("#f-site_0_address").fill("4 place Bellecour, 69002 Lyon")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer", exact=True).tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text(OFFICE)


def fill_report(page: Page, start: datetime, place: str, done: str) -> None:
    page.get_by_label("Début", exact=True).fill(local_input(start))
    page.get_by_label("Fin", exact=True).fill(local_input(start + timedelta(minutes=25)))
    page.get_by_label("Lieu", exact=True).fill(place)
    page.get_by_label("Ce que j’ai fait", exact=True).fill(done)


def pick_client(page: Page, typed: str, expected: str) -> None:
    """The form's picker, searching the phone's copy of the client list."""
    page.get_by_label("Chercher un client", exact=True).fill(typed)
    results = page.locator("#client-results button")
    expect(results).to_have_count(1)
    results.first.tap()
    expect(page.locator("#client-chosen")).to_contain_text(expected)


def mails_to(inbox: Inbox, address: str) -> list:
    return [mail for mail in list(inbox.mails) if address in str(mail["To"])]


def the_push(service: PushService, kind: str) -> dict:
    def find() -> dict | None:
        for push in list(service.pushes):
            message = json.loads(service.decrypt(push))
            if message["type"] == kind:
                return message
        return None

    assert wait_for(lambda: find() is not None, 15), f"no {kind} push"
    return find()


@pytest.fixture
def pushes() -> Iterator[PushService]:
    service = PushService()
    yield service
    service.close()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    receiver = Gateway()
    yield receiver
    receiver.close()


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with serving_inbox() as handler:
        yield handler


def needs_faketime() -> None:
    if not FAKETIME_LIBS:
        pytest.fail(
            "libfaketime pins the server's clock here: apt-get install faketime", pytrace=False
        )


def test_a_call_an_offline_intervention_its_survey_at_8_a_low_score_and_the_review_queue(
    browser: Browser, phones: Phones, pushes: PushService, gateway: Gateway, inbox: Inbox
) -> None:
    needs_faketime()
    evening = evening_before(datetime.now(UTC))
    morning = datetime.combine(
        evening.astimezone(PARIS).date() + timedelta(days=1), clock_time(8, 0), PARIS
    ).astimezone(UTC)
    with (
        demo_server(evening, inbox, gateway) as live,
        notified_phone(browser, live, "astreinte-e2e-survey-claire-") as claires_phone,
    ):
        put_on_call_at(live, STAFF, evening - timedelta(minutes=5), hours=14)
        key = astreinte_cli(
            live, "apikey", "create", "--team", str(MAINTENANCE), "--name", "standard"
        ).strip()

        # Claire, the manager, gets her phone and the team ready.
        claires_phone.context.grant_permissions(["notifications"], origin=live.url)
        use_push_service(claires_phone.context, pushes.subscription("claire"))
        claire = first_page(claires_phone.context)
        claire_prepares(live, claire)
        office_id = read_rows(live, "SELECT id FROM clients WHERE name = ?", (OFFICE,))[0]["id"]

        # Julien, on call, has opened the app (his phone keeps the form and the client list).
        julien = first_page(phones.launch(live))
        ready_for_the_field(julien)
        assert wait_for(lambda: settled(julien, KEPT_LIST), 10), "the client list was not kept"

        # 1. The residence calls, the number formatted otherwise than stored: the alert names it.
        alert = post_call(live, key, TILLEULS_DIALLED)
        (tilleuls,) = read_rows(live, "SELECT id FROM clients WHERE name = ?", (TILLEULS,))
        # Its number is the whole residence's, which has two sites: the technician picks one.
        assert (alert["client_id"], alert["site_id"]) == (tilleuls["id"], None), alert
        julien.goto(f"/alerts/{alert['id']}")
        expect(julien.get_by_role("heading", level=1)).to_contain_text(TILLEULS)
        expect(julien.locator("#caller h2")).to_contain_text(TILLEULS)
        julien.locator("#alert-panel").get_by_role("button", name="Je prends").tap()
        expect(julien.locator("#alert-panel")).to_contain_text("prise en compte par")

        # 2. In the boiler room, no network: the report from the alert (its client filled in,
        # the site picked among the client's two), then another client's, picked from the list.
        mark = go_offline(live)
        with julien.expect_navigation():
            julien.locator("#alert-panel").get_by_role("link", name="Saisir l’intervention").tap()
        expect(julien.locator("#client-chosen")).to_contain_text(TILLEULS)
        assert julien.locator("input[name=client_id]").input_value() == str(tilleuls["id"])
        fill_report(julien, evening + timedelta(minutes=10), "Chaufferie", "Brûleur réarmé")
        pick_client(julien, "tilleuls chaufferie", f"{TILLEULS} — chaufferie")
        julien.get_by_role("button", name="Enregistrer", exact=True).tap()
        julien.wait_for_url("**/interventions")
        open_the_form(julien)
        fill_report(julien, evening + timedelta(minutes=20), "Étude, 1er étage", "Fusible changé")
        pick_client(julien, "orsay", OFFICE)
        julien.get_by_role("button", name="Enregistrer", exact=True).tap()
        julien.wait_for_url("**/interventions")
        expect_pending(julien, 2)
        assert_nothing_reached(live, mark)

        # 3. Back in signal at 20:50 (the server's evening): the outbox syncs, with the clients.
        pin_clock(live, evening + timedelta(minutes=50))
        live.start()
        julien.reload()
        wait_for_empty_outbox(julien)
        records = read_rows(
            live,
            "SELECT i.id, i.uuid, i.client_id, i.site_id, i.place FROM interventions i "
            "JOIN users u ON u.id = i.user_id WHERE u.email = ? AND i.client_id IS NOT NULL "
            "AND i.updated_at >= ? ORDER BY i.started_at",
            (STAFF, to_db(evening)),
        )
        assert [(r["client_id"], r["place"]) for r in records] == [
            (tilleuls["id"], "Chaufferie"),
            (office_id, "Étude, 1er étage"),
        ], records
        assert records[0]["site_id"] is not None
        boiler, office = records

        # 4. Arrived at 20:50 with a 30-minute delay: 21:20 is night in Lyon, so 08:00.
        surveys = "SELECT * FROM surveys WHERE intervention_id IN (?, ?) ORDER BY intervention_id"
        ids = (boiler["id"], office["id"])
        assert wait_for(lambda: len(read_rows(live, surveys, ids)) == 2), "no survey planned"
        planned = read_rows(live, surveys, ids)
        assert [(s["channel"], s["send_at"]) for s in planned] == [
            ("email", to_db(morning)),
            ("sms", to_db(morning)),
        ], planned

        # The night passes: the server comes back at 07:59:50. Nothing leaves before 08:00…
        live.stop()
        pin_clock(live, morning - timedelta(seconds=10))
        started = time.monotonic()
        live.start()
        while server_now(started, morning - timedelta(seconds=10)) < morning - timedelta(seconds=1):
            assert gateway.surveys() == [], "an SMS survey left before 08:00"
            assert not mails_to(inbox, TILLEULS_EMAIL), "an e-mail survey left before 08:00"
            time.sleep(0.2)
        assert gateway.surveys() == []
        # …and at 08:00 both go, each by its own channel.
        assert wait_for(lambda: gateway.surveys(), 15), "no SMS survey"
        assert wait_for(lambda: mails_to(inbox, TILLEULS_EMAIL), 15), "no e-mail survey"
        (sms,) = gateway.surveys()
        assert sms["to"] == {"name": OFFICE, "phone": "+33612345678"}, sms
        assert sms["url"] in sms["body"] and LINK.fullmatch(sms["url"]), sms
        (mail,) = mails_to(inbox, TILLEULS_EMAIL)
        link = LINK.search(mail.get_body(("plain",)).get_content())
        assert link, mail
        sent = read_rows(
            live,
            "SELECT m.sent_at FROM survey_messages m JOIN surveys s ON s.id = m.survey_id "
            "WHERE s.intervention_id IN (?, ?) AND m.status = 'sent'",
            ids,
        )
        assert len(sent) == 2 and all(
            morning <= datetime.fromisoformat(s["sent_at"]) < morning + timedelta(seconds=30)
            for s in sent
        ), sent

        # 5. The residence's caretaker opens the e-mail's link on their own phone (no login,
        # no JavaScript: the page needs none) and answers 2/5, not solved, with a comment.
        client_context = browser.new_context(**CLIENT_PHONE, java_script_enabled=False)
        try:
            client_context.set_default_timeout(TIMEOUT_MS)
            survey_page = client_context.new_page()
            answer_survey(survey_page, link.group(0))
        finally:
            client_context.close()
        answered = read_rows(
            live,
            "SELECT intervention_id, score, solved, comment FROM surveys WHERE score IS NOT NULL",
        )
        assert answered == [
            {"intervention_id": boiler["id"], "score": 2, "solved": 0, "comment": COMMENT}
        ]

        # 6. The low score reaches Claire's phone.
        message = the_push(pushes, "survey_low_score")
        assert message["title"] == "Satisfaction 2/5 : à suivre", message
        assert TILLEULS in message["body"] and COMMENT in message["body"], message
        PushDelivery(claire, live).deliver(json.dumps(message))
        shown = claires_phone.notifications.wait(
            claire,
            lambda items: next((i for i in items if "2/5" in i.summary), None),
            "the low score's notification",
        )
        assert TILLEULS in shown.body, shown
        (notification,) = [n for n in page_notifications(claire) if "2/5" in n["title"]]
        assert TILLEULS in notification["body"]

        # 7. Her review queue holds the low score (with its reason) and the sample.
        queued = "SELECT intervention_id FROM quality_queue WHERE intervention_id IN (?, ?)"
        assert wait_for(lambda: len(read_rows(live, queued, ids)) == 2, 15), "not queued"
        low_score = "SELECT 1 FROM quality_queue WHERE intervention_id = ? AND reasons LIKE ?"
        assert wait_for(lambda: read_rows(live, low_score, (boiler["id"], "%low_score%")), 15)
        claire.goto(f"/teams/{MAINTENANCE}/quality")
        waiting = claire.locator("#to-review")
        first = waiting.locator(f'li[data-intervention="{boiler["uuid"]}"]')
        expect(first.locator('[data-reason="low_score"]')).to_have_text("Satisfaction basse (2/5)")
        expect(first.locator('[data-reason="sample"]')).to_have_count(1)
        second = waiting.locator(f'li[data-intervention="{office["uuid"]}"]')
        expect(second.locator('[data-reason="sample"]')).to_have_count(1)
        expect(second.locator('[data-reason="low_score"]')).to_have_count(0)


def answer_survey(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.locator("input[name=score][value='2']").check()
    page.locator("input[name=solved][value='no']").check()
    page.get_by_label("Un commentaire (facultatif)").fill(COMMENT)
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer ma réponse").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci !")
    # The same link again: already answered, kindly.
    response = page.goto(url)
    assert response is not None and response.status == 409, response
    expect(page.get_by_role("heading", level=1)).to_have_text("Déjà répondu, merci")


# The public page alone ---------------------------------------------------------------------------


def survey_link(live: LiveServer) -> tuple[str, int]:
    """A survey waiting for its answer, on one of the demo's interventions, and its link
    (written beside the server through the surveys' own store); (path, survey id)."""
    now = datetime.now(UTC)
    database = Database(live.data_dir / "astreinte.db")
    try:
        with database.write():
            # The demo's history names no client: its latest intervention gets the residence.
            intervention = database.query(
                "SELECT id, uuid, team_id, user_id FROM interventions "
                "WHERE team_id = ? AND deleted_at IS NULL ORDER BY ended_at DESC LIMIT 1",
                (MAINTENANCE,),
            )[0]
            intervention["client_id"] = database.scalar(
                "SELECT id FROM clients WHERE name = ?", (TILLEULS,)
            )
            database.execute(
                "UPDATE interventions SET client_id = ? WHERE id = ?",
                (intervention["client_id"], intervention["id"]),
            )
            # Due in a week: the engine leaves it alone while the page is tried.
            survey_id = delivery.add_survey(
                database, intervention, "email", now + timedelta(days=7), now
            )
            assert survey_id is not None
            token = new_token(18)
            delivery.add_link(database, hash_token(token), survey_id, now, now + timedelta(days=14))
    finally:
        database.close()
    return f"/s/{token}", survey_id


def received_bytes(sizes: dict) -> int:
    """What came down the wire for a request: the response's headers and body."""
    return max(sizes["responseHeadersSize"], 0) + max(sizes["responseBodySize"], 0)


def test_the_survey_page_on_a_clients_phone_without_javascript(
    browser: Browser, server: LiveServer
) -> None:
    path, survey_id = survey_link(server)
    context = browser.new_context(base_url=server.url, **CLIENT_PHONE, java_script_enabled=False)
    try:
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        loaded: list[tuple[str, int]] = []
        page.on(
            "requestfinished",
            lambda request: loaded.append((request.url, received_bytes(request.sizes()))),
        )
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Comment s’est passée notre intervention ?"
        )
        # Everything the browser loaded for it (the page, its headers; nothing else may load).
        page.wait_for_load_state("networkidle")
        assert [url for url, _size in loaded] == [server.url + path], loaded
        received = sum(size for _url, size in loaded)
        assert received <= 20 * 1024, f"{received} bytes"

        # Laid out for a 390 px screen: nothing wider, every answer a thumb's size.
        for control in (
            *page.locator(".scores label").all(),
            *page.locator(".yn label").all(),
            page.get_by_label("Un commentaire (facultatif)"),
            page.get_by_role("button", name="Envoyer ma réponse"),
        ):
            box = control.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
            # 44 px, as the app's own pages (tests/e2e/helpers.py: PHONE_CHECKS).
            assert box["height"] >= 44 - 0.5, (control, box)
        body = page.locator("body").bounding_box()
        assert body is not None and body["width"] <= 390, body

        # A plain form: posted and answered with no script at all.
        page.locator("input[name=score][value='4']").check()
        page.locator("input[name=solved][value='yes']").check()
        page.get_by_label("Un commentaire (facultatif)").fill("Rapide et efficace.")
        with page.expect_navigation():
            page.get_by_role("button", name="Envoyer ma réponse").tap()
        expect(page.get_by_role("heading", level=1)).to_have_text("Merci !")
    finally:
        context.close()
    (answer,) = read_rows(
        server, "SELECT score, solved, comment FROM surveys WHERE id = ?", (survey_id,)
    )
    assert answer == {"score": 4, "solved": 1, "comment": "Rapide et efficace."}
