"""Generated history for the figures benchmark: one team of 50 people over 12 months (and the
days of the month under way) with 100,000 alerts, 20,000 interventions and, in proportion,
their timelines, pages, deliveries, the shifts (a day's turn, primary and backup), working
hours and fatigue reports. Bulk SQL into a fresh, migrated database: ids given here, one
executemany a table, a seeded random.Random, about 20 s."""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.accounts.passwords import hash_password
from server.clock import to_db
from server.db import Database

PARIS = ZoneInfo("Europe/Paris")
# The benchmark's "now": a Monday morning; the 12 months read are December 2025 to November
# 2026, the month view November 2026.
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=PARIS)
FIRST_DAY = date(2025, 12, 1)
PEOPLE = 50
ALERTS = 100_000
INTERVENTIONS = 20_000
MANAGER = "manager@figures.test"
PASSWORD = "bench-figures-password"
SEED = 20261207
SOURCES = ("Zabbix", "GTB", "Supervision réseau", "Télésurveillance", "Sauvegardes", "Helpdesk")
# Alerts an hour by local hour (weekdays): business-hour peaks, quiet nights.
HOURLY = (1, 1, 1, 1, 1, 1, 2, 4, 9, 12, 11, 9, 6, 7, 11, 10, 8, 5, 3, 3, 2, 2, 1, 1)


def _utc(moment: datetime) -> str:
    return to_db(moment.astimezone(UTC))


def seed(database: Database) -> int:
    """The team, its people, shifts and history; returns the team's id."""
    rng = random.Random(SEED)
    created = _utc(datetime.combine(FIRST_DAY - timedelta(days=40), time(9), PARIS))
    with database.write():
        team = database.insert(
            "teams",
            {
                "name": "Exploitation 50",
                "policy": "{}",
                "created_at": created,
                "updated_at": created,
            },
        )
        people = _people(database, team, created)
        turns = _shifts(database, team, people, created)
        _history(database, team, people, turns, rng)
        _patterns(database, people)
    database.conn.execute("ANALYZE")
    return team


def _people(database: Database, team: int, created: str) -> list[int]:
    manager_hash = hash_password(PASSWORD)
    people = []
    for index in range(PEOPLE):
        manager = index == 0
        user = database.insert(
            "users",
            {
                "email": MANAGER if manager else f"p{index:02d}@figures.test",
                "name": f"Personne {index:02d} Figures",
                "role": "manager" if manager else "staff",
                "password_hash": manager_hash if manager else None,
                "created_at": created,
                "updated_at": created,
            },
        )
        database.insert(
            "memberships",
            {
                "team_id": team,
                "user_id": user,
                "team_role": "manager" if manager else "member",
                "created_at": created,
            },
        )
        people.append(user)
    return people


