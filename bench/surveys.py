"""Surveys: 1,000 satisfaction surveys planned and sent by the engine while alerts are paged; the
alerts' push p99 with and without them, in the same run (bench/alerts.py's method)."""

from __future__ import annotations

import asyncio
import math
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp

from bench import servers
from bench.alerts import (
    DEVICES,
    LOG_LEVEL,
    PAGED,
    RATE,
    SETTLE_S,
    TEAM,
    WARMUP_ALERTS,
    check_on_call,
    client,
    match,
    ms,
    open_loop,
    percentile,
    seed,
)
from bench.push_service import Device, push_service
from bench.schedules import api_key
from bench.survey_sinks import GATEWAY_DELAY_S
from server.clock import to_db

TITLE = "Surveys: 1,000 sent by the engine while alerts are paged (alert push p99 with / without)"
SECONDS = 20
SURVEYS = 1000
ENGINE_INTERVAL = "5"
ROUNDS = 3  # without, with, without, with …: drift of the machine shared by both
QUEUE_AFTER_S = 1.0
WARM_SURVEYS = 10
# Zones tried for the clients, so that it is day for them whenever the bench runs (surveys are
# never sent between 21:00 and 08:00 in the client's zone).
ZONES = ("Europe/Paris", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "Asia/Kolkata")


def daytime_zone(now: datetime) -> str:
    for zone in ZONES:
        if 9 <= now.astimezone(ZoneInfo(zone)).hour < 19:
            return zone
    return "Pacific/Auckland"


class Sinks:
    """The SMS gateway and SMTP server of bench/survey_sinks.py, run as a process of their own;
    the times surveys came at, on the benchmark's perf_counter clock."""

    def __init__(self) -> None:
        self.gateway_port = servers.free_port()
        self.smtp_port = servers.free_port()
        self.sms: list[float] = []
        self.mails: list[float] = []
        self._process: subprocess.Popen | None = None
        self._offset = time.time() - time.perf_counter()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    async def start(self) -> None:
        command = [sys.executable, "-m", "bench.survey_sinks"]
        self._process = subprocess.Popen(
            [*command, str(self.gateway_port), str(self.smtp_port)], cwd=servers.REPO_ROOT
        )
        async with aiohttp.ClientSession() as session:
            for _try in range(100):
                try:
                    async with session.get(self.url + "/healthz") as answer:
                        if answer.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError("the survey sinks did not start")

    async def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)

    async def fetch(self) -> None:
        async with aiohttp.ClientSession() as session, session.get(self.url + "/stats") as got:
            data = await got.json()
        self.sms = [t - self._offset for t in data["sms"]]
        self.mails = [t - self._offset for t in data["mails"]]

    async def clear(self) -> None:
        async with aiohttp.ClientSession() as session:
            await session.post(self.url + "/clear")
        self.sms, self.mails = [], []

    def arrivals(self) -> list[float]:
        return sorted(self.sms + self.mails)


def add_clients(db_path: Path, zone: str) -> tuple[int, int, int]:
    """Two clients of the team (a mobile number; an e-mail only) in a zone where it is day, the
    team asking at once (no delay); (mobile client, e-mail client, PAGED's id)."""
    stamp = to_db(datetime.now(UTC))
    with sqlite3.connect(db_path, timeout=30) as db:
        db.execute(
            "UPDATE teams SET policy = json_set(policy, '$.survey_delay_minutes', 0) WHERE id = ?",
            (TEAM,),
        )
        ids = []
        for name, email in (("Résidence Bench SMS", ""), ("Bench Mail SA", "bench@client.test")):
            cursor = db.execute(
                "INSERT INTO clients (team_id, name, email, locale, timezone, created_at, "
                "updated_at) VALUES (?, ?, ?, 'fr', ?, ?, ?)",
                (TEAM, name, email, zone, stamp, stamp),
            )
            ids.append(cursor.lastrowid)
        db.execute(
            "INSERT INTO client_phones (client_id, number) VALUES (?, '+33612345678')", (ids[0],)
        )
        user = db.execute("SELECT id FROM users WHERE email = ?", (PAGED,)).fetchone()[0]
    return ids[0], ids[1], user


