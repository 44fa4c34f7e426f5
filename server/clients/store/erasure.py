"""The erasure of a client's personal data in SQL (server/clients/workflow.py decides and
audits): every place the client's details or words were written or copied."""

from __future__ import annotations

import json
from datetime import datetime

from server.clients.models import Client
from server.clients.rules import SCRUBBED, scrub, scrub_json
from server.clock import to_db
from server.db import Database

# What a notification about a client may quote of it, replaced whatever it says: the name it
# had then (perhaps not today's) and the client's own words.
_QUOTED_PARAMS = ("client", "comment")


def erase_rows(database: Database, client: Client, secrets: list[str], now: datetime) -> None:
    """Clear what identifies the client everywhere it was written: its row, sites, numbers,
    its survey answers' comments, the calls and alerts that name it, and the notifications
    that told of them or quoted its answers."""
    database.execute(
        "UPDATE clients SET name = ?, email = '', contact_name = '', notes = '', "
        "reference = NULL, search_text = '', no_surveys = 1, erased_at = ?, updated_at = ?, "
        "version = version + 1 WHERE id = ?",
        (f"#{client.id}", to_db(now), to_db(now), client.id),
    )
    database.execute(
        "UPDATE client_sites SET name = '', address = '', latitude = NULL, longitude = NULL, "
        "access_instructions = '', access_codes = '', updated_at = ? WHERE client_id = ?",
        (to_db(now), client.id),
    )
    database.execute("DELETE FROM client_phones WHERE client_id = ?", (client.id,))
    _erase_answers(database, client.id)
    _erase_alerts(database, client.id, secrets)
    _erase_survey_notices(database, client.id, secrets)


def _erase_answers(database: Database, client_id: int) -> None:
    """The comments of its answers: those linked to it, those of its interventions, and a QR
    answer set aside (the link was answered first) that only its code ties to the
    intervention."""
    database.execute(
        "UPDATE surveys SET comment = '' WHERE comment != '' AND ("
        "client_id = :client "
        "OR intervention_id IN (SELECT id FROM interventions WHERE client_id = :client) "
        "OR id IN (SELECT t.survey_id FROM survey_qr_tokens t "
        "JOIN interventions i ON i.uuid = t.intervention_uuid WHERE i.client_id = :client))",
        {"client": client_id},
    )


def _erase_alerts(database: Database, client_id: int, secrets: list[str]) -> None:
    alerts = database.query(
        "SELECT id, title, details, dedup_key FROM alerts WHERE client_id = ?", (client_id,)
    )
    for alert in alerts:
        database.execute(
            "UPDATE alerts SET title = ?, details = ?, dedup_key = ? WHERE id = ?",
            (
                scrub(alert["title"], secrets),
                scrub(alert["details"], secrets),
                None if alert["dedup_key"] is None else scrub(alert["dedup_key"], secrets),
                alert["id"],
            ),
        )
        for row in database.query(
            "SELECT id, detail FROM alert_events WHERE alert_id = ?", (alert["id"],)
        ):
            database.execute(
                "UPDATE alert_events SET detail = ? WHERE id = ?",
                (scrub_json(row["detail"], secrets), row["id"]),
            )
        for row in database.query(
            "SELECT id, params FROM notifications WHERE url = ?", (f"/alerts/{alert['id']}",)
        ):
            database.execute(
                "UPDATE notifications SET params = ? WHERE id = ?",
                (scrub_json(row["params"], secrets), row["id"]),
            )


def _erase_survey_notices(database: Database, client_id: int, secrets: list[str]) -> None:
    """Notifications that carry the client's id (a low score to the managers, a client's
    thanks to the technician): they quote its name and its comment. Read by that id, not by
    kind, so this package needs to know none of the surveys' kinds."""
    for row in database.query(
        "SELECT id, params FROM notifications WHERE json_valid(params) "
        "AND json_extract(params, '$.client_id') = ?",
        (client_id,),
    ):
        params = json.loads(scrub_json(row["params"], secrets))
        for key in _QUOTED_PARAMS:
            if params.get(key):
                params[key] = SCRUBBED
        database.execute(
            "UPDATE notifications SET params = ? WHERE id = ?",
            (json.dumps(params, ensure_ascii=False), row["id"]),
        )
