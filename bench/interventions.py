"""Interventions: a phone's outbox of 10,000 drained when the server returns, sync throughput.

(a) `interventions_drain`: a real Chromium's outbox of 10,000 creates replayed to a server that
comes back, timed until the database holds them all. (b) `interventions_sync`: the sync endpoint,
batches of 200 posted by a logged-in HTTP client, against a batched `executemany` of the same
rows into a fresh SQLite file. (c) `interventions_profile`: where `apply_operations` spends its
time, in process. (d) `interventions_sync`: a sync request inside the server process, under
cProfile: the handler against Litestar around it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bench.interventions_drain import drain_section, drains
from bench.interventions_profile import profile_apply, profile_section
from bench.interventions_sync import request_section, server_profile, throughput, throughput_section

TITLE = "Interventions: 10,000 queued on a phone drained on reconnection, sync throughput"


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


def _rows(rows: list[dict], kind: str) -> list[dict]:
    return [row for row in rows if row["kind"] == kind]


def markdown(rows: list[dict]) -> str:
    tools = _rows(rows, "tools")[0]
    rates = {row["side"]: row for row in _rows(rows, "throughput")}
    return "\n".join(
        [
            f"Chromium {tools['chromium']}; load average (1 min) {tools['load'][0]:.1f} at "
            f"the start, {tools['load'][1]:.1f} at the end (2 CPUs shared with other work: "
            "compare within this run).",
            "",
            *drain_section(_rows(rows, "drain")),
            "",
            *throughput_section(rates),
            "",
            *profile_section(_rows(rows, "profile")[0], rates),
            "",
            *request_section(_rows(rows, "server_profile")[0]),
        ]
    )
