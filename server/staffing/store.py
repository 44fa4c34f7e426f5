"""The needs analysis's SQL: a team's alerts per local hour of the week and the handle time of
the interventions linked to them, each one aggregate over the indexes of
schema/0013_metrics_indexes.sql (alerts_team_created, interventions_alert_work)."""

from __future__ import annotations

from datetime import datetime

from server.clock import to_db
from server.db import Database


def alerts_by_hour_of_week(
    database: Database,
    team_id: int,
    start: datetime,
    end: datetime,
    offsets: list[tuple[str, str, int]],
) -> dict[tuple[int, int], int]:
    """{(weekday with Monday = 0, local hour): alerts created in [start, end)}, the local time
    read through the zone's `offsets` (server/metrics/zones.py) so clock changes count right."""
    if not offsets:
        return {}
    params: dict = {"team": team_id, "start": to_db(start), "end": to_db(end)}
    values = ", ".join(f"(:f{i}, :t{i}, :m{i})" for i in range(len(offsets)))
    for i, (begins, ends, minutes) in enumerate(offsets):
        params.update({f"f{i}": begins, f"t{i}": ends, f"m{i}": minutes})
    rows = database.query(
        f"WITH z(f, t, m) AS (VALUES {values}), "
        "local AS (SELECT datetime(a.created_at, z.m || ' minutes') AS at FROM alerts a "
        "JOIN z ON a.created_at >= z.f AND a.created_at < z.t "
        "WHERE a.team_id = :team AND a.created_at >= :start AND a.created_at < :end) "
        "SELECT (CAST(strftime('%w', at) AS INTEGER) + 6) % 7 AS weekday, "
        "CAST(strftime('%H', at) AS INTEGER) AS hour, COUNT(*) AS alerts "
        "FROM local GROUP BY weekday, hour",
        params,
    )
    return {(row["weekday"], row["hour"]): row["alerts"] for row in rows}


def handle_time(
    database: Database, team_id: int, start: datetime, end: datetime
) -> tuple[float | None, int]:
    """(mean seconds, alerts) over the team's alerts created in [start, end) that have at least
    one intervention not deleted: an alert's handle time is the sum of its interventions'
    durations, travel included (one call, however many visits it took)."""
    row = database.one(
        "SELECT AVG(busy) AS mean, COUNT(*) AS alerts FROM ("
        "SELECT SUM((julianday(i.ended_at) - julianday(i.started_at)) * 86400.0 "
        "+ i.travel_minutes * 60) AS busy FROM alerts a "
        "JOIN interventions i ON i.alert_id = a.id AND i.deleted_at IS NULL "
        "WHERE a.team_id = ? AND a.created_at >= ? AND a.created_at < ? GROUP BY a.id)",
        (team_id, to_db(start), to_db(end)),
    )
    assert row is not None
    return row["mean"], row["alerts"]
