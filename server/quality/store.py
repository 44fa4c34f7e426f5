"""The quality review in SQL: a team's settings (salt, checklist), the interventions pending
for the queue, the queue, reviews, and the figures' counts. Nothing is decided here (rules.py
decides; queue.py and workflow.py apply, in the caller's transaction)."""

from __future__ import annotations

import secrets
from datetime import datetime

import msgspec

from server.clock import from_db, to_db
from server.db import Database
from server.quality.models import (
    ChecklistItem,
    PersonQuality,
    QualityFigures,
    QueueItem,
    QueueReason,
    Review,
    ReviewItem,
)

_ITEMS = msgspec.json.Decoder(list[ChecklistItem])
_REVIEW_ITEMS = msgspec.json.Decoder(list[ReviewItem])
_REASONS = msgspec.json.Decoder(list[QueueReason])


# Settings -----------------------------------------------------------------------------------


def team_salt(database: Database, team_id: int, now: datetime) -> str:
    """The team's secret for the draw, made the first time it is needed (inside a write)."""
    database.execute(
        "INSERT OR IGNORE INTO quality_settings (team_id, salt, updated_at) VALUES (?, ?, ?)",
        (team_id, secrets.token_hex(16), to_db(now)),
    )
    return database.scalar("SELECT salt FROM quality_settings WHERE team_id = ?", (team_id,))


def checklist_of(database: Database, team_id: int) -> list[ChecklistItem] | None:
    """The team's own checklist; None while it uses the default one."""
    text = database.scalar("SELECT checklist FROM quality_settings WHERE team_id = ?", (team_id,))
    return None if text is None else _ITEMS.decode(text)


def set_checklist(
    database: Database, team_id: int, items: list[ChecklistItem], now: datetime
) -> None:
    team_salt(database, team_id, now)
    database.execute(
        "UPDATE quality_settings SET checklist = ?, updated_at = ? WHERE team_id = ?",
        (msgspec.json.encode(items).decode(), to_db(now), team_id),
    )


# Pending interventions and the queue ----------------------------------------------------------


def pending(database: Database, limit: int) -> list[dict]:
    """Interventions noted by the triggers (the latest work first, whichever team: it matters
    most), with what the queue's reasons read: outcome, owner, team, times, client's answer."""
    return database.query(
        "SELECT p.intervention_id AS id, i.uuid, i.user_id, i.team_id, i.started_at, "
        "i.ended_at, i.outcome, i.deleted_at, s.score AS survey_score "
        "FROM quality_pending p JOIN interventions i ON i.id = p.intervention_id "
        "LEFT JOIN surveys s ON s.intervention_id = i.id "
        "ORDER BY i.ended_at DESC, p.intervention_id DESC LIMIT ?",
        (limit,),
    )


def pending_count(database: Database) -> int:
    """Whether anything waits (0 or 1: the engine asks every round, so no full count)."""
    return database.scalar("SELECT EXISTS (SELECT 1 FROM quality_pending)")


def forget_pending(database: Database, ids: list[int]) -> None:
    database.executemany(
        "DELETE FROM quality_pending WHERE intervention_id = ?", [(i,) for i in ids]
    )


def reviewed_ids(database: Database, ids: list[int]) -> set[int]:
    marks = ",".join("?" * len(ids)) or "NULL"
    rows = database.query(
        f"SELECT intervention_id FROM quality_reviews WHERE intervention_id IN ({marks})", ids
    )
    return {row["intervention_id"] for row in rows}


def put_in_queue(database: Database, rows: list[tuple]) -> None:
    """(intervention_id, team_id, user_id, reasons, ended_at, queued_at) rows: a row already
    there keeps when it was queued and takes the new reasons."""
    database.executemany(
        "INSERT INTO quality_queue (intervention_id, team_id, user_id, reasons, ended_at, "
        "queued_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (intervention_id) DO UPDATE SET "
        "team_id = excluded.team_id, user_id = excluded.user_id, reasons = excluded.reasons, "
        "ended_at = excluded.ended_at",
        rows,
    )


def take_out_of_queue(database: Database, ids: list[int]) -> None:
    database.executemany("DELETE FROM quality_queue WHERE intervention_id = ?", [(i,) for i in ids])


