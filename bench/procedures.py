"""Procedures: a procedure page against the bare page (goal ≥ 0.5), and 200 procedures of 5 KB
kept on a phone after login on Chromium's "Slow 4G" (goal < 5 s, median of the runs)."""

from __future__ import annotations

import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import rounds, servers, wrk
from bench.foundation import log_in
from bench.schedules import TEAM
from server.clock import to_db
from tests.procedure_text import procedure_markdown

TITLE = (
    "Procedures: a procedure page vs the bare page (≥ 0.5); 200 procedures of 5 KB kept on a "
    "phone after login on Slow 4G (< 5 s)"
)
PROCEDURES, BODY_BYTES = 200, 5000
ROUNDS, SECONDS, WARMUP_SECONDS = 3, 5, 2
THREADS, CONNECTIONS = 2, 16
LOG_LEVEL = "warning"
STAFF = "julien.moreau@astreinte.test"
PASSWORD = "astreinte-demo"
BARE = "bare Litestar page"
PAGE_GOAL = 0.5
# The phone's budget is the default (ASTREINTE_PROCEDURES_OFFLINE_KB, 1 MB): the pages are
# counted as it stores them, gzipped, and 200 of 5 KB fit.
# Chromium DevTools' "Slow 4G" preset (formerly "Fast 3G"): 1.6 Mbit/s down and 750 kbit/s up
# at 90 %, 150 ms latency × 3.75 (DevTools' own factors).
SLOW_4G = {
    "offline": False,
    "latency": 150 * 3.75,
    "downloadThroughput": 1.6 * 1000 * 1000 / 8 * 0.9,
    "uploadThroughput": 750 * 1000 / 8 * 0.9,
}
PHONE_RUNS, GOAL_S = 5, 5.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def seed(db_path: Path) -> list[int]:
    """PROCEDURES procedures of team TEAM, written beside the running server."""
    rng = random.Random(16)
    stamp = to_db(datetime.now(UTC))
    ids = []
    with sqlite3.connect(db_path, timeout=30) as db:
        for number in range(1, PROCEDURES + 1):
            cursor = db.execute(
                "INSERT INTO procedures (team_id, version, review_on, created_at, updated_at) "
                "VALUES (?, 1, '2027-06-01', ?, ?)",
                (TEAM, stamp, stamp),
            )
            ids.append(cursor.lastrowid)
            db.execute(
                "INSERT INTO procedure_versions (procedure_id, version, title, body, created_at) "
                "VALUES (?, 1, ?, ?, ?)",
                (
                    cursor.lastrowid,
                    f"Procédure {number} de la chaufferie",
                    procedure_markdown(rng, number, BODY_BYTES),
                    stamp,
                ),
            )
    return ids


def throughput(real: servers.Server, bare: servers.Server, procedure: int) -> list[dict]:
    cookies = log_in(real.url, STAFF)
    cookie = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}
    plan = {
        BARE: (bare.url + "/", "Bonjour", {}, None),
        "Procedure page `/procedures/{id}` (5 KB)": (
            f"{real.url}/procedures/{procedure}",
            "de la chaufferie",
            cookie,
            PAGE_GOAL,
        ),
    }
    return rounds.measure(
        plan,
        bare=BARE,
        rounds=ROUNDS,
        seconds=SECONDS,
        warmup_seconds=WARMUP_SECONDS,
        threads=THREADS,
        connections=CONNECTIONS,
    )


KEPT = """async ([count]) => {
    const name = "astreinte-pages-" + document.body.dataset.version;
    const cache = await caches.open(name);
    const hit = await cache.match("/procedures/kept.json");
    if (!hit) return null;
    const index = await hit.json();
    const kept = Object.keys(index.procedures).length;
    return kept >= count
        ? {kept: kept, bytes: index.bytes, budget: index.budget, leftOut: index.leftOut}
        : null;
}"""


