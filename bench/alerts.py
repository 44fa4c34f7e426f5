"""Alerts: API call to Web Push arrival at 50 alerts/s, fan-out to 1,000 devices, encryption."""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import gc
import math
import os
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import httpx
import msgspec
from cryptography.hazmat.primitives.asymmetric import ec
from pywebpush import WebPusher

from bench import servers
from bench.push_service import (
    DRAIN_TIMEOUT_S,
    Arrival,
    Device,
    PushService,
    push_service,
    push_sink,
)
from bench.schedules import api_key
from server.accounts.store import user_row_by_email
from server.alerts.models import AlertIn
from server.alerts.workflow import create_alert
from server.app import register_domains
from server.clock import SystemClock, to_db
from server.db import open_database
from server.demo import seed_demo
from server.engine import Engine
from server.notifications.dispatch import Dispatcher
from server.notifications.store import set_rules
from server.push.encrypt import WORKERS
from server.push.models import SubscriptionIn
from server.push.sender import PushSender
from server.push.store import subscribe
from server.push.vapid import VapidKeys
from server.settings import load_settings

TITLE = "Alerts: from the API call to the Web Push arriving, fan-out, encryption cost"
RATE, SECONDS, DEVICES, WARMUP_ALERTS = 50, 60, 3, 5
FANOUT_DEVICES, FANOUT_RUNS = 1000, 3
ENCODE_MESSAGES, PAYLOAD_BYTES, VAPID_SIGNATURES = 2000, 500, 200
PROFILE_ALERTS = 100
P99_GOAL_MS, FANOUT_GOAL_S = 100.0, 0.5
# During a fan-out: the loop never held longer than this, a lookup answered within that.
LAG_GOAL_MS, LOOKUP_GOAL_MS = 50.0, 100.0
# The phone system's lookup asked over and over during a fan-out (one at a time, this far
# apart); the in-process probe sleeps this long and records how late it wakes.
LOOKUP_EVERY_S, PROBE_SLEEP_S = 0.01, 0.001
# Bounds when the server falls behind: a request gets this long, and pushes DRAIN_TIMEOUT_S
# after the last request; what has not arrived by then counts as missing (infinitely late).
REQUEST_TIMEOUT_S, SETTLE_S = 30.0, 1.0
LOG_LEVEL = "warning"
TEAM = 1  # the demo's Maintenance team
PAGED = "julien.moreau@astreinte.test"


# The app, seeded ------------------------------------------------------------------------------


def seed(data_dir: Path, devices: list[Device], push_url: str) -> None:
    """Demo company; PAGED on call now in team 1, pushed only, on `devices`."""
    database = open_database(data_dir / "astreinte.db")
    try:
        now = datetime.now(UTC)
        seed_demo(database, now)
        user_id = user_row_by_email(database, PAGED)["id"]
        set_rules(database, user_id, [("push", 0)])
        with database.write():
            # No shift reminders: only alerts should reach the devices.
            database.execute("UPDATE users SET reminder_minutes = '' WHERE id = ?", (user_id,))
            # An override from a minute ago for two hours, so PAGED is the primary whatever the
            # time of day. create_override refuses it (less than one clear day's notice), so
            # the row is written as it would write it: published, told now.
            database.insert(
                "shifts",
                {
                    "team_id": TEAM,
                    "kind": "override",
                    "layer": "primary",
                    "user_id": user_id,
                    "starts_at": to_db(now - timedelta(minutes=1)),
                    "ends_at": to_db(now + timedelta(hours=2)),
                    "status": "published",
                    "published_at": to_db(now),
                    "exceptional_reason": "bench",
                    "edited": 1,
                    "created_at": to_db(now),
                    "updated_at": to_db(now),
                },
            )
        for device in devices:
            sub = SubscriptionIn(endpoint=f"{push_url}/push/{device.number}", keys=device.keys)
            subscribe(database, user_id, sub, user_agent="bench", now=now)
    finally:
        database.close()


def check_on_call(base: str, key: str) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    answer = httpx.get(f"{base}/api/v1/teams/{TEAM}/oncall", headers=headers, timeout=10)
    primary = (answer.json() if answer.status_code == 200 else {}).get("primary") or {}
    if primary.get("email") != PAGED:
        raise RuntimeError(f"{PAGED} is not on call now: {answer.status_code} {answer.text[:300]}")


