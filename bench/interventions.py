"""Interventions: a phone's outbox of 10,000 drained when the server returns, sync throughput.

(a) A real Chromium logs in, its service worker takes control, `/interventions` loads
`/sw/outbox.js`; the server is stopped, 10,000 creates go into the page's IndexedDB outbox
through `AstreinteOutbox.enqueue`, the server starts again on the same port and data folder, and
the page's `AstreinteOutbox.replay()` is timed until the database holds the 10,000 rows and the
outbox is empty. (b) The sync endpoint, batches of 200 posted by a logged-in HTTP client, against
a batched `executemany` of the same rows into a fresh SQLite file. (c) Where `apply_operation`
spends its time, in process: cProfile, the SQL it runs, the WAL pages it writes, and what one
transaction per batch, no re-read, no audit row or a set-based batch would save. (d) A sync
request inside the server process, under cProfile: the handler against Litestar around it.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import signal
import socket
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid as uuidlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import httpx
import msgspec
import uvicorn
from playwright.sync_api import Page, sync_playwright

from bench import servers
from bench.foundation import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, STAFF, log_in
from bench.page_weight import WAIT_FOR_CONTROLLER
from server.accounts.store import current_user, user_row_by_email
from server.app import create_app
from server.auth.middleware import SESSION_COOKIE
from server.auth.store import create_session
from server.clock import to_db
from server.db import Database, open_database
from server.demo import seed_demo
from server.interventions import store
from server.interventions.models import MAX_BATCH, Operation, OpResult
from server.interventions.routes import decode_operation
from server.interventions.rules import problem
from server.settings import load_settings

TITLE = "Interventions: 10,000 queued on a phone drained on reconnection, sync throughput"
OUTBOX_ITEMS, DRAIN_RUNS, DRAIN_GOAL_S = 10_000, 3, 10.0
SYNC_ITEMS, ROUNDS, WARMUP_BATCHES, RATIO_GOAL = 20_000, 3, 2, 0.25
BATCH = MAX_BATCH  # 200: what outbox.js sends and the endpoint accepts
PROFILE_BATCHES, PROFILED_BATCHES = 20, 5
LOG_LEVEL = "warning"
DRAIN_TIMEOUT_S = 300.0
POLL_S = 0.01
SYNC_PATH = "/api/v1/sync/interventions"
# The page the drain runs on: the list (re-rendered after each batch), and once the form (no list).
DRAIN_PAGES = ["/interventions"] * DRAIN_RUNS + ["/interventions/new"]
PHONE = {
    "viewport": {"width": 360, "height": 640},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "fr-FR",
    "timezone_id": "Europe/Paris",
}


def intervention(number: int, now: datetime) -> dict:
    """What the form would send: an hour on site, finished at least an hour ago."""
    start = now - timedelta(hours=2, minutes=number)
    return {
        "started_at": start.isoformat(),
        "ended_at": (start + timedelta(hours=1)).isoformat(),
        "mode": "on_site",
        "place": f"Site {number}, chaufferie",
        "travel_minutes": 15,
        "alert_id": None,
        "found": "Disjoncteur de la pompe déclenché",
        "done": "Réarmement, contrôle de l'isolement",
        "outcome": "resolved",
    }


def create_ops(count: int, now: datetime) -> list[dict]:
    return [
        {
            "op": "create",
            "op_id": str(uuidlib.uuid4()),
            "uuid": str(uuidlib.uuid4()),
            "version": 1,
            "changed_at": now.isoformat(),
            "data": intervention(number, now),
        }
        for number in range(count)
    ]


def count_rows(database_path: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{database_path}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT count(*) FROM interventions").fetchone()[0]


def post_count(server: servers.Server) -> int:
    return server.log_since(0).count(f'"POST {SYNC_PATH} HTTP/1.1" 200')


# (a) The phone's outbox drained ------------------------------------------------------------------

# The page asks its service worker to replay every minute (app.js); that replay knows nothing of
# the page's own, so it would send the same batches alongside and, on finishing, reload the page.
# While the measured replay runs, the page's REPLAY messages are counted and held back.
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
# even while the page's thread is busy re-rendering its list.
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

# The outbox's own full read (a cursor, as `replay()` does before each batch) against getAll().
READ_COSTS = """async () => {
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
    get_batch: await timed(() => read((store) => store.getAll(null, 200))),
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
                if conn.execute("SELECT count(*) FROM interventions").fetchone()[0] >= self.target:
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
        reads = page.evaluate(READ_COSTS)
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


# (b) The endpoint against a raw batched insert -----------------------------------------------


def raw_columns(op: dict, user_id: int, team_id: int, now: datetime) -> tuple:
    """The interventions row the endpoint writes for a create, as the endpoint formats it."""
    data = op["data"]
    return (
        op["uuid"],
        user_id,
        team_id,
        to_db(datetime.fromisoformat(data["started_at"])),
        to_db(datetime.fromisoformat(data["ended_at"])),
        data["travel_minutes"],
        data["place"],
        data["mode"],
        data["found"],
        data["done"],
        data["outcome"],
        op["version"],
        to_db(datetime.fromisoformat(op["changed_at"])),
        to_db(now),
        to_db(now),
        to_db(now),
    )


RAW_INSERT = (
    "INSERT INTO interventions (uuid, user_id, team_id, started_at, ended_at, travel_minutes, "
    "place, mode, found, done, outcome, client_version, client_changed_at, server_changed_at, "
    "created_at, updated_at) VALUES (" + ", ".join("?" * 16) + ")"
)


def raw_round(database: Database, ops: list[dict], user_id: int, team_id: int) -> float:
    now = datetime.now(UTC)
    rows = [raw_columns(op, user_id, team_id, now) for op in ops]
    began = time.perf_counter()
    for first in range(0, len(rows), BATCH):
        database.conn.execute("BEGIN IMMEDIATE")
        database.conn.executemany(RAW_INSERT, rows[first : first + BATCH])
        database.conn.execute("COMMIT")
    return len(rows) / (time.perf_counter() - began)


def post_batches(client: httpx.Client, ops: list[dict]) -> float:
    bodies = [
        msgspec.json.encode({"operations": ops[first : first + BATCH]})
        for first in range(0, len(ops), BATCH)
    ]
    began = time.perf_counter()
    answers = [client.post(SYNC_PATH, content=body) for body in bodies]
    spent = time.perf_counter() - began
    for answer in answers:
        answer.raise_for_status()
        statuses = {result["status"] for result in answer.json()["results"]}
        if statuses != {"applied"}:
            raise RuntimeError(f"the endpoint did not apply every item: {statuses}")
    return len(ops) / spent


def in_process_round(database: Database, user, ops: list[dict]) -> float:
    """`apply_operation` as the endpoint calls it, without the request around it."""
    decoded = _decode(ops)
    began = time.perf_counter()
    for first in range(0, len(decoded), BATCH):
        _apply_batch(database, user, decoded[first : first + BATCH], one_transaction=False)
    return len(ops) / (time.perf_counter() - began)


def seeded(path: Path) -> Database:
    """A fresh database with the app's schema and pragmas and the demo company (same ids as
    the server's)."""
    database = open_database(path)
    seed_demo(database, datetime.now(UTC))
    return database


# name → what it measures; the order of the rounds alternates.
SIDES = {
    "endpoint": "sync endpoint (HTTP)",
    "raw": "raw batched insert",
    "in_process": "`apply_operation` in process, as shipped",
}


def throughput(root: Path) -> list[dict]:
    (root / "endpoint").mkdir()
    with contextlib.ExitStack() as stack:
        raw_db = stack.enter_context(contextlib.closing(seeded(root / "raw.db")))
        apply_db = stack.enter_context(contextlib.closing(seeded(root / "in-process.db")))
        user = current_user(raw_db, user_row_by_email(raw_db, STAFF)["id"])
        server = stack.enter_context(servers.astreinte(root / "endpoint", log_level=LOG_LEVEL))
        client = stack.enter_context(
            httpx.Client(
                base_url=server.url,
                cookies=log_in(server.url),
                headers={"Content-Type": "application/json"},
                timeout=120,
            )
        )
        post_batches(client, create_ops(WARMUP_BATCHES * BATCH, datetime.now(UTC)))
        in_process_round(apply_db, user, create_ops(WARMUP_BATCHES * BATCH, datetime.now(UTC)))
        measure: dict[str, Callable[[list[dict]], float]] = {
            "endpoint": lambda ops: post_batches(client, ops),
            "raw": lambda ops: raw_round(raw_db, ops, user.id, user.team_ids[0]),
            "in_process": lambda ops: in_process_round(apply_db, user, ops),
        }
        rates: dict[str, list[float]] = {side: [] for side in SIDES}
        for number in range(ROUNDS):
            ops = create_ops(SYNC_ITEMS, datetime.now(UTC))
            for side in list(SIDES) if number % 2 == 0 else reversed(SIDES):
                rates[side].append(measure[side](ops))
            print(f"round {number + 1}: {rates}", flush=True)
        stored = count_rows(root / "endpoint" / "astreinte.db")
    warm = WARMUP_BATCHES * BATCH
    expected = (ROUNDS * SYNC_ITEMS + warm, ROUNDS * SYNC_ITEMS)
    if (stored, count_rows(root / "raw.db")) != expected:
        raise RuntimeError(f"rows stored {stored}; expected {expected}")
    return [
        {"kind": "throughput", "side": side, "items_per_s": statistics.median(r), "rounds": r}
        for side, r in rates.items()
    ]


# (c) Where apply_operation's time goes --------------------------------------------------------

# (label, file, function, caller or None): cumulative time, split by caller where one function
# serves several steps.
STEPS = (
    ("BEGIN IMMEDIATE + COMMIT (`Database.write`)", "server/db.py", "write", None),
    ("replay check: SELECT sync_operations", "server/db.py", "one", "apply_operation"),
    ("existing row: SELECT interventions JOIN users", "server/db.py", "one", "_apply"),
    ("rules `problem`", "interventions/rules.py", "problem", None),
    ("team `_team_for`", "interventions/store.py", "_team_for", None),
    ("columns `_data_columns` (to_db)", "interventions/store.py", "_data_columns", None),
    ("INSERT interventions", "server/db.py", "insert", "_apply"),
    ("re-read `get_intervention` after insert", "interventions/store.py", "get_intervention", None),
    ("audit row `record` (snapshot + INSERT)", "audit/store.py", "record", None),
    ("INSERT sync_operations", "server/db.py", "insert", "apply_operation"),
)


def _cumulative(stats: dict, path: str, name: str, caller: str | None) -> float:
    total = 0.0
    for (file, _line, function), (_cc, _nc, _tt, ct, callers) in stats.items():
        if not (file.endswith(path) and function == name):
            continue
        if caller is None:
            total += ct
        else:
            total += sum(v[3] for k, v in callers.items() if k[2] == caller)
    return total


def _apply_batch(database: Database, user, ops: list, *, one_transaction: bool) -> float:
    now = datetime.now(UTC)
    began = time.perf_counter()
    with database.write() if one_transaction else contextlib.nullcontext():
        results = [store.apply_operation(database, user, op, now) for op in ops]
    spent = time.perf_counter() - began
    if {result.status for result in results} != {"applied"}:
        raise RuntimeError(f"apply_operation did not apply every item: {results[:3]}")
    return spent / len(ops)


AUDIT_INSERT = (
    "INSERT INTO audit_log (at, actor_user_id, actor, action, entity_type, entity_id, team_id, "
    "after) VALUES (?, ?, ?, 'intervention.create', 'intervention', ?, ?, ?)"
)
SYNC_INSERT = (
    "INSERT INTO sync_operations (op_id, uuid, user_id, result, applied_at) VALUES (?, ?, ?, ?, ?)"
)


RAW = "raw batched insert, interventions only (the baseline)"
SHIPPED = "as shipped: one transaction per item"
SKETCH = "set-based sketch: 2 IN look-ups + 3 `executemany` per batch"


def _set_based_batch(database: Database, user, ops: list) -> float:
    """A sketch of the batched fix, creates only (not the app's code): one transaction, two IN
    look-ups for replays and existing rows, the same three rows per item by `executemany`, the
    audit snapshot built from the inserted values instead of read back."""
    now = datetime.now(UTC)
    began = time.perf_counter()
    marks = ",".join("?" * len(ops))
    conn = database.conn
    with database.write():
        op_ids = [op.op_id for op in ops]
        seen = conn.execute(
            f"SELECT op_id FROM sync_operations WHERE user_id = ? AND op_id IN ({marks})",
            (user.id, *op_ids),
        )
        uuids = [op.uuid for op in ops]
        taken = conn.execute(f"SELECT uuid FROM interventions WHERE uuid IN ({marks})", uuids)
        if seen.fetchall() or taken.fetchall():
            raise RuntimeError("the sketch handles new creates only")
        team = user.team_ids[0]
        stamp = to_db(now)
        rows, audits, results = [], [], []
        for op in ops:
            if problem(op.data, now):
                raise RuntimeError("the sketch handles valid creates only")
            columns = store._data_columns(op.data)
            row = {
                "uuid": op.uuid,
                "user_id": user.id,
                "team_id": team,
                **columns,
                "client_version": op.version,
                "client_changed_at": to_db(op.changed_at),
                "server_changed_at": stamp,
                "created_at": stamp,
                "updated_at": stamp,
            }
            rows.append(tuple(row.values()))
            after = msgspec.json.encode({**row, "user_name": user.name}).decode()
            audits.append((stamp, user.id, user.email, op.uuid, team, after))
            result = OpResult(op_id=op.op_id, uuid=op.uuid, status="applied")
            results.append(
                (op.op_id, op.uuid, user.id, msgspec.json.encode(result).decode(), stamp)
            )
        names = ", ".join(row)
        conn.executemany(
            f"INSERT INTO interventions ({names}) VALUES ({','.join('?' * len(row))})", rows
        )
        conn.executemany(AUDIT_INSERT, audits)
        conn.executemany(SYNC_INSERT, results)
    return (time.perf_counter() - began) / len(ops)


def _wal_pages_per_item(database: Database, user, *, one_transaction: bool) -> float:
    """Pages one batch appends to the WAL, per item (checkpoints held off meanwhile)."""
    wal = Path(f"{database.path}-wal")
    database.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.conn.execute("PRAGMA wal_autocheckpoint=0")
    try:
        before = wal.stat().st_size
        _apply_batch(database, user, _decoded(BATCH), one_transaction=one_transaction)
        page_size = database.scalar("PRAGMA page_size")
        return (wal.stat().st_size - before) / (page_size + 24) / BATCH  # 24: frame header
    finally:
        database.conn.execute("PRAGMA wal_autocheckpoint=1000")


def _decode_request(body: bytes) -> float:
    """Seconds per item to read a request's body as the endpoint does (routes.py)."""
    began = time.perf_counter()
    batch = msgspec.json.decode(body, type=dict[str, list[msgspec.Raw]])
    decoded = [decode_operation(raw) for raw in batch["operations"]]
    return (time.perf_counter() - began) / len(decoded)


def _decode(ops: list[dict]) -> list:
    """The operations as the endpoint decodes them (msgspec, from JSON)."""
    decoder = msgspec.json.Decoder(Operation)
    return [decoder.decode(msgspec.json.encode(op)) for op in ops]


def _decoded(count: int) -> list:
    return _decode(create_ops(count, datetime.now(UTC)))


def profile_apply(root: Path) -> dict:
    database = seeded(root / "profile.db")
    try:
        user = current_user(database, user_row_by_email(database, STAFF)["id"])
        ids = (user.id, user.team_ids[0])
        _apply_batch(database, user, _decoded(BATCH), one_transaction=False)  # warm-up
        template = store.get_intervention(
            database, database.scalar("SELECT uuid FROM interventions LIMIT 1")
        )
        # Measured only: what each change would save. Batch-wide transaction: nested write()
        # calls join the outer one (a real fix adds a SAVEPOINT per item, so that an item
        # failing with an exception does not undo the others).
        no_reread = mock.patch.object(store, "get_intervention", lambda *_a: template)
        no_audit = mock.patch.object(store, "record", lambda *_a, **_k: None)

        def shipped(*patches, one_transaction: bool) -> Callable[[], float]:
            def measure() -> float:
                with contextlib.ExitStack() as stack:
                    for patch in patches:
                        stack.enter_context(patch)
                    ops = _decoded(BATCH)
                    return _apply_batch(database, user, ops, one_transaction=one_transaction)

            return measure

        variants: dict[str, Callable[[], float]] = {
            RAW: lambda: 1 / raw_round(database, create_ops(BATCH, datetime.now(UTC)), *ids),
            SHIPPED: shipped(one_transaction=False),
            "one transaction per batch": shipped(one_transaction=True),
            "… and no re-read after insert": shipped(no_reread, one_transaction=True),
            "… and no audit row (measure only)": shipped(no_reread, no_audit, one_transaction=True),
            SKETCH: lambda: _set_based_batch(database, user, _decoded(BATCH)),
        }
        spent: dict[str, list[float]] = {name: [] for name in variants}
        for _batch in range(PROFILE_BATCHES):
            for name, measure in variants.items():
                # Each batch starts on an empty WAL, so it pays for the checkpoints its own
                # writes cause, not for those of the variant before it.
                database.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                spent[name].append(measure())
        wal_pages = {
            SHIPPED: _wal_pages_per_item(database, user, one_transaction=False),
            "one transaction per batch": _wal_pages_per_item(database, user, one_transaction=True),
        }
        body = msgspec.json.encode({"operations": create_ops(BATCH, datetime.now(UTC))})
        decoding = [_decode_request(body) for _ in range(PROFILE_BATCHES)]
        statements: list[str] = []
        database.conn.set_trace_callback(statements.append)
        try:
            _apply_batch(database, user, _decoded(1), one_transaction=False)
        finally:
            database.conn.set_trace_callback(None)
        profiler = cProfile.Profile()
        batches = [_decoded(BATCH) for _ in range(PROFILED_BATCHES)]
        profiler.enable()
        for ops in batches:
            _apply_batch(database, user, ops, one_transaction=False)
        profiler.disable()
    finally:
        database.close()
    stats = pstats.Stats(profiler).stats
    items = PROFILED_BATCHES * BATCH
    total = _cumulative(stats, "interventions/store.py", "apply_operation", None)
    steps = [
        (label, _cumulative(stats, path, name, caller) / items * 1e6)
        for label, path, name, caller in STEPS
    ]
    return {
        "kind": "profile",
        "variants": {name: statistics.median(values) * 1e6 for name, values in spent.items()},
        "profiled_us": total / items * 1e6,
        "decode_us": statistics.median(decoding) * 1e6,
        "wal_pages": wal_pages,
        "steps": steps,
        "statements": [" ".join(s.split())[:90] for s in statements],
    }


# (d) A sync request inside the server (cProfile in the server process) --------------------------

# (label, file, function): cumulative time in the server per item posted.
REQUEST_STEPS = (
    ("whole request in the app (Litestar, middleware, handler)", "litestar/app.py", "__call__"),
    ("… the handler `SyncController.sync`", "interventions/routes.py", "sync"),
    ("… … `apply_operation`", "interventions/store.py", "apply_operation"),
    ("… … `decode_operation`", "interventions/routes.py", "decode_operation"),
)


def profiled_serve(port: int, stats_path: Path) -> None:
    """In the child: the app `astreinte serve` runs, under cProfile until SIGTERM, then the
    statistics written (uvicorn in a thread, so its own signal handling stays out of the way)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # before any thread starts
    settings = load_settings(host="127.0.0.1", port=port)
    app = create_app(settings, database=open_database(settings.database_path))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level=LOG_LEVEL)
    server = uvicorn.Server(config)
    profiler = cProfile.Profile()
    thread = threading.Thread(target=profiler.runcall, args=(server.run,))
    thread.start()
    signal.sigwait({signal.SIGTERM})
    server.should_exit = True
    thread.join(servers.STOP_TIMEOUT_S / 2)
    profiler.dump_stats(stats_path)


def server_profile(root: Path) -> dict:
    """SYNC_ITEMS // 2 creates posted to the app under cProfile, with a session made in the
    database beforehand, so that the profile holds nothing but sync requests (and /healthz)."""
    data_dir = root / "server-profile"
    data_dir.mkdir()
    database = seeded(data_dir / "astreinte.db")
    try:
        user_id = user_row_by_email(database, STAFF)["id"]
        token = create_session(
            database, user_id, now=datetime.now(UTC), days=1, user_agent="bench", address=""
        )
    finally:
        database.close()
    port = servers.free_port()
    stats_path = data_dir / "server.prof"
    command = [sys.executable, "-m", "bench.interventions", "--profiled-serve", str(port)]
    env = {"ASTREINTE_DATA_DIR": str(data_dir), "ASTREINTE_BASE_URL": f"http://127.0.0.1:{port}"}
    with (
        servers.serving(
            "astreinte under cProfile",
            [*command, "--stats", str(stats_path)],
            port=port,
            log_path=data_dir / "server.log",
            env=env,
        ) as server,
        httpx.Client(
            base_url=server.url,
            cookies={SESSION_COOKIE: token},
            headers={"Content-Type": "application/json"},
            timeout=120,
        ) as client,
    ):
        post_batches(client, create_ops(WARMUP_BATCHES * BATCH, datetime.now(UTC)))
        items = SYNC_ITEMS // 2
        rate = post_batches(client, create_ops(items, datetime.now(UTC)))
    stats = pstats.Stats(str(stats_path)).stats
    posted = items + WARMUP_BATCHES * BATCH
    steps = [
        (label, _cumulative(stats, path, name, None) / posted * 1e6)
        for label, path, name in REQUEST_STEPS
    ]
    return {"kind": "server_profile", "items": items, "client_us": 1e6 / rate, "steps": steps}


def run() -> list[dict]:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="astreinte-bench-") as tmp:
        root = Path(tmp)
        drain_rows, chromium = drains(root)
        rows = throughput(root)
        profile = profile_apply(root)
        request = server_profile(root)
    load_after = os.getloadavg()
    return [
        {"kind": "tools", "chromium": chromium, "load": [load_before[0], load_after[0]]},
        *drain_rows,
        *rows,
        profile,
        request,
    ]


# Report -----------------------------------------------------------------------------------------


def _verdict(met: bool) -> str:
    return "met" if met else "**NOT met**"


def _rows(rows: list[dict], kind: str) -> list[dict]:
    return [row for row in rows if row["kind"] == kind]


def _drain_section(drain: list[dict]) -> list[str]:
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
        "(Resource Timing); *page*: the rest, the page reading its outbox, deleting what was "
        "sent, re-rendering its list. app.js asks the service worker to replay every minute; "
        "that replay does not know of the page's and would send the same batches alongside, "
        "then reload the page: while the measured replay runs, those requests (*ticks held*) "
        "are held back, and the access log confirms one POST per batch.",
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
    # replay() reads every entry left before each batch: 10,000, 9,800 … 200.
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
        f"{_verdict(median <= DRAIN_GOAL_S)}). The server's part: {server:.2f} s; the page's: "
        f"{page:.2f} s.",
        "",
        f"Reading the {OUTBOX_ITEMS:,} waiting entries once, in the same page (medians of all "
        f"runs): `AstreinteOutbox.records()` (a cursor, as `replay()` reads before each batch) "
        f"{reads['records']:.0f} ms; one `getAll()` {reads['get_all']:.0f} ms; "
        f"`getAll(null, {BATCH})` (one batch) {reads['get_batch']:.1f} ms. `replay()` reads "
        f"the whole outbox before each of its {batches} batches, {entries_read:,} entries in "
        f"all, ≈ {reads['records'] * entries_read / OUTBOX_ITEMS / 1000:.1f} s at that rate; "
        f"on `{DRAIN_PAGES[0]}` each batch also re-renders the list of all that still waits "
        "(`render()` reads the outbox again and builds one `<li>` per record).",
    ]
    return out


READ_KEYS = ("records", "get_all", "get_batch")


def _throughput_section(rates: dict[str, dict]) -> list[str]:
    ratio = rates["endpoint"]["items_per_s"] / rates["raw"]["items_per_s"]
    out = [
        f"**Sync throughput**: {ROUNDS} rounds of {SYNC_ITEMS:,} new creates (fresh op_id and "
        "uuid each), the order of the sides reversed every other round; medians. Endpoint: "
        f"`astreinte serve` (log level {LOG_LEVEL.upper()}) on a fresh data folder, "
        f"{SYNC_ITEMS // BATCH} sequential `POST {SYNC_PATH}` of {BATCH} by one httpx client "
        f"with the session cookie (after {WARMUP_BATCHES} warm-up batches), every result "
        "checked `applied`. Raw: `executemany` of the same rows into `interventions` of a "
        "fresh SQLite file opened by `server.db.open_database` (the app's schema, indexes and "
        f"pragmas: WAL, synchronous=NORMAL, foreign keys), {BATCH} rows per `BEGIN IMMEDIATE "
        "… COMMIT`. In process: the endpoint's loop (`apply_operation` per item) on the "
        "decoded operations, a third fresh file, no HTTP. Each side's table grows over the "
        "rounds alike.",
        "",
        "| path | items/s | rounds | µs per item |",
        "|---|---:|---|---:|",
    ]
    for side, name in SIDES.items():
        row = rates[side]
        rounds = " · ".join(f"{rate:,.0f}" for rate in row["rounds"])
        out.append(
            f"| {name} | {row['items_per_s']:,.0f} | {rounds} | {1e6 / row['items_per_s']:,.0f} |"
        )
    out += [
        "",
        f"**Ratio endpoint / raw: {ratio:.3f}** (goal ≥ {RATIO_GOAL}: "
        f"{_verdict(ratio >= RATIO_GOAL)}).",
    ]
    return out


def _profile_section(profile: dict, rates: dict[str, dict]) -> list[str]:
    # The request's own cost per item (Litestar, session, body, decoding, answer, client), from
    # the same rounds; it adds to whatever apply_operation becomes.
    overhead = max(
        0.0, 1e6 / rates["endpoint"]["items_per_s"] - 1e6 / rates["in_process"]["items_per_s"]
    )
    raw_us = profile["variants"][RAW]
    out = [
        f"**Where `apply_operation` spends its time**, in process: a fresh SQLite file with the "
        f"demo company, batches of {BATCH} creates; median per item over {PROFILE_BATCHES} "
        "batches per variant, the variants interleaved batch by batch, each batch from an "
        "empty WAL (checkpointed, untimed). The variants patch the "
        "store inside the benchmark only, to size each fix; the set-based sketch is benchmark "
        "code (new creates only). *Raw / variant*: the most the endpoint could reach with "
        "that store and a free request. *Estimated endpoint / raw*: raw / (variant + the "
        f"request's own {overhead:,.0f} µs per item, endpoint minus in process in the rounds "
        "above: Litestar, HTTP, the client, and the machine's scheduling of two processes; "
        f"reading the body and decoding the operations as routes.py does is "
        f"{profile['decode_us']:.1f} µs of it).",
        "",
        "| variant | µs per item | items/s | raw / variant | estimated endpoint / raw |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, micros in profile["variants"].items():
        ceiling = "—" if name == RAW else f"{raw_us / micros:.2f}"
        estimate = "—" if name == RAW else f"{raw_us / (micros + overhead):.2f}"
        out.append(f"| {name} | {micros:,.1f} | {1e6 / micros:,.0f} | {ceiling} | {estimate} |")
    total = profile["profiled_us"]
    out += [
        "",
        f"cProfile of {PROFILED_BATCHES} batches as shipped ({total:,.0f} µs per item under "
        "the profiler; the shares are what matters):",
        "",
        "| step | µs per item | share |",
        "|---|---:|---:|",
    ]
    for label, micros in profile["steps"]:
        out.append(f"| {label} | {micros:,.1f} | {micros / total:.0%} |")
    rest = total - sum(micros for _label, micros in profile["steps"])
    out.append(f"| the rest (result JSON, lock, Python) | {rest:,.1f} | {rest / total:.0%} |")
    pages = profile["wal_pages"]
    out += [
        "",
        "Pages written to the WAL per item, one batch of creates with checkpoints held off: "
        + "; ".join(f"{name} {count:.1f}" for name, count in pages.items())
        + " (each commit appends every page the item touched: `interventions` and its four "
        "indexes, `sync_operations` and its key, `audit_log` and its two indexes).",
    ]
    out += [
        "",
        f"SQL for one create ({len(profile['statements'])} statements, each op its own "
        "transaction):",
        "",
        *[f"{n}. `{sql}`" for n, sql in enumerate(profile["statements"], 1)],
    ]
    return out


def _request_section(request: dict) -> list[str]:
    whole = request["steps"][0][1]
    out = [
        f"**A sync request inside the server**: the app of `astreinte serve` under cProfile in "
        f"its own process (uvicorn, log level {LOG_LEVEL.upper()}), {request['items']:,} creates "
        f"posted in batches of {BATCH} by the same client, with a session written to the "
        "database beforehand so the profile holds sync requests only. Time per item posted "
        f"(CPU while each coroutine runs; inflated by the profiler): the client saw "
        f"{request['client_us']:,.0f} µs per item.",
        "",
        "| in the server | µs per item | share of the request |",
        "|---|---:|---:|",
    ]
    for label, micros in request["steps"]:
        out.append(f"| {label} | {micros:,.1f} | {micros / whole:.0%} |")
    return out


def markdown(rows: list[dict]) -> str:
    tools = _rows(rows, "tools")[0]
    rates = {row["side"]: row for row in _rows(rows, "throughput")}
    return "\n".join(
        [
            f"Chromium {tools['chromium']}; load average (1 min) {tools['load'][0]:.1f} at "
            f"the start, {tools['load'][1]:.1f} at the end (2 CPUs shared with other work: "
            "compare within this run).",
            "",
            *_drain_section(_rows(rows, "drain")),
            "",
            *_throughput_section(rates),
            "",
            *_profile_section(_rows(rows, "profile")[0], rates),
            "",
            *_request_section(_rows(rows, "server_profile")[0]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="The app under cProfile (for `python -m bench`).")
    parser.add_argument("--profiled-serve", type=int, required=True, metavar="PORT")
    parser.add_argument("--stats", type=Path, required=True, metavar="FILE")
    args = parser.parse_args()
    profiled_serve(args.profiled_serve, args.stats)


if __name__ == "__main__":
    main()