def phone_run(browser, url: str) -> dict:
    """A fresh phone logs in on Slow 4G; seconds from the login's click to the pages kept."""
    context = browser.new_context(
        base_url=url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
    )
    try:
        page = context.new_page()
        page.goto("/login")
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        page.get_by_label("E-mail").fill(STAFF)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        began = time.monotonic()
        with page.expect_navigation(timeout=60_000):
            page.get_by_role("button", name="Se connecter").click()
        landed = time.monotonic()
        deadline = began + 60
        found = None
        while time.monotonic() < deadline:
            found = page.evaluate(KEPT, [PROCEDURES])
            if found:
                break
            page.wait_for_timeout(50)
        done = time.monotonic()
        if not found:
            raise RuntimeError("the procedures were not kept within 60 s")
        return {
            "kind": "phone",
            "seconds": done - began,
            "after_first_page_s": done - landed,
            "kept": found["kept"],
            "bytes": found["bytes"],
            "budget": found["budget"],
            "left_out": found["leftOut"],
        }
    finally:
        context.close()


def phone(url: str) -> list[dict]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            return [phone_run(browser, url) for _ in range(PHONE_RUNS)]
        finally:
            browser.close()


def run() -> list[dict]:
    with (
        tempfile.TemporaryDirectory(prefix="astreinte-bench-") as tmp,
        servers.side_by_side(
            Path(tmp),
            log_level=LOG_LEVEL,
            env={"ASTREINTE_ENGINE_INTERVAL": "0"},
        ) as (real, bare),
    ):
        ids = seed(Path(tmp, "real", "astreinte.db"))
        rows = throughput(real, bare, ids[len(ids) // 2])
        runs = phone(real.url)
    return [*rows, *runs, {"kind": "tools", "wrk": wrk.version()}]


def markdown(rows: list[dict]) -> str:
    tools = next((r for r in rows if r["kind"] == "tools"), {})
    measured = [r for r in rows if r["kind"] == "throughput"]
    runs = [r for r in rows if r["kind"] == "phone"]
    median = statistics.median(r["seconds"] for r in runs)
    out = [
        f"`{tools.get('wrk', 'wrk')} -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s --latency`, "
        f"{ROUNDS} rounds after a {WARMUP_SECONDS} s warm-up, the order reversed every other "
        "round, medians (bench/rounds.py); `astreinte serve` on its demo company with "
        f"{PROCEDURES} procedures of {BODY_BYTES:,} bytes of Markdown (headings, steps, "
        "checklists; words of a seeded invented vocabulary, tests/procedure_text.py, which "
        f"gzips about 2.1:1 like real prose) in team {TEAM}, one of them asked by {STAFF}'s "
        "cookies, against the "
        "bare page (bench/bare_app.py); no gzip.",
        "",
        "| target | requests/s | rounds | p50 ms | p99 ms | response bytes | vs bare | goal |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    for row in measured:
        rates = " · ".join(f"{rate:,.0f}" for rate in row["rounds"])
        out.append(
            f"| {row['target']} | {row['requests_per_s']:,.0f} | {rates} | {row['p50_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['response_bytes']:,} | {row['vs_bare']:.2f} "
            f"| {rounds.verdict(row)} |"
        )
    out += [
        "",
        f"Then {PHONE_RUNS} fresh phones (Debian's Chromium, headless, 390×844) log in through "
        'the form with DevTools\' "Slow 4G" applied to the page (CDP '
        "`Network.emulateNetworkConditions`: 562.5 ms latency, 180,000 B/s down, 84,375 B/s "
        'up); timed from the tap on "Se connecter" until the page cache holds the '
        f"{PROCEDURES} pages and their index (service_worker/procedures.js: the manifest, then "
        "the pages in bundles of 100, gzip on the wire; each page stored gzipped by the "
        "phone's CompressionStream; the demo's own procedures are kept too). The phone's "
        "budget is the default, 1 MB (`ASTREINTE_PROCEDURES_OFFLINE_KB` unset); bytes kept "
        "are what the phone stores (the index's sum of the gzipped pages).",
        "",
        "| run | seconds after login | after the first page | pages kept | bytes kept "
        "| budget | left out |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, run in enumerate(runs, 1):
        out.append(
            f"| {number} | {run['seconds']:.2f} | {run['after_first_page_s']:.2f} "
            f"| {run['kept']} | {run['bytes']:,} | {run['budget']:,} | {run['left_out']} |"
        )
    met = median < GOAL_S
    out += [
        "",
        f"Median: **{median:.2f} s** (goal < {GOAL_S:.0f} s: {'met' if met else 'NOT met'}).",
    ]
    missed = [r["target"] for r in measured if r["goal"] and r["vs_bare"] < r["goal"]]
    out.append("**Page goal met.**" if not missed else f"**Goals not met: {', '.join(missed)}.**")
    return "\n".join(out)
