"""The figures' two ways of reading a team's alerts give the same numbers: over a period that
covers much of the team's history they are read in index order (durations from the indexes of
0017_metrics_speed, problems grouped in alerts_problem's order, no sort of a year of alerts),
otherwise from the period's alerts and sorted. Random alerts (ties in the same second, open
ones, problems spelled differently) are checked both ways and against a Python reference; the
plans are checked to read those indexes; the rule choosing between them is pure."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.clock import to_db
from server.db import Database, open_database
from server.metrics.alerts import history_in_order
from server.metrics.store.alerts import (
    alert_span,
    hour_of_week_counts,
    intervention_distribution,
    problems,
    response_distributions,
)
from server.metrics.zones import offsets

ORIGIN = datetime(2026, 1, 1, tzinfo=UTC)
START = datetime(2026, 1, 3, tzinfo=UTC)
END = datetime(2026, 1, 9, tzinfo=UTC)
SPELLINGS = [("nagios", "Disque plein"), (" Nagios", "disque PLEIN "), ("zabbix", "Porte")]


@pytest.fixture(scope="module")
def database() -> Iterator[Database]:
    db = open_database(":memory:")
    # Alerts alone: the team and policy they point at are beside the point here.
    db.conn.execute("PRAGMA foreign_keys=OFF")
    yield db
    db.close()


# An alert: created (seconds after ORIGIN, a few seconds apart so some share a second),
# acknowledged and resolved after it (or never), which spelling of which problem.
alert = st.tuples(
    st.integers(min_value=0, max_value=10 * 86400 // 3000).map(lambda n: n * 3000),
    st.integers(min_value=0, max_value=2),
    st.one_of(st.none(), st.integers(min_value=0, max_value=5000)),
    st.one_of(st.none(), st.integers(min_value=0, max_value=9 * 86400)),
    st.sampled_from(SPELLINGS),
)


def store(database: Database, alerts: list[tuple]) -> None:
    with database.write():
        database.execute("DELETE FROM alerts")
        database.executemany(
            "INSERT INTO alerts (team_id, title, severity, source, status, created_at, "
            "acknowledged_at, resolved_at, policy) VALUES (1, ?, 'critical', ?, 'triggered', "
            "?, ?, ?, '{}')",
            [
                (
                    title,
                    source,
                    to_db(ORIGIN + timedelta(seconds=at + jitter)),
                    None if ack is None else to_db(ORIGIN + timedelta(seconds=at + jitter + ack)),
                    None if res is None else to_db(ORIGIN + timedelta(seconds=at + jitter + res)),
                )
                for at, jitter, ack, res, (source, title) in alerts
            ],
        )


def nearest_rank(values: list[int], p: float) -> int:
    ordered = sorted(values)
    return ordered[math.ceil(p * len(ordered)) - 1]


@settings(max_examples=60, deadline=None)
@given(st.lists(alert, min_size=1, max_size=60))
def test_in_order_and_sorted_reads_give_the_same_figures(
    database: Database, alerts: list[tuple]
) -> None:
    store(database, alerts)
    ordered = response_distributions(database, [1], START, END, in_order=True)
    sorted_ = response_distributions(database, [1], START, END, in_order=False)
    # Many alerts: grouped by duration rather than taken by rank.
    grouped = response_distributions(database, [1], START, END, alerts=10**6)
    assert ordered == sorted_ == grouped
    in_period = [a for a in alerts if START <= ORIGIN + timedelta(seconds=a[0] + a[1]) < END]
    resolve = [a[3] for a in in_period if a[3] is not None]
    if resolve:
        assert ordered["resolve"]["median"] == nearest_rank(resolve, 0.5)
        assert ordered["resolve"]["p90"] == nearest_rank(resolve, 0.9)
    assert problems(database, 1, START, END, 7, 20, in_order=True) == problems(
        database, 1, START, END, 7, 20, in_order=False
    )


def plan(database: Database, sql: str, params: dict) -> str:
    return " / ".join(row[3] for row in database.conn.execute("EXPLAIN QUERY PLAN " + sql, params))


def test_a_long_period_reads_durations_and_problems_in_index_order(database: Database) -> None:
    store(database, [(n * 3000, 0, 60, 600, SPELLINGS[n % 3]) for n in range(200)])
    statements: list[tuple[str, dict]] = []
    query = database.query

    def recorded(sql: str, params: dict | None = None):
        statements.append((sql, params or {}))
        return query(sql, params)

    database.query = recorded  # type: ignore[method-assign]
    try:
        response_distributions(database, [1], START, END, in_order=True)
        problems(database, 1, START, END, 7, 20, in_order=True)
    finally:
        del database.query
    durations, grouped = (plan(database, sql, params) for sql, params in statements[-2:])
    assert "COVERING INDEX alerts_team_acknowledge (team_id=?)" in durations
    assert "COVERING INDEX alerts_team_resolve (team_id=?)" in durations
    assert "SEARCH a USING INDEX alerts_problem (team_id=?)" in grouped


def test_interventions_over_a_long_period_are_read_in_order_of_duration(
    database: Database,
) -> None:
    statements: list[tuple[str, dict]] = []
    one = database.one

    def recorded(sql: str, params: dict | None = None):
        statements.append((sql, params or {}))
        return one(sql, params)

    database.one = recorded  # type: ignore[method-assign]
    try:
        intervention_distribution(database, [1], START, END, in_order=True)
        intervention_distribution(database, [1], START, END)
    finally:
        del database.one
    ordered, sorted_ = (plan(database, sql, params) for sql, params in statements)
    assert "interventions_team_duration (team_id=?)" in ordered
    assert "interventions_team_start (team_id=? AND started_at>? AND started_at<?)" in sorted_


def test_the_history_is_read_in_order_when_the_period_covers_a_third_of_it() -> None:
    span = (to_db(ORIGIN), to_db(ORIGIN + timedelta(days=360)))
    year = (ORIGIN - timedelta(days=5), ORIGIN + timedelta(days=365))
    assert history_in_order(span, *year)
    assert history_in_order(span, ORIGIN + timedelta(days=240), ORIGIN + timedelta(days=400))
    assert not history_in_order(span, ORIGIN + timedelta(days=300), ORIGIN + timedelta(days=331))
    assert not history_in_order(None, *year)


def test_the_span_of_a_teams_alerts(database: Database) -> None:
    store(database, [(3000, 0, None, None, SPELLINGS[0]), (9000, 1, None, None, SPELLINGS[1])])
    assert alert_span(database, 1) == ("2026-01-01T00:50:00Z", "2026-01-01T02:30:01Z")
    assert alert_span(database, 2) is None


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=40 * 86400), min_size=1, max_size=60),
    st.sampled_from(["Europe/Paris", "America/New_York", "Asia/Kolkata"]),
    st.integers(min_value=0, max_value=3600 * 24),
)
def test_the_heat_map_by_utc_hour_is_the_heat_map_by_alert(
    database: Database, seconds: list[int], zone: str, cut: int
) -> None:
    """Around the March clock change, a period ending at any second (one under way): counted
    by UTC hour for one team, or alert by alert (two teams, the second without alerts)."""
    origin = datetime(2026, 3, 10, tzinfo=UTC)
    with database.write():
        database.execute("DELETE FROM alerts")
        database.executemany(
            "INSERT INTO alerts (team_id, title, severity, status, created_at, policy) "
            "VALUES (1, 'x', 'critical', 'triggered', ?, '{}')",
            [(to_db(origin + timedelta(seconds=s)),) for s in seconds],
        )
    start, end = origin + timedelta(hours=1), origin + timedelta(days=30, seconds=cut)
    spans = offsets(zone, start, end)
    by_hour = hour_of_week_counts(database, [1], start, end, spans)
    assert sorted(by_hour) == sorted(hour_of_week_counts(database, [1, 2], start, end, spans))
    assert sum(n for *_, n in by_hour) == sum(
        start <= origin + timedelta(seconds=s) < end for s in seconds
    )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=10 * 24), st.integers(1, 9000)),
        min_size=1,
        max_size=40,
    )
)
def test_intervention_durations_read_in_order_are_the_sorted_ones(
    database: Database, work: list[tuple[int, int]]
) -> None:
    with database.write():
        database.execute("DELETE FROM interventions")
        database.executemany(
            "INSERT INTO interventions (uuid, user_id, team_id, started_at, ended_at, "
            "travel_minutes, mode, outcome, client_changed_at, server_changed_at, created_at, "
            "updated_at) VALUES (?, 1, 1, ?, ?, ?, 'remote', 'resolved', ?, ?, ?, ?)",
            [
                (
                    f"w{n}",
                    to_db(ORIGIN + timedelta(hours=hour)),
                    to_db(ORIGIN + timedelta(hours=hour, seconds=seconds)),
                    n % 3 * 10,
                    *[to_db(ORIGIN)] * 4,
                )
                for n, (hour, seconds) in enumerate(work)
            ],
        )
    ordered = intervention_distribution(database, [1], START, END, in_order=True)
    assert ordered == intervention_distribution(database, [1], START, END)
    assert ordered == intervention_distribution(database, [1], START, END, alerts=10**6)
    durations = [
        s + n % 3 * 600
        for n, (hour, s) in enumerate(work)
        if START <= ORIGIN + timedelta(hours=hour) < END
    ]
    assert ordered["count"] == len(durations)
    if durations:
        assert ordered["median"] == nearest_rank(durations, 0.5)
        assert ordered["p90"] == nearest_rank(durations, 0.9)