def follow_ends(database: Database, rows: list[dict]) -> None:
    """A reviewed intervention whose end was corrected: its review counts in the new month."""
    database.executemany(
        "UPDATE quality_reviews SET ended_at = ? WHERE intervention_id = ? AND ended_at <> ?",
        [(row["ended_at"], row["id"], row["ended_at"]) for row in rows],
    )


def encode_reasons(reasons: list[QueueReason]) -> str:
    return msgspec.json.encode(reasons).decode()


_QUEUE = (
    "SELECT q.intervention_id, q.reasons, i.uuid, i.user_id, u.name AS user_name, "
    "i.started_at, i.ended_at, i.place, i.outcome, r.score AS review_score, "
    "r.id IS NOT NULL AS reviewed, "
    "COALESCE(r.follow_up = 1 AND r.follow_up_done_at IS NULL, 0) AS follow_up_open "
    "FROM quality_queue q JOIN interventions i ON i.id = q.intervention_id "
    "JOIN users u ON u.id = i.user_id "
    "LEFT JOIN quality_reviews r ON r.intervention_id = q.intervention_id "
)


def queue_of(
    database: Database, team_id: int, *, reviewed: bool, limit: int = 200
) -> list[QueueItem]:
    """The team's queue, to review or reviewed, the latest work first (still fresh in the
    technician's mind, and a year of history does not bury this week's)."""
    rows = database.query(
        _QUEUE + "WHERE q.team_id = ? AND (r.id IS NOT NULL) = ? AND i.deleted_at IS NULL "
        "ORDER BY q.ended_at DESC, q.intervention_id DESC LIMIT ?",
        (team_id, reviewed, limit),
    )
    return [_queue_item(row) for row in rows]


def queue_count(database: Database, team_id: int) -> int:
    """How many of the team's queued interventions wait for a review."""
    return database.scalar(
        "SELECT COUNT(*) FROM quality_queue q "
        "JOIN interventions i ON i.id = q.intervention_id AND i.deleted_at IS NULL "
        "WHERE q.team_id = ? AND NOT EXISTS "
        "(SELECT 1 FROM quality_reviews r WHERE r.intervention_id = q.intervention_id)",
        (team_id,),
    )


def queue_entry(database: Database, intervention_id: int) -> list[QueueReason]:
    """Why the intervention is in the queue; [] when it is not."""
    text = database.scalar(
        "SELECT reasons FROM quality_queue WHERE intervention_id = ?", (intervention_id,)
    )
    return [] if text is None else _REASONS.decode(text)


def _queue_item(row: dict) -> QueueItem:
    return QueueItem(
        intervention_id=row["intervention_id"],
        uuid=row["uuid"],
        user_id=row["user_id"],
        user_name=row["user_name"],
        started_at=from_db(row["started_at"]),
        ended_at=from_db(row["ended_at"]),
        place=row["place"],
        outcome=row["outcome"],
        reasons=_REASONS.decode(row["reasons"]),
        review_score=row["review_score"],
        reviewed=bool(row["reviewed"]),
        follow_up_open=bool(row["follow_up_open"]),
    )


def open_follow_ups(database: Database, team_id: int) -> list[QueueItem]:
    """The team's reviews asking for a follow-up not done yet, oldest first."""
    rows = database.query(
        "SELECT r.intervention_id, COALESCE(q.reasons, '[]') AS reasons, i.uuid, i.user_id, "
        "u.name AS user_name, i.started_at, i.ended_at, i.place, i.outcome, "
        "r.score AS review_score, 1 AS reviewed, 1 AS follow_up_open "
        "FROM quality_reviews r JOIN interventions i ON i.id = r.intervention_id "
        "JOIN users u ON u.id = i.user_id "
        "LEFT JOIN quality_queue q ON q.intervention_id = r.intervention_id "
        "WHERE r.team_id = ? AND r.follow_up = 1 AND r.follow_up_done_at IS NULL "
        "ORDER BY r.created_at, r.id",
        (team_id,),
    )
    return [_queue_item(row) for row in rows]


# Reviews ------------------------------------------------------------------------------------

