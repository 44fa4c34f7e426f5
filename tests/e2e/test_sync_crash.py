"""The server killed (SIGKILL: no shutdown, nothing flushed) in the middle of a phone's sync:
once it runs again, every intervention saved offline is there exactly once.

The phone holds 450 interventions (three batches: 200, 200, 50) and its service worker sends
them. The first or the second batch is let through to the server, and the server process is
killed at one of the two moments that matter, made exact rather than left to timing:

* before the commit: the test holds the database's write lock, so the server takes the batch
  in and waits inside its handler to write it; it dies there, the batch not written;
* after the commit: the batch is written and answered, and the server dies before the answer
  reaches the phone (Playwright fetches it and drops it), so the phone never hears of it.

Either way the phone keeps the batch and sends it again, whole, when the server is back; the
server applies what it lacks and recognises by op_id what it already has."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections import Counter

import pytest
from playwright.sync_api import Error, Route

from tests.e2e.conftest import LiveServer
from tests.e2e.field import (
    SYNC_PATH,
    Phones,
    after_every_replay,
    expect_pending,
    fill_outbox,
    first_page,
    go_offline,
    log_caught_up,
    outbox,
    ready_for_the_field,
    server_rows,
    settled,
    sync_posts,
    wait_for_empty_outbox,
)

PREFIX = "Kill"
COUNT = 450
BATCH = 200  # service_worker/outbox.js
# The page asks the service worker to send what waits, as app.js does on load and `online`.
ASK_THE_WORKER = "() => navigator.serviceWorker.controller.postMessage({type: 'REPLAY'})"
# Where the server's main thread sleeps while SQLite's busy handler waits for the write lock.
WAITING_FOR_THE_LOCK = "hrtimer_nanosleep"


def batches(count: int) -> list[int]:
    """The sizes of the requests that send `count` waiting entries, oldest first."""
    return [min(BATCH, count - first) for first in range(0, count, BATCH)]


def database_path(live: LiveServer) -> str:
    return str(live.data_dir / "astreinte.db")


def audited_creates(live: LiveServer, uuids: set[str]) -> Counter:
    """How many `intervention.create` audit entries each of these records has."""
    with contextlib.closing(sqlite3.connect(f"file:{database_path(live)}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT entity_id FROM audit_log WHERE action = 'intervention.create'"
        ).fetchall()
    return Counter(entity_id for (entity_id,) in rows if entity_id in uuids)


class Crash:
    """The route on the sync URL: lets requests through, kills the server on the `nth` at the
    `moment` asked, and then notes what each request to the restarted server carried and was
    answered."""

    def __init__(self, live: LiveServer, nth: int, moment: str) -> None:
        self.live = live
        self.nth = nth
        self.moment = moment
        self.seen = 0
        self.killed_batch: list[str] = []  # the op_ids of the batch the server died on
        self.server_was_in_it = False  # before the commit: the handler was waiting to write
        self.resent: list[list[str]] = []  # op_ids of each request to the restarted server
        self.statuses: list[Counter] = []  # and the server's answer to each of their ops

    def __call__(self, route: Route) -> None:
        self.seen += 1
        op_ids = [op["op_id"] for op in route.request.post_data_json["operations"]]
        if self.seen == self.nth:
            self.killed_batch = op_ids
            if self.moment == "before-commit":
                self.kill_before_the_commit(route)
            else:
                self.kill_after_the_commit(route)
        elif self.killed_batch and self.live.running:
            response = route.fetch()
            self.resent.append(op_ids)
            self.statuses.append(Counter(r["status"] for r in response.json()["results"]))
            route.fulfill(response=response)
        else:
            with contextlib.suppress(Error):  # to the dead server: fails, as it should
                route.continue_()

    def kill_before_the_commit(self, route: Route) -> None:
        lock = sqlite3.connect(database_path(self.live), timeout=10, isolation_level=None)
        try:
            lock.execute("BEGIN IMMEDIATE")
            route.continue_()
            # The server's busy timeout is 10 s: it waits for the lock well past this.
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                if self.live.waiting_in() == WAITING_FOR_THE_LOCK:
                    self.server_was_in_it = True
                    break
                time.sleep(0.005)
            self.live.kill()
        finally:
            lock.rollback()
            lock.close()

    def kill_after_the_commit(self, route: Route) -> None:
        response = route.fetch()  # written and answered; the answer is held here
        assert response.status == 200, response.text()
        self.live.kill()
        route.abort("connectionreset")


@pytest.mark.parametrize("moment", ["before-commit", "after-commit"])
@pytest.mark.parametrize("nth", [1, 2], ids=["first-batch", "second-batch"])
def test_a_server_killed_during_a_sync_ends_up_with_everything_once(
    phones: Phones, own_server: LiveServer, nth: int, moment: str
) -> None:
    context = phones.launch(own_server)
    page = first_page(context)
    ready_for_the_field(page)
    go_offline(own_server)
    fill_outbox(page, COUNT, PREFIX)
    uuids = {entry["uuid"] for entry in outbox(page)}
    assert len(uuids) == COUNT

    own_server.start()
    crash = Crash(own_server, nth, moment)
    context.route("**" + SYNC_PATH, crash)
    settled(page, ASK_THE_WORKER)
    deadline = time.monotonic() + 15
    while own_server.running and time.monotonic() < deadline:
        page.wait_for_timeout(20)  # Playwright hands the requests to the route meanwhile
    assert not own_server.running, f"the server was not killed ({crash.seen} requests seen)"
    assert len(crash.killed_batch) == BATCH
    if moment == "before-commit":
        assert crash.server_was_in_it, "the server never started writing the batch"

    # Dead, the server holds the batches before the one it died on, and that one whole if it
    # died after writing it, not at all if before.
    sent_before = BATCH * (nth - 1)
    written = sent_before + (BATCH if moment == "after-commit" else 0)
    assert len(server_rows(own_server, PREFIX)) == written
    # The phone, never told, keeps that batch and all behind it (the worker's replay failed
    # on the dead server and retries after 1, 2, 4… s: wait out the attempt under way).
    after_every_replay(page)
    left = COUNT - sent_before
    assert len(outbox(page)) == left

    since = len(own_server.log)  # the attempts on the dead server are not in it
    own_server.start()
    settled(page, ASK_THE_WORKER)  # the app asks again when it opens or the network is back
    wait_for_empty_outbox(page, timeout_s=20)
    after_every_replay(page)

    rows = server_rows(own_server, PREFIX)
    assert len(rows) == COUNT
    assert {r["uuid"] for r in rows} == uuids  # each one there, none twice
    assert audited_creates(own_server, uuids) == Counter(dict.fromkeys(uuids, 1))
    # What was left went again from the oldest, the batch the server died on first, whole;
    # the server applied what it lacked and knew the rest by op_id.
    assert [len(request) for request in crash.resent] == batches(left)
    assert crash.resent[0] == crash.killed_batch
    every = [op_id for request in crash.resent for op_id in request]
    assert len(set(every)) == len(every) == left
    first_answer = "already_applied" if moment == "after-commit" else "applied"
    expected = [Counter({first_answer: BATCH})] + [Counter(applied=n) for n in batches(left)[1:]]
    assert crash.statuses == expected
    log_caught_up(own_server)
    assert sync_posts(own_server, since) == [200] * len(batches(left)), own_server.log[since:]

    context.unroute_all(behavior="wait")
    page.goto("/interventions")
    expect_pending(page, 0)
