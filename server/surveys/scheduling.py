"""The engine's job that plans surveys: every intervention with a client that reached the server
(by the phone's sync or the web form) gets its survey, due after the team's delay and never at
night in the client's zone; surveys of deleted interventions are cancelled, old ones expire.

A job rather than a call where interventions are stored: the sync, the web form and a manager's
correction all write interventions, and the job sees every one of them (within the engine's
interval, 30 s) without any of them knowing that surveys exist."""

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


def schedule_surveys(database: Database, now: datetime, channels: frozenset[str]) -> int:
    """Plans the surveys of new interventions with a client, closes those that no longer
    wait; returns how many surveys were planned."""
    planned = 0
    with database.write():
        store.cancel_for_deleted_interventions(database)
        store.expire_surveys(database, now)
        store.cancel_orphan_messages(database)
        waiting = store.waiting_interventions(database, now - LOOK_BACK)
        if not waiting:
            return 0
        clients = store.client_facts(database, sorted({row["client_id"] for row in waiting}))
        delays = {
            team.id: team.policy.survey_delay_minutes
            for team in list_teams(database, sorted({row["team_id"] for row in waiting}))
        }
        for row in waiting:
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