def against_app(devices: int, measure: Callable) -> dict:
    """`measure(server, key, push service, devices)` on `astreinte serve`, seeded for `devices`
    on a fresh data folder; the server and the push service stopped whatever happens."""
    subscribed = [Device(number) for number in range(devices)]
    with tempfile.TemporaryDirectory(prefix="astreinte-bench-") as tmp, push_service() as service:
        seed(Path(tmp), subscribed, service.url)
        key = api_key(Path(tmp), TEAM)
        with servers.astreinte(Path(tmp), log_level=LOG_LEVEL, push_allow=service.url) as server:
            check_on_call(server.url, key)
            return asyncio.run(measure(server, key, service, subscribed))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_ticks() -> tuple[int, int]:
    """(busy, all) clock ticks of every CPU so far (/proc/stat), every process counted."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


# Posting alerts and matching pushes -------------------------------------------------------------


@dataclass
class Sent:
    number: int
    scheduled: float
    began: float = 0.0
    answered: float = 0.0
    status: int = 0
    alert_id: int | None = None


def alert_in(number: int, tag: str) -> dict:
    return {
        "title": f"Chaudière en panne, bâtiment {number % 40 + 1}",
        "details": "Pression basse sur le circuit primaire depuis 5 minutes.",
        "severity": "critical",
        "dedup_key": f"bench-{tag}-{number}",
        "source": "bench",
    }


async def post_alert(
    session: aiohttp.ClientSession,
    url: str,
    sent: Sent,
    tag: str,
    alert_of: Callable[[int, str], dict] = alert_in,
) -> Sent:
    body = msgspec.json.encode(alert_of(sent.number, tag))
    sent.began = time.perf_counter()
    try:
        async with session.post(url, data=body) as response:
            answer = await response.read()
            sent.status = response.status
    except (aiohttp.ClientError, TimeoutError):
        sent.status = 0  # no answer in REQUEST_TIMEOUT_S: its pushes count as missing
    sent.answered = time.perf_counter()
    if sent.status == 201:
        sent.alert_id = msgspec.json.decode(answer)["id"]
    return sent


async def open_loop(
    session: aiohttp.ClientSession, url: str, count: int, rate: float, tag: str
) -> list[Sent]:
    """`count` alerts on a fixed schedule, each sent on time whether or not others answered."""
    first = time.perf_counter() + 0.05
    tasks = []
    for number in range(count):
        sent = Sent(number=number, scheduled=first + number / rate)
        delay = sent.scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(post_alert(session, url, sent, tag)))
    return list(await asyncio.gather(*tasks))


def client(key: str) -> aiohttp.ClientSession:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    return aiohttp.ClientSession(
        headers=headers,
        connector=aiohttp.TCPConnector(limit=256),
        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S),
    )


@dataclass
class Matched:
    """Pushes opened and tied to the alert they announce (its id is in the push's tag)."""

    latencies: dict[int, list[float]]  # alert id -> seconds from its API call to each arrival
    devices: dict[int, list[int]]  # alert id -> devices reached
    other: int = 0  # pushes about nothing sent in this run
    bad_headers: int = 0  # not aes128gcm, or no VAPID authorization
    payload_bytes: list[int] = field(default_factory=list)


def match(arrivals: list[Arrival], devices: dict[int, Device], sent: list[Sent]) -> Matched:
    """Every arrival decrypted with its device's key (a failure raises): exact matching, and
    proof that each message was really encrypted to that device."""
    by_alert = {s.alert_id: s for s in sent if s.alert_id is not None}
    result = Matched({a: [] for a in by_alert}, {a: [] for a in by_alert})
    for arrival in arrivals:
        vapid = arrival.authorization.startswith("vapid t=")
        result.bad_headers += not (arrival.encoding == "aes128gcm" and vapid)
        plain = devices[arrival.device].open(arrival.body)
        message = msgspec.json.decode(plain)
        tag = message.get("tag", "")
        alert_id = int(tag[6:]) if message.get("type") == "alert" and tag[:6] == "alert-" else 0
        if alert_id not in by_alert:
            result.other += 1
            continue
        result.latencies[alert_id].append(arrival.at - by_alert[alert_id].began)
        result.devices[alert_id].append(arrival.device)
        result.payload_bytes.append(len(plain))
    return result


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1) if math.isfinite(seconds) else math.inf


