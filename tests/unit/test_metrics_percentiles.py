"""The figures' distributions: the median and 90th percentile the database computes with
window functions are the nearest-rank ones (the value at rank ceil(p × n) in ascending order),
checked against a plain Python reference for any list of durations; and the pure shaping of
the store's rows (empty distributions, the Monday-first heat map)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.clock import to_db
from server.db import Database, open_database
from server.metrics.alerts import durations_of, heat_map_of
from server.metrics.store.alerts import intervention_distribution

START = datetime(2026, 12, 1, tzinfo=UTC)
END = datetime(2027, 1, 1, tzinfo=UTC)


def nearest_rank(values: list[int], p: float) -> int:
    ordered = sorted(values)
    return ordered[math.ceil(p * len(ordered)) - 1]


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        (list(range(1, 11)), 5, 9),
        ([7], 7, 7),
        ([3, 1], 1, 3),
        (list(range(1, 12)), 6, 10),  # ceil(5.5) = 6, ceil(9.9) = 10
        (list(range(1, 101)), 50, 90),
    ],
)
def test_the_reference_is_nearest_rank(values: list[int], median: int, p90: int) -> None:
    assert (nearest_rank(values, 0.5), nearest_rank(values, 0.9)) == (median, p90)


@pytest.fixture(scope="module")
def database() -> Iterator[Database]:
    db = open_database(":memory:")
    # Interventions alone: the people and teams they point at are beside the point here.
    db.conn.execute("PRAGMA foreign_keys=OFF")
    yield db
    db.close()


def stored_durations(database: Database, seconds: list[int], travel: int = 0) -> None:
    with database.write():
        database.execute("DELETE FROM interventions")
        database.executemany(
            "INSERT INTO interventions (uuid, user_id, team_id, started_at, ended_at, "
            "travel_minutes, mode, outcome, client_changed_at, server_changed_at, created_at, "
            "updated_at) VALUES (?, 1, 1, ?, ?, ?, 'remote', 'resolved', ?, ?, ?, ?)",
            [
                (
                    f"u{i}",
                    to_db(START + timedelta(hours=i)),
                    to_db(START + timedelta(hours=i, seconds=s)),
                    travel,
                    *[to_db(START)] * 4,
                )
                for i, s in enumerate(seconds)
            ],
        )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=50_000), min_size=1, max_size=40))
def test_the_database_gives_the_nearest_rank_median_and_90th_percentile(
    database: Database, seconds: list[int]
) -> None:
    stored_durations(database, seconds)
    figures = durations_of(intervention_distribution(database, [1], START, END))
    assert figures.count == len(seconds)
    assert figures.mean_seconds == pytest.approx(sum(seconds) / len(seconds))
    assert figures.median_seconds == nearest_rank(seconds, 0.5)
    assert figures.p90_seconds == nearest_rank(seconds, 0.9)


def test_travel_counts_in_an_interventions_duration(database: Database) -> None:
    stored_durations(database, [600, 1200], travel=15)
    figures = durations_of(intervention_distribution(database, [1], START, END))
    assert (figures.median_seconds, figures.p90_seconds) == (1500, 2100)


def test_nothing_counted_is_an_empty_distribution(database: Database) -> None:
    stored_durations(database, [])
    figures = durations_of(intervention_distribution(database, [1], START, END))
    assert figures.count == 0
    assert (figures.mean_seconds, figures.median_seconds, figures.p90_seconds) == (None,) * 3


def test_the_heat_map_has_seven_days_from_monday_of_24_hours() -> None:
    grid = heat_map_of([(0, 0, 2), (6, 23, 5)])
    assert len(grid) == 7 and {len(row) for row in grid} == {24}
    assert grid[0][0] == 2 and grid[6][23] == 5
    assert sum(map(sum, grid)) == 7
