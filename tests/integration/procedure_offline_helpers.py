"""Procedures written straight into the tables (the offline side's tests need them as Q3's
workflow would leave them: a current version, older ones kept, tags)."""

from __future__ import annotations

from server.alerts.models import AlertIn
from server.alerts.workflow import create_alert
from server.clock import to_db
from server.db import Database
from tests.conftest import START

CHECKLIST = (
    "# Chaudière\n\nAvant tout :\n\n"
    "- [ ] Couper l'alimentation\n- [ ] Appeler le client\n- [x] Noter la pression\n"
)


def add_procedure(
    database: Database,
    team_id: int,
    title: str,
    body: str = CHECKLIST,
    *,
    versions: int = 1,
    tags: tuple[tuple[str, str], ...] = (),
    updated_at: str | None = None,
) -> int:
    stamp = updated_at or to_db(START)
    with database.write():
        procedure_id = database.insert(
            "procedures",
            {
                "team_id": team_id,
                "version": versions,
                "review_on": "2027-06-01",
                "created_at": stamp,
                "updated_at": stamp,
            },
        )
        for number in range(1, versions + 1):
            text = body if number == versions else body.replace("Couper", f"(v{number}) Couper")
            database.insert(
                "procedure_versions",
                {
                    "procedure_id": procedure_id,
                    "version": number,
                    "title": title,
                    "body": text,
                    "created_at": stamp,
                },
            )
        for kind, value in tags:
            database.insert(
                "procedure_tags", {"procedure_id": procedure_id, "kind": kind, "value": value}
            )
    return procedure_id


def new_version(database: Database, procedure_id: int, body: str, stamp: str) -> int:
    with database.write():
        current = database.scalar("SELECT version FROM procedures WHERE id = ?", (procedure_id,))
        title = database.scalar(
            "SELECT title FROM procedure_versions WHERE procedure_id = ? AND version = ?",
            (procedure_id, current),
        )
        database.insert(
            "procedure_versions",
            {
                "procedure_id": procedure_id,
                "version": current + 1,
                "title": title,
                "body": body,
                "created_at": stamp,
            },
        )
        database.execute(
            "UPDATE procedures SET version = ?, updated_at = ? WHERE id = ?",
            (current + 1, stamp, procedure_id),
        )
    return current + 1


def raise_alert(database: Database, team_id: int, now, **fields) -> int:
    alert, _new = create_alert(
        database,
        team_id,
        AlertIn(title=fields.pop("title", "Chaudière en panne"), **fields),
        now=now,
        channels=frozenset(),
    )
    return alert.id
