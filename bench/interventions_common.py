"""What the parts of the interventions benchmark share: the operations a phone sends, the rows
they become, the demo database, the batches posted, and cProfile's cumulative times."""

from __future__ import annotations

import contextlib
import sqlite3
import time
import uuid as uuidlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import msgspec

from server.clock import to_db
from server.db import Database, open_database
from server.demo import seed_demo
from server.interventions.models import MAX_BATCH, Operation

BATCH = MAX_BATCH  # 200: what outbox.js sends at most and the endpoint accepts
SYNC_PATH = "/api/v1/sync/interventions"
# The benchmark's own rows (the demo company has an intervention of its own).
COUNT_ROWS = "SELECT count(*) FROM interventions WHERE place LIKE 'Site %'"


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


def decode_ops(ops: list[dict]) -> list:
    """The operations as the endpoint decodes them (msgspec, from JSON)."""
    decoder = msgspec.json.Decoder(Operation)
    return [decoder.decode(msgspec.json.encode(op)) for op in ops]


def decoded(count: int) -> list:
    return decode_ops(create_ops(count, datetime.now(UTC)))


def count_rows(database_path: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{database_path}?mode=ro", uri=True)) as conn:
        return conn.execute(COUNT_ROWS).fetchone()[0]


def seeded(path: Path) -> Database:
    """A fresh database with the app's schema and pragmas and the demo company (same ids as
    the server's)."""
    database = open_database(path)
    seed_demo(database, datetime.now(UTC))
    return database


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
    """Items per second of `executemany` into interventions, BATCH rows per transaction."""
    now = datetime.now(UTC)
    rows = [raw_columns(op, user_id, team_id, now) for op in ops]
    began = time.perf_counter()
    for first in range(0, len(rows), BATCH):
        database.conn.execute("BEGIN IMMEDIATE")
        database.conn.executemany(RAW_INSERT, rows[first : first + BATCH])
        database.conn.execute("COMMIT")
    return len(rows) / (time.perf_counter() - began)


def post_batches(client: httpx.Client, ops: list[dict]) -> float:
    """Items per second of sequential sync requests of BATCH, every result checked applied."""
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


def cumulative(stats: dict, path: str, name: str, caller: str | None = None) -> float:
    """Seconds cProfile counted in a function (only under `caller` when given)."""
    total = 0.0
    for (file, _line, function), (_cc, _nc, _tt, ct, callers) in stats.items():
        if not (file.endswith(path) and function == name):
            continue
        if caller is None:
            total += ct
        else:
            total += sum(v[3] for k, v in callers.items() if k[2] == caller)
    return total


def verdict(met: bool) -> str:
    return "met" if met else "**NOT met**"
