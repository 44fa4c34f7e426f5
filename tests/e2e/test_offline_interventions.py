"""Interventions logged on a phone with no network: the form and the lists open offline, what is
saved waits in the IndexedDB outbox across reloads and browser restarts, and reaches the
server exactly once when it is back, even when an answer is lost in a crash. Refused items are
fixed on the phone; the timer survives reloads; offline/online flapping loses nothing.

Each phone is a Chromium with a persistent profile (its service worker, caches, IndexedDB and
cookies on disk), so it can be closed and opened again like a phone's browser. "Offline" is
the real server stopped (its port refuses connections, its access log stays still) or
Playwright's network emulation where the server must stay up for another person."""

from __future__ import annotations

import random
import re
import time
from datetime import datetime, timedelta

from playwright.sync_api import BrowserContext, Error, Page, expect

from tests.e2e.conftest import LiveServer, PhoneFactory
from tests.e2e.field import (
    SYNC_PATH,
    SYNC_WITHIN_S,
    Phones,
    after_every_replay,
    assert_nothing_reached,
    earlier,
    expect_pending,
    fill_outbox,
    first_page,
    go_offline,
    instants,
    log_caught_up,
    log_intervention,
    outbox,
    outbox_title,
    raced,
    ready_for_the_field,
    reload,
    server_rows,
    settled,
    sync_posts,
    wait_for_empty_outbox,
)
from tests.e2e.helpers import (
    MANAGER,
    PARIS,
    local_input,
    login,
    wait_for,
    wait_for_js,
)

PUT_BACK = """async (entries) => {
  await new Promise((resolve, reject) => {
    const open = indexedDB.open("astreinte-outbox");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction("operations", "readwrite");
      entries.forEach((entry) => tx.objectStore("operations").put(entry));
      tx.oncomplete = () => { db.close(); resolve(); };
      tx.onerror = () => { db.close(); reject(tx.error); };
    };
  });
}"""

SEND_AGAIN = """async ([url, operations]) => {
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({operations}),
  });
  return {status: response.status, body: await response.json()};
}"""


# The tests ------------------------------------------------------------------------------------


def test_three_interventions_logged_offline_survive_restarts_and_arrive_once(
    phones: Phones, own_server: LiveServer
) -> None:
    context = phones.launch(own_server)
    page = first_page(context)
    ready_for_the_field(page)
    mark = go_offline(own_server)

    places = ["Chaufferie, bâtiment C", "Ascenseur B", "Parking sud, barrière"]
    for n, place in enumerate(places, start=1):
        start = earlier(200 - 40 * n)
        log_intervention(page, place, start=start, end=start + timedelta(minutes=25))
        expect_pending(page, n)
        expect(page.locator("#outbox-list")).to_contain_text(place)
    expect(page.locator("#outbox-list .tag")).to_have_text(["en attente"] * 3)
    assert len({entry["uuid"] for entry in outbox(page)}) == 3, outbox(page)

    reload(page)
    expect_pending(page, 3)
    # The phone's browser is closed (app swiped away, phone restarted) and opened again.
    phones.close(context)
    context = phones.launch(own_server)
    page = first_page(context)
    page.clock.install()  # the page's own timers: its periodic retry is run below, not waited
    page.goto("/interventions")
    expect_pending(page, 3)
    entries = outbox(page)
    assert sorted(e["op"]["data"]["place"] for e in entries) == sorted(places)
    assert {e["state"] for e in entries} == {"waiting"}
    assert_nothing_reached(own_server, mark)
    assert server_rows(own_server) == []

    # From before the start: the service worker, asked to replay while the server was down,
    # tries again within seconds and may send as soon as it listens.
    since = len(own_server.log)
    own_server.start()
    # The app stays open on the list: the periodic retry (every minute) finds the server.
    page.clock.run_for(60_000)
    wait_for_empty_outbox(page)
    assert wait_for(lambda: len(server_rows(own_server)) == 3), server_rows(own_server)
    rows = server_rows(own_server)
    assert sorted(r["place"] for r in rows) == sorted(places)
    assert {r["uuid"] for r in rows} == {e["uuid"] for e in entries}
    assert wait_for(lambda: bool(sync_posts(own_server, since)))  # the access log lags a little
    assert set(sync_posts(own_server, since)) == {200}, own_server.log[since:]
    # The list reloads itself once the outbox is empty, and shows what the server now has.
    expect_pending(page, 0)
    recent = page.get_by_role("region", name="Mes interventions récentes")
    for place in places:
        expect(recent).to_contain_text(place)


