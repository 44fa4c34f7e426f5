"""Foundation: authenticated home page throughput against a bare baseline, and page weight."""

from __future__ import annotations

import dataclasses
import re
import statistics
import tempfile
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from bench import page_weight, servers, wrk

TITLE = "Foundation: home page throughput and page weight"
STAFF = "julien.moreau@astreinte.test"
DEMO_PASSWORD = "astreinte-demo"
ROUNDS, SECONDS, WARMUP_SECONDS = 3, 10, 2
THREADS, CONNECTIONS = 2, 16
# Both servers at WARNING: uvicorn's access log is on in both (server/cli.py hard-codes it)
# but writes no line, so neither pays for logging each request.
LOG_LEVEL = "warning"
RATIO_GOAL = 0.5
PAGE_BUDGET = 60_000  # bytes: "60 KB" read strictly, 1 KB = 1,000 bytes
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 360, "height": 640},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "fr-FR",
}


def log_in(url: str, email: str = STAFF) -> dict[str, str]:
    """The cookies of a browser that logged in through the form (CSRF token included)."""
    with httpx.Client(base_url=url, timeout=30) as client:
        client.get("/login").raise_for_status()
        token = client.cookies["astreinte_csrf"]
        form = {"email": email, "password": DEMO_PASSWORD, "next": "/", "_csrf_token": token}
        answer = client.post("/login", data=form)
        if answer.status_code != 303 or answer.headers.get("location") != "/":
            raise RuntimeError(f"login failed: {answer.status_code} {answer.text[:300]}")
        return dict(client.cookies)


def verified_size(url: str, headers: dict[str, str], must_contain: str) -> int:
    """Bytes of the 200 answer wrk will get (no compression asked); anything else is an error."""
    answer = httpx.get(url, headers={**headers, "accept-encoding": "identity"}, timeout=10)
    if answer.status_code != 200 or must_contain not in answer.text:
        raise RuntimeError(
            f"{url} answered {answer.status_code}, not the page: {answer.text[:300]}"
        )
    head = len(f"HTTP/1.1 {answer.status_code} {answer.reason_phrase}\r\n") + 2
    head += sum(len(name) + len(value) + 4 for name, value in answer.headers.raw)
    return head + len(answer.content)


def throughput(real: servers.Server, bare: servers.Server, cookies: dict[str, str]) -> list[dict]:
    headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}
    targets = {
        "Astreinte `/` (logged in)": (real.url + "/", 'data-user="'),
        # Both kept rendered between changes (server/page_cache.py); hot_paths measures every
        # page of the bottom bar and the on-call lookups against the bare page in one run.
        "Astreinte `/team` (logged in)": (real.url + "/team", 'data-user="'),
        "bare Litestar page": (bare.url + "/", "Bonjour"),
    }
    sizes = {name: verified_size(url, headers, text) for name, (url, text) in targets.items()}
    for url, _text in targets.values():
        wrk.run(url, headers=headers, seconds=WARMUP_SECONDS)
    runs: dict[str, list[wrk.WrkRun]] = {name: [] for name in targets}
    for round_number in range(ROUNDS):
        # Alternate which goes first, so a drift in the machine's load favours neither.
        names = list(targets) if round_number % 2 == 0 else list(reversed(targets))
        for name in names:
            run = wrk.run(
                targets[name][0],
                headers=headers,
                threads=THREADS,
                connections=CONNECTIONS,
                seconds=SECONDS,
            )
            if run.not_2xx_3xx or abs(run.bytes_per_response / sizes[name] - 1) > 0.1:
                raise RuntimeError(f"{name}: wrk did not get the verified page each time: {run}")
            runs[name].append(run)
    for url, text in targets.values():
        verified_size(url, headers, text)  # still the page, not a login redirect, at the end
    rows = []
    for name, name_runs in runs.items():
        rows.append(
            {
                "kind": "throughput",
                "app": name,
                "requests_per_s": statistics.median(r.requests_per_s for r in name_runs),
                "rounds": [r.requests_per_s for r in name_runs],
                "p50_ms": statistics.median(r.p50_ms for r in name_runs),
                "p99_ms": statistics.median(r.p99_ms for r in name_runs),
                "response_bytes": sizes[name],
                "socket_errors": sum(r.socket_errors for r in name_runs),
            }
        )
    return rows


