"""Monthly statements for 1,000 people: a month closed from the shifts and interventions in the
database (who was on call, the engine, storage and hand-out), goal ≤ 1 s."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from server.audit.models import Actor
from server.clock import to_db
from server.db import Database, backup, open_database
from server.statements import monthly
from server.statements.closing import close_month
from server.statements.models import Compensation, DayRates, PremiumPercents
from server.statements.store import save_compensation

TITLE = "Monthly statements: 1,000 people's month closed from the database (goal ≤ 1 s)"
TEAMS, PEOPLE_PER_TEAM = 50, 20  # 1,000 people
INTERVENTIONS_PER_PERSON = 3
MONTH = "2026-12"
FIRST, DAYS = date(2026, 12, 1), 31
PARIS = ZoneInfo("Europe/Paris")
CLOSED_AT = datetime(2027, 1, 4, tzinfo=PARIS)
CHANNELS = frozenset({"push", "email"})
GOAL_S = 1.0
SEED = 20261201


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def seed(database: Database) -> int:
    """TEAMS teams of PEOPLE_PER_TEAM, each night of December on call (primary and backup, an
    override of four hours every fifth night) and INTERVENTIONS_PER_PERSON interventions each,
    with travel; compensation set and a wage for everyone. Returns the number of people."""
    rng = random.Random(SEED)
    now = to_db(datetime(2026, 11, 1, tzinfo=UTC))
    people = 0
    with database.write():
        for t in range(TEAMS):
            team = database.insert(
                "teams",
                {"name": f"Équipe {t:03d}", "policy": "{}", "created_at": now, "updated_at": now},
            )
            members = []
            for p in range(PEOPLE_PER_TEAM):
                user = database.insert(
                    "users",
                    {
                        "email": f"p{t:03d}.{p:02d}@bench.test",
                        "name": f"Personne {t:03d}-{p:02d}",
                        "role": "staff",
                        "created_at": now,
                        "updated_at": now,
                    },
                )
                database.insert(
                    "memberships", {"team_id": team, "user_id": user, "created_at": now}
                )
                database.insert(
                    "hourly_wages",
                    {"user_id": user, "cents": rng.randrange(1500, 3500), "updated_at": now},
                )
                members.append(user)
            people += len(members)
            nights: dict[int, list[tuple[datetime, datetime]]] = {}
            for d in range(-1, DAYS):
                day = FIRST + timedelta(days=d)
                start, end = _at(day, 18), _at(day + timedelta(days=1), 8)
                for layer, who in (("primary", d), ("secondary", d + PEOPLE_PER_TEAM // 2)):
                    user = members[who % PEOPLE_PER_TEAM]
                    _shift(database, team, user, layer, start, end, "regular", now)
                    if layer == "primary":
                        nights.setdefault(user, []).append((start, end))
                if d % 5 == 0:
                    other = members[(d + 3) % PEOPLE_PER_TEAM]
                    _shift(
                        database,
                        team,
                        other,
                        "primary",
                        _at(day, 22),
                        _at(day, 22) + timedelta(hours=4),
                        "override",
                        now,
                    )
            for user, spans in nights.items():
                for k in range(INTERVENTIONS_PER_PERSON):
                    start, _end = rng.choice(spans)
                    begin = start + timedelta(minutes=30 * rng.randrange(24))
                    _intervention(database, team, user, begin, rng, user * 10 + k, now)
            save_compensation(
                database,
                team,
                Compensation(
                    oncall_cents_per_hour=DayRates(
                        weekday=100, saturday=150, sunday=200, holiday=250
                    ),
                    oncall_night_cents_per_hour=50,
                    intervention_premium_percent=PremiumPercents(sunday=50, holiday=100, night=25),
                ),
                actor=Actor(label="bench"),
                now=datetime(2026, 11, 1, tzinfo=UTC),
            )
    return people


def _shift(database, team, user, layer, start, end, kind, now) -> None:
    database.insert(
        "shifts",
        {
            "team_id": team,
            "kind": kind,
            "layer": layer,
            "user_id": user,
            "starts_at": to_db(start),
            "ends_at": to_db(end),
            "status": "accepted",
            "published_at": now,
            "answered_at": now,
            "created_at": now,
            "updated_at": now,
        },
    )


def _intervention(database, team, user, start, rng, key, now) -> None:
    end = start + timedelta(minutes=rng.choice((15, 30, 45, 60, 90)))
    database.insert(
        "interventions",
        {
            "uuid": f"00000000-0000-4000-8000-{key:012d}",
            "user_id": user,
            "team_id": team,
            "started_at": to_db(start),
            "ended_at": to_db(end),
            "travel_minutes": rng.choice((0, 20, 40, 60)),
            "mode": "on_site",
            "outcome": "resolved",
            "client_changed_at": to_db(end),
            "server_changed_at": to_db(end),
            "created_at": to_db(end),
            "updated_at": to_db(end),
        },
    )


def _close_all(database: Database) -> tuple[float, int]:
    team_ids = [row["id"] for row in database.query("SELECT id FROM teams ORDER BY id")]
    began = time.perf_counter()
    handed = sum(
        close_month(database, team, MONTH, now=CLOSED_AT, channels=CHANNELS).statements
        for team in team_ids
    )
    return time.perf_counter() - began, handed


def _compute_all(database: Database) -> float:
    team_ids = [row["id"] for row in database.query("SELECT id FROM teams ORDER BY id")]
    began = time.perf_counter()
    for team in team_ids:
        monthly.team_month(database, team, MONTH, CLOSED_AT)
    return time.perf_counter() - began


def run(repeats: int = 5) -> list[dict]:
    """Median time to close the month of every team (each run on a fresh copy of the seeded
    database), and, apart, to compute every provisional document without writing."""
    with tempfile.TemporaryDirectory() as folder:
        seeded = Path(folder) / "seeded.db"
        database = open_database(seeded)
        people = seed(database)
        compute = statistics.median(_compute_all(database) for _ in range(repeats))
        closes, handed = [], 0
        for k in range(repeats):
            copy = Path(folder) / f"copy{k}.db"
            backup(database, copy)
            fresh = open_database(copy)
            try:
                seconds, handed = _close_all(fresh)
            finally:
                fresh.close()
            closes.append(seconds)
        database.close()
    close = statistics.median(closes)
    return [
        {
            "what": "compute every document (provisional, no write)",
            "people": people,
            "median_s": round(compute, 3),
            "goal": "",
        },
        {
            "what": "close the month: engine + storage + hand-out",
            "people": handed,
            "median_s": round(close, 3),
            "goal": f"≤ {GOAL_S:.0f} s: {'met' if close <= GOAL_S else 'MISSED'}",
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
