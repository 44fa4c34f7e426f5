"""Steps the intervention tests share: operations as a phone's outbox writes them, the sync
request, alerts to answer, and the rows and audit entries read back.

The test clock starts on Monday 30 November 2026 at 10:00 in Paris (09:00 UTC); the default
intervention is that night, 02:00 to 03:30 in Paris (01:00 to 02:30 UTC), typed at 03:35."""

from __future__ import annotations

import json
import uuid as uuidlib
from datetime import datetime, timedelta

from server.alerts.models import AlertIn
from server.alerts.workflow import create_alert
from server.db import Database
from tests.conftest import Client
from tests.integration.schedule_helpers import paris

SYNC_URL = "/api/v1/sync/interventions"
JSON = {"Content-Type": "application/json"}

NIGHT_START = paris(2026, 11, 30, 2)
NIGHT_END = paris(2026, 11, 30, 3, 30)
TYPED_AT = paris(2026, 11, 30, 3, 35)


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def iso(moment: datetime) -> str:
    """How the phone writes an instant (Date.toISOString: UTC with milliseconds)."""
    return moment.isoformat(timespec="milliseconds")


def form_data(
    start: datetime = NIGHT_START, end: datetime = NIGHT_END, **fields: object
) -> dict[str, object]:
    data: dict[str, object] = {
        "started_at": iso(start),
        "ended_at": iso(end),
        "mode": "on_site",
        "place": "Bâtiment C, chaufferie",
        "travel_minutes": 20,
        "alert_id": None,
        "found": "Brûleur en sécurité",
        "done": "Réarmement et purge",
        "outcome": "resolved",
    }
    data.update(fields)
    return data


def create(
    record: str | None = None,
    *,
    version: int = 1,
    changed_at: datetime = TYPED_AT,
    **fields: object,
) -> dict[str, object]:
    """A create operation; `fields` go into its data (started_at/ended_at as datetimes)."""
    return _with_data("create", record, version, changed_at, fields)


def update(
    record: str, *, version: int, changed_at: datetime = TYPED_AT, **fields: object
) -> dict[str, object]:
    return _with_data("update", record, version, changed_at, fields)


def delete(record: str, *, version: int, changed_at: datetime = TYPED_AT) -> dict[str, object]:
    return {
        "op": "delete",
        "op_id": new_uuid(),
        "uuid": record,
        "version": version,
        "changed_at": iso(changed_at),
    }


def _with_data(kind, record, version, changed_at, fields) -> dict[str, object]:
    start = fields.pop("started_at", NIGHT_START)
    end = fields.pop("ended_at", NIGHT_END)
    return {
        "op": kind,
        "op_id": new_uuid(),
        "uuid": record or new_uuid(),
        "version": version,
        "changed_at": iso(changed_at),
        "data": form_data(start, end, **fields),
    }


def sync(client: Client, *operations: object, headers: dict[str, str] | None = None):
    """POST the operations as the phone's outbox does (JSON, session cookie)."""
    body = json.dumps({"operations": list(operations)})
    return client.post(SYNC_URL, content=body, headers={**JSON, **(headers or {})})


def sync_ok(client: Client, *operations: object) -> list[dict]:
    """The per-item answers, one per operation, in order."""
    response = sync(client, *operations)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["op_id"] for r in results] == [op["op_id"] for op in operations], results
    return results


def statuses(results: list[dict]) -> list[str]:
    return [r["status"] for r in results]


def row(database: Database, record: str) -> dict | None:
    return database.one("SELECT * FROM interventions WHERE uuid = ?", (record,))


def count(database: Database, *, deleted: bool | None = None) -> int:
    where = {None: "", True: " WHERE deleted_at IS NOT NULL", False: " WHERE deleted_at IS NULL"}
    return database.scalar("SELECT COUNT(*) FROM interventions" + where[deleted])


def written(database: Database) -> dict[str, int]:
    """Rows of every table a sync writes to: to prove a refused request wrote nothing."""
    tables = ("interventions", "sync_operations", "audit_log")
    return {t: database.scalar(f"SELECT COUNT(*) FROM {t}") for t in tables}


def audit(database: Database, record: str) -> list[dict]:
    """The intervention's audit entries, oldest first, before/after decoded."""
    entries = database.query(
        "SELECT * FROM audit_log WHERE entity_type = 'intervention' AND entity_id = ? ORDER BY id",
        (record,),
    )
    for entry in entries:
        for side in ("before", "after"):
            entry[side] = json.loads(entry[side]) if entry[side] else None
    return entries


def actions(database: Database, record: str) -> list[str]:
    return [entry["action"] for entry in audit(database, record)]


def raise_alert(database: Database, team_id: int, title: str, now: datetime) -> int:
    alert, _new = create_alert(
        database, team_id, AlertIn(title=title), now=now, channels=frozenset()
    )
    return alert.id


def hours(delta: float) -> timedelta:
    return timedelta(hours=delta)
