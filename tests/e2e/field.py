"""The phone in the field, shared by the offline tests (interventions, their timer and edits, the
rest clock, the clock change, a sync cut by a crash): a Chromium with a persistent profile (its
service worker, caches, IndexedDB and cookies on disk, so it can be closed and opened again like
a phone's browser), the steps a person takes with the form, the outbox as the page holds it,
and the server's side of it."""

from __future__ import annotations

import re
import urllib.request
import uuid as uuidlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import Browser, BrowserContext, Error, Page, expect

from server.demo.statements import FOUND as DEMO_FOUND
from tests.e2e.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PARIS,
    PHONE,
    STAFF,
    TIMEOUT_MS,
    local_input,
    login,
    port_refuses,
    read_rows,
    wait_for,
    wait_for_service_worker,
)

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer

SYNC_PATH = "/api/v1/sync/interventions"
# What the app warms for the field (app.js) and the person opens offline.
FIELD_PAGES = ["/", "/interventions", "/interventions/new", "/alerts", "/schedule/mine"]
SYNC_WITHIN_S = 15.0

READ_OUTBOX = """async () => {
  // Never create the database here: outbox.js creates its store on the first open.
  const names = (await indexedDB.databases()).map((d) => d.name);
  if (!names.includes("astreinte-outbox")) return [];
  return await new Promise((resolve, reject) => {
    const open = indexedDB.open("astreinte-outbox");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const request = db.transaction("operations").objectStore("operations").getAll();
      request.onsuccess = () => { db.close(); resolve(request.result); };
      request.onerror = () => { db.close(); reject(request.error); };
    };
  });
}"""


# A phone with a profile on disk ----------------------------------------------------------------


