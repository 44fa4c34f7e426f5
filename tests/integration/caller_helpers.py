"""Clients written straight into the database (C1's store and pages are tested on their own):
a client of a team with its sites and numbers, as the calls and the phone's list read them."""

from __future__ import annotations

from datetime import UTC, datetime

from server.clients.phones import to_e164
from server.clock import to_db
from server.db import Database

CREATED = datetime(2026, 11, 1, 9, tzinfo=UTC)


def add_client(
    database: Database,
    team_id: int,
    name: str,
    *,
    contact: str = "",
    sites: list[dict] | None = None,
    phones: list[tuple[str, int | None]] | None = None,
    erased: bool = False,
) -> dict:
    """{"id": client, "sites": [site ids in order]}; `phones` as typed, each (number, index of
    its site in `sites` or None)."""
    stamp = to_db(CREATED)
    with database.write():
        client_id = database.insert(
            "clients",
            {
                "team_id": team_id,
                "name": name,
                "contact_name": contact,
                "erased_at": stamp if erased else None,
                "created_at": stamp,
                "updated_at": stamp,
            },
        )
        site_ids = [
            database.insert(
                "client_sites",
                {"client_id": client_id, "created_at": stamp, "updated_at": stamp, **site},
            )
            for site in sites or []
        ]
        for number, site in phones or []:
            database.insert(
                "client_phones",
                {
                    "client_id": client_id,
                    "number": to_e164(number),
                    "site_id": None if site is None else site_ids[site],
                },
            )
    return {"id": client_id, "sites": site_ids}