_REVIEW = (
    "SELECT r.*, i.uuid AS intervention_uuid, COALESCE(u.name, '') AS reviewer_name "
    "FROM quality_reviews r JOIN interventions i ON i.id = r.intervention_id "
    "LEFT JOIN users u ON u.id = r.reviewer_id "
)


def _review(row: dict) -> Review:
    return Review(
        id=row["id"],
        intervention_id=row["intervention_id"],
        intervention_uuid=row["intervention_uuid"],
        team_id=row["team_id"],
        user_id=row["user_id"],
        reviewer_id=row["reviewer_id"],
        reviewer_name=row["reviewer_name"],
        items=_REVIEW_ITEMS.decode(row["items"]),
        passed=row["passed"],
        failed=row["failed"],
        score=row["score"],
        comment=row["comment"],
        follow_up=bool(row["follow_up"]),
        follow_up_note=row["follow_up_note"],
        follow_up_done_at=from_db(row["follow_up_done_at"]) if row["follow_up_done_at"] else None,
        answer=row["answer"],
        answered_at=from_db(row["answered_at"]) if row["answered_at"] else None,
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        version=row["version"],
    )


def review_of(database: Database, intervention_id: int) -> Review | None:
    row = database.one(_REVIEW + "WHERE r.intervention_id = ?", (intervention_id,))
    return None if row is None else _review(row)


def insert_review(database: Database, row: dict) -> int:
    return database.insert("quality_reviews", row)


def update_review(database: Database, review_id: int, fields: dict, now: datetime) -> None:
    names = ", ".join(f"{name} = ?" for name in fields)
    database.execute(
        f"UPDATE quality_reviews SET {names}, updated_at = ?, version = version + 1 WHERE id = ?",
        (*fields.values(), to_db(now), review_id),
    )


def encode_items(items: list[ReviewItem]) -> str:
    return msgspec.json.encode(items).decode()


def alert_created_at(database: Database, alert_id: int | None) -> datetime | None:
    if alert_id is None:
        return None
    text = database.scalar("SELECT created_at FROM alerts WHERE id = ?", (alert_id,))
    return from_db(text) if text else None


def survey_score(database: Database, intervention_id: int) -> int | None:
    return database.scalar(
        "SELECT score FROM surveys WHERE intervention_id = ?", (intervention_id,)
    )


# Figures ------------------------------------------------------------------------------------


def quality_figures(
    database: Database,
    team_ids: list[int],
    start: datetime,
    end: datetime,
    *,
    user_id: int | None = None,
) -> QualityFigures:
    """Reviews of the teams' interventions that ended in [start, end) (of one person's with
    `user_id`): the mean of their scores, the follow-ups asked for, per person."""
    marks = ",".join("?" * len(team_ids)) or "NULL"
    who = "" if user_id is None else "AND r.user_id = ? "
    rows = database.query(
        "SELECT r.user_id, u.name, COUNT(*) AS reviews, AVG(r.score) AS mean_score, "
        "SUM(r.follow_up) AS follow_ups "
        "FROM quality_reviews r JOIN users u ON u.id = r.user_id "
        f"WHERE r.team_id IN ({marks}) AND r.ended_at >= ? AND r.ended_at < ? {who}"
        "GROUP BY r.user_id ORDER BY u.name, r.user_id",
        (*team_ids, to_db(start), to_db(end), *(() if user_id is None else (user_id,))),
    )
    total = database.one(
        "SELECT COUNT(*) AS reviews, AVG(r.score) AS mean_score, "
        "COALESCE(SUM(r.follow_up), 0) AS follow_ups FROM quality_reviews r "
        f"WHERE r.team_id IN ({marks}) AND r.ended_at >= ? AND r.ended_at < ? {who}",
        (*team_ids, to_db(start), to_db(end), *(() if user_id is None else (user_id,))),
    )
    return QualityFigures(
        reviews=total["reviews"],
        mean_score=_rounded(total["mean_score"]),
        follow_ups=total["follow_ups"],
        people=[
            PersonQuality(
                user_id=row["user_id"],
                name=row["name"],
                reviews=row["reviews"],
                mean_score=_rounded(row["mean_score"]),
            )
            for row in rows
        ],
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
