"""Satisfaction answers in SQL, as the results read them: answered surveys of a team or a
person over a span, with the intervention's start (the month they count in) and the client's
name (none once erased)."""

from __future__ import annotations

from datetime import datetime

from server.clock import to_db
from server.db import Database

# An answer counts in the month its intervention started; one still waiting for its
# intervention (a QR code answered before the phone synced) in the month it was given.
_ANSWERS = (
    "SELECT s.user_id, u.name AS user_name, s.score, s.solved, s.comment, s.channel, "
    "COALESCE(i.started_at, s.answered_at) AS at, "
    "CASE WHEN c.erased_at IS NULL THEN COALESCE(c.name, '') ELSE '' END AS client_name "
    "FROM surveys s JOIN users u ON u.id = s.user_id "
    "LEFT JOIN interventions i ON i.id = s.intervention_id "
    "LEFT JOIN clients c ON c.id = s.client_id "
    "WHERE s.status = 'answered' AND (i.id IS NULL OR i.deleted_at IS NULL) "
    "AND COALESCE(i.started_at, s.answered_at) >= ? AND COALESCE(i.started_at, s.answered_at) < ? "
)


def team_answers(database: Database, team_id: int, start: datetime, end: datetime) -> list[dict]:
    return database.query(
        _ANSWERS + "AND s.team_id = ? ORDER BY at DESC", (to_db(start), to_db(end), team_id)
    )


def person_answers(database: Database, user_id: int, start: datetime, end: datetime) -> list[dict]:
    return database.query(
        _ANSWERS + "AND s.user_id = ? ORDER BY at DESC", (to_db(start), to_db(end), user_id)
    )


def teams_answers(
    database: Database, team_ids: list[int], start: datetime, end: datetime, user_id: int | None
) -> list[dict]:
    """The teams' answers (one person's with `user_id`) over [start, end): the figures'."""
    marks = ",".join("?" * len(team_ids)) or "NULL"
    who = "" if user_id is None else "AND s.user_id = ? "
    return database.query(
        _ANSWERS + f"AND s.team_id IN ({marks}) {who}ORDER BY at DESC",
        (to_db(start), to_db(end), *team_ids, *(() if user_id is None else (user_id,))),
    )
