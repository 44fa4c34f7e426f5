"""The SQL of asking clients: interventions waiting for a survey, the surveys and their messages
(first ask, one reminder), each message claimed before it is sent and recorded after, and the
links the messages carry. Nothing is decided here (server/surveys/rules.py decides)."""

from __future__ import annotations

from datetime import datetime

from server.clock import to_db
from server.db import Database
from server.surveys.rules import ClientFacts

# At most this many interventions planned, or messages claimed, per round of the engine.
BATCH = 200


def waiting_interventions(database: Database, since: datetime) -> list[dict]:
    """Interventions with a client, changed since `since`, not deleted, and with no survey yet
    (neither planned nor answered by QR code under their uuid)."""
    return database.query(
        "SELECT i.id, i.uuid, i.team_id, i.user_id, i.client_id, i.updated_at, i.ended_at "
        "FROM interventions i "
        "WHERE i.client_id IS NOT NULL AND i.updated_at >= ? AND i.deleted_at IS NULL "
        "AND i.team_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM surveys s WHERE s.intervention_id = i.id) "
        "AND NOT EXISTS (SELECT 1 FROM surveys s WHERE s.intervention_uuid = i.uuid) "
        "ORDER BY i.updated_at, i.id",
        (to_db(since),),
    )


def client_facts(database: Database, client_ids: list[int]) -> dict[int, ClientFacts]:
    """What deciding a survey needs of each client: consent, erasure, addresses, zone."""
    if not client_ids:
        return {}
    marks = ",".join("?" * len(client_ids))
    numbers: dict[int, list[str]] = {}
    for row in database.query(
        f"SELECT client_id, number FROM client_phones WHERE client_id IN ({marks}) ORDER BY id",
        client_ids,
    ):
        numbers.setdefault(row["client_id"], []).append(row["number"])
    return {
        row["id"]: ClientFacts(
            no_surveys=bool(row["no_surveys"]),
            erased=row["erased_at"] is not None,
            email=row["email"],
            numbers=numbers.get(row["id"], []),
            timezone=row["timezone"],
        )
        for row in database.query(
            f"SELECT id, no_surveys, erased_at, email, timezone FROM clients WHERE id IN ({marks})",
            client_ids,
        )
    }


def add_survey(
    database: Database, intervention: dict, channel: str, send_at: datetime, now: datetime
) -> int | None:
    """The survey of an intervention and its first message, due at `send_at`; None when the
    intervention got one meanwhile (a QR answer bound under its uuid)."""
    cursor = database.execute(
        "INSERT INTO surveys (team_id, user_id, client_id, intervention_id, intervention_uuid, "
        "channel, status, send_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 'scheduled', ?, ?) "
        "ON CONFLICT DO NOTHING",
        (
            intervention["team_id"],
            intervention["user_id"],
            intervention["client_id"],
            intervention["id"],
            intervention["uuid"],
            channel,
            to_db(send_at),
            to_db(now),
        ),
    )
    if not cursor.rowcount:
        return None
    survey_id = cursor.lastrowid
    add_message(database, survey_id, "first", send_at, now)
    return survey_id


def add_message(
    database: Database, survey_id: int, kind: str, due: datetime, now: datetime
) -> None:
    database.execute(
        "INSERT INTO survey_messages (survey_id, kind, next_attempt_at, created_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (survey_id, kind, to_db(due), to_db(now)),
    )


def cancel_for_deleted_interventions(database: Database) -> int:
    """Surveys not answered yet whose intervention was deleted are cancelled."""
    return database.execute(
        "UPDATE surveys SET status = 'cancelled' WHERE status IN ('scheduled', 'sent') "
        "AND EXISTS (SELECT 1 FROM interventions i WHERE i.id = surveys.intervention_id "
        "AND i.deleted_at IS NOT NULL)"
    ).rowcount


def expire_surveys(database: Database, now: datetime) -> int:
    return database.execute(
        "UPDATE surveys SET status = 'expired' WHERE status = 'sent' AND expires_at <= ?",
        (to_db(now),),
    ).rowcount


def cancel_orphan_messages(database: Database) -> int:
    """Messages still to send for a survey that is no longer waiting (answered, expired,
    cancelled) are dropped."""
    return database.execute(
        "UPDATE survey_messages SET status = 'cancelled' WHERE status = 'pending' "
        "AND (SELECT status FROM surveys s WHERE s.id = survey_id) NOT IN ('scheduled', 'sent')"
    ).rowcount


def interrupted_claims(database: Database, before: datetime) -> list[dict]:
    """Messages claimed before `before` and never recorded: the process stopped mid-send."""
    return database.query(
        "SELECT id, survey_id, kind FROM survey_messages "
        "WHERE status = 'sending' AND claimed_at <= ?",
        (to_db(before),),
    )


