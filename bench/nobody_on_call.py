"""Nobody on call: an alert raised through the API reaches the team's managers' phones."""

from __future__ import annotations

import asyncio
import math
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import httpx
import msgspec

from bench import servers
from bench.alerts import Sent, client, ms, percentile, post_alert
from bench.push_service import Arrival, Device, PushService, push_service
from bench.schedules import api_key
from server.accounts.models import UserForm
from server.accounts.store import create_user
from server.audit.models import Actor
from server.db import open_database
from server.demo import seed_demo
from server.notifications.store import set_rules
from server.push.models import SubscriptionIn
from server.push.store import subscribe
from server.teams.models import TeamForm
from server.teams.store import create_team, set_membership

TITLE = "Nobody on call: from the API call to the managers' phones, on the alert's wake"
ALERTS, WARMUP_ALERTS, MANAGERS = 30, 1, 2
GOAL_S = 1.0
# The engine's round: far longer than the goal, so only the new alert's wake can deliver in time.
ENGINE_INTERVAL_S = 600
# The server's start-up round is left to finish first; each alert's pushes are awaited this
# long (missing after that: infinitely late); a pause between alerts, then before counting.
START_SETTLE_S, PUSH_TIMEOUT_S, PAUSE_S, SETTLE_S = 2.0, 10.0, 0.2, 1.0
TEAM_NAME = "Chaufferie (sans planning)"
# The managers read their pushes in English: the body must start with this (the reason).
GAP_TEXT = "Nobody on call: coverage gap."
LOG_LEVEL = "warning"


def seed(data_dir: Path, devices: list[Device], push_url: str) -> int:
    """The demo company, plus a team with no rotation (nobody on call at any hour, whatever
    the clock says), a member and MANAGERS managers, each pushed only, on one phone each."""
    database = open_database(data_dir / "astreinte.db")
    try:
        now = datetime.now(UTC)
        seed_demo(database, now)
        actor = Actor(label="bench")
        team_id = create_team(database, TeamForm(name=TEAM_NAME), actor=actor, now=now).id
        member = create_user(
            database,
            UserForm(email="technicien.chaufferie@astreinte.test", name="Technicien Chaufferie"),
            actor=actor,
            now=now,
        )
        set_membership(database, team_id, member.id, "member", actor=actor, now=now)
        for device in devices:
            manager = create_user(
                database,
                UserForm(
                    email=f"responsable{device.number}.chaufferie@astreinte.test",
                    name=f"Responsable {device.number} Chaufferie",
                    role="manager",
                    locale="en",
                ),
                actor=actor,
                now=now,
            )
            set_membership(database, team_id, manager.id, "manager", actor=actor, now=now)
            set_rules(database, manager.id, [("push", 0)], actor=actor, now=now)
            sub = SubscriptionIn(endpoint=f"{push_url}/push/{device.number}", keys=device.keys)
            subscribe(database, manager.id, sub, user_agent="bench", now=now)
        return team_id
    finally:
        database.close()


def check_nobody_on_call(base: str, key: str, team_id: int) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    answer = httpx.get(f"{base}/api/v1/teams/{team_id}/oncall", headers=headers, timeout=10)
    body = answer.json() if answer.status_code == 200 else {}
    if answer.status_code != 200 or body.get("primary") or body.get("secondary"):
        raise RuntimeError(f"someone is on call: {answer.status_code} {answer.text[:300]}")


def alert_in(number: int, tag: str) -> dict:
    return {
        "title": f"Chaufferie : sonde {tag} {number} hors ligne",
        "details": "La sonde de température du départ ne répond plus.",
        "severity": "critical",
        "dedup_key": f"bench-nobody-{tag}-{number}",
        "source": "bench",
    }


async def one_at_a_time(
    session: aiohttp.ClientSession, url: str, service: PushService, count: int, tag: str
) -> list[Sent]:
    """Each alert raised once the previous one reached every manager's phone (or timed out)."""
    sent = []
    for number in range(count):
        expected = len(service.arrivals) + MANAGERS
        sent.append(
            await post_alert(session, url, Sent(number, time.perf_counter()), tag, alert_in)
        )
        await service.wait_for(expected, timeout=PUSH_TIMEOUT_S)
        await asyncio.sleep(PAUSE_S)
    return sent


def last_phone(arrivals: list[Arrival], devices: dict[int, Device], sent: list[Sent]) -> dict:
    """Every arrival decrypted with its phone's key and tied to its alert by the push's tag:
    per alert, seconds from the API call to the last manager's phone; inf unless each phone
    got it exactly once (a missing push is infinitely late, not left out of the figures)."""
    by_alert = {s.alert_id: s for s in sent if s.alert_id is not None}
    reached: dict[int, list[tuple[int, float]]] = {a: [] for a in by_alert}
    other = gap_text = 0
    for arrival in arrivals:
        message = msgspec.json.decode(devices[arrival.device].open(arrival.body))
        tag = message.get("tag", "")
        alert_id = int(tag[6:]) if message.get("type") == "alert" and tag[:6] == "alert-" else 0
        if alert_id not in by_alert:
            other += 1
            continue
        reached[alert_id].append((arrival.device, arrival.at - by_alert[alert_id].began))
        gap_text += message.get("body", "").startswith(GAP_TEXT)
    latencies = []
    for s in sent:
        phones = reached.get(s.alert_id, [])
        exact = sorted(device for device, _ in phones) == sorted(devices)
        latencies.append(max(at for _, at in phones) if exact else math.inf)
    return {"latencies": latencies, "other": other, "gap_text": gap_text}


