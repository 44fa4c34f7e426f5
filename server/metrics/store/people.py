"""The people figures' SQL: each person's interventions, acknowledgements, interruptions and
high fatigue reports over a period, one aggregate query each (GROUP BY person; the deliveries
that start an interruption marked when written), local hours from the zone offsets of each
person's zone; and what the rest engine reads of each person, to key its kept answers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from server.clock import to_db
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


def _marks(prefix: str, values: Sequence, params: dict) -> str:
    params.update({f"{prefix}{i}": value for i, value in enumerate(values)})
    return ",".join(f":{prefix}{i}" for i in range(len(values))) or "NULL"


def _local_seconds(instant: str, person: str, offsets: ZoneOffsets, params: dict) -> str:
    """SQL: local seconds since the epoch of `instant` (a stored instant) in the zone of
    `person` (a user id), by the offsets of each zone over the span read, which cover it: a
    CASE on the instant (and on the person's zone when there are several), no join."""
    cases = []
    for n, (zone, spans) in enumerate(offsets.items()):
        branches = []
        for i, (_begins, ends, minutes) in enumerate(spans[:-1]):
            params[f"lt{n}_{i}"] = ends
            branches.append(f"WHEN {instant} < :lt{n}_{i} THEN {int(minutes)}")
        last = int(spans[-1][2])
        params[f"lz{n}"] = zone
        cases.append(
            (f":lz{n}", f"CASE {' '.join(branches)} ELSE {last} END" if branches else str(last))
        )
    if len(cases) == 1:
        minutes = cases[0][1]
    else:
        zones = " ".join(f"WHEN {zone} THEN {case}" for zone, case in cases)
        minutes = f"CASE (SELECT timezone FROM users WHERE id = {person}) {zones} END"
    return f"(unixepoch({instant}) + 60 * ({minutes}))"


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
    local = _local_seconds("i.started_at", "i.user_id", offsets, params)
    team = "" if team_id is None else "AND i.team_id = :team "
    rows = database.query(
        "SELECT i.user_id, COUNT(*) AS interventions, "
        f"SUM({_NIGHT.format(local)}) AS night, "
        "SUM(unixepoch(i.ended_at) - unixepoch(i.started_at) + 60 * i.travel_minutes) AS seconds "
        f"FROM interventions i WHERE i.user_id IN ({marks}) {team}AND i.deleted_at IS NULL "
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
    local = _local_seconds("s.sent_at", "s.user_id", offsets, params)
    rows = database.query(
        "WITH holiday AS (SELECT value FROM json_each(:holidays)), "
        # The deliveries that start an interruption, marked when written (see
        # schema/0016_interruption_starts.sql), in the order of deliveries_person_starts,
        # counted by local hour since the epoch: the hours are then fewer than the rows.
        f"hours AS (SELECT s.user_id, {local} / 3600 AS hour, COUNT(*) AS n FROM deliveries s "
        f"WHERE s.user_id IN ({marks}) AND s.starts_interruption = 1 "
        f"AND s.sent_at >= :start AND s.sent_at < :end {about}GROUP BY 1, 2), "
        # Local hour, weekday (1 January 1970 was a Thursday: 0 is Sunday) and day number.
        "parts AS (SELECT user_id, n, hour % 24 AS h, (hour / 24 + 4) % 7 AS wd, "
        "hour / 24 AS day FROM hours) "
        "SELECT user_id, SUM(n) AS interruptions, "
        f"SUM(n * (h >= {NIGHT_START_HOUR} OR h < {NIGHT_END_HOUR})) AS sleep, "
        f"SUM(n * NOT (wd BETWEEN 1 AND 5 AND h >= {WORK_START_HOUR} AND h < {WORK_END_HOUR} "
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
