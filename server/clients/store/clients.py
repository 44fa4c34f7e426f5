"""Clients, their sites and numbers in SQL: read whole, written row by row inside the caller's
transaction (server/clients/workflow.py decides and audits), searched by their folded text."""

from __future__ import annotations

from datetime import datetime

from server.clients.models import Client, Phone, Site
from server.clients.rules import (
    CLIENT_FIELDS,
    ClientInput,
    PhoneInput,
    SiteInput,
    search_terms,
    search_text,
)
from server.clock import from_db, to_db
from server.db import Database
from server.errors import NotFound
from server.i18n import gettext as _

SEARCH_LIMIT = 50


def _client(row: dict, sites: list[Site], phones: list[Phone]) -> Client:
    return Client(
        id=row["id"],
        team_id=row["team_id"],
        kind=row["kind"],
        name=row["name"],
        email=row["email"],
        contact_name=row["contact_name"],
        locale=row["locale"],
        timezone=row["timezone"],
        notes=row["notes"],
        reference=row["reference"],
        no_surveys=bool(row["no_surveys"]),
        erased=row["erased_at"] is not None,
        version=row["version"],
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        sites=tuple(sites),
        phones=tuple(phones),
    )


def _site(row: dict) -> Site:
    return Site(
        id=row["id"],
        client_id=row["client_id"],
        name=row["name"],
        address=row["address"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        access_instructions=row["access_instructions"],
        access_codes=row["access_codes"],
    )


def sites_of(database: Database, client_ids: list[int]) -> dict[int, list[Site]]:
    found: dict[int, list[Site]] = {}
    sql = "SELECT * FROM client_sites WHERE client_id IN ({marks}) ORDER BY id"
    for row in database.query_in(sql, client_ids):
        found.setdefault(row["client_id"], []).append(_site(row))
    return found


def phones_of(database: Database, client_ids: list[int]) -> dict[int, list[Phone]]:
    found: dict[int, list[Phone]] = {}
    sql = "SELECT * FROM client_phones WHERE client_id IN ({marks}) ORDER BY id"
    for row in database.query_in(sql, client_ids):
        found.setdefault(row["client_id"], []).append(
            Phone(id=row["id"], number=row["number"], label=row["label"], site_id=row["site_id"])
        )
    return found


def find_client(database: Database, client_id: int) -> Client | None:
    row = database.one("SELECT * FROM clients WHERE id = ?", (client_id,))
    if row is None:
        return None
    sites = sites_of(database, [client_id]).get(client_id, [])
    phones = phones_of(database, [client_id]).get(client_id, [])
    return _client(row, sites, phones)


def get_client(database: Database, client_id: int) -> Client:
    client = find_client(database, client_id)
    if client is None:
        raise NotFound(_("This client does not exist."))
    return client


def team_clients(database: Database, team_id: int) -> list[Client]:
    """Every client of the team with sites and numbers, by name (the CSV export)."""
    rows = database.query(
        "SELECT * FROM clients WHERE team_id = ? ORDER BY name COLLATE NOCASE, id", (team_id,)
    )
    ids = [row["id"] for row in rows]
    sites, phones = sites_of(database, ids), phones_of(database, ids)
    return [_client(row, sites.get(row["id"], []), phones.get(row["id"], [])) for row in rows]


def by_reference(database: Database, team_id: int, reference: str) -> int | None:
    return database.scalar(
        "SELECT id FROM clients WHERE team_id = ? AND reference = ?", (team_id, reference)
    )


def search(
    database: Database, team_ids: list[int], query: str, limit: int = SEARCH_LIMIT
) -> list[Client]:
    """The teams' clients (not erased) whose folded text holds every word of the query, those
    whose name starts with it first, then by name; the first `limit`. An empty query lists
    them by name."""
    if not team_ids:
        return []
    terms = search_terms(query)
    marks = ",".join("?" * len(team_ids))
    where = [f"team_id IN ({marks})", "erased_at IS NULL"]
    params: list = list(team_ids)
    for term in terms:
        # instr, not LIKE: a "%" or "_" typed in the box is a character, not a wildcard.
        where.append("instr(search_text, ?) > 0")
        params.append(term)
    first = terms[0] if terms else ""
    rows = database.query(
        f"SELECT * FROM clients WHERE {' AND '.join(where)} "
        "ORDER BY instr(search_text, ?) != 1, name COLLATE NOCASE, id LIMIT ?",
        [*params, first, limit],
    )
    ids = [row["id"] for row in rows]
    sites, phones = sites_of(database, ids), phones_of(database, ids)
    return [_client(row, sites.get(row["id"], []), phones.get(row["id"], [])) for row in rows]


def insert_client(database: Database, team_id: int, data: ClientInput, now: datetime) -> int:
    row = {field: getattr(data, field) for field in CLIENT_FIELDS}
    row["no_surveys"] = int(data.no_surveys)
    return database.insert(
        "clients", {"team_id": team_id, **row, "created_at": to_db(now), "updated_at": to_db(now)}
    )


def update_client_row(database: Database, client_id: int, data: ClientInput, now: datetime) -> None:
    values = [getattr(data, field) for field in CLIENT_FIELDS]
    values[CLIENT_FIELDS.index("no_surveys")] = int(data.no_surveys)
    sets = ", ".join(f"{field} = ?" for field in CLIENT_FIELDS)
    database.execute(
        f"UPDATE clients SET {sets}, updated_at = ?, version = version + 1 WHERE id = ?",
        (*values, to_db(now), client_id),
    )


def touch(database: Database, client_id: int, now: datetime) -> None:
    """A change of the client's sites or numbers is a change of the client: a form opened
    before it must not overwrite it."""
    database.execute(
        "UPDATE clients SET updated_at = ?, version = version + 1 WHERE id = ?",
        (to_db(now), client_id),
    )


def set_no_surveys_row(database: Database, client_id: int, flag: bool, now: datetime) -> None:
    database.execute(
        "UPDATE clients SET no_surveys = ?, updated_at = ?, version = version + 1 WHERE id = ?",
        (int(flag), to_db(now), client_id),
    )


def save_site(database: Database, client_id: int, site: SiteInput, now: datetime) -> int:
    """Insert a new site or update one of the client's (the caller checked it is theirs);
    access fields left None are kept."""
    row = {
        "name": site.name,
        "address": site.address,
        "latitude": site.latitude,
        "longitude": site.longitude,
    }
    if site.access_instructions is not None:
        row["access_instructions"] = site.access_instructions
    if site.access_codes is not None:
        row["access_codes"] = site.access_codes
    if site.id is None:
        return database.insert(
            "client_sites",
            {"client_id": client_id, **row, "created_at": to_db(now), "updated_at": to_db(now)},
        )
    sets = ", ".join(f"{field} = ?" for field in row)
    database.execute(
        f"UPDATE client_sites SET {sets}, updated_at = ? WHERE id = ? AND client_id = ?",
        (*row.values(), to_db(now), site.id, client_id),
    )
    return site.id


def delete_site_row(database: Database, client_id: int, site_id: int) -> None:
    database.execute(
        "DELETE FROM client_sites WHERE id = ? AND client_id = ?", (site_id, client_id)
    )


def replace_phones(database: Database, client_id: int, phones: list[PhoneInput]) -> None:
    database.execute("DELETE FROM client_phones WHERE client_id = ?", (client_id,))
    database.executemany(
        "INSERT INTO client_phones (client_id, site_id, number, label) VALUES (?, ?, ?, ?)",
        [(client_id, p.site_id, p.number, p.label) for p in phones],
    )


def refresh_search(database: Database, client_id: int) -> None:
    """Rewrite the client's folded search text from what is stored now."""
    client = get_client(database, client_id)
    data = ClientInput(
        kind=client.kind,
        name=client.name,
        email=client.email,
        contact_name=client.contact_name,
        locale=client.locale,
        timezone=client.timezone,
        reference=client.reference,
    )
    sites = [SiteInput(name=s.name, address=s.address) for s in client.sites]
    text = "" if client.erased else search_text(data, sites, [p.number for p in client.phones])
    database.execute("UPDATE clients SET search_text = ? WHERE id = ?", (text, client_id))
