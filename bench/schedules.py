"""Schedules: shifts for 100 teams of 10 over 12 weeks (the on-call API's throughput: hot_paths).

The helpers the API benchmarks share live here: a team key made by `astreinte apikey create`,
a weeknight inside the demo's published weeks, and the check that the lookups answer."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx

from bench import servers
from server.accounts.models import UserForm
from server.accounts.store import create_user
from server.audit.models import Actor
from server.db import Database, open_database
from server.schedules.models import Coverage, RotationSpec
from server.schedules.rotation import plan_shifts
from server.schedules.rotations import extend_rotations, save_rotation
from server.teams.models import TeamForm
from server.teams.store import create_team, set_membership

TITLE = "Schedules: generating 12 weeks of shifts for 100 teams"
TEAMS, PEOPLE_PER_TEAM, HORIZON_WEEKS, GENERATION_RUNS = 100, 10, 12, 3
# A fixed Monday, 08:00 in Paris, so runs compare: the 12 weeks cross the switch to summer
# time and five public holidays (Easter Monday, 1 and 8 May, Ascension, Whit Monday).
NOW = datetime(2026, 3, 2, 7, tzinfo=UTC)
ACTOR = Actor(label="bench")
PARIS = ZoneInfo("Europe/Paris")
TEAM = 1  # the demo's first team (Maintenance des bâtiments)


# Generation --------------------------------------------------------------------------------


def company(database: Database) -> dict[int, list[int]]:
    """TEAMS teams of PEOPLE_PER_TEAM people, in one transaction (set-up, not timed)."""
    teams: dict[int, list[int]] = {}
    with database.write():
        for number in range(1, TEAMS + 1):
            team = create_team(database, TeamForm(name=f"Équipe {number:03}"), actor=ACTOR, now=NOW)
            people = []
            for person in range(1, PEOPLE_PER_TEAM + 1):
                form = UserForm(
                    email=f"p{person}.t{number}@bench.test",
                    name=f"Personne {person} Équipe {number}",
                    phone=f"+33 6 {number:04} {person:04}",
                )
                user = create_user(database, form, actor=ACTOR, now=NOW)
                set_membership(database, team.id, user.id, "member", actor=ACTOR, now=NOW)
                people.append(user.id)
            teams[team.id] = people
    return teams


def weekly(participants: tuple[int, ...]) -> RotationSpec:
    """Weekly hand-off on Monday 08:00, on call outside business hours and on holidays."""
    return RotationSpec(
        timezone="Europe/Paris",
        participants=participants,
        start_date=NOW.astimezone(PARIS).date(),
        handoff_time="08:00",
        coverage=Coverage(),
    )


def generate(database: Database, teams: dict[int, list[int]]) -> None:
    """What managers do: a primary and a backup rotation per team, each saved on its own."""
    for team_id, people in teams.items():
        half = len(people) // 2
        for layer, order in (("primary", people), ("secondary", people[half:] + people[:half])):
            save_rotation(
                database,
                team_id=team_id,
                name=f"Astreinte ({layer})",
                layer=layer,
                spec=weekly(tuple(order)),
                horizon_weeks=HORIZON_WEEKS,
                actor=ACTOR,
                now=NOW,
            )


def _timed(work: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    result = work()
    return time.perf_counter() - began, result


def generation_run(path: Path) -> dict:
    """One run on a fresh database: generation, extension by a week, then a run with no work."""
    database = open_database(path)
    try:
        teams = company(database)
        generate_s, _ = _timed(lambda: generate(database, teams))
        shifts = database.scalar("SELECT COUNT(*) FROM shifts")
        # The count does not depend on who takes part: every rotation plans the same stretches.
        per_rotation = len(plan_shifts(weekly((1,)), NOW, NOW + timedelta(weeks=HORIZON_WEEKS)))
        layers = database.scalar("SELECT COUNT(DISTINCT team_id || layer) FROM shifts")
        if shifts != 2 * TEAMS * per_rotation or layers != 2 * TEAMS:
            raise RuntimeError(f"generated {shifts} shifts in {layers} team layers")
        a_week_later = NOW + timedelta(weeks=1)
        extend_s, added = _timed(lambda: extend_rotations(database, a_week_later))
        noop_s, again = _timed(lambda: extend_rotations(database, a_week_later))
        if not added or again:
            raise RuntimeError(f"extension inserted {added}, then {again} (expected > 0, then 0)")
    finally:
        database.close()
    return {
        "generate_s": generate_s,
        "shifts": shifts,
        "extend_s": extend_s,
        "extended": added,
        "noop_s": noop_s,
    }


def generation() -> dict:
    with tempfile.TemporaryDirectory(prefix="astreinte-bench-") as tmp:
        runs = [generation_run(Path(tmp, f"run{n}.db")) for n in range(GENERATION_RUNS)]
    if len({(r["shifts"], r["extended"]) for r in runs}) != 1:
        raise RuntimeError(f"runs generated different shifts: {runs}")
    median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    return {
        "kind": "generation",
        **median,
        "rotations": 2 * TEAMS,
        "shifts_per_s": median["shifts"] / median["generate_s"],
        "generate_rounds": [r["generate_s"] for r in runs],
    }


# On-call API throughput --------------------------------------------------------------------


def api_key(data_dir: Path, team: int) -> str:
    """A key made the way an operator makes one: `astreinte apikey create` (printed once)."""
    done = subprocess.run(
        [str(servers.ASTREINTE), "apikey", "create", "--team", str(team), "--name", "bench"],
        cwd=servers.REPO_ROOT,
        env={**os.environ, "ASTREINTE_DATA_DIR": str(data_dir), "ASTREINTE_LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    key = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if not key.startswith("ast_"):
        raise RuntimeError(f"astreinte apikey create printed no key: {done.stdout}{done.stderr}")
    return key


def next_tuesday_night() -> datetime:
    """23:00 in Paris on the coming Tuesday: a weeknight inside the demo's published weeks."""
    today = datetime.now(PARIS).date()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    return datetime.combine(tuesday, clock(23), PARIS)