async def measure(
    server: servers.Server, key: str, service: PushService, devices: list[Device]
) -> dict:
    url = server.url + "/api/v1/alerts"
    by_number = {d.number: d for d in devices}
    await asyncio.sleep(START_SETTLE_S)  # the engine's start-up round is over: it now sleeps
    async with client(key) as session:
        warm = await one_at_a_time(session, url, service, WARMUP_ALERTS, "warm")
        sent = await one_at_a_time(session, url, service, ALERTS, "run")
        await asyncio.sleep(SETTLE_S)  # a late duplicate would show in the count
    arrivals = list(service.arrivals)
    warmed = last_phone(arrivals, by_number, warm)
    found = last_phone(arrivals, by_number, sent)
    latencies = found["latencies"]
    api = [s.answered - s.began for s in sent]
    return {
        "alerts_sent": len(sent),
        "alerts_created": sum(s.status == 201 for s in sent),
        "statuses": sorted({s.status for s in sent}),
        "pushes_expected": MANAGERS * (len(warm) + len(sent)),
        "pushes_received": len(arrivals),
        "alerts_complete": sum(map(math.isfinite, latencies)),
        "pushes_other": last_phone(arrivals, by_number, warm + sent)["other"],
        "gap_text": found["gap_text"],
        "warmup_ms": [ms(v) for v in warmed["latencies"]],
        "median_ms": ms(statistics.median(latencies)),
        "p90_ms": ms(percentile(latencies, 90)),
        "max_ms": ms(max(latencies)),
        "min_ms": ms(min(latencies)),
        "api_median_ms": ms(statistics.median(api)),
        "over_goal": sum(v > GOAL_S for v in latencies),
    }


def run() -> list[dict]:
    phones = [Device(number) for number in range(MANAGERS)]
    with (
        tempfile.TemporaryDirectory(prefix="astreinte-bench-") as tmp,
        push_service() as service,
    ):
        team_id = seed(Path(tmp), phones, service.url)
        key = api_key(Path(tmp), team_id)
        interval = {"ASTREINTE_ENGINE_INTERVAL": str(ENGINE_INTERVAL_S)}
        with servers.astreinte(
            Path(tmp), log_level=LOG_LEVEL, push_allow=service.url, env=interval
        ) as server:
            check_nobody_on_call(server.url, key, team_id)
            return [asyncio.run(measure(server, key, service, phones))]


def _ms(value: float) -> str:
    return f"{value:,.1f}" if math.isfinite(value) else "never"


def markdown(rows: list[dict]) -> str:
    r = rows[0]
    met = r["max_ms"] <= GOAL_S * 1000 and r["alerts_complete"] == r["alerts_sent"]
    warm = ", ".join(_ms(v) for v in r["warmup_ms"])
    return "\n".join(
        [
            f"Issue 10: an alert raised through the API reaches the team's managers' phones "
            f"within a second. {r['alerts_sent']} alerts raised one at a time through "
            "`POST /api/v1/alerts` (team API key from `astreinte apikey create`, distinct titles "
            "and `dedup_key`s, each once the previous one had arrived, after "
            f"{WARMUP_ALERTS} warm-up alert) on `astreinte serve`, for a team with no rotation: "
            "nobody is on call whatever the hour (as for the demo's teams in business hours, "
            "outside their rotations' coverage), so the default policy's primary and backup "
            f"steps find nobody and its {MANAGERS} managers are paged at once, each on one "
            "phone subscribed to a local push service (named in ASTREINTE_PUSH_ALLOW). The "
            f"engine's round is every {ENGINE_INTERVAL_S} s (ASTREINTE_ENGINE_INTERVAL): only "
            "the new alert's wake can deliver in time. Time from the request being sent to the "
            "push arriving (decrypted, matched by its tag) on the last of the managers' phones, "
            "ms:",
            "",
            "| alerts sent / created | pushes expected / received | alerts on every manager's "
            "phone once | median | p90 | max | min | over 1 s | API answer median |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {r['alerts_sent']} / {r['alerts_created']} | {r['pushes_expected']} / "
            f"{r['pushes_received']} | {r['alerts_complete']} | {_ms(r['median_ms'])} "
            f"| {_ms(r['p90_ms'])} | {_ms(r['max_ms'])} | {_ms(r['min_ms'])} | {r['over_goal']} "
            f"| {_ms(r['api_median_ms'])} |",
            "",
            f"**Max {_ms(r['max_ms'])} ms** (goal ≤ {GOAL_S:.0f} s: "
            f"{'met' if met else '**NOT met**'}). Checks: statuses {r['statuses']}, "
            f"{r['gap_text']} of the {MANAGERS * r['alerts_sent']} pushes start with "
            f'"{GAP_TEXT}", {r["pushes_other"]} pushes about nothing raised here; the warm-up '
            f"alert (the first after start-up, not counted): {warm} ms.",
        ]
    )
