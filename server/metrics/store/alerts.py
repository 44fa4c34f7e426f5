"""The alert figures' SQL: counts, distributions (nearest-rank median and 90th percentile,
store/distributions.py), the local hour-of-week heat map and recurring problems, each one
aggregate query over the indexes of schema/0013_metrics_indexes.sql and 0017–0020; no alert
row reaches Python."""

from __future__ import annotations

from datetime import datetime

from server.clock import to_db
from server.db import Database
from server.metrics.store.distributions import distribution, in_index_order, ranked

# A step past the first, or any step of a later round, was paged (escalation.py writes one
# "paged" event per firing that woke someone; steps and rounds count from 1). The same
# expression as the partial index alert_events_escalated, so the planner uses it.
_ESCALATED = (
    "e.kind = 'paged' AND (json_extract(e.detail, '$.step') >= 2 "
    "OR json_extract(e.detail, '$.round') >= 2)"
)


# Interventions (not deleted) joined to their alerts, driven from the interventions' side in
# alert order; CROSS JOIN keeps that order (the planner would seek from every alert instead).
_LINKED = (
    "interventions i INDEXED BY interventions_alert_work CROSS JOIN alerts a "
    "ON a.id = i.alert_id AND i.deleted_at IS NULL"
)


# The period's alerts from the covering index by team and creation, named: the indexes of
# durations (0017) would otherwise tempt the planner into reading a team's whole history.
_PERIOD_INDEX = "alerts a INDEXED BY alerts_team_created"


def _teams(team_ids: list[int]) -> str:
    """The parameters :t0, :t1 … of the teams, for IN (…); NULL (none) without a team."""
    return ",".join(f":t{i}" for i in range(len(team_ids))) or "NULL"


def _scope(team_ids: list[int], start: datetime, end: datetime, user_id: int | None):
    """The condition on `a` of the alerts created in [start, end) in the teams (and, for a
    person, the ones that were theirs), with the parameters it names. A condition rather than
    a materialised table: each aggregate reads the covering index alerts_team_created again,
    which costs less than writing a year of alerts to a temporary table and reading it back."""
    params: dict = {"start": to_db(start), "end": to_db(end), "user": user_id}
    params.update({f"t{i}": team for i, team in enumerate(team_ids)})
    mine = ""
    if user_id is not None:
        # Read once each, as IN lists from their indexes (notifications_alert,
        # interventions_user_start), not per alert.
        mine = (
            " AND (a.acknowledged_by = :user OR a.resolved_by = :user"
            " OR a.assigned_user_id = :user OR a.id IN ("
            "SELECT json_extract(n.params, '$.alert_id') FROM notifications n "
            "WHERE n.user_id = :user AND n.kind = 'alert') OR a.id IN ("
            "SELECT i.alert_id FROM interventions i WHERE i.user_id = :user "
            "AND i.deleted_at IS NULL AND i.alert_id IS NOT NULL))"
        )
    return _in_period(team_ids) + mine, params


def _in_period(team_ids: list[int]) -> str:
    """The condition on `a` of the teams' alerts created in [:start, :end)."""
    return f"a.team_id IN ({_teams(team_ids)}) AND a.created_at >= :start AND a.created_at < :end"


def alert_span(database: Database, team_id: int) -> tuple[str, str] | None:
    """When the team's first and last alerts were created (stored text), None without any:
    two seeks into alerts_team_created (named: other indexes by team would be read whole)."""
    row = database.one(
        "SELECT (SELECT MIN(a.created_at) FROM alerts a INDEXED BY alerts_team_created "
        "WHERE a.team_id = :team) AS first, (SELECT MAX(a.created_at) FROM alerts a "
        "INDEXED BY alerts_team_created WHERE a.team_id = :team) AS last",
        {"team": team_id},
    )
    if row is None or row["first"] is None:
        return None
    return row["first"], row["last"]


