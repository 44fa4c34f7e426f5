"""Figures and needs pages on a year of a 50-person team (100,000 alerts, 20,000 interventions):
server time of the dashboard (≤ 300 ms), its month view and the needs page (≤ 500 ms)."""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from litestar.testing import TestClient

from bench import metrics_data
from server.app import create_app
from server.clock import ManualClock
from server.db import Database, open_database
from server.metrics import figures
from server.metrics.figures import team_figures
from server.metrics.periods import period_of
from server.settings import load_settings
from server.staffing.needs import team_needs
from server.teams.store import get_team

TITLE = (
    "Figures: the dashboard (≤ 300 ms) and the needs page (≤ 500 ms) on a year of 100,000 alerts"
)
ROUNDS = 9
# The budgets; a person's own figures (the manager's, on call in the rotation) have
# none of their own and are shown for comparison.
GOALS: dict[str, float | None] = {
    "dashboard, 12 months": 0.300,
    "dashboard, month": 0.300,
    "needs page": 0.500,
    "own figures, 12 months": None,
}
TABLES = (
    "alerts",
    "alert_events",
    "notifications",
    "deliveries",
    "interventions",
    "shifts",
    "fatigue_reports",
    "users",
)
# Statements slower than this in a page are listed with their plan.
SLOW_QUERY_S = 0.030


def _log_in(client: TestClient) -> None:
    client.get("/login")
    token = client.cookies["astreinte_csrf"]
    form = {
        "email": metrics_data.MANAGER,
        "password": metrics_data.PASSWORD,
        "next": "/",
        "_csrf_token": token,
    }
    answer = client.post("/login", data=form, follow_redirects=False)
    if answer.status_code != 303:
        raise RuntimeError(f"login failed: {answer.status_code} {answer.text[:300]}")


def _timed(get: Callable[[], object]) -> float:
    began = time.perf_counter()
    get()
    return time.perf_counter() - began


def _page(client: TestClient, url: str, must_contain: str) -> Callable[[], object]:
    def get() -> object:
        answer = client.get(url)
        if answer.status_code != 200 or must_contain not in answer.text:
            raise RuntimeError(f"{url} answered {answer.status_code}: {answer.text[:300]}")
        return answer

    return get