def add_interventions(db_path: Path, clients: tuple[int, int, int], count: int) -> list[dict]:
    """`count` interventions with a client, written before the server starts and three days
    old (so the engine plans nothing for them by itself); their ids and clients."""
    sms_client, mail_client, user = clients
    old = datetime.now(UTC) - timedelta(days=3)
    started, ended, stamp = to_db(old - timedelta(hours=1)), to_db(old), to_db(old)
    made = []
    with sqlite3.connect(db_path, timeout=30) as db:
        for n in range(count):
            client_id = sms_client if n % 2 else mail_client
            record = str(uuid.uuid4())
            cursor = db.execute(
                "INSERT INTO interventions (uuid, user_id, team_id, started_at, ended_at, mode, "
                "outcome, client_changed_at, server_changed_at, created_at, updated_at, "
                "client_id) VALUES (?, ?, ?, ?, ?, 'remote', 'resolved', ?, ?, ?, ?, ?)",
                (record, user, TEAM, started, ended, stamp, stamp, stamp, stamp, client_id),
            )
            made.append({"id": cursor.lastrowid, "uuid": record, "client_id": client_id})
    return made


def queue_surveys(db_path: Path, interventions: list[dict], user: int) -> None:
    """A survey due now for each intervention, with its first message, 50 per transaction (as
    the engine plans them): the engine's survey task sends them at its next round."""
    now = to_db(datetime.now(UTC))
    with sqlite3.connect(db_path, timeout=30) as db:
        for start in range(0, len(interventions), 50):
            with db:
                for item in interventions[start : start + 50]:
                    survey = db.execute(
                        "INSERT INTO surveys (team_id, user_id, client_id, intervention_id, "
                        "intervention_uuid, channel, status, send_at, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, 'scheduled', ?, ?)",
                        (
                            TEAM,
                            user,
                            item["client_id"],
                            item["id"],
                            item["uuid"],
                            item["channel"],
                            now,
                            now,
                        ),
                    ).lastrowid
                    db.execute(
                        "INSERT INTO survey_messages (survey_id, kind, next_attempt_at, "
                        "created_at) VALUES (?, 'first', ?, ?)",
                        (survey, now, now),
                    )


async def one_run(
    server, key: str, service, devices, sinks: Sinks, db_path: Path, clients, surveys: bool
) -> dict:
    url = server.url + "/api/v1/alerts"
    by_number = {d.number: d for d in devices}
    await sinks.clear()
    async with client(key) as session:
        warm = await open_loop(session, url, WARMUP_ALERTS, 5, f"warm-{surveys}-{time.time()}")
        await service.wait_for(len(warm) * DEVICES)
        await asyncio.sleep(SETTLE_S)
        service.arrivals.clear()
        await sinks.clear()
        tag = f"run-{surveys}-{time.time()}"
        loop_task = asyncio.create_task(open_loop(session, url, RATE * SECONDS, RATE, tag))
        if surveys:
            await asyncio.sleep(QUEUE_AFTER_S)
            batch, user = clients
            await asyncio.to_thread(queue_surveys, db_path, batch.pop(), user)
        sent = await loop_task
        await service.wait_for(len(sent) * DEVICES)
        await asyncio.sleep(SETTLE_S)
    await sinks.fetch()
    sent_in_run = len(sinks.arrivals())
    if surveys:
        # The next run starts once every survey went out (none of them in its way).
        for _wait in range(120):
            await sinks.fetch()
            if len(sinks.arrivals()) >= SURVEYS:
                break
            await asyncio.sleep(1)
    matched = match(list(service.arrivals), by_number, sent)
    by_sent = {s.number: matched.latencies.get(s.alert_id, []) for s in sent}
    by_sent = {n: v + [math.inf] * (DEVICES - len(v)) for n, v in by_sent.items()}
    latencies = [v for values in by_sent.values() for v in values]
    arrivals = sinks.arrivals()
    window = [
        v
        for s in sent
        if arrivals and arrivals[0] <= s.began <= arrivals[-1]
        for v in by_sent[s.number]
    ]
    return {
        "kind": "with" if surveys else "without",
        "alerts": len(sent),
        "p50_ms": ms(percentile(latencies, 50)),
        "p99_ms": ms(percentile(latencies, 99)),
        "max_ms": ms(max(filter(math.isfinite, latencies), default=math.inf)),
        "surveys_sms": len(sinks.sms),
        "surveys_mail": len(sinks.mails),
        "sent_in_run": sent_in_run,
        "sending_s": round(arrivals[-1] - arrivals[0], 1) if arrivals else 0.0,
        "window_alerts": len(window) // DEVICES,
        "window_p99_ms": ms(percentile(window, 99)) if window else None,
    }


async def warm_up(sinks: Sinks, db_path: Path, clients) -> None:
    """A few surveys sent before measuring: the catalogues of both languages and the SMTP
    client loaded, as on any server that has been up a while (bench/alerts.py warms up too)."""
    batches, user = clients
    await sinks.clear()
    await asyncio.to_thread(queue_surveys, db_path, batches.pop()[:WARM_SURVEYS], user)
    for _wait in range(60):
        await sinks.fetch()
        if len(sinks.arrivals()) >= WARM_SURVEYS:
            return
        await asyncio.sleep(1)
    raise RuntimeError("the warm-up surveys were not sent")