def alert_counts(
    database: Database,
    team_ids: list[int],
    start: datetime,
    end: datetime,
    user_id: int | None = None,
) -> dict:
    """alerts, acknowledged (by the person, when one is given) and escalated; `low` and
    `high`, the first and last id of those alerts (None without any), bound the reads of what
    is linked to them."""
    where, params = _scope(team_ids, start, end, user_id)
    acked = "a.acknowledged_at IS NOT NULL" if user_id is None else "a.acknowledged_by = :user"
    row = database.one(
        f"SELECT COUNT(*) AS alerts, COALESCE(SUM({acked}), 0) AS acknowledged, "
        f"MIN(a.id) AS low, MAX(a.id) AS high FROM {_PERIOD_INDEX} WHERE {where}",
        params,
    )
    assert row is not None
    # From the escalated events of those ids (alert_events_escalated holds only them, in
    # alert order), each alert checked by its primary key (CROSS JOIN keeps that order): a few
    # thousand lookups instead of an index probe for every alert of the period.
    escalated = database.one(
        "SELECT COUNT(*) AS escalated FROM (SELECT DISTINCT e.alert_id AS id "
        f"FROM alert_events e WHERE e.alert_id BETWEEN :low AND :high AND {_ESCALATED}) x "
        f"CROSS JOIN alerts a ON a.id = x.id WHERE {where}",
        {**params, "low": row["low"], "high": row["high"]},
    )
    assert escalated is not None
    return {**row, "escalated": escalated["escalated"]}


def response_distributions(
    database: Database,
    team_ids: list[int],
    start: datetime,
    end: datetime,
    user_id: int | None = None,
    ids: tuple[int | None, int | None] | None = None,
    in_order: bool = False,
    alerts: int | None = None,
) -> dict[str, dict]:
    """By kind ('acknowledge', 'resolve', 'intervene'): count, mean, median, p90 in seconds
    from the alert's creation. For a person: the alerts they acknowledged, resolved, and their
    own first intervention. `ids`: the first and last id of the scope's alerts when known
    (alert_counts), read otherwise. `in_order` (a team's, over much of its history): the
    durations are read in their order from alerts_team_acknowledge and alerts_team_resolve,
    every alert of the team and the period's kept, rather than sorted. `alerts`: how many the
    scope has, when known (taken by rank when few)."""
    where, params = _scope(team_ids, start, end, user_id)
    if ids is None:
        span = database.one(
            f"SELECT MIN(a.id) AS low, MAX(a.id) AS high FROM {_PERIOD_INDEX} WHERE {where}", params
        )
        assert span is not None
        ids = (span["low"], span["high"])
    params.update({"low": ids[0], "high": ids[1]})
    acked = "a.acknowledged_at IS NOT NULL" + (
        "" if user_id is None else " AND a.acknowledged_by = :user"
    )
    solved = "a.resolved_at IS NOT NULL" + ("" if user_id is None else " AND a.resolved_by = :user")
    whose = "" if user_id is None else " AND i.user_id = :user"
    # Created → the first intervention's start (not deleted; for a person, their own). From
    # the linked interventions in alert order (interventions_alert_work), over the ids of the
    # period's alerts (tight, as ids grow with time; exact whatever the ids), each finding its
    # alert by id: a seek per alert of the period mostly found none (4 times slower over a
    # year). An intervention logged as starting before the alert answered it at once (0).
    first_work = (
        "SELECT MAX(0, unixepoch(MIN(i.started_at)) - unixepoch(a.created_at)) AS s "
        f"FROM {_LINKED} WHERE i.alert_id BETWEEN :low AND :high{whose} "
        f"AND {_in_period(team_ids)} GROUP BY i.alert_id"
    )
    # Each distribution reads a covering index once: a materialised copy of the period's
    # alerts, read three times, cost more than three index scans.
    ack = "unixepoch(a.acknowledged_at) - unixepoch(a.created_at)"
    res = "unixepoch(a.resolved_at) - unixepoch(a.created_at)"
    by_rank = ranked(False, alerts)
    acknowledge = distribution(
        "acknowledge", f"SELECT {ack} AS s FROM {_PERIOD_INDEX} WHERE {where} AND {acked}", by_rank
    )
    resolve = distribution(
        "resolve", f"SELECT {res} AS s FROM {_PERIOD_INDEX} WHERE {where} AND {solved}", by_rank
    )
    intervene = distribution("intervene", first_work, by_rank)
    if in_order and user_id is None and len(team_ids) == 1:
        # The whole team in order of duration, the period's alerts kept (`+` keeps the planner
        # from ranging over created_at, which would lose that order): no sort, and a scan of
        # the team's history costs less than sorting the period's alerts when they are a good
        # part of it (rule in server/metrics/alerts.py: history_in_order).
        period = "a.team_id = :t0 AND +a.created_at >= :start AND +a.created_at < :end"
        acknowledge = in_index_order(
            "acknowledge",
            ack,
            f"FROM alerts a INDEXED BY alerts_team_acknowledge WHERE {period} AND {acked}",
        )
        resolve = in_index_order(
            "resolve",
            res,
            f"FROM alerts a INDEXED BY alerts_team_resolve WHERE {period} AND {solved}",
        )
        intervene = distribution("intervene", first_work, ranked(True, alerts))
    rows = database.query(acknowledge + " UNION ALL " + resolve + " UNION ALL " + intervene, params)
    return {row["kind"]: row for row in rows}