class _QueryClock:
    """Every statement the database runs while on, with its time (wrapping Database.query,
    one and scalar), to name the slow ones."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.spent: dict[str, list[float]] = defaultdict(list)
        self.callers: dict[str, str] = {}
        self._saved: dict[str, Callable] = {}

    def __enter__(self) -> _QueryClock:
        for name in ("query", "scalar"):
            original = getattr(self.database, name)
            self._saved[name] = original

            def timed(sql, params=(), _original=original):
                began = time.perf_counter()
                try:
                    return _original(sql, params)
                finally:
                    self.spent[sql].append(time.perf_counter() - began)
                    self.callers.setdefault(sql, _caller())

            setattr(self.database, name, timed)
        return self

    def __exit__(self, *exc: object) -> None:
        for name in self._saved:
            delattr(self.database, name)

    def slowest(self, limit: int = 5) -> list[tuple[str, float, int]]:
        ranked = sorted(
            ((sql, sum(times), len(times)) for sql, times in self.spent.items()),
            key=lambda row: -row[1],
        )
        return ranked[:limit]


def _caller() -> str:
    """module:function of the store that ran the statement (the first frame under server/
    outside the database layer)."""
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("server.") and module != "server.db":
            return f"{module}:{frame.f_code.co_name}"
        frame = frame.f_back
    return "?"


def _plan(database: Database, sql: str) -> str:
    """EXPLAIN QUERY PLAN of a statement, its parameters left unbound (NULL)."""
    names = set(re.findall(r"(?<![:\w]):([A-Za-z_]\w*)", sql))
    params: dict | tuple = dict.fromkeys(names) if names else (None,) * sql.count("?")
    try:
        rows = database.conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    except Exception as error:  # named parameters: the plan is not needed to name the query
        return f"(no plan: {type(error).__name__})"
    return "; ".join(row[-1] for row in rows)


def run() -> list[dict]:
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="astreinte-bench-") as tmp:
        settings = load_settings({}, data_dir=str(Path(tmp)), engine_interval=0)
        database = open_database(settings.database_path)
        try:
            began = time.perf_counter()
            team_id = metrics_data.seed(database)
            seeded = time.perf_counter() - began
            counts = {t: database.scalar(f"SELECT COUNT(*) FROM {t}") for t in TABLES}
            rows.append({"kind": "data", "seconds": seeded, **counts})
            app = create_app(settings, clock=ManualClock(metrics_data.NOW), database=database)
            with TestClient(app=app, base_url="http://testserver.local") as client:
                _log_in(client)
                pages = {
                    "dashboard, 12 months": _page(
                        client, f"/teams/{team_id}/figures?period=year", "Personne 01 Figures"
                    ),
                    "dashboard, month": _page(
                        client, f"/teams/{team_id}/figures?period=month", "Personne 01 Figures"
                    ),
                    "needs page": _page(client, f"/teams/{team_id}/needs", "Exploitation 50"),
                    "own figures, 12 months": _page(client, "/figures?period=year", "Mes chiffres"),
                }
                touch = _touch(database, team_id)
                rows += _measure(pages, touch)
                rows += _breakdown(database, team_id, pages, touch)
        finally:
            database.close()
    return rows


def _measure(pages: dict[str, Callable[[], object]], touch: Callable[[], None]) -> list[dict]:
    """The first request of each page, then ROUNDS rounds: each page after a write (what a
    manager gets once anything changed: pages and figures are kept only until a write), then
    again at once (the kept copy)."""
    first = {name: _timed(get) for name, get in pages.items()}
    runs: dict[str, list[float]] = {name: [] for name in pages}
    kept: dict[str, list[float]] = {name: [] for name in pages}
    for round_number in range(ROUNDS):
        names = list(pages) if round_number % 2 == 0 else list(reversed(pages))
        for name in names:
            touch()
            runs[name].append(_timed(pages[name]))
            kept[name].append(_timed(pages[name]))
    return [
        {
            "kind": "page",
            "target": name,
            "first_s": first[name],
            "median_s": statistics.median(runs[name]),
            "max_s": max(runs[name]),
            "kept_s": statistics.median(kept[name]),
            "goal_s": GOALS.get(name),
        }
        for name in pages
    ]


def _touch(database: Database, team_id: int) -> Callable[[], None]:
    """A write that changes nothing shown, but is a write: kept pages and figures are gone."""

    def touch() -> None:
        with database.write():
            database.execute("UPDATE teams SET updated_at = updated_at WHERE id = ?", (team_id,))

    return touch


def _breakdown(
    database: Database,
    team_id: int,
    pages: dict[str, Callable[[], object]],
    touch: Callable[[], None],
) -> list[dict]:
    """Where the time goes: the one computation of the figures and of the needs, called
    directly, and each page's slowest statements."""
    team = get_team(database, team_id)
    now = metrics_data.NOW
    year = period_of("year", metrics_data.FIRST_DAY.replace(year=2026, month=11))
    month = period_of("month", metrics_data.FIRST_DAY.replace(year=2026, month=11))
    calls = {
        "team_figures, 12 months": lambda: team_figures(database, team, year, now),
        "team_figures, month": lambda: team_figures(database, team, month, now),
        "team_needs, 12 weeks": lambda: team_needs(database, team, now, 12, 100),
    }
    found = []
    for name, call in calls.items():
        spent = []
        for _ in range(5):
            touch()
            spent.append(_timed(call))
        found.append({"kind": "call", "target": name, "median_s": statistics.median(spent)})
    for period_name, period in (("12 months", year), ("month", month)):
        touch()
        for part, spent in _parts(lambda p=period: team_figures(database, team, p, now)).items():
            found.append({"kind": "part", "target": f"{part}, {period_name}", "median_s": spent})
    for name, get in pages.items():
        touch()
        with _QueryClock(database) as clock:
            get()
        for sql, spent, calls in clock.slowest():
            if spent < SLOW_QUERY_S:
                continue
            found.append(
                {
                    "kind": "query",
                    "target": name,
                    "seconds": spent,
                    "calls": calls,
                    "caller": clock.callers.get(sql, "?"),
                    "sql": " ".join(sql.split())[:200],
                    "plan": _plan(database, sql)[:600],
                }
            )
    return found


