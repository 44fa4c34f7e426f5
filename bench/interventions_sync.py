"""Interventions (b) and (d): the sync endpoint's throughput against a raw batched insert of the
same rows, and a sync request inside the server process under cProfile.

(b) Batches of 200 posted by a logged-in HTTP client, against `executemany` of the same rows
into a fresh SQLite file, and against `apply_operations` in process (no HTTP). (d) The app of
`astreinte serve` under cProfile: the handler against Litestar around it.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
import signal
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn

from bench import servers
from bench.foundation import STAFF, log_in
from bench.interventions_common import (
    BATCH,
    SYNC_PATH,
    count_rows,
    create_ops,
    cumulative,
    decode_ops,
    post_batches,
    raw_round,
    seeded,
    verdict,
)
from server.accounts.store import current_user, user_row_by_email
from server.app import create_app
from server.auth.identity import SESSION_COOKIE
from server.auth.store import create_session
from server.checkpoint import Checkpointer
from server.db import Database, open_database
from server.interventions.sync import apply_operations
from server.settings import load_settings

SYNC_ITEMS, ROUNDS, WARMUP_BATCHES, RATIO_GOAL = 20_000, 3, 2, 0.25
LOG_LEVEL = "warning"


# (b) The endpoint against a raw batched insert -----------------------------------------------


def in_process_round(database: Database, user, ops: list[dict]) -> float:
    """`apply_operations` as the endpoint calls it (a batch at a time), without the request."""
    decoded = decode_ops(ops)
    now = datetime.now(UTC)
    began = time.perf_counter()
    results = [
        apply_operations(database, user, decoded[first : first + BATCH], now)
        for first in range(0, len(decoded), BATCH)
    ]
    rate = len(ops) / (time.perf_counter() - began)
    if {result.status for batch in results for result in batch} != {"applied"}:
        raise RuntimeError("apply_operations did not apply every item")
    return rate


# name → what it measures; the order of the rounds alternates.
SIDES = {
    "endpoint": "sync endpoint (HTTP)",
    "raw": "raw batched insert",
    "raw_offloop": "raw batched insert, WAL checkpoints in a thread as the server does",
    "in_process": "`apply_operations` in process, a batch at a time (checkpoint thread too)",
}


def throughput(root: Path) -> list[dict]:
    (root / "endpoint").mkdir()
    with contextlib.ExitStack() as stack:
        raw_db = stack.enter_context(contextlib.closing(seeded(root / "raw.db")))
        apply_db = stack.enter_context(contextlib.closing(seeded(root / "in-process.db")))
        offloop_db = stack.enter_context(contextlib.closing(seeded(root / "raw-offloop.db")))
        # The server checkpoints the WAL from a thread (server/checkpoint.py); these two sides
        # do the same, the plain raw side keeps SQLite's default (inside the COMMIT).
        for database in (apply_db, offloop_db):
            checkpointer = Checkpointer(database)
            checkpointer.start()
            stack.callback(checkpointer.stop)
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
            "raw_offloop": lambda ops: raw_round(offloop_db, ops, user.id, user.team_ids[0]),
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


def throughput_section(rates: dict[str, dict]) -> list[str]:
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
        "… COMMIT`. In process: what the endpoint runs (`apply_operations` on each batch of "
        f"{BATCH}, one transaction) on the decoded operations, a third fresh file, no HTTP. "
        "Each side's table grows over the rounds alike.",
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
    endpoint, raw, in_process = (
        1e6 / rates[side]["items_per_s"] for side in ("endpoint", "raw", "in_process")
    )
    offloop = rates["endpoint"]["items_per_s"] / rates["raw_offloop"]["items_per_s"]
    out += [
        "",
        f"**Ratio endpoint / raw: {ratio:.3f}** (goal ≥ {RATIO_GOAL}: "
        f"{verdict(ratio >= RATIO_GOAL)}). Of the endpoint's {endpoint:,.0f} µs per item, "
        f"`apply_operations` itself takes {in_process:,.0f} (in process) and the request around "
        f"it {endpoint - in_process:,.0f}. The raw insert's {raw:,.0f} µs write one row in one "
        "table; a synced item also writes its audit entry and its exactly-once record "
        "(`sync_operations`), each under a random key (the record's uuid, the op_id), and runs "
        "its checks and its own INSERT (below). The server moves WAL checkpoints off its event "
        "loop (`server/checkpoint.py`); a raw insert given the same treatment runs at "
        f"{rates['raw_offloop']['items_per_s']:,.0f} items/s, against which the endpoint's "
        f"ratio is {offloop:.3f}: the goal is read against the plain raw insert, SQLite as it "
        "comes, and this second figure says how much of the margin the thread gives.",
    ]
    return out


# (d) A sync request inside the server (cProfile in the server process) --------------------------

# (label, file, function): cumulative time in the server per item posted.
REQUEST_STEPS = (
    ("whole request in the app (Litestar, middleware, handler)", "litestar/app.py", "__call__"),
    ("… the handler `SyncController.sync`", "interventions/api.py", "sync"),
    ("… … `apply_operations`", "interventions/sync.py", "apply_operations"),
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
    command = [sys.executable, "-m", "bench.interventions_sync", "--profiled-serve", str(port)]
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
        (label, cumulative(stats, path, name) / posted * 1e6) for label, path, name in REQUEST_STEPS
    ]
    return {"kind": "server_profile", "items": items, "client_us": 1e6 / rate, "steps": steps}


def request_section(request: dict) -> list[str]:
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


def main() -> None:
    parser = argparse.ArgumentParser(description="The app under cProfile (for `python -m bench`).")
    parser.add_argument("--profiled-serve", type=int, required=True, metavar="PORT")
    parser.add_argument("--stats", type=Path, required=True, metavar="FILE")
    args = parser.parse_args()
    profiled_serve(args.profiled_serve, args.stats)


if __name__ == "__main__":
    main()
