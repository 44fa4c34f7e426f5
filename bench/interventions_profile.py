"""Interventions (c): where `apply_operations` spends its time, in process.

cProfile of the batches the endpoint applies, the SQL they run, the WAL pages they write, and
what the audit rows cost, against a raw batched insert and a set-based sketch.
"""

from __future__ import annotations

import contextlib
import cProfile
import pstats
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import msgspec

from bench.foundation import STAFF
from bench.interventions_common import (
    BATCH,
    create_ops,
    cumulative,
    decoded,
    raw_round,
    seeded,
)
from server.accounts.store import current_user, user_row_by_email
from server.clock import to_db
from server.db import Database
from server.interventions import sync
from server.interventions.decoding import decode_operation
from server.interventions.models import OpResult
from server.interventions.rules import problem, stored_fields

PROFILE_BATCHES, PROFILED_BATCHES = 20, 5

STORE = "interventions/store.py"
# (label, file, function, caller or None): cumulative time, split by caller where one function
# serves several steps.
STEPS = (
    ("BEGIN IMMEDIATE + COMMIT (`Database.write`)", "server/db.py", "write", None),
    ("replay check: SELECT sync_operations … IN", "interventions/store.py", "first_answers", None),
    (
        "existing rows: SELECT interventions … IN",
        "interventions/store.py",
        "find_interventions",
        None,
    ),
    ("rules `problem`", "interventions/rules.py", "problem", None),
    ("team `team_for`", "interventions/rules.py", "team_for", None),
    ("fields `stored_fields`", "interventions/rules.py", "stored_fields", None),
    (
        "INSERT interventions: one `executemany`",
        "interventions/store.py",
        "insert_interventions",
        None,
    ),
    ("audit snapshot, no re-read (`_create`)", "interventions/sync.py", "_create", None),
    ("audit entry (`_Batch.add_audit`: JSON)", "interventions/sync.py", "add_audit", None),
    ("audit rows: one `executemany`", "audit/store.py", "record_many", None),
    ("sync_operations rows: one `executemany`", "interventions/store.py", "remember_answers", None),
)


def _apply_batch(database: Database, user, ops: list) -> float:
    """Seconds per item of `apply_operations` on the batch (what the endpoint runs)."""
    now = datetime.now(UTC)
    began = time.perf_counter()
    results = sync.apply_operations(database, user, ops, now)
    spent = time.perf_counter() - began
    _check(results)
    return spent / len(ops)


def _apply_each(database: Database, user, ops: list) -> float:
    """Seconds per item of `apply_operation` on each item: one transaction per item."""
    now = datetime.now(UTC)
    began = time.perf_counter()
    results = [sync.apply_operation(database, user, op, now) for op in ops]
    spent = time.perf_counter() - began
    _check(results)
    return spent / len(ops)


def _check(results: list[OpResult]) -> None:
    if {result.status for result in results} != {"applied"}:
        raise RuntimeError(f"the store did not apply every item: {results[:3]}")


AUDIT_INSERT = (
    "INSERT INTO audit_log (at, actor_user_id, actor, action, entity_type, entity_id, team_id, "
    "after) VALUES (?, ?, ?, 'intervention.create', 'intervention', ?, ?, ?)"
)
SYNC_INSERT = (
    "INSERT INTO sync_operations (op_id, uuid, user_id, result, applied_at) VALUES (?, ?, ?, ?, ?)"
)


def _columns(data) -> dict:
    """The record's data as stored (the sketch's own, as the store writes them)."""
    fields = stored_fields(data)
    return {
        **fields,
        "started_at": to_db(fields["started_at"]),
        "ended_at": to_db(fields["ended_at"]),
    }


RAW = "raw batched insert, interventions only (the baseline)"
EACH = "one transaction per item (`apply_operation` on each)"
SHIPPED = "as shipped: `apply_operations`, one transaction per batch"
NO_AUDIT = "… without the audit rows (measure only)"
SKETCH = "set-based sketch: 2 IN look-ups + 3 `executemany` per batch"


def _set_based_batch(database: Database, user, ops: list) -> float:
    """A sketch, creates only (not the app's code): one transaction, two IN look-ups for
    replays and existing rows, the same three rows per item by `executemany` (interventions
    too, so no row id for the audit snapshot)."""
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
            columns = _columns(op.data)
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


def _wal_pages_per_item(database: Database, user, apply: Callable) -> float:
    """Pages one batch appends to the WAL, per item (checkpoints held off meanwhile)."""
    wal = Path(f"{database.path}-wal")
    database.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.conn.execute("PRAGMA wal_autocheckpoint=0")
    try:
        before = wal.stat().st_size
        apply(database, user, decoded(BATCH))
        page_size = database.scalar("PRAGMA page_size")
        return (wal.stat().st_size - before) / (page_size + 24) / BATCH  # 24: frame header
    finally:
        database.conn.execute("PRAGMA wal_autocheckpoint=1000")


def _decode_request(body: bytes) -> float:
    """Seconds per item to read a request's body as the endpoint does (routes.py)."""
    began = time.perf_counter()
    batch = msgspec.json.decode(body, type=dict[str, list[msgspec.Raw]])
    operations = [decode_operation(raw) for raw in batch["operations"]]
    return (time.perf_counter() - began) / len(operations)