# (a) latency at 50 alerts per second ------------------------------------------------------------


async def latency(
    server: servers.Server, key: str, service: PushService, devices: list[Device]
) -> dict:
    url = server.url + "/api/v1/alerts"
    by_number = {d.number: d for d in devices}
    async with client(key) as session:
        # Warm-up: first connections, the VAPID token (then cached 3 h), lazy imports.
        warm = await open_loop(session, url, WARMUP_ALERTS, 5, "warm")
        await service.wait_for(len(warm) * DEVICES)
        await asyncio.sleep(SETTLE_S)
        service.arrivals.clear()
        load = os.getloadavg()[0]
        cpu_before, wall_before = cpu_seconds(server.process.pid), time.perf_counter()
        machine_before = machine_ticks()
        sent = await open_loop(session, url, RATE * SECONDS, RATE, "run")
        await service.wait_for(len(sent) * DEVICES)
        cpu = cpu_seconds(server.process.pid) - cpu_before
        busy, ticks = (a - b for a, b in zip(machine_ticks(), machine_before, strict=True))
        wall = time.perf_counter() - wall_before
        await asyncio.sleep(SETTLE_S)  # a late duplicate would show in the count
    arrivals = list(service.arrivals)
    matched = match(arrivals, by_number, sent)
    created = [s for s in sent if s.status == 201]
    # Every page asked for: a push that never came (or an alert the API did not create) is
    # infinitely late, so it weighs on the percentiles instead of vanishing from them.
    by_sent = {s.number: matched.latencies.get(s.alert_id, []) for s in sent}
    by_sent = {n: values + [math.inf] * (DEVICES - len(values)) for n, values in by_sent.items()}
    latencies = [v for values in by_sent.values() for v in values]
    # Each alert reaches each of its devices exactly once.
    incomplete = sum(sorted(matched.devices.get(s.alert_id, [])) != list(by_number) for s in sent)
    began = min(s.began for s in sent)
    quarters = []
    for quarter in range(4):
        low, high = began + quarter * SECONDS / 4, began + (quarter + 1) * SECONDS / 4
        values = [v for s in sent if low <= s.began < high for v in by_sent[s.number]]
        if values:
            quarters.append((ms(percentile(values, 50)), ms(percentile(values, 99))))
    api = [s.answered - s.began for s in sent]
    return {
        "kind": "latency",
        "alerts_sent": len(sent),
        "alerts_created": len(created),
        "statuses": sorted({s.status for s in sent}),
        "send_seconds": round(max(s.began for s in sent) - began, 2),
        "late_send_max_ms": ms(max(s.began - s.scheduled for s in sent)),
        "pushes_expected": DEVICES * len(sent),
        "pushes_received": len(arrivals),
        "pushes_matched": sum(map(math.isfinite, latencies)),
        "pushes_other": matched.other,
        "alerts_incomplete": incomplete,
        "bad_headers": matched.bad_headers,
        "payload_bytes": statistics.median(matched.payload_bytes or [0]),
        "p50_ms": ms(percentile(latencies, 50)),
        "p99_ms": ms(percentile(latencies, 99)),
        "max_ms": ms(max(filter(math.isfinite, latencies), default=math.inf)),
        "over_goal": sum(v * 1000 > P99_GOAL_MS for v in latencies),
        "api_p50_ms": ms(percentile(api, 50)),
        "api_p99_ms": ms(percentile(api, 99)),
        "quarters": quarters,
        "server_cpu": round(cpu / wall, 2),
        "load_before": round(load, 2),
        "machine_busy": round(busy / max(ticks, 1), 2),
        "goal_ms": P99_GOAL_MS,
    }


# (b) fan-out of one alert to 1,000 devices ------------------------------------------------------