async def measure(server, key, service, devices, sinks: Sinks, db_path: Path, clients) -> list:
    await warm_up(sinks, db_path, clients)
    rows = []
    for _round in range(ROUNDS):
        for surveys in (False, True):
            rows.append(
                await one_run(server, key, service, devices, sinks, db_path, clients, surveys)
            )
            await asyncio.sleep(2)
    return rows


def run() -> list[dict]:
    subscribed = [Device(number) for number in range(DEVICES)]
    sinks = Sinks()

    async def main(tmp: Path) -> list[dict]:
        await sinks.start()
        try:
            with push_service() as service:
                seed(tmp, subscribed, service.url)
                db_path = tmp / "astreinte.db"
                sms_client, mail_client, user = add_clients(
                    db_path, daytime_zone(datetime.now(UTC))
                )
                made = add_interventions(
                    db_path, (sms_client, mail_client, user), SURVEYS * (ROUNDS + 1)
                )
                for item in made:
                    item["channel"] = "sms" if item["client_id"] == sms_client else "email"
                batches = [made[n : n + SURVEYS] for n in range(0, len(made), SURVEYS)]
                clients = (batches, user)
                key = api_key(tmp, TEAM)
                gateway = sinks.url
                env = {
                    "ASTREINTE_ENGINE_INTERVAL": ENGINE_INTERVAL,
                    "ASTREINTE_WEBHOOK_URL": gateway + "/sms",
                    "ASTREINTE_SMTP_HOST": "127.0.0.1",
                    "ASTREINTE_SMTP_PORT": str(sinks.smtp_port),
                    "ASTREINTE_SMTP_STARTTLS": "false",
                }
                allow = f"{service.url},{gateway}"
                with servers.astreinte(tmp, log_level=LOG_LEVEL, push_allow=allow, env=env) as srv:
                    check_on_call(srv.url, key)
                    return await measure(srv, key, service, subscribed, sinks, db_path, clients)
        finally:
            await sinks.stop()

    with tempfile.TemporaryDirectory(prefix="astreinte-bench-") as tmp:
        return asyncio.run(main(Path(tmp)))


def markdown(rows: list[dict]) -> str:
    without = [r for r in rows if r["kind"] == "without"]
    with_ = [r for r in rows if r["kind"] == "with"]
    # Medians of the runs' p99s: one run on a shared machine can be off by a factor of three.
    base = statistics.median(r["p99_ms"] for r in without)
    loaded = statistics.median(r["p99_ms"] for r in with_)
    window = statistics.median((r["window_p99_ms"] or 0) for r in with_)
    ratio = loaded / base if base else math.inf
    lines = [
        f"`astreinte serve` as in the alerts section ({RATE} alerts/s for {SECONDS} s, "
        f"{DEVICES} devices, every push decrypted and matched), engine every {ENGINE_INTERVAL} s, "
        f"an SMS gateway answering after {GATEWAY_DELAY_S * 1000:.0f} ms and an SMTP server on "
        "local ports (a process of their own). Runs alternate without / with; in a run "
        f'"with", {SURVEYS:,} surveys due at once (half by SMS, half by e-mail, for '
        "interventions written before the server started) are queued "
        f"{QUEUE_AFTER_S:.0f} s in, 50 per transaction as the engine plans them, and the "
        "engine's survey task sends them (at most 20 a second) while the alerts go on; the next "
        "run waits until all "
        'went out. "While sending": the alerts posted between the first and the last survey '
        "received. The machine is shared (2 cores): compare runs side by side, not with other "
        "sections.",
        "",
        "| run | alerts | p50 ms | p99 ms | max ms | SMS | e-mails | sent during the run | "
        "sending s | alerts while sending | their p99 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['kind']} | {r['alerts']} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | "
            f"{r['surveys_sms']} | {r['surveys_mail']} | {r['sent_in_run']} | {r['sending_s']} | "
            f"{r['window_alerts']} | {r['window_p99_ms'] if r['window_p99_ms'] else '—'} |"
        )
    window_ratio = window / base if base else math.inf
    verdict = "met" if window_ratio <= 1.0 or window - base <= 10 else "**NOT met**"
    lines += [
        "",
        f"Alerts posted while survey messages were going out: median p99 {window} ms against "
        f"{base} ms without surveys, ratio **{window_ratio:.2f}** ({verdict}: no worse, within "
        f"10 ms of noise). Over the whole runs (queuing included): {loaded} ms against {base} "
        f"ms, ratio {ratio:.2f}.",
    ]
    return "\n".join(lines)