def test_answers_lost_in_a_crash_are_replayed_and_counted_once(
    phones: Phones, own_server: LiveServer
) -> None:
    context = phones.launch(own_server, service_workers="allow")
    page = first_page(context)
    ready_for_the_field(page)

    # Each sync reaches the server and is applied, but the answer never comes back (the
    # server dies right after committing, or the network drops): the phone keeps everything.
    def lose_the_answer(route) -> None:
        try:
            route.fetch()
            route.abort("connectionreset")
        except Error as error:
            # The page may reload while the answer is held back, and take the request with it.
            if "already handled" not in str(error) and not raced(error):
                raise

    context.route("**" + SYNC_PATH, lose_the_answer)
    places = ["Crash 1, local technique", "Crash 2, toiture"]
    for n, place in enumerate(places, start=1):
        start = earlier(300 - 60 * n)
        log_intervention(page, place, start=start, end=start + timedelta(minutes=30))
        expect_pending(page, n)
    assert len(server_rows(own_server, "Crash")) == 2  # the server has them; the phone not sure
    sent = outbox(page)
    assert len(sent) == 2

    # Stop losing answers first, waiting out any sync caught half-way, then restart the server.
    context.unroute_all(behavior="wait")
    own_server.stop()
    own_server.start()
    reload(page)
    wait_for_empty_outbox(page)
    expect_pending(page, 0)
    assert len(server_rows(own_server, "Crash")) == 2

    # Any number of times: the same stored operations, sent again by hand and put back.
    again = settled(page, SEND_AGAIN, [SYNC_PATH, [entry["op"] for entry in sent]])
    assert again["status"] == 200
    assert [r["status"] for r in again["body"]["results"]] == ["already_applied"] * 2
    settled(page, PUT_BACK, sent)
    reload(page)
    wait_for_empty_outbox(page)
    rows = server_rows(own_server, "Crash")
    assert sorted(r["place"] for r in rows) == places
    assert {r["uuid"] for r in rows} == {e["uuid"] for e in sent}


