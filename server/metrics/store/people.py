"""The people figures' SQL: each person's interventions, acknowledgements, interruptions and
high fatigue reports over a period, one aggregate query each (GROUP BY person; the 60 s merge
of interruptions by a LAG window), local hours from the zone offsets of each person's zone."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from server.clock import from_db, to_db
from server.db import Database
from server.metrics.models import (
    HIGH_FATIGUE_SCORE,
    NIGHT_END_HOUR,
    NIGHT_START_HOUR,
    WORK_END_HOUR,
    WORK_START_HOUR,
)

# Offsets of one zone: (from, to, minutes) rows of zones.offsets.
ZoneOffsets = dict[str, list[tuple[str, str, int]]]
_EPOCH_DAY = date(1970, 1, 1)

# Night by the local hour of {0}, an SQL expression of local seconds since the epoch
# (arithmetic: a third of the time of formatting the local time and reading its hour).
_HOUR = "({0} % 86400 / 3600)"
_NIGHT = f"({_HOUR} >= {NIGHT_START_HOUR} OR {_HOUR} < {NIGHT_END_HOUR})"


def _seconds(text: str) -> int:
    return int(from_db(text).timestamp())


def _marks(prefix: str, values: Sequence, params: dict) -> str:
    params.update({f"{prefix}{i}": value for i, value in enumerate(values)})
    return ",".join(f":{prefix}{i}" for i in range(len(values))) or "NULL"


def _zones(offsets: ZoneOffsets, params: dict, epoch: bool = False) -> str:
    """The CTE z(zone, f, t, m): each zone's offsets over the span read, the instants as
    stored text or (`epoch`) seconds since the epoch."""
    rows = []
    for n, (zone, spans) in enumerate(offsets.items()):
        for i, (begins, ends, minutes) in enumerate(spans):
            if epoch:
                begins, ends = _seconds(begins), _seconds(ends)
            key = f"{n}_{i}"
            params.update({f"zn{key}": zone, f"zf{key}": begins, f"zt{key}": ends})
            params[f"zm{key}"] = minutes
            rows.append(f"(:zn{key}, :zf{key}, :zt{key}, :zm{key})")
    return f"z(zone, f, t, m) AS (VALUES {', '.join(rows)})"


def people_named(database: Database, user_ids: Sequence[int]) -> list[dict]:
    """id, name and timezone of each person."""
    params: dict = {}
    marks = _marks("u", list(user_ids), params)
    return database.query(
        f"SELECT id, name, timezone FROM users WHERE id IN ({marks}) ORDER BY id", params
    )


def intervention_counts(
    database: Database,
    user_ids: Sequence[int],
    team_id: int | None,
    start: datetime,
    end: datetime,
    offsets: ZoneOffsets,
) -> dict[int, dict]:
    """Per person: interventions (not deleted) started in [start, end), of the team (of any
    team without one), those started at night in the person's zone, and their seconds, travel
    included."""
    if not user_ids or not offsets:
        return {}
    params: dict = {"start": to_db(start), "end": to_db(end), "team": team_id}
    marks = _marks("u", list(user_ids), params)
    local = "(unixepoch(i.started_at) + 60 * z.m)"
    team = "" if team_id is None else "AND i.team_id = :team "
    rows = database.query(
        f"WITH {_zones(offsets, params)} "
        "SELECT i.user_id, COUNT(*) AS interventions, "
        f"SUM({_NIGHT.format(local)}) AS night, "
        "SUM(unixepoch(i.ended_at) - unixepoch(i.started_at) + 60 * i.travel_minutes) AS seconds "
        "FROM interventions i JOIN users u ON u.id = i.user_id "
        "JOIN z ON z.zone = u.timezone AND i.started_at >= z.f AND i.started_at < z.t "
        f"WHERE i.user_id IN ({marks}) {team}AND i.deleted_at IS NULL "
        "AND i.started_at >= :start AND i.started_at < :end GROUP BY i.user_id",
        params,
    )
    return {row["user_id"]: row for row in rows}


def acknowledged_counts(
    database: Database,
    user_ids: Sequence[int],
    team_id: int | None,
    start: datetime,
    end: datetime,
) -> dict[int, int]:
    """Per person: alerts created in [start, end) (of the team, or of any team) that they
    acknowledged."""
    if not user_ids:
        return {}
    params: dict = {"start": to_db(start), "end": to_db(end), "team": team_id}
    marks = _marks("u", list(user_ids), params)
    team = "a.team_id = :team AND " if team_id is not None else ""
    rows = database.query(
        # A short range of alerts_acknowledger per person (0019), whatever the statistics say.
        "SELECT a.acknowledged_by AS user_id, COUNT(*) AS acknowledged "
        "FROM alerts a INDEXED BY alerts_acknowledger "
        f"WHERE {team}a.created_at >= :start AND a.created_at < :end "
        f"AND a.acknowledged_by IN ({marks}) GROUP BY a.acknowledged_by",
        params,
    )
    return {row["user_id"]: row["acknowledged"] for row in rows}


def interruption_counts(
    database: Database,
    user_ids: Sequence[int],
    team_id: int | None,
    start: datetime,
    end: datetime,
    offsets: ZoneOffsets,
    holidays: Sequence[date],
) -> dict[int, dict]:
    """Per person: interruptions in [start, end), then those in the night and those outside
    working hours (local time of the person's zone; `holidays` are days off).

    Deliveries sent by push or by the webhook (e-mail is read when one chooses); one more than
    INTERRUPTION_GAP_SECONDS after the previous one to the person starts a new interruption
    (marked when written), so a delivery just before the period can merge with the first one
    in it. For a team, the
    interruptions begun by a delivery about its alerts or about no alert (a swap request wakes
    one too): the 60 s merge runs over all of the person's deliveries, since a page from
    another team 20 s before woke them already."""
    if not user_ids or not offsets:
        return {}
    params: dict = {
        "start": to_db(start),
        "end": to_db(end),
        "team": team_id,
        # Day numbers since 1 January 1970, as the query counts local days.
        "holidays": json.dumps([(day - _EPOCH_DAY).days for day in holidays]),
    }
    marks = _marks("u", list(user_ids), params)
    about = ""
    # Every alert is of some team (the foreign key holds): when none is of another team, every
    # delivery is about this team's alerts or about none, and the lookup of each is skipped.
    if team_id is not None and database.scalar(
        "SELECT EXISTS (SELECT 1 FROM alerts WHERE team_id < :team) "
        "OR EXISTS (SELECT 1 FROM alerts WHERE team_id > :team)",
        {"team": team_id},
    ):
        about = (
            "AND (s.alert_id IS NULL OR EXISTS "
            "(SELECT 1 FROM alerts a WHERE a.id = s.alert_id AND a.team_id = :team)) "
        )
    rows = database.query(
        f"WITH {_zones(offsets, params, epoch=True)}, "
        "holiday AS (SELECT value FROM json_each(:holidays)), "
        # The deliveries that start an interruption, marked when written (see
        # schema/0016_interruption_starts.sql), in the order of deliveries_person_starts.
        "woken AS MATERIALIZED (SELECT s.user_id, unixepoch(s.sent_at) AS t FROM deliveries s "
        f"WHERE s.user_id IN ({marks}) AND s.starts_interruption = 1 "
        f"AND s.sent_at >= :start AND s.sent_at < :end {about}), "
        "local AS MATERIALIZED (SELECT w.user_id, w.t + 60 * z.m AS t "
        "FROM woken w JOIN users u ON u.id = w.user_id "
        "JOIN z ON z.zone = u.timezone AND w.t >= z.f AND w.t < z.t), "
        # Local hour, weekday (1 January 1970 was a Thursday: 0 is Sunday) and day number.
        "parts AS (SELECT user_id, t % 86400 / 3600 AS h, (t / 86400 + 4) % 7 AS wd, "
        "t / 86400 AS day FROM local) "
        "SELECT user_id, COUNT(*) AS interruptions, "
        f"SUM(h >= {NIGHT_START_HOUR} OR h < {NIGHT_END_HOUR}) AS sleep, "
        f"SUM(NOT (wd BETWEEN 1 AND 5 AND h >= {WORK_START_HOUR} AND h < {WORK_END_HOUR} "
        "AND day NOT IN (SELECT value FROM holiday))) AS off_hours "
        "FROM parts GROUP BY user_id",
        params,
    )
    return {row["user_id"]: row for row in rows}


def high_fatigue_counts(
    database: Database, user_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, int]:
    """Per person: fatigue reports of HIGH_FATIGUE_SCORE or more reported in [start, end)."""
    if not user_ids:
        return {}
    params: dict = {"start": to_db(start), "end": to_db(end), "score": HIGH_FATIGUE_SCORE}
    marks = _marks("u", list(user_ids), params)
    rows = database.query(
        "SELECT user_id, COUNT(*) AS reports FROM fatigue_reports "
        f"WHERE user_id IN ({marks}) AND score >= :score "
        "AND reported_at >= :start AND reported_at < :end GROUP BY user_id",
        params,
    )
    return {row["user_id"]: row["reports"] for row in rows}


# What the rest engine reads of a person over a window (server/rest/people.py: timeline_of, with
# the conditions of server/rest/store.py and list_shifts), as text: two windows with the same
# text give the same timeline. Keep in step with those readers (tests change each input).
_REST_INPUTS = (
    "SELECT w.user_id, "
    "(SELECT group_concat(weekday || ' ' || start_minute || ' ' || end_minute, ',') "
    "FROM work_pattern_ranges WHERE user_id = w.user_id) AS pattern, "
    "(SELECT group_concat(first_day || ' ' || last_day, ',') FROM absences "
    "WHERE user_id = w.user_id AND last_day >= w.first_day AND first_day <= w.last_day) "
    "AS absences, "
    "(SELECT group_concat(started_at || ' ' || ended_at, ',') FROM declared_rests "
    "WHERE user_id = w.user_id AND ended_at > w.since AND started_at < w.until) AS rests, "
    "(SELECT group_concat(starts_at || ' ' || ends_at, ',') FROM shifts "
    "WHERE user_id = w.user_id AND status IN ('published', 'accepted') "
    "AND ends_at > w.since AND starts_at >= w.shifts_from AND starts_at < w.until) AS shifts, "
    "(SELECT group_concat(started_at || ' ' || ended_at || ' ' || travel_minutes, ',') "
    "FROM interventions WHERE user_id = w.user_id AND deleted_at IS NULL "
    "AND ended_at > w.work_from AND started_at < w.until) AS interventions "
    "FROM (SELECT json_extract(value, '$[0]') AS user_id, json_extract(value, '$[1]') AS since, "
    "json_extract(value, '$[2]') AS until, json_extract(value, '$[3]') AS shifts_from, "
    "json_extract(value, '$[4]') AS work_from, json_extract(value, '$[5]') AS first_day, "
    "json_extract(value, '$[6]') AS last_day FROM json_each(:windows)) w"
)


def rest_inputs(
    database: Database,
    windows: dict[int, tuple[datetime, datetime, date, date]],
    shifts_back: timedelta,
    interventions_back: timedelta,
) -> dict[int, tuple]:
    """Per person, with their window (since, until, and its first and last civil days in their
    rest zone): their work pattern, and the absences, declared rests, told shifts (starting at
    most `shifts_back` before since) and interventions (ending at most `interventions_back`
    before since) the rest engine reads there, as text, in one query. Only compared, never
    parsed: were a person's rows read in another order, the text would differ and only a
    kept answer be missed."""
    if not windows:
        return {}
    rows = [
        [
            user_id,
            to_db(since),
            to_db(until),
            to_db(since - shifts_back),
            to_db(since - interventions_back),
            first.isoformat(),
            last.isoformat(),
        ]
        for user_id, (since, until, first, last) in windows.items()
    ]
    found = database.query(_REST_INPUTS, {"windows": json.dumps(rows)})
    return {row.pop("user_id"): tuple(row.values()) for row in found}