def intervention_distribution(
    database: Database,
    team_ids: list[int],
    start: datetime,
    end: datetime,
    user_id: int | None = None,
    in_order: bool = False,
    alerts: int | None = None,
) -> dict:
    """Interventions (not deleted) started in [start, end): of the teams, or the person's own
    wherever logged; their duration, travel included. `in_order` (a team's, over much of its
    history): read in order of duration from interventions_team_duration, not sorted.
    `alerts`: how many alerts the period has, when known (fewer interventions: by rank when
    few)."""
    params: dict = {"start": to_db(start), "end": to_db(end), "user": user_id}
    source = "interventions i"
    period = "i.started_at >= :start AND i.started_at < :end"
    ordered = False
    if user_id is None:
        params.update({f"t{i}": team for i, team in enumerate(team_ids)})
        whose = f"i.team_id IN ({_teams(team_ids)})"
        # Named, or the index of durations would tempt the planner into the team's history.
        source = "interventions i INDEXED BY interventions_team_start"
        if in_order and len(team_ids) == 1:
            # As for the alerts' durations: `+` keeps the index's order of duration.
            source = "interventions i INDEXED BY interventions_team_duration"
            period = "+i.started_at >= :start AND +i.started_at < :end"
            ordered = True
    else:
        whose = "i.user_id = :user"
    duration = "unixepoch(i.ended_at) - unixepoch(i.started_at) + 60 * i.travel_minutes"
    rows = f"FROM {source} WHERE {whose} AND {period} AND i.deleted_at IS NULL"
    row = database.one(
        in_index_order("duration", duration, rows)
        if ordered
        else distribution("duration", f"SELECT {duration} AS s {rows}", ranked(False, alerts)),
        params,
    )
    return row or {"count": 0, "mean": None, "median": None, "p90": None}


def _by_utc_hour(
    team_ids: list[int], offsets: list[tuple[str, str, int]], user_id: int | None
) -> bool:
    """Whether a heat map can count alerts by UTC hour first: one team's (the index's order),
    offsets of whole hours that change on the hour (each UTC hour then lies in one local
    hour; Europe, the Americas; not India's +05:30)."""
    if user_id is not None or len(team_ids) != 1:
        return False
    changes = [ends for _begins, ends, _minutes in offsets[:-1]]
    return all(minutes % 60 == 0 for *_, minutes in offsets) and all(
        at.endswith(":00:00Z") for at in changes
    )