def check_answers(base: str, headers: dict[str, str], at: datetime) -> dict:
    """The API answers what an integration needs; a benchmark of an error would be worthless."""
    query = "?at=" + quote(at.isoformat())
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        answer = client.get(f"/api/v1/teams/{TEAM}/oncall{query}")
        body = answer.json() if answer.status_code == 200 else {}
        if not (body.get("primary") or {}).get("phone"):
            raise RuntimeError(f"oncall at {at}: {answer.status_code} {answer.text[:300]}")
        now = client.get(f"/api/v1/teams/{TEAM}/oncall")
        if now.status_code != 200 or not {"primary", "secondary"} <= set(now.json()):
            raise RuntimeError(f"oncall without `at`: {now.status_code} {now.text[:300]}")
        text = client.get(f"/api/v1/teams/{TEAM}/oncall.txt{query}")
        if text.status_code != 200 or text.text != body["primary"]["phone"].replace(" ", "") + "\n":
            raise RuntimeError(f"oncall.txt at {at}: {text.status_code} {text.text[:300]}")
    anonymous = httpx.get(f"{base}/api/v1/teams/{TEAM}/oncall{query}", timeout=10)
    if anonymous.status_code != 401:
        raise RuntimeError(f"oncall without a key answered {anonymous.status_code}, not 401")
    return {
        "kind": "answer",
        "at": at.isoformat(),
        "path": f"/api/v1/teams/{TEAM}/oncall{query}",
        "primary_until": body["primary"]["until"],
        "secondary": body["secondary"] is not None,
        "txt": text.text.strip(),
    }


def run() -> list[dict]:
    return [generation()]


def markdown(rows: list[dict]) -> str:
    gen = next(r for r in rows if r["kind"] == "generation")
    rounds = " · ".join(f"{s:.2f}" for s in gen["generate_rounds"])
    out = [
        f"Generation, in process on a fresh SQLite file each run ({GENERATION_RUNS} runs, "
        f"medians): {TEAMS} teams of {PEOPLE_PER_TEAM} people; for each team `save_rotation` "
        "twice (weekly primary, backup layer shifted by half the team), each on call outside "
        f"business hours (Mon–Fri 08:00–18:00) and on holidays, {HORIZON_WEEKS} weeks of drafts "
        f"from {NOW.isoformat()} (crosses the change to summer time and five public holidays). "
        "Then the engine's `extend_rotations` a week later, and the same call again, which must "
        "insert nothing.",
        "",
        "| step | rotations | shifts inserted | median s | runs, s | shifts/s |",
        "|---|---:|---:|---:|---|---:|",
        f"| generate (`save_rotation` × {gen['rotations']}) | {gen['rotations']} "
        f"| {gen['shifts']:,} | {gen['generate_s']:.3f} | {rounds} | {gen['shifts_per_s']:,.0f} |",
        f"| `extend_rotations(now + 1 week)` | {gen['rotations']} | {gen['extended']:,} "
        f"| {gen['extend_s']:.3f} | | {gen['extended'] / gen['extend_s']:,.0f} |",
        f"| `extend_rotations` again (no-op) | {gen['rotations']} | 0 "
        f"| {gen['noop_s']:.3f} | | — |",
        "",
        "`GET /oncall` and `oncall.txt` throughput against the bare page is measured with the "
        "bottom bar's pages in one run: see the hot_paths benchmark.",
    ]
    return "\n".join(out)