def test_a_refused_intervention_shows_its_reason_and_is_fixed(
    phones: Phones, server: LiveServer
) -> None:
    context = phones.launch(server)
    page = first_page(context)
    ready_for_the_field(page)
    context.set_offline(True)
    start = earlier(26 * 60)
    # Typed in a hurry: the next day's date at the end, a call of 25 hours (the phone itself
    # refuses an end before the start; this only the server does).
    log_intervention(page, "Refus, sous-sol B", start=start, end=start + timedelta(hours=25))
    expect_pending(page, 1)

    context.set_offline(False)  # the `online` event replays; the list updates in place
    item = page.locator("#refused-list > li")
    expect(item.locator(".tag")).to_have_text("refusée", timeout=SYNC_WITHIN_S * 1000)
    expect(item).to_contain_text("Une intervention dure au plus 24 heures")
    # Refused items stay on the phone, in their own list: not also "waiting to sync".
    expect(page.locator("#refused-title")).to_have_text("Refusées : à corriger (1)")
    expect_pending(page, 0)
    assert server_rows(server, "Refus") == []
    [entry] = outbox(page)
    assert (entry["state"], entry["field"]) == ("rejected", "ended_at")

    with page.expect_navigation():
        item.get_by_role("link", name="Corriger").tap()
    expect(page.get_by_label("Début", exact=True)).to_have_value(local_input(start))
    expect(page.get_by_label("Fin", exact=True)).to_have_value(
        local_input(start + timedelta(hours=25))
    )
    expect(page.get_by_label("Lieu", exact=True)).to_have_value("Refus, sous-sol B")
    reason = "Une intervention dure au plus 24 heures"
    expect(page.locator("#form-status")).to_contain_text(reason)
    # The reason also stands under the field to fix, where the eye is on a phone.
    expect(page.locator("#e-ended_at")).to_contain_text(reason)
    expect(page.locator("#e-ended_at")).to_be_in_viewport()
    # The field the server named is marked and focused, ready to fix with one thumb.
    expect(page.get_by_label("Fin", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Fin", exact=True)).to_be_focused()
    page.get_by_label("Fin", exact=True).fill(local_input(start + timedelta(minutes=45)))
    page.get_by_role("button", name="Enregistrer", exact=True).tap()
    page.wait_for_url(re.compile(r"/interventions$"))
    wait_for_empty_outbox(page)
    expect_pending(page, 0)
    assert wait_for(lambda: len(server_rows(server, "Refus")) == 1)
    [row] = server_rows(server, "Refus")
    assert row["uuid"] == entry["uuid"]
    stored_end = datetime.fromisoformat(row["ended_at"]).astimezone(PARIS)
    assert local_input(stored_end) == local_input(start + timedelta(minutes=45))


def test_the_timer_keeps_running_across_reloads(phones: Phones, server: LiveServer) -> None:
    context = phones.launch(server)
    page = first_page(context)
    ready_for_the_field(page, visit=False)
    page.clock.install()
    page.goto("/interventions/new")
    display = page.locator("#timer-display")
    expect(display).to_have_text("00:00:00")
    finish = page.get_by_role("button", name="Terminer")
    expect(finish).to_be_disabled()
    page.get_by_role("button", name="Démarrer l’intervention").tap()
    started_at = page.get_by_label("Début", exact=True).input_value()
    assert started_at, "starting the timer fills the start"
    page.clock.run_for(3_000)
    expect(display).to_have_text("00:00:03")

    reload(page)
    page.clock.run_for(2_000)
    first = display.inner_text()
    assert first > "00:00:00", first
    page.clock.run_for(65 * 60_000)
    expect(display).to_have_text(re.compile(r"^01:05:0\d$"))
    assert display.inner_text() > first
    expect(page.get_by_role("button", name="Démarrer l’intervention")).to_be_disabled()

    page.get_by_role("button", name="Terminer").tap()
    start_value = page.get_by_label("Début", exact=True).input_value()
    end_value = page.get_by_label("Fin", exact=True).input_value()
    assert start_value == started_at
    lengths = [
        (end - start) / timedelta(minutes=1)
        for start in instants(start_value)
        for end in instants(end_value)
    ]
    assert any(65 <= minutes <= 66 for minutes in lengths), (start_value, end_value)
    expect(display).to_have_text("00:00:00")
    reload(page)
    expect(display).to_have_text("00:00:00")  # finished: it does not run on


def test_flapping_network_loses_and_doubles_nothing(phones: Phones, server: LiveServer) -> None:
    context = phones.launch(server)
    page = first_page(context)
    ready_for_the_field(page)
    chance = random.Random(20261130)
    created: list[str] = []
    for cycle in range(8):
        offline = cycle % 2 == 0
        context.set_offline(offline)
        made_here = []
        for _ in range(chance.randint(1, 2) if offline else chance.randint(0, 2)):
            place = f"Flap {len(created) + 1:02d}"
            start = earlier(600 - 15 * len(created))
            # Online, the signal sometimes drops right after the tap, in the middle of the sync.
            cut = not offline and chance.random() < 0.5
            log_intervention(
                page,
                place,
                start=start,
                end=start + timedelta(minutes=10),
                after_tap=(lambda: context.set_offline(True)) if cut else None,
            )
            created.append(place)
            made_here.append(place)
            if cut:
                context.set_offline(False)
        if offline:
            waiting = {entry["op"]["data"]["place"] for entry in outbox(page)}
            assert set(made_here) <= waiting, (made_here, waiting)
            assert not {r["place"] for r in server_rows(server, "Flap")} & set(made_here)
        if chance.random() < 0.5:
            reload(page)
    context.set_offline(False)
    wait_for_empty_outbox(page)
    expect_pending(page, 0)
    assert len(created) >= 6, created
    arrived = lambda: sorted(r["place"] for r in server_rows(server, "Flap"))  # noqa: E731
    assert wait_for(lambda: len(arrived()) == len(created)), (created, arrived())
    assert sorted(r["place"] for r in server_rows(server, "Flap")) == created


def test_a_pending_item_is_edited_and_another_deleted_offline(
    phones: Phones, own_server: LiveServer
) -> None:
    context = phones.launch(own_server)
    page = first_page(context)
    ready_for_the_field(page)
    mark = go_offline(own_server)
    start = earlier(180)
    log_intervention(page, "Pending, à supprimer", start=start, end=start + timedelta(minutes=5))
    expect_pending(page, 1)
    gone = page.locator("#outbox-list > li").filter(has_text="Pending, à supprimer")
    gone.get_by_role("button", name="Supprimer").tap()
    expect_pending(page, 0)
    log_intervention(page, "Pending, brouillon", start=start, end=start + timedelta(minutes=30))
    expect_pending(page, 1)

    item = page.locator("#outbox-list > li").filter(has_text="Pending, brouillon")
    edit = item.get_by_role("link", name=re.compile(r"^(Corriger|Modifier)$"))
    expect(edit).to_have_count(1)  # a waiting item can be changed, not only a refused one
    with page.expect_navigation():
        edit.tap()
    expect(page.get_by_label("Lieu", exact=True)).to_have_value("Pending, brouillon")
    page.get_by_label("Lieu", exact=True).fill("Pending, local 12")
    page.get_by_role("button", name="Enregistrer", exact=True).tap()
    page.wait_for_url(re.compile(r"/interventions$"))
    expect_pending(page, 1)
    expect(page.locator("#outbox-list")).to_contain_text("Pending, local 12")
    assert_nothing_reached(own_server, mark)

    own_server.start()
    reload(page)
    wait_for_empty_outbox(page)
    assert wait_for(lambda: len(server_rows(own_server, "Pending")) == 1)
    assert [r["place"] for r in server_rows(own_server, "Pending")] == ["Pending, local 12"]


def test_the_warmed_pages_work_offline_without_having_been_opened(
    phones: Phones, own_server: LiveServer
) -> None:
    """After logging in the app fetches the field pages ahead; the person never opened them."""
    context = phones.launch(own_server)
    page = first_page(context)
    ready_for_the_field(page, visit=False)
    mark = go_offline(own_server)
    for url, heading in (("/alerts", "Alertes"), ("/schedule/mine", "Mes astreintes")):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    start = earlier(120)
    try:
        log_intervention(page, "Warm, atelier", start=start, end=start + timedelta(minutes=15))
    except Error as error:
        raise AssertionError(
            "saving offline failed on a form only the warm-up had fetched: without its scripts "
            f"the form posts to the network ({error.message.splitlines()[0]})"
        ) from None
    expect_pending(page, 1)
    assert_nothing_reached(own_server, mark)


def test_a_phone_edit_older_than_the_managers_correction_is_told(
    phones: Phones, server: LiveServer, make_phone: PhoneFactory
) -> None:
    """The manager's later correction wins; the phone must say so, not drop it silently."""
    context = phones.launch(server)
    page = first_page(context)
    ready_for_the_field(page)
    start = earlier(240)
    log_intervention(page, "Told, chaufferie", start=start, end=start + timedelta(minutes=40))
    wait_for_empty_outbox(page)
    [row] = server_rows(server, "Told")

    # Offline, Julien changes it (the outbox's own call, as an edit screen would make it).
    context.set_offline(True)
    page.evaluate(
        """([uuid, data]) => AstreinteOutbox.enqueue("update", uuid, 2, data)""",
        [
            row["uuid"],
            {
                "started_at": row["started_at"],
                "ended_at": row["ended_at"],
                "place": "Told, chaufferie (Julien)",
            },
        ],
    )
    # Then Claire corrects it on the server.
    claire = make_phone(server)
    login(claire, MANAGER)
    claire.goto(f"/interventions/{row['uuid']}")
    claire.get_by_label("Lieu", exact=True).fill("Told, chaufferie (Claire)")
    with claire.expect_navigation():
        claire.get_by_role("button", name="Enregistrer la correction").tap()
    expect(claire.get_by_text("Correction enregistrée")).to_be_visible()

    context.set_offline(False)
    reload(page)
    wait_for_empty_outbox(page)
    assert [r["place"] for r in server_rows(server, "Told")] == ["Told, chaufferie (Claire)"]
    expect(page.get_by_text("Votre responsable a corrigé cette intervention")).to_be_visible()


# A long outbox: batches, turns, cuts --------------------------------------------------------------


def test_the_page_and_the_service_worker_replaying_at_once_send_each_batch_once(
    phones: Phones, own_server: LiveServer
) -> None:
    context = phones.launch(own_server)
    page = first_page(context)
    ready_for_the_field(page)
    go_offline(own_server)
    fill_outbox(page, 450, "Ensemble")  # three batches: 200, 200, 50
    assert len(outbox(page)) == 450
    # The list shows the first of them and how many more wait, not 450 lines.
    page.goto("/interventions")
    expect(outbox_title(page)).to_have_text("En attente d’envoi (450)")
    expect(page.locator("#outbox-list > li")).to_have_count(51)
    expect(page.locator("#outbox-list > li").last).to_have_text("… et 400 autres en attente")
    page.goto("/interventions/new")

    # From before the start: the service worker, asked to replay while the server was down,
    # tries again within seconds and may send as soon as it listens.
    since = len(own_server.log)
    own_server.start()
    # The service worker is asked to replay (as app.js does every minute, and Background Sync
    # does) while the page replays too, as it does on `online`.
    settled(
        page,
        """async () => {
            navigator.serviceWorker.controller.postMessage({type: "REPLAY"});
            return await AstreinteOutbox.replay();
        }""",
    )
    wait_for_empty_outbox(page)
    after_every_replay(page)
    rows = server_rows(own_server, "Ensemble")
    assert len(rows) == 450 and len({r["uuid"] for r in rows}) == 450
    log_caught_up(own_server)
    assert sync_posts(own_server, since) == [200, 200, 200], own_server.log[since:]


def still_phone_and_server_down(
    phones: Phones, own_server: LiveServer
) -> tuple[BrowserContext, Page]:
    """A phone ready for the field on the form, its page's timers standing still (only the
    replays a test starts run), and the server stopped."""
    context = phones.launch(own_server)
    page = first_page(context)
    ready_for_the_field(page)
    page.clock.install()
    page.goto("/interventions/new")
    page.clock.pause_at(datetime.now(PARIS) + timedelta(seconds=1))
    go_offline(own_server)
    return context, page


def test_a_replay_cut_off_half_way_and_run_again_sends_nothing_twice(
    phones: Phones, own_server: LiveServer
) -> None:
    context, page = still_phone_and_server_down(phones, own_server)
    fill_outbox(page, 450, "Coupure")

    # From before the start: the service worker, asked to replay while the server was down,
    # tries again within seconds and may send as soon as it listens.
    since = len(own_server.log)
    own_server.start()
    reached: list[list[str]] = []  # the op_ids of each request that reached the server
    cut: list[list[str]] = []

    def signal_lost_on_the_second_batch(route) -> None:
        op_ids = [op["op_id"] for op in route.request.post_data_json["operations"]]
        if len(reached) == 1 and not cut:
            cut.append(op_ids)
            route.abort("connectionreset")
        else:
            reached.append(op_ids)
            route.continue_()

    context.route("**" + SYNC_PATH, signal_lost_on_the_second_batch)
    outcome = settled(page, "() => AstreinteOutbox.replay().then(() => 'sent', () => 'failed')")
    assert outcome == "failed"
    assert len(server_rows(own_server, "Coupure")) == 200
    assert len(outbox(page)) == 250  # what was confirmed left the phone; the rest waits

    # The next chance (app open, `online`, the minute's retry) sends the rest, once.
    assert settled(page, "() => AstreinteOutbox.replay()") == 250
    assert outbox(page) == []
    rows = server_rows(own_server, "Coupure")
    assert len(rows) == 450 and len({r["uuid"] for r in rows}) == 450
    assert [len(request) for request in reached] == [200, 200, 50]
    assert reached[1] == cut[0]  # the batch cut off went first, whole
    every = [op_id for request in reached for op_id in request]
    assert len(set(every)) == len(every) == 450
    log_caught_up(own_server)
    assert sync_posts(own_server, since) == [200, 200, 200], own_server.log[since:]


def test_a_sync_that_never_answers_does_not_hold_the_outbox(
    phones: Phones, own_server: LiveServer
) -> None:
    context, page = still_phone_and_server_down(phones, own_server)
    fill_outbox(page, 3, "Muet")
    own_server.start()

    held = []

    def never_answer(route) -> None:
        held.append(route)  # the request left; no answer ever comes

    context.route("**" + SYNC_PATH, never_answer)
    page.evaluate("() => { AstreinteOutbox.replay().catch(() => { window.gaveUp = true; }); }")
    deadline = time.monotonic() + SYNC_WITHIN_S
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(20)  # Playwright hands the request to the route meanwhile
    assert len(held) == 1
    page.clock.run_for(21_000)
    wait_for_js(page, "() => window.gaveUp === true", what="the replay to give up")

    context.unroute_all(behavior="ignoreErrors")
    assert page.evaluate("() => AstreinteOutbox.replay()") == 3
    assert outbox(page) == []
    assert len(server_rows(own_server, "Muet")) == 3


# What app.js does on `online` and when the app opens: ask the service worker, once.
ASK_THE_SERVICE_WORKER_TO_REPLAY = (
    "() => navigator.serviceWorker.controller.postMessage({type: 'REPLAY'})"
)


def records_waiting_for_the_server(
    phones: Phones, own_server: LiveServer, count: int, prefix: str
) -> tuple[BrowserContext, Page]:
    """A phone with `count` records saved while the server was down, the server back up, and
    nothing asked to replay yet."""
    context = phones.launch(own_server)
    page = first_page(context)
    ready_for_the_field(page)
    go_offline(own_server)
    fill_outbox(page, count, prefix)
    own_server.start()
    return context, page


def test_a_network_back_before_it_carries_is_tried_again_within_seconds(
    phones: Phones, own_server: LiveServer
) -> None:
    """A phone says `online` before its radio carries anything: the replay that the app asks
    for then fails, and the outbox is tried again within seconds, not at the minute's round."""
    context, page = records_waiting_for_the_server(phones, own_server, 2, "Radio")

    tried: list[str] = []

    def not_yet_carrying(route) -> None:
        tried.append(route.request.url)
        if len(tried) <= 2:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    context.route("**" + SYNC_PATH, not_yet_carrying)
    settled(page, ASK_THE_SERVICE_WORKER_TO_REPLAY)
    wait_for_empty_outbox(page, timeout_s=10.0)
    assert len(tried) == 3, tried  # failed, failed 1 s later, sent 2 s after that
    assert len(server_rows(own_server, "Radio")) == 2
    context.unroute_all(behavior="wait")


def test_an_expired_session_is_not_asked_again_and_again(
    phones: Phones, own_server: LiveServer
) -> None:
    context, page = records_waiting_for_the_server(phones, own_server, 1, "Session")

    tried: list[str] = []

    def session_expired(route) -> None:
        tried.append(route.request.url)
        route.fulfill(status=401, json={"detail": "Connectez-vous."})

    context.route("**" + SYNC_PATH, session_expired)
    settled(page, ASK_THE_SERVICE_WORKER_TO_REPLAY)
    # Playwright hands requests to the route while the page waits; the first two retries of a
    # network failure would have come within these 5 s.
    page.wait_for_timeout(5_000)
    assert len(tried) == 1, tried
    assert [entry["op"]["data"]["place"] for entry in outbox(page)] == ["Session 0000"]
    context.unroute_all(behavior="wait")


def test_long_texts_go_in_smaller_requests_and_one_too_large_is_refused_alone(
    phones: Phones, own_server: LiveServer
) -> None:
    context, page = still_phone_and_server_down(phones, own_server)
    # 150 written at length (4,000 accented letters twice, 16 kB each: 2.4 MB in all, more than
    # the server takes in one request), and among them one pasted by mistake, over 2 MB alone.
    fill_outbox(page, 75, "Long A", "é" * 4000)
    fill_outbox(page, 1, "Énorme", "x" * 1_100_000)
    fill_outbox(page, 75, "Long B", "è" * 4000)

    # From before the start: the service worker, asked to replay while the server was down,
    # tries again within seconds and may send as soon as it listens.
    since = len(own_server.log)
    own_server.start()
    sizes: list[int] = []

    def measure(route) -> None:
        sizes.append(len(route.request.post_data_buffer))
        route.continue_()

    context.route("**" + SYNC_PATH, measure)
    assert settled(page, "() => AstreinteOutbox.replay()") == 150
    assert len(server_rows(own_server, "Long")) == 150
    assert server_rows(own_server, "Énorme") == []
    large = [size for size in sizes if size > 256 * 1024]
    assert len(large) == 1 and large[0] > 2_000_000, sizes  # the huge one, alone, once
    assert len(sizes) >= 10, sizes
    log_caught_up(own_server)
    assert sorted(set(sync_posts(own_server, since))) == [200, 413]

    # It waits on the phone, refused with the server's reason, to be shortened or deleted.
    page.goto("/interventions")
    expect_pending(page, 0)
    item = page.locator("#refused-list > li")
    expect(item.locator(".tag")).to_have_text("refusée")
    expect(item).to_contain_text("Énorme 0000")
    expect(item).to_contain_text("L’envoi est trop volumineux.")
