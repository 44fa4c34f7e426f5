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
    # Orders events of the same second (the page's "Older" link starts after it).
    key: str
    ref: str  # the alert's id or the intervention's uuid, for the link
    title: str
    detail: str = ""
    score: int | None = None


def client_timeline(
    database: Database,
    client_id: int,
    before: tuple[datetime, str] | None = None,
    limit: int = PAGE,
) -> list[TimelineItem]:
    """The `limit` newest events of the client after the cursor `before` (the last shown
    event's moment and key; from the newest when None). Events of one second are ordered by
    their key, so a page that ends inside a second goes on with the rest of that second."""
    until, key = (to_db(before[0]), before[1]) if before else ("9999", "")
    rows = database.query(
        "SELECT * FROM ("
        " SELECT CASE WHEN source = ? THEN 'call' ELSE 'alert' END AS kind, created_at AS at,"
        "  printf('a%012d', id) AS key, CAST(id AS TEXT) AS ref, title, status AS detail,"
        "  NULL AS score"
        "  FROM alerts WHERE client_id = ?"
        "  AND (created_at < ? OR (created_at = ? AND printf('a%012d', id) < ?))"
        "  ORDER BY created_at DESC, id DESC LIMIT ?)"
        " UNION ALL SELECT * FROM ("
        " SELECT 'intervention', started_at, 'i' || uuid, uuid, place, outcome, NULL"
        "  FROM interventions WHERE client_id = ? AND deleted_at IS NULL"
        "  AND (started_at < ? OR (started_at = ? AND 'i' || uuid < ?))"
        "  ORDER BY started_at DESC, uuid DESC LIMIT ?)"
        " UNION ALL SELECT * FROM ("
        " SELECT 'survey', s.answered_at, printf('s%012d', s.id),"
        "  COALESCE(i.uuid, s.intervention_uuid, ''), s.comment,"
        "  CASE s.solved WHEN 1 THEN 'solved' WHEN 0 THEN 'unsolved' ELSE '' END, s.score"
        "  FROM surveys s LEFT JOIN interventions i ON i.id = s.intervention_id"
        "  WHERE s.client_id = ? AND s.answered_at IS NOT NULL"
        "  AND (s.answered_at < ? OR (s.answered_at = ? AND printf('s%012d', s.id) < ?))"
        "  ORDER BY s.answered_at DESC, s.id DESC LIMIT ?)"
        " ORDER BY at DESC, key DESC LIMIT ?",
        (CALL_SOURCE, *(client_id, until, until, key, limit) * 3, limit),
    )
    return [
        TimelineItem(
            kind=row["kind"],
            at=from_db(row["at"]),
            key=row["key"],
            ref=row["ref"],
            title=row["title"] or "",
            detail=row["detail"] or "",
            score=row["score"],
        )
        for row in rows
    ]
