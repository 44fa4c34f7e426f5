"""Hot paths: the phone system's two lookups and the bottom bar's pages against the bare page."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench import rounds, servers, wrk
from bench.foundation import log_in, verified_size
from bench.schedules import TEAM, api_key, check_answers, next_tuesday_night

TITLE = "Hot paths: `GET /oncall`, `oncall.txt` and the bottom bar's pages against a bare page"
# 10 targets: rounds of 5 s keep the whole run near three minutes. Each target still gets
# 15 s in all, its rounds spread over the run and the order reversed every other round.
ROUNDS, SECONDS, WARMUP_SECONDS = 3, 5, 2
THREADS, CONNECTIONS = 2, 16
LOG_LEVEL = "warning"
STAFF = "julien.moreau@astreinte.test"
BARE = "bare Litestar page"
LOOKUP_GOAL, PAGE_GOAL = 0.7, 0.5
# (name, path, text the answer must hold, goal vs the bare page). The lookups carry the team's
# API key; the pages the session cookie of a staff member logged in through the form.
LOOKUPS = (
    ("`GET /oncall?at=…` (JSON)", "oncall", '"primary":{'),
    ("`GET /oncall` (now, JSON)", "oncall-now", '"primary":'),
    ("`GET /oncall.txt?at=…`", "oncall.txt", None),
)
PAGES = (
    ("Today `/`", "/", 'data-user="'),
    ("Schedule `/schedule`", "/schedule", 'data-user="'),
    ("Interventions `/interventions`", "/interventions", 'data-user="'),
    ("Rest `/rest`", "/rest", 'data-user="'),
    ("Team `/team`", "/team", 'data-user="'),
    ("Alerts `/alerts`", "/alerts", 'data-user="'),
)


def targets(real: str, bare: str, answer: dict) -> dict[str, tuple[str, str, str, float | None]]:
    """name -> (url, must contain, which headers, goal)."""
    path = answer["path"]
    lookup_urls = {
        "oncall": real + path,
        "oncall-now": real + path.split("?", 1)[0],
        "oncall.txt": real + path.replace("/oncall?", "/oncall.txt?"),
    }
    out: dict[str, tuple[str, str, str, float | None]] = {
        BARE: (bare + "/", "Bonjour", "none", None)
    }
    for name, key, text in LOOKUPS:
        out[name] = (lookup_urls[key], text or answer["txt"], "key", LOOKUP_GOAL)
    for name, page, text in PAGES:
        out[name] = (real + page, text, "cookie", PAGE_GOAL)
    return out


def measure(plan: dict, headers: dict[str, dict[str, str]]) -> list[dict]:
    """wrk on each target: a warm-up, then ROUNDS rounds, the order reversed every other round."""
    with_headers = {
        name: (url, text, headers[who], goal) for name, (url, text, who, goal) in plan.items()
    }
    rows = rounds.measure(
        with_headers,
        bare=BARE,
        rounds=ROUNDS,
        seconds=SECONDS,
        warmup_seconds=WARMUP_SECONDS,
        threads=THREADS,
        connections=CONNECTIONS,
    )
    for url, text, who, _goal in plan.values():
        verified_size(url, headers[who], text)  # still the answer at the end (no 401, no login)
    return rows


def run() -> list[dict]:
    with (
        tempfile.TemporaryDirectory(prefix="astreinte-bench-") as tmp,
        servers.side_by_side(Path(tmp), log_level=LOG_LEVEL) as (real, bare),
    ):
        key = {"Authorization": f"Bearer {api_key(Path(tmp, 'real'), TEAM)}"}
        answer = check_answers(real.url, key, next_tuesday_night())
        cookies = log_in(real.url, STAFF)
        cookie = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}
        headers = {"none": {}, "key": key, "cookie": cookie}
        rows = measure(targets(real.url, bare.url, answer), headers)
    return [answer, *rows, {"kind": "tools", "wrk": wrk.version()}]


def markdown(rows: list[dict]) -> str:
    answer = next(r for r in rows if r["kind"] == "answer")
    tools = next((r for r in rows if r["kind"] == "tools"), {})
    measured = [r for r in rows if r["kind"] == "throughput"]
    out = [
        f"`{tools.get('wrk', 'wrk')} -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s --latency` on each "
        f"target, {ROUNDS} rounds after a {WARMUP_SECONDS} s warm-up each, the order reversed "
        "every other round; medians of the rounds (p50/p99: median of each round's percentile). "
        "`astreinte serve` on its demo company and the bare page of the foundation benchmark "
        f"(bench/bare_app.py), both one uvicorn process at log level {LOG_LEVEL.upper()}, no "
        "`Accept-Encoding` (no gzip). The lookups carry team "
        f"{TEAM}'s key (`astreinte apikey create`) as `Authorization: Bearer`; the pages the "
        f"cookies of {STAFF} (staff, team {TEAM}) after logging in through the form. Checked "
        f"first: `{answer['path']}` answers 200 with a primary on call until "
        f"{answer['primary_until']} (backup: {'yes' if answer['secondary'] else 'none'}), "
        "`oncall` without `at` answers 200, `oncall.txt` the primary's number, no key 401; "
        "every answer wrk counts is a 200 of the verified size (a login redirect would fail "
        "the run).",
        "",
        "| target | requests/s | rounds | p50 ms | p99 ms | response bytes | socket errors "
        "| vs bare | goal |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in measured:
        rates = " · ".join(f"{rate:,.0f}" for rate in row["rounds"])
        out.append(
            f"| {row['target']} | {row['requests_per_s']:,.0f} | {rates} | {row['p50_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['response_bytes']:,} | {row['socket_errors']} "
            f"| {row['vs_bare']:.2f} | {rounds.verdict(row)} |"
        )
    missed = [r["target"] for r in measured if r["goal"] and r["vs_bare"] < r["goal"]]
    out += [
        "",
        "**All goals met.**" if not missed else f"**Goals not met: {', '.join(missed)}.**",
        "",
        "The machine has 2 CPUs shared with other work (wrk itself takes one of them): absolute "
        "figures move from run to run, the ratios within one run are what count.",
    ]
    return "\n".join(out)
