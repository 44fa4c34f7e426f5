"""What the survey delivery tests share (the SMS gateway is webhook_helpers.py's, the SMTP
server mail_helpers.py's): a client written straight into the database, an intervention
synced by Sophie's phone, one engine round, and the links read out of the messages."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from litestar import Litestar

from server.clients.phones import to_e164
from server.clock import ManualClock, to_db
from server.db import Database
from tests.conftest import Client
from tests.integration.alert_helpers import run_coroutine
from tests.integration.intervention_helpers import create, new_uuid, sync_ok

BASE_URL = "http://astreinte.example:8000"
LINK = re.compile(re.escape(BASE_URL) + r"/s/([A-Za-z0-9_-]+)")
MOBILE = "06 12 34 56 78"
LANDLINE = "01 42 34 56 78"


def add_client(
    database: Database,
    team_id: int,
    *,
    email: str = "",
    phones: tuple[str, ...] = (),
    locale: str = "fr",
    timezone: str = "Europe/Paris",
    name: str = "Résidence Les Tilleuls",
    access_codes: str = "",
) -> int:
    stamp = "2026-11-01T00:00:00Z"
    with database.write():
        client_id = database.insert(
            "clients",
            {
                "team_id": team_id,
                "name": name,
                "email": email,
                "locale": locale,
                "timezone": timezone,
                "created_at": stamp,
                "updated_at": stamp,
            },
        )
        database.insert(
            "client_sites",
            {
                "client_id": client_id,
                "name": "Chaufferie",
                "address": "3 rue des Tilleuls",
                "access_codes": access_codes,
                "created_at": stamp,
                "updated_at": stamp,
            },
        )
        for number in phones:
            database.insert("client_phones", {"client_id": client_id, "number": to_e164(number)})
    return client_id


def synced(phone: Client, clock: ManualClock, client_id: int, *, at: datetime) -> str:
    """Sophie's phone syncs, at `at`, an intervention for the client that ended 10 min before;
    its uuid."""
    clock.set(at)
    record = new_uuid()
    sync_ok(
        phone,
        create(
            record,
            changed_at=at,
            started_at=at - timedelta(minutes=80),
            ended_at=at - timedelta(minutes=10),
            client_id=client_id,
        ),
    )
    return record


def engine_round(app: Litestar, clock: ManualClock, at: datetime | None = None) -> dict:
    """One round of the engine at `at` (or the clock's now): jobs, deliveries, survey messages."""
    if at is not None:
        clock.set(at)
    return run_coroutine(app.state.engine.tick())


def survey_of(database: Database, record: str) -> dict | None:
    return database.one(
        "SELECT s.* FROM surveys s JOIN interventions i ON i.id = s.intervention_id "
        "WHERE i.uuid = ?",
        (record,),
    )


def messages_of(database: Database, survey_id: int) -> list[dict]:
    return database.query(
        "SELECT * FROM survey_messages WHERE survey_id = ? ORDER BY id", (survey_id,)
    )


def links_in(text: str) -> list[str]:
    return LINK.findall(text)


def utc_text(moment: datetime) -> str:
    return to_db(moment)