# The parts of the one computation (server/metrics/figures.py: snapshot), each timed alone
# (those of these names it calls).
PARTS = (
    "tallies",
    "alert_figures",
    "recurring_problems",
    "team_load",
    "people_figures",
    "rest_health",
)


def _parts(compute: Callable[[], object]) -> dict[str, float]:
    """Seconds each part of the figures took in one call (current and previous period)."""
    originals = {name: getattr(figures, name) for name in PARTS if hasattr(figures, name)}
    spent: dict[str, float] = dict.fromkeys(originals, 0.0)

    def timed(name: str, original: Callable) -> Callable:
        def call(*args, **kwargs):
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - began

        return call

    for name, original in originals.items():
        setattr(figures, name, timed(name, original))
    try:
        compute()
    finally:
        for name, original in originals.items():
            setattr(figures, name, original)
    return spent


def markdown(rows: list[dict]) -> str:
    data = next(r for r in rows if r["kind"] == "data")
    counts = ", ".join(f"{data[t]:,} {t}" for t in TABLES)
    out = [
        f"Generated by bench/metrics_data.py in {data['seconds']:.1f} s into a fresh database: "
        f"one team of {metrics_data.PEOPLE} people, 12 months (December 2025 to the "
        f"benchmark's now, {metrics_data.NOW:%Y-%m-%d %H:%M} Paris): {counts}. Nothing "
        "before: the 12 months before those the dashboard reads (its comparison) are empty.",
        "",
        "Server time: each page through the app in-process (Litestar's TestClient, the "
        "manager's session, engine off): the first request, then "
        f"{ROUNDS} rounds in alternating order of each page just after a write (an alert "
        "arriving, an acknowledgement: pages and figures are kept only until one, so this is "
        "what a manager gets) and again at once (the kept copy); medians. The goal is read "
        "against the page after a write.",
        "",
        "| page | first request ms | after a write, median ms | max ms | kept copy ms | goal | |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for row in (r for r in rows if r["kind"] == "page"):
        goal = row["goal_s"]
        verdict = "—" if goal is None else ("met" if row["median_s"] <= goal else "**NOT met**")
        budget = "—" if goal is None else f"≤ {goal * 1000:.0f} ms"
        out.append(
            f"| {row['target']} | {row['first_s'] * 1000:.0f} | {row['median_s'] * 1000:.0f} "
            f"| {row['max_s'] * 1000:.0f} | {row['kept_s'] * 1000:.0f} "
            f"| {budget} | {verdict} |"
        )
    out += ["", "The one computation called directly, each time after a write (median of 5):", ""]
    out += [
        f"* `{row['target']}`: {row['median_s'] * 1000:.0f} ms"
        for row in rows
        if row["kind"] == "call"
    ]
    out += [
        "",
        "Its parts in one call after a write (current and previous period together):",
        "",
    ]
    out += [
        f"* `{row['target']}`: {row['median_s'] * 1000:.0f} ms"
        for row in rows
        if row["kind"] == "part"
    ]
    slow = [r for r in rows if r["kind"] == "query"]
    if slow:
        out += ["", f"Statements over {SLOW_QUERY_S * 1000:.0f} ms in a page:", ""]
        out += [
            f"* {r['target']}: **{r['caller']}**, {r['seconds'] * 1000:.0f} ms in "
            f"{r['calls']} call(s): `{r['sql']}…` — plan: {r['plan']}"
            for r in slow
        ]
    return "\n".join(out)
