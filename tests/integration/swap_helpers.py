"""Steps the swap tests share: shifts put straight on the schedule, and a team whose people
each have a browser.

The clock starts on Monday 30 November 2026 at 10:00 in Paris. Team A (Maintenance): Marc
manages; Sophie and Samuel are on call. Sophie's night of Monday 21 December (18:00 to 08:00)
is three weeks away: what she asks about in most tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.clock import to_db
from server.db import Database
from tests.conftest import START, Client, Company
from tests.integration.schedule_helpers import Browsers, paris

SOPHIES_NIGHT = (paris(2026, 12, 21, 18), paris(2026, 12, 22, 8))
# Told three weeks before the clock starts: every shift here was published with notice.
TOLD_AT = START - timedelta(days=21)


def add_shift(
    database: Database,
    team_id: int,
    user_id: int,
    start: datetime,
    end: datetime,
    *,
    layer: str = "primary",
    status: str = "accepted",
    kind: str = "regular",
    rotation_id: int | None = None,
) -> int:
    with database.write():
        return database.insert(
            "shifts",
            {
                "team_id": team_id,
                "rotation_id": rotation_id,
                "kind": kind,
                "layer": layer,
                "user_id": user_id,
                "starts_at": to_db(start),
                "ends_at": to_db(end),
                "status": status,
                "published_at": None if status == "draft" else to_db(TOLD_AT),
                "answered_at": to_db(TOLD_AT) if status in ("accepted", "declined") else None,
                "created_at": to_db(TOLD_AT),
                "updated_at": to_db(TOLD_AT),
            },
        )


def shift_row(database: Database, shift_id: int) -> dict:
    row = database.one("SELECT * FROM shifts WHERE id = ?", (shift_id,))
    assert row is not None
    return row


def swap_row(database: Database, swap_id: int) -> dict:
    row = database.one("SELECT * FROM swap_requests WHERE id = ?", (swap_id,))
    assert row is not None
    return row


def swap_id_of(response) -> int:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/swaps/"), location
    return int(location.split("/")[2].split("?")[0])


def ask(client: Client, shift_id: int, **fields: str):
    data = {"kind": "cover", "whole": "true", "target": "team", **fields}
    return client.post_form(f"/swaps/shifts/{shift_id}/new", data)


def ask_ok(client: Client, shift_id: int, **fields: str) -> int:
    return swap_id_of(ask(client, shift_id, **fields))


def approve(client: Client, database: Database, swap_id: int, reason: str = "", version=None):
    version = swap_row(database, swap_id)["version"] if version is None else version
    return client.post_form(
        f"/swaps/{swap_id}/approve", {"version": str(version), "reason": reason}
    )


def audit_actions(database: Database, entity_type: str, entity_id: int) -> list[str]:
    rows = database.query(
        "SELECT action FROM audit_log WHERE entity_type = ? AND entity_id = ? ORDER BY id",
        (entity_type, str(entity_id)),
    )
    return [row["action"] for row in rows]


def written(database: Database) -> dict[str, int]:
    """Rows of every table a request writes to: to prove a refusal wrote nothing."""
    tables = (
        "swap_requests",
        "swap_declines",
        "shifts",
        "notifications",
        "deliveries",
        "audit_log",
    )
    return {t: database.scalar(f"SELECT COUNT(*) FROM {t}") for t in tables}


class Team:
    """Team A's people, each in their own browser, and Sophie's night to ask about."""

    def __init__(self, company: Company, database: Database, browsers: Browsers) -> None:
        self.company = company
        self.database = database
        self.team_id = company.team_a.id
        self.sophie = browsers("staff.a@test.fr")
        self.samuel = browsers("staff.a2@test.fr")
        self.marc = browsers("manager.a@test.fr")
        self.admin = browsers("admin@test.fr")
        self.nina = browsers("manager.b@test.fr")
        self.bruno = browsers("staff.b@test.fr")
        self.night = add_shift(database, self.team_id, company.staff_a.id, *SOPHIES_NIGHT)

    def shift(self, user_id: int, start: datetime, end: datetime, **options) -> int:
        return add_shift(self.database, self.team_id, user_id, start, end, **options)