def hour_of_week_counts(
    database: Database,
    team_ids: list[int],
    start: datetime,
    end: datetime,
    offsets: list[tuple[str, str, int]],
    user_id: int | None = None,
) -> list[tuple[int, int, int]]:
    """(weekday with Monday = 0, local hour, alerts) of the cells that have alerts; local time
    from the zone's `offsets` (zones.offsets over the same span), exact across clock changes."""
    if not offsets:
        return []
    where, params = _scope(team_ids, start, end, user_id)
    # The offsets cover [start, end) in order without gaps (zones.offsets), so each alert's is
    # the first span it is created before: a CASE per alert costs less than a join.
    spans = []
    for i, (_begins, ends, minutes) in enumerate(offsets):
        spans.append(f"WHEN at < :u{i} THEN :m{i}")
        params.update({f"u{i}": ends, f"m{i}": minutes})
    offset = f"(CASE {' '.join(spans)} END)"
    # Local seconds since 1970-01-01, a Thursday: its hour 0 is hour 72 of a week counted from
    # Monday 00:00. One integer key (the hour of the week) to group on, in integer arithmetic.
    how = f"((unixepoch(at) + 60 * {offset}) / 3600 + 72) % 168"
    if _by_utc_hour(team_ids, offsets, user_id):
        # A team's alerts counted by UTC hour in the order of alerts_team_hour (no sort), each
        # hour then placed by its start: with whole-hour offsets changing on the hour, all of
        # an hour's alerts share its local hour. The period's bounds are checked per alert
        # (a period under way ends now, within an hour).
        rows = database.query(
            f"SELECT how / 24 AS weekday, how % 24 AS hour, SUM(n) AS alerts FROM ("
            f"SELECT {how} AS how, n FROM (SELECT substr(a.created_at, 1, 13) || ':00:00Z' "
            "AS at, COUNT(*) AS n FROM alerts a INDEXED BY alerts_team_hour "
            "WHERE a.team_id = :t0 AND substr(a.created_at, 1, 13) >= substr(:start, 1, 13) "
            "AND substr(a.created_at, 1, 13) <= substr(:end, 1, 13) "
            "AND +a.created_at >= :start AND +a.created_at < :end "
            "GROUP BY substr(a.created_at, 1, 13))) GROUP BY how",
            params,
        )
        return [(row["weekday"], row["hour"], row["alerts"]) for row in rows]
    rows = database.query(
        # Straight from the covering index, one date function per alert.
        "SELECT how / 24 AS weekday, how % 24 AS hour, alerts FROM ("
        f"SELECT {how} AS how, COUNT(*) AS alerts FROM (SELECT a.created_at AS at "
        f"FROM {_PERIOD_INDEX} WHERE {where}) GROUP BY how) WHERE how IS NOT NULL",
        params,
    )
    return [(row["weekday"], row["hour"], row["alerts"]) for row in rows]


