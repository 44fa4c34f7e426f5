"""The SQL of a client's answer: the survey a link opens, the answer recorded once, "do not ask
me again", and who is told (the team's managers, the technician)."""

from __future__ import annotations

from datetime import datetime

from server.clock import to_db
from server.db import Database

_OPEN = ("scheduled", "sent")


def survey_of_link(database: Database, token_hash: str) -> dict | None:
    """The survey a link opens, with what its page shows (the intervention's day, the
    technician's name) and what passing the answer on needs; None for no such link."""
    return database.one(
        "SELECT l.survey_id, l.expires_at AS link_expires_at, s.status, s.expires_at, "
        "s.team_id, s.user_id, s.client_id, s.intervention_uuid, s.score, "
        "i.started_at, u.name AS technician, c.locale, c.timezone, c.name AS client_name, "
        "t.name AS team_name "
        "FROM survey_links l JOIN surveys s ON s.id = l.survey_id "
        "JOIN users u ON u.id = s.user_id JOIN teams t ON t.id = s.team_id "
        "LEFT JOIN interventions i ON i.id = s.intervention_id "
        "LEFT JOIN clients c ON c.id = s.client_id "
        "WHERE l.token_hash = ?",
        (token_hash,),
    )


def save_answer(
    database: Database,
    survey_id: int,
    *,
    score: int,
    solved: bool | None,
    comment: str,
    now: datetime,
) -> bool:
    """The answer, if the survey still waits for one (True); its reminder, if still to send,
    is dropped."""
    saved = database.execute(
        "UPDATE surveys SET status = 'answered', score = ?, solved = ?, comment = ?, "
        f"answered_at = ? WHERE id = ? AND status IN {_OPEN}",
        (score, None if solved is None else int(solved), comment, to_db(now), survey_id),
    ).rowcount
    database.execute(
        "UPDATE survey_messages SET status = 'cancelled' "
        "WHERE survey_id = ? AND status = 'pending'",
        (survey_id,),
    )
    return bool(saved)


def stop_asking(database: Database, client_id: int, now: datetime) -> bool:
    """The client said "do not ask me again": kept on the client, and every survey of theirs
    still waiting is cancelled with its messages. True when the client had not said so yet."""
    changed = database.execute(
        "UPDATE clients SET no_surveys = 1, updated_at = ?, version = version + 1 "
        "WHERE id = ? AND no_surveys = 0",
        (to_db(now), client_id),
    ).rowcount
    database.execute(
        "UPDATE survey_messages SET status = 'cancelled' WHERE status = 'pending' AND survey_id "
        f"IN (SELECT id FROM surveys WHERE client_id = ? AND status IN {_OPEN})",
        (client_id,),
    )
    database.execute(
        f"UPDATE surveys SET status = 'cancelled' WHERE client_id = ? AND status IN {_OPEN}",
        (client_id,),
    )
    return bool(changed)


def managers_of(database: Database, team_id: int) -> list[int]:
    """The team's managers who can still be told."""
    rows = database.query(
        "SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id "
        "WHERE m.team_id = ? AND m.team_role = 'manager' AND u.active = 1 ORDER BY m.user_id",
        (team_id,),
    )
    return [row["user_id"] for row in rows]


def answered_survey(database: Database, survey_id: int) -> dict | None:
    """An answered survey with what passing its answer on needs."""
    return database.one(
        "SELECT s.id AS survey_id, s.team_id, s.user_id, s.client_id, s.intervention_uuid, "
        "s.score, "
        "s.comment, i.started_at, u.name AS technician, c.name AS client_name "
        "FROM surveys s JOIN users u ON u.id = s.user_id "
        "LEFT JOIN interventions i ON i.id = s.intervention_id "
        "LEFT JOIN clients c ON c.id = s.client_id "
        "WHERE s.id = ? AND s.answered_at IS NOT NULL",
        (survey_id,),
    )
