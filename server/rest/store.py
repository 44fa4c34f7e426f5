"""All the SQL of rest: working hours and days off, fatigue reports and declared rest, the
fatigue questions already asked, and what the timeline reads of shifts and interventions."""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from server.clock import from_db, to_db
from server.db import Database
from server.rest.models import Absence, DeclaredRest, FatigueContext, FatigueReport
from server.rest.timeline import InterventionSpan, PatternRange

# Working hours and days off -----------------------------------------------------------------


def get_pattern(database: Database, user_id: int) -> list[PatternRange]:
    rows = database.query(
        "SELECT weekday, start_minute, end_minute FROM work_pattern_ranges WHERE user_id = ? "
        "ORDER BY weekday, start_minute",
        (user_id,),
    )
    return [PatternRange(**row) for row in rows]


def replace_pattern(database: Database, user_id: int, pattern: list[PatternRange]) -> None:
    """The person's weekly template, replaced; inside the caller's transaction."""
    database.execute("DELETE FROM work_pattern_ranges WHERE user_id = ?", (user_id,))
    for item in pattern:
        database.insert("work_pattern_ranges", {"user_id": user_id, **msgspec.to_builtins(item)})


def _absence(row: dict) -> Absence:
    return Absence(
        id=row["id"],
        kind=row["kind"],
        first_day=date.fromisoformat(row["first_day"]),
        last_day=date.fromisoformat(row["last_day"]),
        note=row["note"],
    )


def absences_between(database: Database, user_id: int, first: date, last: date) -> list[Absence]:
    rows = database.query(
        "SELECT * FROM absences WHERE user_id = ? AND last_day >= ? AND first_day <= ? "
        "ORDER BY first_day",
        (user_id, first.isoformat(), last.isoformat()),
    )
    return [_absence(row) for row in rows]


def get_absence(database: Database, user_id: int, absence_id: int) -> Absence | None:
    row = database.one("SELECT * FROM absences WHERE id = ? AND user_id = ?", (absence_id, user_id))
    return _absence(row) if row else None


def insert_absence(database: Database, row: dict) -> int:
    return database.insert("absences", row)


def delete_absence_row(database: Database, absence_id: int) -> None:
    database.execute("DELETE FROM absences WHERE id = ?", (absence_id,))


# Fatigue and declared rest ------------------------------------------------------------------


def _report(row: dict) -> FatigueReport:
    return FatigueReport(
        id=row["id"],
        user_id=row["user_id"],
        score=row["score"],
        reported_at=from_db(row["reported_at"]),
        context=row["context"],
    )


def insert_fatigue(
    database: Database, user_id: int, score: int, context: FatigueContext, now: datetime
) -> FatigueReport:
    report_id = database.insert(
        "fatigue_reports",
        {
            "user_id": user_id,
            "score": score,
            "reported_at": to_db(now),
            "context": context,
            "created_at": to_db(now),
        },
    )
    return FatigueReport(
        id=report_id, user_id=user_id, score=score, reported_at=now, context=context
    )


def latest_fatigue(
    database: Database, user_id: int, since: datetime | None = None
) -> FatigueReport | None:
    """The person's last report, if it was made at or after `since`."""
    row = database.one(
        "SELECT * FROM fatigue_reports WHERE user_id = ? AND reported_at >= ? "
        "ORDER BY reported_at DESC, id DESC LIMIT 1",
        (user_id, to_db(since) if since else ""),
    )
    return _report(row) if row else None


def latest_fatigue_of(database: Database, user_ids: list[int]) -> dict[int, FatigueReport]:
    """Each person's last report, in one query (for the manager's view)."""
    if not user_ids:
        return {}
    marks = ",".join("?" * len(user_ids))
    rows = database.query(
        "SELECT f.* FROM fatigue_reports f WHERE f.id IN ("
        "  SELECT (SELECT id FROM fatigue_reports g WHERE g.user_id = u.value"
        "          ORDER BY g.reported_at DESC, g.id DESC LIMIT 1)"
        f"  FROM json_each(json_array({marks})) u)",
        user_ids,
    )
    return {row["user_id"]: _report(row) for row in rows}