async def fanout(
    server: servers.Server, key: str, service: PushService, devices: list[Device]
) -> dict:
    url = server.url + "/api/v1/alerts"
    lookup_url = f"{server.url}/api/v1/teams/{TEAM}/oncall"
    by_number = {d.number: d for d in devices}
    runs = []
    async with client(key) as session, client(key) as phone_system:
        for number in range(1 + FANOUT_RUNS):  # the first warms up, and is shown apart
            service.arrivals.clear()
            began, stop = time.perf_counter(), asyncio.Event()
            lookups = asyncio.create_task(ask_who_is_on_call(phone_system, lookup_url, stop))
            sent = await post_alert(session, url, Sent(number, began), "fanout")
            await service.wait_for(len(devices))
            stop.set()
            asked = await lookups
            await asyncio.sleep(SETTLE_S)  # the server records the 1,000 results, then idles
            arrivals = list(service.arrivals)
            matched = match(arrivals, by_number, [sent])
            times = sorted(matched.latencies.get(sent.alert_id, []))
            runs.append(
                {
                    "status": sent.status,
                    "received": len(arrivals),
                    "devices": len(set(matched.devices.get(sent.alert_id, []))),
                    "bad_headers": matched.bad_headers,
                    "api_ms": ms(sent.answered - sent.began),
                    "first_ms": ms(times[0]) if times else math.inf,
                    "half_ms": ms(times[len(times) // 2]) if times else math.inf,
                    "last_ms": ms(times[-1]) if times else math.inf,
                    **lookups_during(asked, began, times),
                }
            )
    measured = runs[1:]
    return {
        "kind": "fanout",
        "devices": len(devices),
        "runs": runs,
        "complete": all(
            r["status"] == 201
            and r["devices"] == r["received"] == len(devices)
            and not r["bad_headers"]
            for r in measured
        ),
        "last_s": statistics.median(r["last_ms"] for r in measured) / 1000,
        "goal_s": FANOUT_GOAL_S,
        "lookup_max_ms": max(r["lookup_max_ms"] for r in measured),
        "lookup_mid_ms": max(r["lookup_mid_ms"] for r in measured),
        "lookups_failed": sum(r["lookups_failed"] for r in measured),
    }


async def ask_who_is_on_call(
    session: aiohttp.ClientSession, url: str, stop: asyncio.Event
) -> list[tuple[float, float, int]]:
    """What the phone system does during the fan-out: `GET /oncall`, one at a time,
    LOOKUP_EVERY_S apart, until stopped. (asked at, answered at, status), perf_counter."""
    asked = []
    while not stop.is_set():
        began = time.perf_counter()
        try:
            async with session.get(url) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        asked.append((began, time.perf_counter(), status))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), LOOKUP_EVERY_S)
    return asked