def problems(
    database: Database,
    team_id: int,
    start: datetime,
    end: datetime,
    return_within_days: int,
    limit: int,
    in_order: bool = False,
) -> list[dict]:
    """Alerts created in [start, end) grouped by source and title, trimmed and compared without
    case (ASCII), the first `limit` by alerts and the first `limit` by intervention time, each
    with its rank in both (`by_alerts`, `by_time`): alerts, linked intervention seconds (travel
    included), and returns, alerts created within `return_within_days` after the previous
    alert of the same problem (which may predate the period) was resolved. Shown with the
    latest alert's spelling. `in_order` (a period covering much of the team's history): the
    team's whole history is read in the index's order and the period's alerts kept, grouped
    without a sort (a sort of a year of alerts by problem took half the time)."""
    params = {
        "team": team_id,
        "start": to_db(start),
        "end": to_db(end),
        "within": return_within_days * 86400,
        "limit": limit,
    }
    # `+` keeps the planner from ranging over created_at by problem (a skip-scan), which
    # would lose the index's order and sort instead.
    plus = "+" if in_order else ""
    return database.query(
        # Problems from the index, by problem (team, source, title).
        "WITH grouped AS (SELECT lower(trim(a.source)) AS source_key, "
        "lower(trim(a.title)) AS title_key, COUNT(*) AS alerts "
        "FROM alerts a INDEXED BY alerts_problem "
        f"WHERE a.team_id = :team AND {plus}a.created_at >= :start AND {plus}a.created_at < :end "
        "GROUP BY 1, 2), "
        # Linked interventions over the ids of the period's alerts, as for time to intervene.
        "ids AS (SELECT MIN(id) AS low, MAX(id) AS high FROM alerts "
        "WHERE team_id = :team AND created_at >= :start AND created_at < :end), "
        "work AS (SELECT lower(trim(a.source)) AS source_key, lower(trim(a.title)) AS title_key, "
        "SUM(unixepoch(i.ended_at) - unixepoch(i.started_at) + 60 * i.travel_minutes) "
        f"AS seconds FROM {_LINKED} WHERE i.alert_id BETWEEN (SELECT low FROM ids) "
        "AND (SELECT high FROM ids) AND a.team_id = :team "
        "AND a.created_at >= :start AND a.created_at < :end GROUP BY 1, 2), "
        # The first `limit` by alerts and the first `limit` by intervention time (those that
        # took any): one pass over the few problems, two rankings.
        "scored AS (SELECT g.*, COALESCE(w.seconds, 0) AS intervention_seconds "
        "FROM grouped g LEFT JOIN work w USING (source_key, title_key)), "
        "ranked AS (SELECT * FROM (SELECT s.*, ROW_NUMBER() OVER (ORDER BY s.alerts DESC, "
        "s.intervention_seconds DESC, s.title_key, s.source_key) AS by_alerts, "
        "ROW_NUMBER() OVER (ORDER BY s.intervention_seconds DESC, s.alerts DESC, s.title_key, "
        "s.source_key) AS by_time FROM scored s) "
        "WHERE by_alerts <= :limit OR (by_time <= :limit AND intervention_seconds > 0)) "
        # Shown as the latest alert of each problem spells it, read for the few listed.
        "SELECT l.source, l.title, r.alerts, r.intervention_seconds, r.by_alerts, r.by_time, "
        # Returns counted for the listed problems only (they do not rank them): their alerts
        # of the period from the index, the previous alert of the same problem (maybe before
        # the period) one seek each, its resolution read from the index; of earlier alerts
        # created in the same second, the index's last (resolved last) is the previous one.
        "(SELECT COALESCE(SUM(unixepoch(a.created_at) - unixepoch((SELECT b.resolved_at "
        "FROM alerts b WHERE b.team_id = a.team_id "
        "AND lower(trim(b.source)) = lower(trim(a.source)) "
        "AND lower(trim(b.title)) = lower(trim(a.title)) AND b.created_at <= a.created_at "
        "AND (b.created_at < a.created_at OR b.id < a.id) "
        "ORDER BY b.created_at DESC LIMIT 1)) BETWEEN 0 AND :within), 0) "
        "FROM alerts a INDEXED BY alerts_problem WHERE a.team_id = :team "
        "AND lower(trim(a.source)) = r.source_key AND lower(trim(a.title)) = r.title_key "
        "AND a.created_at >= :start AND a.created_at < :end) AS returns FROM ranked r "
        "JOIN alerts l ON l.id = (SELECT x.id FROM alerts x WHERE x.team_id = :team "
        "AND lower(trim(x.source)) = r.source_key AND lower(trim(x.title)) = r.title_key "
        "AND x.created_at >= :start AND x.created_at < :end "
        "ORDER BY x.created_at DESC LIMIT 1) "
        "ORDER BY r.by_alerts",
        params,
    )