def fatigue_history(database: Database, user_id: int, limit: int = 10) -> list[FatigueReport]:
    rows = database.query(
        "SELECT * FROM fatigue_reports WHERE user_id = ? ORDER BY reported_at DESC, id DESC "
        "LIMIT ?",
        (user_id, limit),
    )
    return [_report(row) for row in rows]


def insert_declared_rest(
    database: Database, user_id: int, started_at: datetime, ended_at: datetime, now: datetime
) -> DeclaredRest:
    rest_id = database.insert(
        "declared_rests",
        {
            "user_id": user_id,
            "started_at": to_db(started_at),
            "ended_at": to_db(ended_at),
            "created_at": to_db(now),
        },
    )
    return DeclaredRest(id=rest_id, started_at=started_at, ended_at=ended_at)


def declared_rests(
    database: Database, user_id: int, since: datetime, until: datetime
) -> list[DeclaredRest]:
    rows = database.query(
        "SELECT * FROM declared_rests WHERE user_id = ? AND ended_at > ? AND started_at < ? "
        "ORDER BY started_at",
        (user_id, to_db(since), to_db(until)),
    )
    return [
        DeclaredRest(
            id=r["id"], started_at=from_db(r["started_at"]), ended_at=from_db(r["ended_at"])
        )
        for r in rows
    ]


# Fatigue questions --------------------------------------------------------------------------


def shifts_starting(database: Database, since: datetime, until: datetime) -> list[dict]:
    """Told shifts of active people starting in (since, until] not yet asked about:
    id, user_id, starts_at (as stored), team (its name)."""
    return database.query(
        "SELECT s.id, s.user_id, s.starts_at, t.name AS team FROM shifts s "
        "JOIN teams t ON t.id = s.team_id JOIN users u ON u.id = s.user_id "
        "WHERE s.status IN ('published', 'accepted') AND s.starts_at > ? AND s.starts_at <= ? "
        "AND u.active = 1 "
        "AND NOT EXISTS (SELECT 1 FROM fatigue_prompts p WHERE p.occasion = 'shift:' || s.id)",
        (to_db(since), to_db(until)),
    )


def interventions_ended(database: Database, since: datetime, until: datetime) -> list[dict]:
    """Interventions of active people ended in (since, until], not yet asked about, whose
    person has not reported since: uuid, user_id, ended_at (as stored), timezone."""
    return database.query(
        "SELECT i.uuid, i.user_id, i.ended_at, u.timezone FROM interventions i "
        "JOIN users u ON u.id = i.user_id "
        "WHERE i.deleted_at IS NULL AND i.ended_at > ? AND i.ended_at <= ? AND u.active = 1 "
        "AND NOT EXISTS (SELECT 1 FROM fatigue_prompts p "
        "WHERE p.occasion = 'intervention:' || i.uuid) "
        # Someone who already said how they feel since the end needs no question.
        "AND NOT EXISTS (SELECT 1 FROM fatigue_reports f WHERE f.user_id = i.user_id "
        "AND f.reported_at >= i.ended_at)",
        (to_db(since), to_db(until)),
    )


def insert_prompt(database: Database, occasion: str, user_id: int, now: datetime) -> None:
    database.insert(
        "fatigue_prompts", {"occasion": occasion, "user_id": user_id, "sent_at": to_db(now)}
    )


# What the timeline reads --------------------------------------------------------------------


def user_timezone(database: Database, user_id: int) -> str | None:
    return database.scalar("SELECT timezone FROM users WHERE id = ?", (user_id,))


def intervention_spans(
    database: Database, user_id: int, since: datetime, until: datetime
) -> list[InterventionSpan]:
    """The person's interventions (not deleted) ending after `since` and starting before
    `until`, with their travel time."""
    rows = database.query(
        "SELECT started_at, ended_at, travel_minutes FROM interventions "
        "WHERE user_id = ? AND deleted_at IS NULL AND ended_at > ? AND started_at < ?",
        (user_id, to_db(since), to_db(until)),
    )
    return [
        InterventionSpan(
            started_at=from_db(r["started_at"]),
            ended_at=from_db(r["ended_at"]),
            travel_minutes=r["travel_minutes"],
        )
        for r in rows
    ]
