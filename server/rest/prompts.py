"""Ask how tired people are when it matters: as an on-call shift starts, and after an
intervention that ended at night. Run by the engine; each occasion is asked once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from server.clock import from_db
from server.db import Database
from server.notifications.store import notify
from server.rest.store import insert_prompt, interventions_ended, shifts_starting

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
    insert_prompt(database, occasion, user_id, now)
    notify(database, user_id, kind, params, now=now, url=f"/rest?ask={params['context']}")


def _shift_starts(database: Database, now: datetime) -> int:
    rows = shifts_starting(database, now - SHIFT_START_WINDOW, now)
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
    rows = interventions_ended(database, now - NIGHT_INTERVENTION_WINDOW, now)
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
