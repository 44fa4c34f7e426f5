"""Interventions (a): a phone's outbox of 10,000 drained when the server returns.

A real Chromium logs in, its service worker takes control, `/interventions` loads
`/sw/outbox.js`; the server is stopped, 10,000 creates go into the page's IndexedDB outbox
through `AstreinteOutbox.enqueue`, the server starts again on the same port and data folder, and
the page's `AstreinteOutbox.replay()` is timed until the database holds the 10,000 rows and the
outbox is empty.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import statistics
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from bench import foundation, servers
from bench.foundation import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, STAFF
from bench.interventions_common import BATCH, COUNT_ROWS, SYNC_PATH, count_rows, verdict
from bench.page_weight import WAIT_FOR_CONTROLLER

OUTBOX_ITEMS, DRAIN_RUNS, DRAIN_GOAL_S = 10_000, 3, 10.0
DRAIN_TIMEOUT_S = 300.0
POLL_S = 0.01
# The page the drain runs on: the list (redrawn as batches go), and once the form (no list).
DRAIN_PAGES = ["/interventions"] * DRAIN_RUNS + ["/interventions/new"]
# What the list on /interventions reads per draw, and shows (web/static/interventions.js).
LIST_READ, LIST_SHOWN = 200, 50
# The foundation benchmark's phone, on the Paris clock the interventions are written in.
PHONE = {**foundation.PHONE, "timezone_id": "Europe/Paris"}


def post_count(server: servers.Server) -> int:
    return server.log_since(0).count(f'"POST {SYNC_PATH} HTTP/1.1" 200')


# The page asks its service worker to replay every minute (app.js). The Web Lock makes that
# replay wait for the page's and then find nothing; but one that came first would do the sending
# itself and, the outbox empty, reload the page under the measurement. While the measured replay
# runs, the page's REPLAY messages are counted and held back.
HOLD_REPLAY = """(() => {
  window.__benchHeld = 0;
  const post = ServiceWorker.prototype.postMessage;
  ServiceWorker.prototype.postMessage = function (message) {
    if (window.__benchHold && message && message.type === "REPLAY") {
      window.__benchHeld += 1;
      return undefined;
    }
    return post.apply(this, arguments);
  };
})();"""

ENQUEUE = """async ([count, endMs]) => {
  const hour = 3600 * 1000;
  const began = performance.now();
  for (let first = 0; first < count; first += 250) {
    const saving = [];
    for (let i = first; i < Math.min(count, first + 250); i++) {
      const start = endMs - hour - i * 60000;
      saving.push(AstreinteOutbox.enqueue("create", AstreinteOutbox.uuid(), 1, {
        started_at: new Date(start).toISOString(), ended_at: new Date(start + hour).toISOString(),
        mode: "on_site", place: "Site " + i + ", chaufferie", travel_minutes: 15, alert_id: null,
        found: "Disjoncteur de la pompe déclenché", done: "Réarmement, contrôle de l'isolement",
        outcome: "resolved"}));
    }
    await Promise.all(saving);
  }
  return performance.now() - began;
}"""

PENDING = """async () => {
  const records = await AstreinteOutbox.records();
  return {records: records.length, waiting: records.filter((r) => r.state === "waiting").length};
}"""

# Resource Timing, not the fetch promise: the answer's arrival is stamped by the network stack
# even while the page's thread is busy redrawing its list.
REPLAY = """async ([path, timeoutMs]) => {
  performance.clearResourceTimings();
  window.__benchHold = true;
  const began = performance.now();
  const sent = await Promise.race([AstreinteOutbox.replay(), new Promise((_, reject) =>
    setTimeout(() => reject(new Error("replay still running after " + timeoutMs + " ms")),
               timeoutMs))]);
  const spent = performance.now() - began;
  window.__benchHold = false;
  const fetches = performance.getEntriesByType("resource")
    .filter((entry) => new URL(entry.name).pathname === path)
    .map((entry) => ({began: entry.startTime, answered: entry.responseEnd}));
  return {sent, ms: spent, fetches, held: window.__benchHeld};
}"""

# Reading the outbox whole (a cursor, as `replay()` did before each batch, or getAll()) against
# what the replay reads before each request (one batch) and what the list draws from.
READ_COSTS = """async ([batch, listed]) => {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open("astreinte-outbox");
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const read = (make) => new Promise((resolve, reject) => {
    const request = make(db.transaction("operations").objectStore("operations"));
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const timed = async (work) => {
    const began = performance.now();
    await work();
    return performance.now() - began;
  };
  const costs = {
    records: await timed(() => AstreinteOutbox.records()),
    get_all: await timed(() => read((store) => store.getAll())),
    get_batch: await timed(() => read((store) => store.getAll(null, batch))),
    first_records: await timed(() => AstreinteOutbox.firstRecords(listed)),
  };
  db.close();
  return costs;
}"""


class RowWatcher:
    """Polls the database file (read-only) until it holds `target` interventions."""

    def __init__(self, database_path: Path, target: int) -> None:
        self.database_path, self.target = database_path, target
        self.reached_at: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        uri = f"file:{self.database_path}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
            while not self._stop.is_set():
                if conn.execute(COUNT_ROWS).fetchone()[0] >= self.target:
                    self.reached_at = time.perf_counter()
                    return
                time.sleep(POLL_S)

    def __enter__(self) -> RowWatcher:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(5)


def restartable(data_dir: Path, port: int, start: int, *, log_level: str):
    """`astreinte serve` on a fixed port and data folder, so it can come back as it was."""
    url = f"http://127.0.0.1:{port}"
    return servers.serving(
        "astreinte",
        [str(servers.ASTREINTE), "serve", "--host", "127.0.0.1", "--port", str(port)],
        port=port,
        log_path=data_dir / f"server-{start}.log",
        env={
            "ASTREINTE_DATA_DIR": str(data_dir),
            "ASTREINTE_BASE_URL": url,
            "ASTREINTE_LOG_LEVEL": log_level.upper(),
        },
    )


def port_refuses(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:port: the phone cannot reach the server."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def ready_phone(page: Page, url: str, path: str) -> None:
    """Log in through the form, the service worker in control, `path` (loads outbox.js) open."""
    page.goto(url + "/login")
    page.fill("input[name=email]", STAFF)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")
    if "/login" in page.url:
        raise RuntimeError(f"the login form did not log {STAFF} in: {page.url}")
    page.evaluate(WAIT_FOR_CONTROLLER)
    page.goto(url + path, wait_until="load")
    if page.evaluate("() => typeof AstreinteOutbox") != "object":
        raise RuntimeError(f"{path} did not load /sw/outbox.js")
    page.evaluate(WAIT_FOR_CONTROLLER)


def drain_once(browser, data_dir: Path, path: str) -> dict:
    port = servers.free_port()
    context = browser.new_context(**PHONE)
    context.set_default_timeout(30_000)
    context.add_init_script(HOLD_REPLAY)
    try:
        page = context.new_page()
        with restartable(data_dir, port, 1, log_level="info") as first:
            ready_phone(page, first.url, path)
            time.sleep(1.0)  # the worker's warm-up fetches after the login finish
        if not port_refuses(port):
            raise RuntimeError(f"the server still answers on {port} after stopping")
        database = data_dir / "astreinte.db"
        end_ms = int(datetime.now(UTC).timestamp() * 1000) - 3_600_000
        enqueue_ms = page.evaluate(ENQUEUE, [OUTBOX_ITEMS, end_ms])
        pending = page.evaluate(PENDING)
        if pending["waiting"] != OUTBOX_ITEMS or count_rows(database) != 0:
            raise RuntimeError(f"expected {OUTBOX_ITEMS} waiting and none on the server: {pending}")
        reads = page.evaluate(READ_COSTS, [BATCH, LIST_READ])
        with restartable(data_dir, port, 2, log_level="info") as second:
            with RowWatcher(database, OUTBOX_ITEMS) as watcher:
                began = time.perf_counter()
                replay = page.evaluate(REPLAY, [SYNC_PATH, DRAIN_TIMEOUT_S * 1000])
                resolved = time.perf_counter()
                deadline = resolved + DRAIN_TIMEOUT_S
                while watcher.reached_at is None and time.perf_counter() < deadline:
                    time.sleep(POLL_S)
            left = page.evaluate(PENDING)
            rows = count_rows(database)
            posts = post_count(second)
        if watcher.reached_at is None or rows != OUTBOX_ITEMS or left["records"]:
            raise RuntimeError(f"not drained: {rows} rows, outbox {left}, replay {replay}")
    finally:
        context.close()
    in_fetch = sum(f["answered"] - f["began"] for f in replay["fetches"]) / 1000
    return {
        "kind": "drain",
        "page": path,
        "enqueue_s": enqueue_ms / 1000,
        "pending": pending["waiting"],
        "reads_ms": reads,
        "held_replays": replay["held"],
        "drain_s": max(watcher.reached_at, resolved) - began,
        "rows_at_s": watcher.reached_at - began,
        "replay_s": resolved - began,
        "sent": replay["sent"],
        "requests": len(replay["fetches"]),
        "posts_in_log": posts,
        "in_fetch_s": in_fetch,
        "between_fetches_s": replay["ms"] / 1000 - in_fetch,
    }


def drains(root: Path) -> tuple[list[dict], str]:
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            version = browser.version
            for number, path in enumerate(DRAIN_PAGES, 1):
                data_dir = root / f"drain-{number}"
                data_dir.mkdir()
                rows.append({"run": number, **drain_once(browser, data_dir, path)})
                print(f"drain {number} on {path}: {rows[-1]['drain_s']:.2f} s", flush=True)
        finally:
            browser.close()
    return rows, version


# Report -----------------------------------------------------------------------------------------


def drain_section(drain: list[dict]) -> list[str]:
    listed = [row for row in drain if row["page"] == DRAIN_PAGES[0]]
    median = statistics.median(row["drain_s"] for row in listed)
    out = [
        f"**Outbox drain**: {len(listed)} runs on `{DRAIN_PAGES[0]}` (the phone's list of "
        "interventions, which shows what waits), then one on `/interventions/new` (the form, "
        "no list) to tell the page's re-rendering apart; each run on a fresh data folder and a "
        f"fresh browser context. Chromium logs in as {STAFF} through the form, waits for the "
        "service worker to control the page, opens the page; the server is stopped (its port "
        f"refuses connections) and {OUTBOX_ITEMS:,} creates go into the page's IndexedDB outbox "
        "through `AstreinteOutbox.enqueue` (250 at a time), all checked waiting; then `astreinte "
        "serve` starts again on the same port and folder (log level INFO: one access line per "
        "request). Timed from calling `AstreinteOutbox.replay()` "
        f"in the page until the database (polled read-only every {POLL_S * 1000:.0f} ms) holds "
        f"the {OUTBOX_ITEMS:,} rows and the replay has resolved, the outbox then checked empty. "
        "*Server*: the sync requests' time on the wire, request sent to answer received "
        "(Resource Timing); *page*: the rest, the page reading each batch from its outbox, "
        "deleting what was sent, redrawing its list. app.js asks the service worker to replay "
        "every minute: with the Web Lock that replay waits for the page's and then finds nothing "
        "to send, but one that came first would do the sending itself and reload the page at "
        "the end; while the measured replay runs, those requests (*ticks held*) are held back, "
        "and the access log confirms one POST per batch.",
        "",
        "| run | page | enqueue s | **drain s** | rows all in at s | replay resolved s | "
        "POSTs (page / log) | ticks held | server s | page s |",
        "|---:|---|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for row in drain:
        out.append(
            f"| {row['run']} | `{row['page']}` | {row['enqueue_s']:.1f} | "
            f"**{row['drain_s']:.2f}** | {row['rows_at_s']:.2f} | {row['replay_s']:.2f} | "
            f"{row['requests']} / {row['posts_in_log']} | {row['held_replays']} | "
            f"{row['in_fetch_s']:.2f} | "
            f"{row['between_fetches_s']:.2f} |"
        )
    server = statistics.median(row["in_fetch_s"] for row in listed)
    page = statistics.median(row["between_fetches_s"] for row in listed)
    reads = {key: statistics.median(row["reads_ms"][key] for row in drain) for key in READ_KEYS}
    batches = -(-OUTBOX_ITEMS // BATCH)
    # Reading every entry left before each batch, as replay() did: 10,000, 9,800 … 200.
    entries_read = sum(OUTBOX_ITEMS - BATCH * n for n in range(batches))
    overlapped = [str(row["run"]) for row in drain if row["posts_in_log"] != row["requests"]]
    if overlapped:
        out += [
            "",
            f"Runs {', '.join(overlapped)}: the server got more POSTs than the page sent: "
            "something else replayed alongside.",
        ]
    out += [
        "",
        f"**Median drain on `{DRAIN_PAGES[0]}`: {median:.2f} s** for {OUTBOX_ITEMS:,} "
        f"interventions ({OUTBOX_ITEMS / median:,.0f} items/s; goal ≤ {DRAIN_GOAL_S:.0f} s: "
        f"{verdict(median <= DRAIN_GOAL_S)}). The server's part: {server:.2f} s; the page's: "
        f"{page:.2f} s.",
        "",
        f"Reading the outbox with {OUTBOX_ITEMS:,} entries waiting, in the same page (medians "
        f"of all runs): the whole of it, `AstreinteOutbox.records()` (a cursor) "
        f"{reads['records']:.0f} ms or one `getAll()` {reads['get_all']:.0f} ms; one batch, "
        f"`getAll(range, {BATCH})`, {reads['get_batch']:.1f} ms. `replay()` reads only the next "
        f"batch before each request: {batches} reads, ≈ "
        f"{reads['get_batch'] * batches / 1000:.2f} s in all, where reading the whole outbox "
        f"before each batch ({entries_read:,} entries) cost ≈ "
        f"{reads['records'] * entries_read / OUTBOX_ITEMS / 1000:.1f} s at the cursor's rate. "
        f"The list on `{DRAIN_PAGES[0]}` draws from `AstreinteOutbox.firstRecords({LIST_READ})` "
        f"(the first {LIST_READ} entries and the outbox's count, "
        f"{reads['first_records']:.1f} ms), shows at most {LIST_SHOWN} records and how many more "
        "wait, and redraws at most once at a time however many batches announce themselves.",
    ]
    return out


READ_KEYS = ("records", "get_all", "get_batch", "first_records")
