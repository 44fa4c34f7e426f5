"""Planning surveys: every intervention with a client that reached the server (by the phone's
sync or the web form) gets its survey, due after the team's delay and never at night in the
client's zone; surveys of deleted interventions are cancelled, old ones expire.

Found by the engine rather than told where interventions are stored: the sync, the web form
and a manager's correction all write interventions, and the engine sees every one of them
(within its interval, 30 s) without any of them knowing that surveys exist. The planning runs
in the survey sender's task, a few dozen interventions per transaction (sending.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.clock import from_db
from server.db import Database
from server.surveys import rules
from server.surveys.store import delivery as store
from server.teams.store import list_teams

# Interventions whose last change is older than this are not looked at again: the job reads
# the recent changes only (an index on them), however long the history.
LOOK_BACK = timedelta(days=2)


def close_surveys(database: Database, now: datetime) -> int:
    """The engine's job: surveys of deleted interventions cancelled, those past their 14 days
    expired, messages of closed surveys dropped (a few statements on partial indexes)."""
    with database.write():
        closed = store.cancel_for_deleted_interventions(database)
        closed += store.expire_surveys(database, now)
        store.cancel_orphan_messages(database)
    return closed


def waiting(database: Database, now: datetime) -> list[dict]:
    """Interventions changed lately with a client and no survey yet."""
    return store.waiting_interventions(database, now - LOOK_BACK)


def plan_surveys(
    database: Database, rows: list[dict], now: datetime, channels: frozenset[str]
) -> int:
    """The surveys of these interventions (a part of `waiting`'s), in one transaction; how
    many were planned."""
    planned = 0
    with database.write():
        clients = store.client_facts(database, sorted({row["client_id"] for row in rows}))
        delays = {
            team.id: team.policy.survey_delay_minutes
            for team in list_teams(database, sorted({row["team_id"] for row in rows}))
        }
        for row in rows:
            client = clients.get(row["client_id"])
            if client is None:
                continue
            plan = rules.plan_survey(
                client,
                arrival=from_db(row["updated_at"]),
                ended_at=from_db(row["ended_at"]),
                delay_minutes=delays.get(row["team_id"], 30),
                channels=channels,
            )
            if plan is not None and store.add_survey(
                database, row, plan.channel, plan.send_at, now
            ):
                planned += 1
    return planned