def _variants(database: Database, user) -> dict[str, Callable[[], float]]:
    """Seconds per item of one batch, by variant. The measure-only ones patch the store inside
    the benchmark, to size what the audit rows cost."""
    ids = (user.id, user.team_ids[0])
    no_audit = mock.patch.object(sync._Batch, "add_audit", lambda *_a, **_k: None)

    def patched(*patches) -> Callable[[], float]:
        def measure() -> float:
            with contextlib.ExitStack() as stack:
                for patch in patches:
                    stack.enter_context(patch)
                return _apply_batch(database, user, decoded(BATCH))

        return measure

    return {
        RAW: lambda: 1 / raw_round(database, create_ops(BATCH, datetime.now(UTC)), *ids),
        EACH: lambda: _apply_each(database, user, decoded(BATCH)),
        SHIPPED: patched(),
        NO_AUDIT: patched(no_audit),
        SKETCH: lambda: _set_based_batch(database, user, decoded(BATCH)),
    }


def profile_apply(root: Path) -> dict:
    database = seeded(root / "profile.db")
    try:
        user = current_user(database, user_row_by_email(database, STAFF)["id"])
        _apply_batch(database, user, decoded(BATCH))  # warm-up
        variants = _variants(database, user)
        spent: dict[str, list[float]] = {name: [] for name in variants}
        for _batch in range(PROFILE_BATCHES):
            for name, measure in variants.items():
                # Each batch starts on an empty WAL, so it pays for the checkpoints its own
                # writes cause, not for those of the variant before it.
                database.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                spent[name].append(measure())
        wal_pages = {
            EACH: _wal_pages_per_item(database, user, _apply_each),
            SHIPPED: _wal_pages_per_item(database, user, _apply_batch),
        }
        body = msgspec.json.encode({"operations": create_ops(BATCH, datetime.now(UTC))})
        decoding = [_decode_request(body) for _ in range(PROFILE_BATCHES)]
        statements: list[str] = []
        database.conn.set_trace_callback(statements.append)
        try:
            _apply_batch(database, user, decoded(2))
        finally:
            database.conn.set_trace_callback(None)
        profiler = cProfile.Profile()
        batches = [decoded(BATCH) for _ in range(PROFILED_BATCHES)]
        profiler.enable()
        for ops in batches:
            _apply_batch(database, user, ops)
        profiler.disable()
    finally:
        database.close()
    stats = pstats.Stats(profiler).stats
    items = PROFILED_BATCHES * BATCH
    total = cumulative(stats, "interventions/sync.py", "apply_operations")
    steps = [
        (label, cumulative(stats, path, name, caller) / items * 1e6)
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


def profile_section(profile: dict, rates: dict[str, dict]) -> list[str]:
    # The request's own cost per item (Litestar, session, body, decoding, answer, client), from
    # the same rounds; it adds to whatever apply_operations costs.
    overhead = max(
        0.0, 1e6 / rates["endpoint"]["items_per_s"] - 1e6 / rates["in_process"]["items_per_s"]
    )
    raw_us = profile["variants"][RAW]
    out = [
        f"**Where `apply_operations` spends its time**, in process: a fresh SQLite file with "
        f"the demo company, batches of {BATCH} creates; median per item over {PROFILE_BATCHES} "
        "batches per variant, the variants interleaved batch by batch, each batch from an "
        "empty WAL (checkpointed, untimed). The measure-only variants patch the store inside "
        "the benchmark, to size what the audit rows cost; the set-based "
        "sketch is benchmark code (new creates only, interventions by `executemany` too). "
        "*Raw / variant*: the most the endpoint could reach with that store and a free "
        "request. *Estimated endpoint / raw*: raw / (variant + the request's own "
        f"{overhead:,.0f} µs per item, endpoint minus in process in the rounds above: "
        "Litestar, HTTP, the client, and the machine's scheduling of two processes; reading "
        f"the body and decoding the operations as routes.py does is {profile['decode_us']:.1f} "
        "µs of it).",
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
        f"cProfile of {PROFILED_BATCHES} batches as shipped, back to back ({total:,.0f} µs per "
        "item under the profiler; the shares are what matters). COMMIT includes the WAL "
        "checkpoints the batches' own writes trigger (SQLite checkpoints once the WAL passes "
        f"1,000 pages; a batch writes ≈ {profile['wal_pages'][SHIPPED] * BATCH:,.0f}, below):",
        "",
        "| step | µs per item | share |",
        "|---|---:|---:|",
    ]
    for label, micros in profile["steps"]:
        out.append(f"| {label} | {micros:,.1f} | {micros / total:.0%} |")
    rest = total - sum(micros for _label, micros in profile["steps"])
    out.append(f"| the rest (result JSON, Python) | {rest:,.1f} | {rest / total:.0%} |")
    pages = profile["wal_pages"]
    out += [
        "",
        "Pages written to the WAL per item, one batch of creates with checkpoints held off: "
        + "; ".join(f"{name} {count:.1f}" for name, count in pages.items())
        + " (each commit appends every page the batch touched: `interventions` and its four "
        "indexes, `sync_operations` and its key, `audit_log` and its two indexes).",
    ]
    out += [
        "",
        f"SQL for a batch of two creates ({len(profile['statements'])} statements, one "
        "transaction; a batch of 200 runs the same with 200 inserts):",
        "",
        *[f"{n}. `{sql}`" for n, sql in enumerate(profile["statements"], 1)],
    ]
    return out
