"""A client's timeline in SQL: its calls and alerts, interventions and satisfaction answers,
newest first, one page at a time (each read by its own client index)."""

from __future__ import annotations

from datetime import datetime

from server.clock import from_db, to_db
from server.db import Database
from server.models import Value

PAGE = 30
CALL_SOURCE = "phone"  # what /api/v1/calls writes as an alert's source


class TimelineItem(Value, kw_only=True):
    kind: str  # call, alert, intervention, survey
    at: datetime
    ref: str  # the alert's id or the intervention's uuid, for the link
    title: str
    detail: str = ""
    score: int | None = None


def client_timeline(
    database: Database, client_id: int, before: datetime | None = None, limit: int = PAGE
) -> list[TimelineItem]:
    """The `limit` newest events of the client before `before` (all when None)."""
    until = to_db(before) if before else "9999"
    rows = database.query(
        "SELECT * FROM ("
        " SELECT CASE WHEN source = ? THEN 'call' ELSE 'alert' END AS kind, created_at AS at,"
        "  CAST(id AS TEXT) AS ref, title, status AS detail, NULL AS score"
        "  FROM alerts WHERE client_id = ? AND created_at < ?"
        "  ORDER BY created_at DESC LIMIT ?)"
        " UNION ALL SELECT * FROM ("
        " SELECT 'intervention', started_at, uuid, place, outcome, NULL FROM interventions"
        "  WHERE client_id = ? AND started_at < ? AND deleted_at IS NULL"
        "  ORDER BY started_at DESC LIMIT ?)"
        " UNION ALL SELECT * FROM ("
        " SELECT 'survey', s.answered_at, COALESCE(i.uuid, s.intervention_uuid, ''), s.comment,"
        "  CASE s.solved WHEN 1 THEN 'solved' WHEN 0 THEN 'unsolved' ELSE '' END, s.score"
        "  FROM surveys s LEFT JOIN interventions i ON i.id = s.intervention_id"
        "  WHERE s.client_id = ? AND s.answered_at IS NOT NULL AND s.answered_at < ?"
        "  ORDER BY s.answered_at DESC LIMIT ?)"
        " ORDER BY at DESC LIMIT ?",
        (CALL_SOURCE, *(client_id, until, limit) * 3, limit),
    )
    return [
        TimelineItem(
            kind=row["kind"],
            at=from_db(row["at"]),
            ref=row["ref"],
            title=row["title"] or "",
            detail=row["detail"] or "",
            score=row["score"],
        )
        for row in rows
    ]
