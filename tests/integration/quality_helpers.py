"""Steps the quality review's tests share: an intervention logged as the phone's sync logs it,
a client's answer, the team's sample set, the queue computed, the review form filled."""

from __future__ import annotations

import re
import uuid as uuidlib
from datetime import datetime, timedelta

from server.accounts.store import current_user
from server.audit.models import Actor
from server.clock import to_db
from server.db import Database
from server.interventions.models import CreateOp, InterventionData
from server.interventions.sync import apply_operation
from server.quality.queue import refresh_queue
from server.teams.store import get_team, set_policy

# Monday 23 November 2026, Paris: the week before the test clock's Monday.
DAY = datetime.fromisoformat("2026-11-23T09:00:00+01:00")


def log(
    database: Database,
    user_id: int,
    now: datetime,
    *,
    start: datetime = DAY,
    hours: float = 1,
    outcome: str = "resolved",
    place: str = "Chaufferie B",
    alert_id: int | None = None,
) -> str:
    record = str(uuidlib.uuid4())
    result = apply_operation(
        database,
        current_user(database, user_id),
        CreateOp(
            op_id=str(uuidlib.uuid4()),
            uuid=record,
            changed_at=now,
            data=InterventionData(
                started_at=start,
                ended_at=start + timedelta(hours=hours),
                place=place,
                outcome=outcome,
                alert_id=alert_id,
            ),
        ),
        now,
    )
    assert result.status == "applied", result
    return record


def intervention_id(database: Database, record: str) -> int:
    return database.scalar("SELECT id FROM interventions WHERE uuid = ?", (record,))


def answer_survey(database: Database, record: str, score: int, now: datetime) -> None:
    """The client's answer as server/surveys records it: a survey sent, then answered."""
    row = database.one("SELECT id, team_id, user_id FROM interventions WHERE uuid = ?", (record,))
    with database.write():
        survey_id = database.insert(
            "surveys",
            {
                "team_id": row["team_id"],
                "user_id": row["user_id"],
                "intervention_id": row["id"],
                "intervention_uuid": record,
                "channel": "email",
                "status": "sent",
                "created_at": to_db(now),
            },
        )
        database.execute(
            "UPDATE surveys SET status = 'answered', score = ?, answered_at = ? WHERE id = ?",
            (score, to_db(now), survey_id),
        )


def set_sample(database: Database, team_id: int, percent: int, now: datetime) -> None:
    policy = get_team(database, team_id).policy
    set_policy(
        database,
        team_id,
        type(policy)(**{**_fields(policy), "review_sample_percent": percent}),
        actor=Actor(label="test"),
        now=now,
        reason="test",
    )


def _fields(policy) -> dict:
    return {name: getattr(policy, name) for name in policy.__struct_fields__}


def compute_queue(database: Database, now: datetime) -> None:
    while refresh_queue(database, now):
        pass


def review_form(page: str, results: list[str], **fields: str) -> dict[str, str]:
    """The review form as a manager fills it: the signature the page carries, each item's
    result in order, and the other fields."""
    found = re.search(r'name="items_sig" value="([0-9a-f]+)"', page)
    assert found, page
    values = {"items_sig": found.group(1)}
    values.update({f"item-{n}": result for n, result in enumerate(results)})
    values.update(fields)
    return values