class Phones:
    """Chromium phones with persistent profiles; closed at the end of the test whatever happens."""

    def __init__(self, browser: Browser, root: Path) -> None:
        self.browser = browser
        self.root = root
        self.open: list[BrowserContext] = []

    def launch(self, live: LiveServer, name: str = "phone", **options) -> BrowserContext:
        context = self.browser.browser_type.launch_persistent_context(
            str(self.root / name),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            base_url=live.url,
            **{**PHONE, "timezone_id": "Europe/Paris", **options},
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.open.append(context)
        return context

    def close(self, context: BrowserContext) -> None:
        self.open.remove(context)
        context.close()


def first_page(context: BrowserContext) -> Page:
    return context.pages[0] if context.pages else context.new_page()


def ready_for_the_field(page: Page, *, visit: bool = True) -> None:
    """Logged in, the service worker in control, the field pages warmed; and, as a person
    does before leaving, the list and the form opened once (their scripts then cached)."""
    login(page, STAFF)
    wait_for_service_worker(page)
    version = page.evaluate("document.body.dataset.version")
    # page.wait_for_function does not await an async predicate (a Promise is truthy): poll.
    warmed = """async ([urls, name]) => {
        const hits = await Promise.all(urls.map((url) => caches.match(url, {cacheName: name})));
        return hits.every(Boolean);
    }"""
    arg = [FIELD_PAGES, f"astreinte-pages-{version}"]
    assert wait_for(lambda: settled(page, warmed, arg), 10), "the field pages were not warmed"
    if visit:
        for url in ("/interventions", "/interventions/new"):
            page.goto(url)
            expect(page.locator("h1")).to_be_visible()


def go_offline(live: LiveServer) -> int:
    """Stop the server: returns the access-log mark to prove later that nothing reached it."""
    live.stop()
    assert port_refuses(live.port), "the server still answers after stop()"
    return len(live.log)


def assert_nothing_reached(live: LiveServer, mark: int) -> None:
    assert port_refuses(live.port)
    assert len(live.log) == mark, live.log[mark:]


# The form and the outbox -----------------------------------------------------------------------


def instants(value: str) -> set[datetime]:
    """The instants a datetime-local field's Paris wall-clock time can mean: two in the hour
    that happens twice when the clocks go back, one otherwise."""
    wall = datetime.fromisoformat(value)
    return {wall.replace(tzinfo=PARIS, fold=fold).astimezone(UTC) for fold in (0, 1)}


def earlier(minutes: int) -> datetime:
    return datetime.now(PARIS).replace(second=0, microsecond=0) - timedelta(minutes=minutes)


# What Playwright says when the page navigated under it: the list reloads itself once a sync
# empties the outbox (interventions.js, OUTBOX_CHANGED), whatever the test was doing.
RACED = ("ERR_ABORTED", "interrupted by another", "Not attached", "context was destroyed")


def raced(error: Error) -> bool:
    return any(sign in str(error) for sign in RACED)


def open_the_form(page: Page) -> None:
    """Tap "Saisir une intervention" on the list. When the service worker's sync empties the
    outbox, the list reloads itself (interventions.js, OUTBOX_CHANGED) and that reload can win
    over a navigation just started: the person lands on the list again and taps once more."""
    heading = page.get_by_role("heading", level=1)
    for _attempt in range(3):
        try:
            page.goto("/interventions/new")
        except Error as error:
            if not raced(error):
                raise
        page.wait_for_load_state()
        if heading.inner_text() == "Saisir une intervention":
            return
    expect(heading).to_have_text("Saisir une intervention")


def log_intervention(
    page: Page,
    place: str,
    *,
    start: datetime,
    end: datetime,
    done: str = "Réarmement",
    after_tap: Callable[[], None] | None = None,
) -> None:
    """Open the form, fill it as a person does, save; the phone lands on the list."""
    open_the_form(page)
    page.get_by_label("Début", exact=True).fill(local_input(start))
    page.get_by_label("Fin", exact=True).fill(local_input(end))
    page.get_by_label("Lieu", exact=True).fill(place)
    page.get_by_label("Ce que j’ai fait", exact=True).fill(done)
    page.get_by_role("button", name="Enregistrer", exact=True).tap()
    if after_tap is not None:
        after_tap()
    page.wait_for_url(re.compile(r"/interventions$"))


def outbox_title(page: Page):
    return page.locator("#outbox-title")


def expect_pending(page: Page, count: int, timeout: int = TIMEOUT_MS) -> None:
    if count:
        expect(outbox_title(page)).to_have_text(f"En attente d’envoi ({count})", timeout=timeout)
        expect(page.locator("#outbox-list > li")).to_have_count(count)
    else:
        expect(page.locator("#outbox")).to_be_hidden(timeout=timeout)


def settled(page: Page, script: str, arg: object = None):
    """Evaluate in the page, again if the list reloaded itself meanwhile (it does when a sync
    empties the outbox) and took the script's context with it."""
    for _attempt in range(3):
        try:
            return page.evaluate(script, arg)
        except Error as error:
            if not raced(error):
                raise
            page.wait_for_load_state()
    return page.evaluate(script, arg)


def reload(page: Page) -> None:
    """Reload, as a person pulls down; a reload the list started by itself may win the race."""
    try:
        page.reload()
    except Error as error:
        if not raced(error):
            raise
    page.wait_for_load_state()


def outbox(page: Page) -> list[dict]:
    return settled(page, READ_OUTBOX)


def wait_for_empty_outbox(page: Page, timeout_s: float = SYNC_WITHIN_S) -> None:
    if not wait_for(lambda: settled(page, READ_OUTBOX) == [], timeout_s):
        raise AssertionError(f"the outbox still holds {outbox(page)}")


# The server's side ------------------------------------------------------------------------------


def server_rows(live: LiveServer, place_prefix: str = "") -> list[dict]:
    """Julien's interventions in the server's database file (not deleted), oldest first; the
    demo's call-outs of past months (seeded for its statements) left out."""
    return read_rows(
        live,
        "SELECT i.uuid, i.place, i.started_at, i.ended_at FROM interventions i "
        "JOIN users u ON u.id = i.user_id "
        "WHERE u.email = ? AND i.deleted_at IS NULL AND i.place LIKE ? AND i.found != ? "
        "ORDER BY i.id",
        (STAFF, place_prefix + "%", DEMO_FOUND),
    )


def sync_posts(live: LiveServer, since: int) -> list[int]:
    return [s for m, p, s in live.requests(since) if m == "POST" and p == SYNC_PATH]


# A long outbox: batches, turns, cuts --------------------------------------------------------------

# `count` creates straight into the outbox through its own call, as the form makes them, half an
# hour each, the latest ending an hour ago; `text` fills what was found and what was done.
FILL_OUTBOX = """async ([count, prefix, text]) => {
  const end = Date.now() - 3600 * 1000;
  for (let first = 0; first < count; first += 250) {
    const saving = [];
    for (let i = first; i < Math.min(count, first + 250); i++) {
      const start = end - 1800 * 1000 - i * 60000;
      saving.push(AstreinteOutbox.enqueue("create", AstreinteOutbox.uuid(), 1, {
        started_at: new Date(start).toISOString(),
        ended_at: new Date(start + 1800 * 1000).toISOString(),
        mode: "on_site", place: prefix + " " + String(i).padStart(4, "0"), travel_minutes: 0,
        alert_id: null, found: text, done: text, outcome: "resolved"}));
    }
    await Promise.all(saving);
  }
}"""

REPLAY_LOCK = "astreinte-outbox-replay"


def fill_outbox(page: Page, count: int, prefix: str, text: str = "Réarmement") -> None:
    settled(page, FILL_OUTBOX, [count, prefix, text])


def after_every_replay(page: Page) -> None:
    """Wait for the replays already started or waiting their turn (pages and service worker
    queue on the same Web Lock, first come first served) to be over."""
    settled(page, f"() => navigator.locks.request({REPLAY_LOCK!r}, () => true)")


def log_caught_up(live: LiveServer) -> None:
    """Every request answered so far is in the access log: one made after them shows there."""
    mark = f"/healthz?mark={uuidlib.uuid4().hex}"
    with urllib.request.urlopen(live.url + mark, timeout=5):
        pass
    assert wait_for(lambda: any(mark in line for line in live.log)), "the access log is stuck"