def weights(server: servers.Server) -> tuple[list[page_weight.Load], str]:
    home_cookies = log_in(server.url)
    plan = [
        ("/login", {}, "form[action='/login']", False),
        ("/", home_cookies, "body[data-user]", True),
    ]
    loads = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        version = browser.version
        try:
            for path, cookies, selector, repeat in plan:
                context = browser.new_context(**PHONE)
                context.set_default_timeout(20_000)
                context.add_cookies(
                    [{"name": k, "value": v, "url": server.url} for k, v in cookies.items()]
                )
                try:
                    loads += page_weight.first_and_repeat(
                        context, server, path, must_show=selector, repeat=repeat
                    )
                finally:
                    context.close()
        finally:
            browser.close()
    return loads, version


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="astreinte-bench-") as tmp:
        with servers.side_by_side(Path(tmp), log_level=LOG_LEVEL) as (real, bare):
            rows = throughput(real, bare, log_in(real.url))
        # Its own server, logging each request: the access log says what reached the network.
        browser_dir = Path(tmp, "browser")
        browser_dir.mkdir()
        with servers.astreinte(browser_dir, log_level="info") as server:
            loads, chromium = weights(server)
    rates = {row["app"]: row["requests_per_s"] for row in rows}
    bare_rate = rates["bare Litestar page"]
    for app, rate in rates.items():
        if app != "bare Litestar page":
            rows.append(
                {"kind": "ratio", "app": app, "ratio": rate / bare_rate, "goal": RATIO_GOAL}
            )
    rows.append({"kind": "tools", "wrk": wrk.version(), "chromium": chromium})
    for load in loads:
        rows.append(
            {
                "kind": "load",
                "name": load.name,
                "page_requests": len(load.page),
                "page_bytes": load.page_bytes,
                "worker_bytes": load.worker_bytes,
                "network": [dataclasses.asdict(fetch) for fetch in load.network],
                "from_worker": [f.path for f in load.page if f.source == "service worker"],
                "server_log": load.server_log,
            }
        )
    return rows


def _short(path: str) -> str:
    return re.sub(r"\?v=[0-9a-f]+", "?v=…", path)


def markdown(rows: list[dict]) -> str:
    """Two tables and the list of what each load fetched from the network."""
    tools = next((r for r in rows if r["kind"] == "tools"), {})
    out = [
        f"Tools: {tools.get('wrk', 'wrk')}, Chromium {tools.get('chromium', '?')}.",
        "",
        f"Home page throughput: `wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s --latency`, "
        f"{ROUNDS} alternating rounds per app after a {WARMUP_SECONDS} s warm-up; medians of "
        "the rounds (p50/p99: median of each round's percentile). Same `Cookie` header "
        "(session + CSRF) to both, no `Accept-Encoding` (no gzip). Both apps: one uvicorn "
        f"process, log level {LOG_LEVEL.upper()} (access log on but silent in both).",
        "",
        "| app | requests/s | rounds | p50 ms | p99 ms | response bytes | socket errors |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for row in (r for r in rows if r["kind"] == "throughput"):
        rounds = " · ".join(f"{rate:,.0f}" for rate in row["rounds"])
        out.append(
            f"| {row['app']} | {row['requests_per_s']:,.0f} | {rounds} | {row['p50_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['response_bytes']:,} | {row['socket_errors']} |"
        )
    for row in (r for r in rows if r["kind"] == "ratio"):
        verdict = "met" if row["ratio"] >= row["goal"] else "NOT met"
        out += [
            "",
            f"**Ratio {row['app']} / bare: {row['ratio']:.2f}** (goal ≥ {row['goal']} for the "
            f"home page: {verdict})",
        ]
    loads = [r for r in rows if r["kind"] == "load"]
    out += [
        "",
        "Page weight: Chromium, 360×640 phone, fresh context (empty cache, no service worker) "
        "for each first load; the repeat load reloads `/` once the service worker controls "
        "it. Bytes on the wire: headers + compressed body (DevTools `encodedDataLength`). "
        f"Goal: page + assets ≤ {PAGE_BUDGET:,} bytes. The service worker column is what it "
        "downloads on its own (install, precache, update check).",
        "",
        "| load | page requests | page + assets from network, bytes | goal | "
        "service worker, bytes | total, bytes |",
        "|---|---:|---:|---|---:|---:|",
    ]
    for row in loads:
        first = "first" in row["name"]
        verdict = ("met" if row["page_bytes"] <= PAGE_BUDGET else "NOT met") if first else "—"
        total = row["page_bytes"] + row["worker_bytes"]
        out.append(
            f"| `{row['name']}` | {row['page_requests']} | {row['page_bytes']:,} | {verdict} "
            f"| {row['worker_bytes']:,} | {total:,} |"
        )
    out += [
        "",
        "| load | went to the network | fetched by | type | bytes |",
        "|---|---|---|---|---:|",
    ]
    for row in loads:
        for fetch in row["network"]:
            by = "service worker" if fetch["by_worker"] else "page"
            out.append(
                f"| `{row['name']}` | `{_short(fetch['path'])}` | {by} | {fetch['kind']} "
                f"| {fetch['bytes']:,} |"
            )
    for row in loads:
        if row["from_worker"]:
            served = ", ".join(f"`{_short(path)}`" for path in row["from_worker"])
            out += [
                "",
                f"`{row['name']}`: the service worker answered {served} (from its cache, "
                "unless listed above as fetched by the service worker).",
            ]
    return "\n".join(out)