# Sending -----------------------------------------------------------------------------------


def due_messages(database: Database, now: datetime, limit: int = BATCH) -> list[dict]:
    """Messages due by `now`, oldest first, with what sending them needs: the survey, the
    client (language, zone, address, consent), the intervention and the technician's name."""
    return database.query(
        "SELECT m.id, m.kind, m.attempts, m.survey_id, s.status AS survey_status, s.channel, "
        "s.team_id, s.client_id, s.expires_at, t.name AS team_name, u.name AS technician, "
        "c.name AS client_name, c.email, c.locale, c.timezone, c.no_surveys, c.erased_at, "
        "i.started_at, i.deleted_at, i.client_id AS intervention_client "
        "FROM survey_messages m JOIN surveys s ON s.id = m.survey_id "
        "JOIN teams t ON t.id = s.team_id JOIN users u ON u.id = s.user_id "
        "LEFT JOIN clients c ON c.id = s.client_id "
        "LEFT JOIN interventions i ON i.id = s.intervention_id "
        "WHERE m.status = 'pending' AND m.next_attempt_at <= ? "
        "ORDER BY m.next_attempt_at, m.id LIMIT ?",
        (to_db(now), limit),
    )


def numbers_of(database: Database, client_ids: list[int]) -> dict[int, list[str]]:
    marks = ",".join("?" * len(client_ids)) or "NULL"
    found: dict[int, list[str]] = {}
    for row in database.query(
        f"SELECT client_id, number FROM client_phones WHERE client_id IN ({marks}) ORDER BY id",
        client_ids,
    ):
        found.setdefault(row["client_id"], []).append(row["number"])
    return found


def next_message_at(database: Database) -> datetime | None:
    value = database.scalar(
        "SELECT MIN(next_attempt_at) FROM survey_messages WHERE status = 'pending'"
    )
    return datetime.fromisoformat(value) if value else None


def claim(database: Database, message_id: int, now: datetime) -> None:
    database.execute(
        "UPDATE survey_messages SET status = 'sending', claimed_at = ?, attempts = attempts + 1 "
        "WHERE id = ? AND status = 'pending'",
        (to_db(now), message_id),
    )


def postpone(database: Database, message_id: int, at: datetime) -> None:
    database.execute(
        "UPDATE survey_messages SET next_attempt_at = ? WHERE id = ? AND status = 'pending'",
        (to_db(at), message_id),
    )


def add_link(
    database: Database, token_hash: str, survey_id: int, now: datetime, expires_at: datetime
) -> None:
    database.execute(
        "INSERT INTO survey_links (token_hash, survey_id, created_at, expires_at) "
        "VALUES (?, ?, ?, ?)",
        (token_hash, survey_id, to_db(now), to_db(expires_at)),
    )


def finish_message(
    database: Database,
    message_id: int,
    status: str,
    *,
    now: datetime,
    code: int | None = None,
    error: str = "",
    next_at: datetime | None = None,
) -> None:
    """A message's attempt recorded: sent, failed, cancelled, or pending again at `next_at`."""
    database.execute(
        "UPDATE survey_messages SET status = ?, last_status = COALESCE(?, last_status), "
        "last_error = COALESCE(?, last_error), "
        "next_attempt_at = COALESCE(?, next_attempt_at), "
        "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
        (
            status,
            code,
            error or None,
            to_db(next_at) if next_at else None,
            status,
            to_db(now),
            message_id,
        ),
    )


def mark_sent(
    database: Database,
    survey_id: int,
    *,
    sent_at: datetime,
    reminder_at: datetime,
    expires_at: datetime,
) -> bool:
    """The first message went out: the survey waits for its answer (True), unless it was
    answered or cancelled meanwhile."""
    return bool(
        database.execute(
            "UPDATE surveys SET status = 'sent', sent_at = ?, reminder_at = ?, expires_at = ? "
            "WHERE id = ? AND status = 'scheduled'",
            (to_db(sent_at), to_db(reminder_at), to_db(expires_at), survey_id),
        ).rowcount
    )


def mark_reminded(database: Database, survey_id: int, at: datetime) -> None:
    database.execute(
        "UPDATE surveys SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL",
        (to_db(at), survey_id),
    )


def cancel_survey(database: Database, survey_id: int) -> None:
    """A survey nobody will be asked (consent withdrawn, intervention gone, no address): its
    messages still to send are dropped with it."""
    database.execute(
        "UPDATE surveys SET status = 'cancelled' WHERE id = ? AND status IN ('scheduled', 'sent')",
        (survey_id,),
    )
    database.execute(
        "UPDATE survey_messages SET status = 'cancelled' "
        "WHERE survey_id = ? AND status = 'pending'",
        (survey_id,),
    )
