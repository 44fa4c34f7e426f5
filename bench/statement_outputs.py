"""The statement's outputs: one PDF (goal ≤ 100 ms), and the manager's month of a 200-person
team served by `astreinte serve` against the bare page (goal ≥ 0.3 of its requests/s)."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from bench import rounds, servers, wrk
from bench.foundation import log_in
from bench.statements import PARIS, _intervention, _shift
from server.audit.models import Actor
from server.clock import to_db
from server.db import Database
from server.statements import monthly
from server.statements.closing import close_month
from server.statements.models import Compensation, DayRates, PremiumPercents
from server.statements.pdf import render_pdf
from server.statements.store import save_compensation

TITLE = "Statement outputs: one PDF (≤ 100 ms); the manager's month of 200 people vs the bare page"
PEOPLE = 200
MANAGER = "claire.martin@astreinte.test"  # the demo's manager, also made manager of this team
CLOSED, PROVISIONAL = "2026-10", "2026-11"
PDF_RUNS, PDF_GOAL_S = 30, 0.100
PAGE_GOAL = 0.3
ROUNDS, SECONDS, WARMUP_SECONDS = 3, 5, 2
THREADS, CONNECTIONS = 2, 16
LOG_LEVEL = "warning"
BARE = "bare Litestar page"
SEED = 20261001


def seed(database: Database) -> tuple[int, int]:
    """A team of PEOPLE beside the demo's, Claire its manager: October and November on call
    in six-hour turns (primary and backup), interventions with travel in each person's turns,
    compensation set and wages; October closed as the engine would. Returns the team and the
    id of a person whose statement has interventions."""
    rng = random.Random(SEED)
    created = to_db(datetime(2026, 9, 1, tzinfo=PARIS))
    with database.write():
        team = database.insert(
            "teams",
            {
                "name": "Exploitation 200",
                "policy": "{}",
                "created_at": created,
                "updated_at": created,
            },
        )
        claire = database.scalar("SELECT id FROM users WHERE email = ?", (MANAGER,))
        database.insert(
            "memberships",
            {"team_id": team, "user_id": claire, "team_role": "manager", "created_at": created},
        )
        members = []
        for p in range(PEOPLE):
            user = database.insert(
                "users",
                {
                    "email": f"p{p:03d}@exploitation.test",
                    "name": f"Personne {p:03d} Équipe",
                    "role": "staff",
                    "created_at": created,
                    "updated_at": created,
                },
            )
            database.insert(
                "memberships", {"team_id": team, "user_id": user, "created_at": created}
            )
            database.insert(
                "hourly_wages",
                {"user_id": user, "cents": rng.randrange(1500, 3500), "updated_at": created},
            )
            members.append(user)
        # Four six-hour turns a day, primary and backup: eight people a day, everyone on
        # call in each month.
        first, last = date(2026, 9, 30), date(2026, 11, 30)
        nights: dict[int, list[datetime]] = {}
        for d in range((last - first).days + 1):
            day = first + timedelta(days=d)
            for q in range(4):
                start = datetime(day.year, day.month, day.day, 6 * q, tzinfo=PARIS)
                end = start + timedelta(hours=6)
                for offset, layer in enumerate(("primary", "secondary")):
                    user = members[(d * 8 + q * 2 + offset) % PEOPLE]
                    _shift(database, team, user, layer, start, end, "regular", created)
                    nights.setdefault(user, []).append(start)
        for user, starts in nights.items():
            for k, start in enumerate(starts[:4]):
                begin = start + timedelta(minutes=30 * rng.randrange(10))
                _intervention(database, team, user, begin, rng, 900_000 + user * 10 + k, created)
        save_compensation(
            database,
            team,
            Compensation(
                oncall_cents_per_hour=DayRates(weekday=100, saturday=150, sunday=200, holiday=250),
                oncall_night_cents_per_hour=50,
                intervention_premium_percent=PremiumPercents(sunday=50, holiday=100, night=25),
            ),
            actor=Actor(label="bench"),
            now=datetime(2026, 9, 1, tzinfo=PARIS),
        )
    close_month(
        database, team, CLOSED, now=datetime(2026, 11, 4, tzinfo=PARIS), channels=frozenset()
    )
    return team, members[0]


def pdf_timings(database: Database, team: int, person: int) -> dict:
    """The first PDF of the process (the font is cut down then) and the median of PDF_RUNS."""
    # The longest document of the month: the person with the most interventions.
    statement = max(
        monthly.store.latest_statements(database, team, CLOSED).values(),
        key=lambda found: (len(found.content.interventions), found.user_id == person),
    )
    began = time.perf_counter()
    size = len(render_pdf(statement, None, locale="fr", company="Astreinte Démo SAS"))
    first = time.perf_counter() - began
    runs = []
    for _ in range(PDF_RUNS):
        began = time.perf_counter()
        render_pdf(statement, None, locale="fr", company="Astreinte Démo SAS")
        runs.append(time.perf_counter() - began)
    return {
        "kind": "pdf",
        "first_s": first,
        "median_s": statistics.median(runs),
        "p90_s": sorted(runs)[int(len(runs) * 0.9)],
        "bytes": size,
        "interventions": len(statement.content.interventions),
    }


def measure(plan: dict[str, tuple[str, str, dict]]) -> list[dict]:
    with_goals = {
        name: (url, text, headers, None if name == BARE else PAGE_GOAL)
        for name, (url, text, headers) in plan.items()
    }
    rows = rounds.measure(
        with_goals,
        bare=BARE,
        rounds=ROUNDS,
        seconds=SECONDS,
        warmup_seconds=WARMUP_SECONDS,
        threads=THREADS,
        connections=CONNECTIONS,
    )
    for row in rows:
        del row["socket_errors"]  # not a column of this table
    return rows


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="astreinte-bench-") as tmp:
        # No engine: it would close November for the new team, the provisional month here.
        no_engine = {"ASTREINTE_ENGINE_INTERVAL": "0"}
        with servers.side_by_side(Path(tmp), log_level=LOG_LEVEL, env=no_engine) as (real, bare):
            database = Database(Path(tmp, "real", "astreinte.db"))
            try:
                team, person = seed(database)
                pdf = pdf_timings(database, team, person)
            finally:
                database.close()
            cookies = log_in(real.url, MANAGER)
            cookie = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
            plan = {
                BARE: (bare.url + "/", "Bonjour", {}),
                f"manager's month, closed ({CLOSED})": (
                    f"{real.url}/teams/{team}/statements/{CLOSED}",
                    "Personne 199 Équipe",
                    cookie,
                ),
                f"manager's month, provisional ({PROVISIONAL})": (
                    f"{real.url}/teams/{team}/statements/{PROVISIONAL}",
                    "Personne 199 Équipe",
                    cookie,
                ),
            }
            rows = measure(plan)
    return [pdf, *rows, {"kind": "tools", "wrk": wrk.version()}]


def markdown(rows: list[dict]) -> str:
    pdf = next(r for r in rows if r["kind"] == "pdf")
    tools = next((r for r in rows if r["kind"] == "tools"), {})
    measured = [r for r in rows if r["kind"] == "throughput"]
    met = pdf["median_s"] <= PDF_GOAL_S
    out = [
        f"**One PDF** (`render_pdf`, the closed October statement with the most interventions, "
        f"{pdf['interventions']}, in French, {pdf['bytes']:,} bytes), in the benchmark's "
        f"process: median of {PDF_RUNS} **{pdf['median_s'] * 1000:.0f} ms** "
        f"(p90 {pdf['p90_s'] * 1000:.0f} ms); "
        f"goal ≤ {PDF_GOAL_S * 1000:.0f} ms: {'met' if met else '**NOT met**'}. The first PDF "
        f"of a process also cuts the font down: {pdf['first_s'] * 1000:.0f} ms.",
        "",
        f"**The manager's month** of a team of {PEOPLE} (October and November on call in "
        "six-hour turns, primary and backup, everyone on call each month, interventions with "
        f"travel in their turns, October closed, November provisional), `{tools.get('wrk', 'wrk')} "
        f"-t{THREADS} -c{CONNECTIONS} -d{SECONDS}s` on each target, {ROUNDS} rounds after a "
        f"{WARMUP_SECONDS} s warm-up, the order reversed every other round; medians. "
        "`astreinte serve` (engine off) with the cookies of its manager against the bare page "
        "of bench/bare_app.py, one uvicorn process each.",
        "",
        "| target | requests/s | rounds | p50 ms | p99 ms | response bytes | vs bare | goal |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    for row in measured:
        rates = " · ".join(f"{rate:,.1f}" for rate in row["rounds"])
        out.append(
            f"| {row['target']} | {row['requests_per_s']:,.1f} | {rates} | {row['p50_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['response_bytes']:,} | {row['vs_bare']:.3f} "
            f"| {rounds.verdict(row)} |"
        )
    out += [
        "",
        "The machine has 2 CPUs shared with other work (wrk itself takes one of them): absolute "
        "figures move from run to run, the ratios within one run are what count.",
    ]
    return "\n".join(out)