def lookups_during(asked: list[tuple[float, float, int]], began: float, times: list[float]) -> dict:
    """The lookups asked between the alert's API call and the last push: the slowest, and the
    one asked nearest the middle push (mid-fan-out)."""
    last = began + (times[-1] if times else 0.0)
    during = [a for a in asked if a[0] <= last] or asked[:1]
    middle = began + (times[len(times) // 2] if times else 0.0)
    mid = min(during, key=lambda a: abs(a[0] - middle))
    return {
        "lookups": len(during),
        "lookup_max_ms": ms(max(a[1] - a[0] for a in during)),
        "lookup_mid_ms": ms(mid[1] - mid[0]),
        "lookups_failed": sum(a[2] != 200 for a in during),
    }


# (c) encryption cost ---------------------------------------------------------------------------


def _median_us(work: Callable[[], object], times: int) -> float:
    for _ in range(times // 10):  # warm-up
        work()
    spent = []
    for _ in range(times):
        began = time.perf_counter()
        work()
        spent.append(time.perf_counter() - began)
    return round(statistics.median(spent) * 1e6, 1)


def encryption() -> dict:
    device = Device(0)
    info = {"endpoint": "http://127.0.0.1:9/push/0", "keys": msgspec.to_builtins(device.keys)}
    text = '{"type":"alert","title":"Chaudière en panne","body":"' + "x" * PAYLOAD_BYTES
    payload = text.encode()[: PAYLOAD_BYTES - 2] + b'"}'
    pusher = WebPusher(info)
    sample = pusher.encode(payload)["body"]
    if device.open(sample) != payload:
        raise RuntimeError("the encoded sample does not decrypt to the payload")
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    receiver = device.private_key.public_key()
    with tempfile.TemporaryDirectory(prefix="astreinte-bench-") as tmp:
        vapid = VapidKeys(Path(tmp))
        claims = ("http://127.0.0.1:9", "mailto:bench@astreinte.test", int(time.time()) + 3600)
        signing = _median_us(lambda: vapid.headers(*claims), VAPID_SIGNATURES)
    return {
        "kind": "encryption",
        "payload_bytes": len(payload),
        "encrypted_bytes": len(sample),
        "encode_us": _median_us(lambda: pusher.encode(payload), ENCODE_MESSAGES),
        "pusher_and_encode_us": _median_us(
            lambda: WebPusher(info).encode(payload), ENCODE_MESSAGES
        ),
        "keygen_us": _median_us(lambda: ec.generate_private_key(ec.SECP256R1()), ENCODE_MESSAGES),
        "ecdh_us": _median_us(lambda: ephemeral.exchange(ec.ECDH(), receiver), ENCODE_MESSAGES),
        "vapid_sign_us": signing,
    }


# (d) where an engine tick's time goes (in process, cProfile) -----------------------------------

# (label, file, function): cumulative time of each, per tick, on the event loop's thread.
# Coroutines count while they run, not while they wait; parts that took no time are not shown.
PHASES = (
    ("urgent jobs (`Engine.run_urgent`)", "server/engine.py", "run_urgent"),
    ("all jobs (`Engine.run_once`)", "server/engine.py", "run_once"),
    ("… `extend_rotations`", "server/schedules/store.py", "extend_rotations"),
    ("… `send_shift_reminders`", "server/schedules/reminders.py", "send_shift_reminders"),
    ("… `escalate_due`", "server/alerts/escalation.py", "escalate_due"),
    ("`Dispatcher._due` (query)", "server/notifications/dispatch.py", "_due"),
    ("`Dispatcher._ack_tokens` (write)", "server/notifications/dispatch.py", "_ack_tokens"),
    ("`Dispatcher._badges` (app badge counts)", "server/notifications/dispatch.py", "_badges"),
    ("`Dispatcher._message` (render)", "server/notifications/dispatch.py", "_message"),
    (
        "`Dispatcher._send` (all pushes, waiting on encryption)",
        "server/notifications/dispatch.py",
        "_send",
    ),
    ("`WebPusher.encode` on the loop (small batches only)", "pywebpush/__init__.py", "encode"),
    ("`Dispatcher._record` (write)", "server/notifications/dispatch.py", "_record"),
)


async def _lag_probe(stop: asyncio.Event, lags: list[float]) -> None:
    """How late a PROBE_SLEEP_S sleep wakes: about the longest anything held the loop."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        began = loop.time()
        await asyncio.sleep(PROBE_SLEEP_S)
        lags.append(loop.time() - began - PROBE_SLEEP_S)


async def _ticks(
    engine: Engine, count: int, tag: str, profiler=None, lags: list[float] | None = None
) -> list[float]:
    spent = []
    # As in the engine loop: one HTTP session for all the ticks, connections kept open (and
    # the encryption workers started, as at the server's start-up, before anything is timed).
    async with engine.dispatcher.connections():
        await engine.dispatcher.push.encryptor.ready()
        stop = asyncio.Event()
        probe = asyncio.create_task(_lag_probe(stop, lags)) if lags is not None else None
        for number in range(count):
            now = engine.clock.now()
            data = msgspec.convert(alert_in(number, tag), AlertIn)
            create_alert(engine.database, TEAM, data, now=now, channels=engine.dispatcher.channels)
            await asyncio.sleep(0)  # as in the server: the API's request, then the engine's wake
            began = time.perf_counter()
            if profiler:
                profiler.enable()
            await engine.tick(full=False)  # what the engine loop runs when an alert wakes it
            if profiler:
                profiler.disable()
            spent.append(time.perf_counter() - began)
        stop.set()
        if probe is not None:
            await probe
    return spent


def _where(key: tuple[str, int, str]) -> str:
    path, _line, name = key
    return name if path == "~" else f"{Path(path).parent.name}/{Path(path).name}:{name}"


def profile_ticks(devices: int, count: int) -> dict:
    """create_alert then the engine's wake tick, `count` times, bare then under cProfile.
    Alerts stay open, as in (a): the last ticks run with more open alerts than the first."""
    warm = max(2, count // 10)
    with (
        tempfile.TemporaryDirectory(prefix="astreinte-bench-") as tmp,
        push_sink(Path(tmp)) as sink,
    ):
        seed(Path(tmp), [Device(n) for n in range(devices)], sink.url)
        settings = load_settings(environ={}, data_dir=tmp, log_level="WARNING", push_allow=sink.url)
        database = open_database(settings.database_path)
        try:
            sender = PushSender(VapidKeys(settings.data_path), settings.vapid_contact)
            register_domains()
            engine = Engine(database, SystemClock(), Dispatcher(database, settings, sender))
            asyncio.run(_ticks(engine, warm, "warm"))
            # As `astreinte serve` does once started (server/cli.py): what exists now is set
            # aside, so the collector's full passes during the ticks walk only what they make.
            gc.collect()
            gc.freeze()
            lags: list[float] = []
            before = sender.encryptor.on_loop, sender.encryptor.in_workers
            bare = asyncio.run(_ticks(engine, count, "bare", lags=lags))
            on_loop = sender.encryptor.on_loop - before[0]
            in_workers = sender.encryptor.in_workers - before[1]
            profiler = cProfile.Profile()
            profiled = sum(asyncio.run(_ticks(engine, count, "profiled", profiler)))
        finally:
            gc.unfreeze()
            database.close()
    stats = pstats.Stats(profiler).stats

    def calls_to(path: str, name: str) -> list[tuple]:
        return [v for k, v in stats.items() if k[0].endswith(path) and k[2] == name]

    phases = []
    for label, path, name in PHASES:
        total = sum(v[3] for v in calls_to(path, name))
        if total:
            phases.append((label, total / count * 1000, total / profiled))
    own = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:8]
    quarter = max(1, count // 4)
    return {
        "kind": "profile",
        "devices": devices,
        "ticks": count,
        "tick_p50_ms": ms(percentile(bare, 50)),
        "tick_p99_ms": ms(percentile(bare, 99)),
        "first_quarter_p50_ms": ms(percentile(bare[:quarter], 50)),
        "last_quarter_p50_ms": ms(percentile(bare[-quarter:], 50)),
        "open_alerts": (warm + 1, warm + count),
        "profiled_tick_ms": ms(profiled / count),
        "encoded_on_loop": on_loop,
        "encoded_in_workers": in_workers,
        "lag_max_ms": ms(max(lags, default=0.0)),
        "lag_p99_ms": ms(percentile(lags, 99)) if lags else 0.0,
        "messages": devices * count,
        "phases": phases,
        "own_time": [(_where(k), v[2] / profiled) for k, v in own],
    }


def run() -> list[dict]:
    return [
        against_app(DEVICES, latency),
        against_app(FANOUT_DEVICES, fanout),
        encryption(),
        profile_ticks(DEVICES, PROFILE_ALERTS),
        profile_ticks(FANOUT_DEVICES, FANOUT_RUNS),
    ]


# Report --------------------------------------------------------------------------------------


def _verdict(met: bool) -> str:
    return "met" if met else "**NOT met**"


def _ms(value: float) -> str:
    return f"{value:,.1f}" if math.isfinite(value) else "never"


def markdown(rows: list[dict]) -> str:
    lat = next(r for r in rows if r["kind"] == "latency")
    fan = next(r for r in rows if r["kind"] == "fanout")
    enc = next(r for r in rows if r["kind"] == "encryption")
    quarters = " · ".join(f"{_ms(p50)} / {_ms(p99)}" for p50, p99 in lat["quarters"])
    p99_text = (
        f"**p99 {_ms(lat['p99_ms'])} ms**"
        if math.isfinite(lat["p99_ms"])
        else "**p99 never**: more than 1 % of the pushes never came"
    )
    fan_last = f"{fan['last_s']:.2f} s" if math.isfinite(fan["last_s"]) else "never"
    out = [
        "`astreinte serve` (one uvicorn process, engine on, log level "
        f"{LOG_LEVEL.upper()}) on the demo company; {PAGED} made primary of team {TEAM} by an "
        "override shift written in the database (the workflow refuses one without a clear "
        "day's notice), pushed only (`set_rules([('push', 0)])`), shift reminders off. Devices "
        "are real P-256 key pairs + 16-byte auth secrets subscribed with `push.store.subscribe`, "
        "their endpoints on a local push service (aiohttp, a thread of the benchmark process, "
        "201 at once). After each run every push is decrypted with its device's key "
        "(`http_ece`, RFC 8291 aes128gcm) and tied to its alert by its tag `alert-<id>`, the id "
        "the API answered: exact matching, and proof of real encryption. Latency: from just "
        "before the API call to the push's body read by the push service (both "
        "`time.perf_counter()`, one process). A push not there "
        f"{DRAIN_TIMEOUT_S:.0f} s after the last call (or of an alert the API did not create "
        f'within {REQUEST_TIMEOUT_S:.0f} s) counts as infinitely late ("never").',
        "",
        f"**(a) {RATE} alerts/s for {SECONDS} s, {DEVICES} devices each** (team API key from "
        "`astreinte apikey create`, aiohttp client, open loop on a fixed schedule, distinct "
        f"`dedup_key`s, after {WARMUP_ALERTS} warm-up alerts; nobody acknowledges, so open "
        "alerts pile up as in a storm):",
        "",
        "| alerts sent / created | pushes expected / received / matched | alerts not on "
        "exactly their 3 devices | push p50 ms | push p99 ms | max ms | pushes over 100 ms "
        "| API p50 ms | API p99 ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {lat['alerts_sent']:,} / {lat['alerts_created']:,} | {lat['pushes_expected']:,} / "
        f"{lat['pushes_received']:,} / {lat['pushes_matched']:,} | {lat['alerts_incomplete']:,} "
        f"| {_ms(lat['p50_ms'])} | {_ms(lat['p99_ms'])} | {_ms(lat['max_ms'])} "
        f"| {lat['over_goal']:,} | {_ms(lat['api_p50_ms'])} | {_ms(lat['api_p99_ms'])} |",
        "",
        f"{p99_text} (goal ≤ {P99_GOAL_MS:.0f} ms: "
        f"{_verdict(lat['p99_ms'] <= P99_GOAL_MS)}). p50 / p99 ms by quarter of the minute: "
        f"{quarters}. Server CPU over the run: {lat['server_cpu']:.0%} of one core. Checks: "
        f"statuses {lat['statuses']}, sends spread over {lat['send_seconds']} s, latest send "
        f"{_ms(lat['late_send_max_ms'])} ms behind its schedule, {lat['pushes_other']} pushes "
        f"about no answered alert, {lat['bad_headers']} without aes128gcm + VAPID, plaintext "
        f"{lat['payload_bytes']:.0f} bytes (median); load average before the run "
        f"{lat['load_before']}, the machine's CPUs busy {lat['machine_busy']:.0%} of the run "
        f"(all processes, {os.cpu_count()} CPUs shared with other work).",
        "",
        f"**(b) Fan-out: one alert to {fan['devices']:,} devices of the paged person** "
        f"(the default policy's first step pages the primary; {FANOUT_RUNS} runs after a "
        "warm-up run, medians), ms from the API call. Meanwhile the phone system asks "
        f"`GET /api/v1/teams/{TEAM}/oncall` (team key) one call after the other, "
        f"{LOOKUP_EVERY_S * 1000:.0f} ms apart, from the API call to the last push: the slowest "
        "answer, and the answer to the call made nearest the median push (mid-fan-out):",
        "",
        "| run | API answer | first push | median push | last push | received / devices "
        "| lookups | slowest lookup | mid-fan-out lookup |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, run_row in enumerate(fan["runs"]):
        out.append(
            f"| {'warm-up' if number == 0 else number} | {_ms(run_row['api_ms'])} "
            f"| {_ms(run_row['first_ms'])} | {_ms(run_row['half_ms'])} "
            f"| {_ms(run_row['last_ms'])} | {run_row['received']:,} / {run_row['devices']:,} "
            f"| {run_row['lookups']} | {_ms(run_row['lookup_max_ms'])} "
            f"| {_ms(run_row['lookup_mid_ms'])} |"
        )
    lag = max((r["lag_max_ms"] for r in rows if r["kind"] == "profile"), default=math.inf)
    lookups_ok = fan["lookups_failed"] == 0
    out += [
        "",
        f"**Last of {fan['devices']:,} arrivals: {fan_last}** (goal ≤ "
        f"{FANOUT_GOAL_S} s: {_verdict(fan['complete'] and fan['last_s'] <= FANOUT_GOAL_S)}"
        f"{'' if fan['complete'] else '; some pushes missing, doubled or not encrypted'}). "
        f"**Lookups during the fan-outs: mid-fan-out {_ms(fan['lookup_mid_ms'])} ms, slowest "
        f"{_ms(fan['lookup_max_ms'])} ms** (goal ≤ {LOOKUP_GOAL_MS:.0f} ms: "
        f"{_verdict(lookups_ok and fan['lookup_max_ms'] <= LOOKUP_GOAL_MS)}"
        f"{'' if lookups_ok else '; ' + str(fan['lookups_failed']) + ' not answered 200'}). "
        f"**Event loop held at most {_ms(lag)} ms** during the 1,000-device ticks of (d) "
        f"(goal ≤ {LAG_GOAL_MS:.0f} ms: {_verdict(lag <= LAG_GOAL_MS)}).",
        "",
        f"**(c) Encryption per message** (in process, median of {ENCODE_MESSAGES:,}, "
        f"{enc['payload_bytes']}-byte payload → {enc['encrypted_bytes']} bytes):",
        "",
        "| `WebPusher.encode` | `WebPusher(…)` + encode (what the sender does) | of which: "
        "ephemeral P-256 key | ECDH | VAPID signature (once per push service per 3 h) |",
        "|---:|---:|---:|---:|---:|",
        f"| {enc['encode_us']:.0f} µs | {enc['pusher_and_encode_us']:.0f} µs "
        f"| {enc['keygen_us']:.0f} µs | {enc['ecdh_us']:.0f} µs | {enc['vapid_sign_us']:.0f} µs |",
        "",
        "**(d) Where the engine's time goes**: in process, `create_alert` then "
        "`Engine.tick(full=False)` (what the engine loop runs when an alert wakes it, in one "
        "`Dispatcher.connections()` as the loop: connections to the push service kept open), "
        "alerts left open, the push service a child process. Cumulative time per tick on the "
        "event loop's thread under cProfile (inflated by the profiler: the shares are what "
        "matters).",
    ]
    for prof in (r for r in rows if r["kind"] == "profile"):
        first, last = prof["open_alerts"]
        out += [
            "",
            f"{prof['devices']:,} devices, {prof['ticks']} ticks (open alerts {first:,} → "
            f"{last:,}): tick p50 {_ms(prof['tick_p50_ms'])} ms, p99 {_ms(prof['tick_p99_ms'])} "
            f"ms without the profiler (p50 of the first quarter {_ms(prof['first_quarter_p50_ms'])}"
            f" ms, of the last {_ms(prof['last_quarter_p50_ms'])} ms); "
            f"{_ms(prof['profiled_tick_ms'])} ms with it. Encrypted on the event loop: "
            f"{prof['encoded_on_loop']:,} of {prof['messages']:,} messages, in the "
            f"{WORKERS} worker process{'es' if WORKERS > 1 else ''}: "
            f"{prof['encoded_in_workers']:,} (outside this profile; their cost is (c)). "
            f"Event loop lag (a {PROBE_SLEEP_S * 1000:.0f} ms sleep, how late it woke) over the "
            f"ticks: p99 {_ms(prof['lag_p99_ms'])} ms, max {_ms(prof['lag_max_ms'])} ms.",
            "",
            "| part | ms per tick (profiled) | share |",
            "|---|---:|---:|",
        ]
        out += [f"| {part} | {value:.2f} | {share:.0%} |" for part, value, share in prof["phases"]]
        own = ", ".join(f"`{name}` {share:.0%}" for name, share in prof["own_time"])
        out += ["", f"Most own time: {own}."]
    return "\n".join(out)
