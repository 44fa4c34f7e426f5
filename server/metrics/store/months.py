"""The SQL of a team's alert tally over a span (server/metrics/tally.py): the durations in
ascending order rather than their percentiles, and every problem with its alerts, linked
intervention time, returns and latest spelling, so tallies of months add up to a year's
figures exactly. The same definitions as store/alerts.py (tests/integration/
test_metrics_months.py compares them), and the version of a span from the change counters of
schema/0026_metrics_month_marks.sql."""

from __future__ import annotations

from array import array
from datetime import datetime

from server.clock import to_db
from server.db import Database

# The team's alerts created in [:start, :end), from the covering index by team and creation.
_ALERTS = "alerts a INDEXED BY alerts_team_created"
_IN_SPAN = "a.team_id = :team AND a.created_at >= :start AND a.created_at < :end"
_LINKED = "CROSS JOIN interventions i ON i.alert_id = a.id AND i.deleted_at IS NULL"


def _params(team_id: int, start: datetime, end: datetime) -> dict:
    return {"team": team_id, "start": to_db(start), "end": to_db(end)}


def _sorted(database: Database, sql: str, params: dict) -> array:
    """The whole seconds a query selects (column 0), ascending, as a compact array."""
    return array("q", (row[0] for row in database.conn.execute(sql, params)))


def durations(database: Database, team_id: int, start: datetime, end: datetime) -> dict:
    """Ascending seconds, by kind: 'acknowledge' and 'resolve' (from creation, alerts created
    in the span), 'intervene' (creation → the first linked intervention not deleted, 0 when it
    was logged as starting before) and 'work' (interventions of the team, not deleted, started
    in the span: their duration, travel included)."""
    params = _params(team_id, start, end)
    ack = "unixepoch(a.acknowledged_at) - unixepoch(a.created_at)"
    res = "unixepoch(a.resolved_at) - unixepoch(a.created_at)"
    work = "unixepoch(i.ended_at) - unixepoch(i.started_at) + 60 * i.travel_minutes"
    return {
        "acknowledge": _sorted(
            database,
            f"SELECT {ack} AS s FROM {_ALERTS} WHERE {_IN_SPAN} "
            "AND a.acknowledged_at IS NOT NULL ORDER BY s",
            params,
        ),
        "resolve": _sorted(
            database,
            f"SELECT {res} AS s FROM {_ALERTS} WHERE {_IN_SPAN} AND a.resolved_at IS NOT NULL "
            "ORDER BY s",
            params,
        ),
        "intervene": _sorted(
            database,
            "SELECT MAX(0, unixepoch(MIN(i.started_at)) - unixepoch(a.created_at)) AS s "
            f"FROM {_ALERTS} {_LINKED} WHERE {_IN_SPAN} GROUP BY a.id ORDER BY s",
            params,
        ),
        "work": _sorted(
            database,
            f"SELECT {work} AS s FROM interventions i INDEXED BY interventions_team_start "
            "WHERE i.team_id = :team AND i.started_at >= :start AND i.started_at < :end "
            "AND i.deleted_at IS NULL ORDER BY s",
            params,
        ),
    }


def problem_rows(
    database: Database, team_id: int, start: datetime, end: datetime, return_within_days: int
) -> list[dict]:
    """Every problem (source and title, trimmed, ASCII case ignored) of the alerts created in
    the span: `alerts`, linked intervention `seconds` (travel included), `returns` (alerts
    created within `return_within_days` after the previous alert of the problem, perhaps
    before the span, was resolved; of earlier alerts created in the same second, the index's
    last) and the `latest` alert's creation and spelling (`source`, `title`)."""
    params = {**_params(team_id, start, end), "within": return_within_days * 86400}
    key = "lower(trim(a.source)) AS source_key, lower(trim(a.title)) AS title_key"
    return database.query(
        f"WITH grouped AS (SELECT {key}, COUNT(*) AS alerts, MAX(a.created_at) AS latest, "
        "COALESCE(SUM(unixepoch(a.created_at) - unixepoch((SELECT b.resolved_at "
        "FROM alerts b WHERE b.team_id = a.team_id "
        "AND lower(trim(b.source)) = lower(trim(a.source)) "
        "AND lower(trim(b.title)) = lower(trim(a.title)) AND b.created_at <= a.created_at "
        "AND (b.created_at < a.created_at OR b.id < a.id) "
        "ORDER BY b.created_at DESC LIMIT 1)) BETWEEN 0 AND :within), 0) AS returns "
        "FROM alerts a INDEXED BY alerts_problem WHERE a.team_id = :team "
        "AND a.created_at >= :start AND a.created_at < :end GROUP BY 1, 2), "
        # Interventions (not deleted) linked to the span's alerts, from each alert.
        f"work AS (SELECT {key}, SUM(unixepoch(i.ended_at) - unixepoch(i.started_at) "
        f"+ 60 * i.travel_minutes) AS seconds FROM {_ALERTS} {_LINKED} WHERE {_IN_SPAN} "
        "GROUP BY 1, 2) "
        "SELECT g.source_key, g.title_key, g.alerts, g.latest, g.returns, "
        "COALESCE(w.seconds, 0) AS seconds, l.source, l.title "
        "FROM grouped g LEFT JOIN work w USING (source_key, title_key) "
        # Spelt as the latest alert of the problem in the span (as store/alerts.py: problems).
        "JOIN alerts l ON l.id = (SELECT x.id FROM alerts x WHERE x.team_id = :team "
        "AND lower(trim(x.source)) = g.source_key AND lower(trim(x.title)) = g.title_key "
        "AND x.created_at >= :start AND x.created_at < :end "
        "ORDER BY x.created_at DESC LIMIT 1)",
        params,
    )


def changes_between(database: Database, team_id: int, start: datetime, end: datetime) -> int:
    """The version of a team's span: the sum of the change counters of its UTC days (and of
    the day its end falls on). Counters only grow, so any change counted there moves it."""
    return database.scalar(
        "SELECT TOTAL(changes) FROM metrics_marks WHERE team_id = ? AND day >= ? AND day <= ?",
        (team_id, to_db(start)[:10], to_db(end)[:10]),
    )
