"""The QR survey's SQL: tokens issued to phones, their bindings to interventions, and the
surveys rows their answers go to. Nothing is decided here (qr_rules.py decides, qr.py applies)."""

from __future__ import annotations

from datetime import datetime

from server.clock import from_db, to_db
from server.db import Database


def team_ids_of(database: Database, user_id: int) -> list[int]:
    rows = database.query(
        "SELECT team_id FROM memberships WHERE user_id = ? ORDER BY team_id", (user_id,)
    )
    return [row["team_id"] for row in rows]


def first_name(database: Database, user_id: int) -> str:
    name = database.scalar("SELECT name FROM users WHERE id = ?", (user_id,)) or ""
    return name.split(" ")[0]


# Tokens ------------------------------------------------------------------------------------


def fresh_ids(database: Database, user_id: int, ids: list[int], shown_until: datetime) -> list[int]:
    """Of the ids a phone holds, those still free (neither bound nor answered) and showable."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = database.query(
        f"SELECT id FROM survey_qr_tokens WHERE user_id = ? AND id IN ({marks}) "
        "AND used_at IS NULL AND intervention_uuid IS NULL AND expires_at > ? ORDER BY id",
        (user_id, *ids, to_db(shown_until)),
    )
    return [row["id"] for row in rows]


def outstanding(database: Database, user_id: int, now: datetime) -> int:
    return database.scalar(
        "SELECT COUNT(*) FROM survey_qr_tokens WHERE user_id = ? AND used_at IS NULL "
        "AND intervention_uuid IS NULL AND expires_at > ?",
        (user_id, to_db(now)),
    )


def insert_token(
    database: Database, user_id: int, token_hash: str, issued_at: datetime, expires_at: datetime
) -> int:
    cursor = database.execute(
        "INSERT INTO survey_qr_tokens (token_hash, user_id, issued_at, expires_at) "
        "VALUES (?, ?, ?, ?)",
        (token_hash, user_id, to_db(issued_at), to_db(expires_at)),
    )
    return cursor.lastrowid


def token_by_hash(database: Database, token_hash: str) -> dict | None:
    row = database.one("SELECT * FROM survey_qr_tokens WHERE token_hash = ?", (token_hash,))
    if row is not None:
        row["expires_at"] = from_db(row["expires_at"])
    return row


def token_by_id(database: Database, token_id: int) -> dict | None:
    return database.one("SELECT * FROM survey_qr_tokens WHERE id = ?", (token_id,))


def token_bound_to(database: Database, uuid: str) -> dict | None:
    return database.one("SELECT * FROM survey_qr_tokens WHERE intervention_uuid = ?", (uuid,))


def bind_token(database: Database, token_id: int, uuid: str, now: datetime) -> None:
    database.execute(
        "UPDATE survey_qr_tokens SET intervention_uuid = ?, bound_at = ? WHERE id = ?",
        (uuid, to_db(now), token_id),
    )


def mark_used(database: Database, token_id: int, survey_id: int, now: datetime) -> None:
    database.execute(
        "UPDATE survey_qr_tokens SET used_at = ?, survey_id = ? WHERE id = ?",
        (to_db(now), survey_id, token_id),
    )


def point_token(database: Database, token_id: int, survey_id: int) -> None:
    database.execute(
        "UPDATE survey_qr_tokens SET survey_id = ? WHERE id = ?", (survey_id, token_id)
    )


# Interventions and their surveys, as the QR answer needs them -------------------------------


def intervention(database: Database, uuid: str) -> dict | None:
    """id, team, technician, client and start of a synced intervention."""
    return database.one(
        "SELECT id, uuid, team_id, user_id, client_id, started_at FROM interventions "
        "WHERE uuid = ?",
        (uuid,),
    )


def client_locale(database: Database, client_id: int | None) -> str | None:
    if client_id is None:
        return None
    return database.scalar(
        "SELECT locale FROM clients WHERE id = ? AND erased_at IS NULL", (client_id,)
    )


def survey_of(database: Database, intervention_id: int) -> dict | None:
    return database.one(
        "SELECT id, status FROM surveys WHERE intervention_id = ?", (intervention_id,)
    )


def survey(database: Database, survey_id: int) -> dict | None:
    return database.one("SELECT * FROM surveys WHERE id = ?", (survey_id,))


def insert_answered(
    database: Database,
    *,
    team_id: int,
    user_id: int,
    client_id: int | None,
    intervention_id: int | None,
    intervention_uuid: str | None,
    answer: dict,
    now: datetime,
) -> int:
    cursor = database.execute(
        "INSERT INTO surveys (team_id, user_id, client_id, intervention_id, intervention_uuid, "
        "channel, status, answered_at, score, solved, comment, created_at) "
        "VALUES (?, ?, ?, ?, ?, 'qr', 'answered', ?, ?, ?, ?, ?)",
        (
            team_id,
            user_id,
            client_id,
            intervention_id,
            intervention_uuid,
            to_db(now),
            answer["score"],
            answer["solved"],
            answer["comment"],
            to_db(now),
        ),
    )
    return cursor.lastrowid


def answer_survey(database: Database, survey_id: int, answer: dict, answered_at: str) -> None:
    """An answer written onto a survey planned or sent another way: it is never sent (again)."""
    database.execute(
        "UPDATE surveys SET status = 'answered', channel = 'qr', answered_at = ?, score = ?, "
        "solved = ?, comment = ? WHERE id = ?",
        (answered_at, answer["score"], answer["solved"], answer["comment"], survey_id),
    )


def attach_survey(database: Database, survey_id: int, found: dict) -> None:
    database.execute(
        "UPDATE surveys SET intervention_id = ?, intervention_uuid = ?, client_id = ?, "
        "team_id = COALESCE(?, team_id) WHERE id = ?",
        (found["id"], found["uuid"], found["client_id"], found["team_id"], survey_id),
    )


def set_survey_status(database: Database, survey_id: int, status: str) -> None:
    database.execute("UPDATE surveys SET status = ? WHERE id = ?", (status, survey_id))


def delete_survey(database: Database, survey_id: int) -> None:
    database.execute("DELETE FROM surveys WHERE id = ?", (survey_id,))


def answer_of(database: Database, intervention_id: int) -> dict | None:
    """The intervention's survey answer (counted: status answered), for its page."""
    return database.one(
        "SELECT score, solved, comment, channel, answered_at FROM surveys "
        "WHERE intervention_id = ? AND status = 'answered'",
        (intervention_id,),
    )


def client_accepts_surveys(database: Database, client_id: int) -> bool:
    return bool(
        database.scalar(
            "SELECT 1 FROM clients WHERE id = ? AND no_surveys = 0 AND erased_at IS NULL",
            (client_id,),
        )
    )