def _shifts(
    database: Database, team: int, people: list[int], created: str
) -> list[tuple[datetime, int, int]]:
    """A day's turn from 08:00 to 08:00, primary and backup, through the people in order, from
    the history's first day to eight weeks after now. Returns (start, primary, backup)."""
    turns = []
    rows = []
    day = FIRST_DAY - timedelta(days=1)
    index = 0
    while day < NOW.date() + timedelta(weeks=8):
        start = datetime.combine(day, time(8), PARIS)
        end = datetime.combine(day + timedelta(days=1), time(8), PARIS)
        primary = people[index % PEOPLE]
        backup = people[(index + PEOPLE // 2) % PEOPLE]
        for layer, user in (("primary", primary), ("secondary", backup)):
            rows.append(
                (team, layer, user, _utc(start), _utc(end), created, created, created, created)
            )
        turns.append((start, primary, backup))
        day += timedelta(days=1)
        index += 1
    database.executemany(
        "INSERT INTO shifts (team_id, kind, layer, user_id, starts_at, ends_at, status, "
        "published_at, answered_at, created_at, updated_at) "
        "VALUES (?, 'regular', ?, ?, ?, ?, 'accepted', ?, ?, ?, ?)",
        rows,
    )
    return turns


def _history(
    database: Database,
    team: int,
    people: list[int],
    turns: list[tuple[datetime, int, int]],
    rng: random.Random,
) -> None:
    start = datetime.combine(FIRST_DAY, time(), PARIS).astimezone(UTC)
    end = (NOW - timedelta(hours=2)).astimezone(UTC)
    span = (end - start).total_seconds()
    first_turn = turns[1][0].astimezone(UTC)
    titles = [
        (rng.choice(SOURCES), f"Problème {n:03d} — site {rng.randrange(1, 40):02d}")
        for n in range(300)
    ]
    title_weights = list(itertools.accumulate(1 / (n + 1) for n in range(len(titles))))
    weights = [HOURLY[h] * (0.4 if d >= 5 else 1) for d in range(7) for h in range(24)]
    accepted = max(weights)
    moments = []
    while len(moments) < ALERTS:
        moment = start + timedelta(seconds=rng.random() * span)
        local = moment.astimezone(PARIS)
        if rng.random() * accepted < weights[local.weekday() * 24 + local.hour]:
            moments.append(moment)
    moments.sort()
    handled = set(rng.sample(range(ALERTS), INTERVENTIONS))
    alerts, events, notifications, deliveries, works = [], [], [], [], []
    notification_id = delivery_id = 1
    webhook = set(people[::3])
    policy = json.dumps({"steps": [], "repeat": 1})
    for alert_id, created in enumerate(moments, start=1):
        source, title = rng.choices(titles, cum_weights=title_weights)[0]
        turn = turns[max(0, int((created - first_turn).total_seconds() // 86400) + 1)]
        primary, backup = turn[1], turn[2]
        acked = rng.random() < 0.92 or alert_id - 1 in handled
        escalated = rng.random() < 0.15
        ack_delay = timedelta(seconds=rng.expovariate(1 / 240) + 15)
        ack_at = created + ack_delay if acked else None
        acker = (backup if escalated and rng.random() < 0.5 else primary) if acked else None
        resolved_at = (ack_at or created) + timedelta(seconds=rng.expovariate(1 / 3000) + 60)
        if alert_id - 1 in handled:
            travel = rng.choice((0, 0, 15, 30, 45))
            began = ack_at + timedelta(minutes=rng.uniform(2, 20) + travel)
            ended = began + timedelta(minutes=rng.uniform(10, 120))
            resolved_at = ended + timedelta(minutes=5)
            works.append(
                (
                    f"bench-{alert_id:06d}",
                    acker,
                    team,
                    alert_id,
                    _utc(began),
                    _utc(ended),
                    travel,
                    "on_site" if travel else "remote",
                    _utc(ended),
                )
            )
        status = "resolved" if resolved_at < end else ("acknowledged" if acked else "triggered")
        alerts.append(
            (
                alert_id,
                team,
                title,
                source,
                status,
                _utc(created),
                _utc(ack_at) if ack_at else None,
                acker,
                _utc(resolved_at) if status == "resolved" else None,
                acker if status == "resolved" else None,
                policy,
            )
        )
        pages = [(primary, created, 1)]
        if escalated:
            pages.append((backup, created + timedelta(minutes=5), 2))
        events.append((alert_id, _utc(created), "created", source, '{"severity":"critical"}'))
        for person, at, step in pages:
            detail = json.dumps({"step": step, "round": 1, "people": [f"p{person}"]})
            events.append((alert_id, _utc(at), "paged", "", detail))
            params = json.dumps({"alert_id": alert_id, "title": title, "severity": "critical"})
            notifications.append((notification_id, person, params, _utc(at)))
            for channel in ("push", "webhook") if person in webhook else ("push",):
                sent = _utc(at + timedelta(seconds=2))
                deliveries.append(
                    (delivery_id, notification_id, alert_id, person, channel, _utc(at), sent)
                )
                delivery_id += 1
            notification_id += 1
        if ack_at:
            events.append((alert_id, _utc(ack_at), "acknowledged", "", '{"cancelled":0}'))
        if status == "resolved":
            events.append((alert_id, _utc(resolved_at), "resolved", "", '{"cancelled":0}'))
    database.executemany(
        "INSERT INTO alerts (id, team_id, title, severity, source, status, created_at, "
        "acknowledged_at, acknowledged_by, resolved_at, resolved_by, policy) "
        "VALUES (?, ?, ?, 'critical', ?, ?, ?, ?, ?, ?, ?, ?)",
        alerts,
    )
    database.executemany(
        "INSERT INTO alert_events (alert_id, at, kind, actor, detail) VALUES (?, ?, ?, ?, ?)",
        events,
    )
    database.executemany(
        "INSERT INTO notifications (id, user_id, kind, params, url, urgency, created_at, "
        "read_at) VALUES (?, ?, 'alert', ?, '/alerts', 'high', ?, ?4)",
        notifications,
    )
    database.executemany(
        "INSERT INTO deliveries (id, notification_id, alert_id, user_id, channel, status, "
        "attempts, next_attempt_at, created_at, sent_at) "
        "VALUES (?, ?, ?, ?, ?, 'sent', 1, ?6, ?6, ?)",
        deliveries,
    )
    database.executemany(
        "INSERT INTO interventions (uuid, user_id, team_id, alert_id, started_at, ended_at, "
        "travel_minutes, mode, outcome, client_changed_at, server_changed_at, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'resolved', ?9, ?9, ?9, ?9)",
        works,
    )
    database.executemany(
        "INSERT INTO fatigue_reports (user_id, score, reported_at, context, created_at) "
        "VALUES (?, ?, ?, 'night_intervention', ?3)",
        [(w[1], rng.randrange(2, 10), w[5]) for w in works[::40]],
    )


def _patterns(database: Database, people: list[int]) -> None:
    """Everyone works Monday to Friday, 08:30–12:00 and 13:30–17:30 (for the rest engine)."""
    database.executemany(
        "INSERT INTO work_pattern_ranges (user_id, weekday, start_minute, end_minute) "
        "VALUES (?, ?, ?, ?)",
        [
            (person, weekday, start, end)
            for person in people
            for weekday in range(5)
            for start, end in ((510, 720), (810, 1050))
        ],
    )
