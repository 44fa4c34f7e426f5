"""Ask how tired people are when it matters: as an on-call shift starts, and after an
intervention that ended at night. Run by the engine; each occasion is asked once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from server.clock import from_db, to_db
from server.db import Database
from server.notifications.store import notify

# A shift that started longer ago than this is not "starting" any more (the server was down).
SHIFT_START_WINDOW = timedelta(minutes=30)
# An intervention synced later than this after its end is not worth a question at night.
NIGHT_INTERVENTION_WINDOW = timedelta(hours=12)
NIGHT_STARTS, NIGHT_ENDS = 22, 6


def ended_at_night(ended_at: datetime, zone: ZoneInfo) -> bool:
    """Between 22:00 and 06:00 local time (06:00 itself is morning)."""
    hour = ended_at.astimezone(zone).hour
    return hour >= NIGHT_STARTS or hour < NIGHT_ENDS


def send_fatigue_prompts(database: Database, now: datetime) -> int:
    return _shift_starts(database, now) + _night_interventions(database, now)


def _ask(database: Database, occasion: str, user_id: int, kind: str, params: dict, now) -> None:
    database.insert(
        "fatigue_prompts", {"occasion": occasion, "user_id": user_id, "sent_at": to_db(now)}
    )
    notify(database, user_id, kind, params, now=now, url=f"/rest?ask={params['context']}")


def _shift_starts(database: Database, now: datetime) -> int:
    rows = database.query(
        "SELECT s.id, s.user_id, s.starts_at, t.name AS team FROM shifts s "
        "JOIN teams t ON t.id = s.team_id JOIN users u ON u.id = s.user_id "
        "WHERE s.status IN ('published', 'accepted') AND s.starts_at > ? AND s.starts_at <= ? "
        "AND u.active = 1 "
        "AND NOT EXISTS (SELECT 1 FROM fatigue_prompts p WHERE p.occasion = 'shift:' || s.id)",
        (to_db(now - SHIFT_START_WINDOW), to_db(now)),
    )
    with database.write():
        for row in rows:
            _ask(
                database,
                f"shift:{row['id']}",
                row["user_id"],
                "fatigue_shift_start",
                {"context": "shift_start", "team": row["team"], "start": row["starts_at"]},
                now,
            )
    return len(rows)


def _night_interventions(database: Database, now: datetime) -> int:
    rows = database.query(
        "SELECT i.uuid, i.user_id, i.ended_at, u.timezone FROM interventions i "
        "JOIN users u ON u.id = i.user_id "
        "WHERE i.deleted_at IS NULL AND i.ended_at > ? AND i.ended_at <= ? AND u.active = 1 "
        "AND NOT EXISTS (SELECT 1 FROM fatigue_prompts p "
        "WHERE p.occasion = 'intervention:' || i.uuid) "
        # Someone who already said how they feel since the end needs no question.
        "AND NOT EXISTS (SELECT 1 FROM fatigue_reports f WHERE f.user_id = i.user_id "
        "AND f.reported_at >= i.ended_at)",
        (to_db(now - NIGHT_INTERVENTION_WINDOW), to_db(now)),
    )
    asked = 0
    with database.write():
        for row in rows:
            ended = from_db(row["ended_at"])
            if not ended_at_night(ended, ZoneInfo(row["timezone"])):
                continue
            _ask(
                database,
                f"intervention:{row['uuid']}",
                row["user_id"],
                "fatigue_after_night",
                {"context": "night_intervention", "end": row["ended_at"]},
                now,
            )
            asked += 1
    return asked
