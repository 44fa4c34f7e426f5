"""Clients as the calls, the alerts and the phones look them up: who calls from a number, the
client and site an alert names, whose a client or site is, and a person's offline list."""

from __future__ import annotations

from server.clients.callers import match_caller
from server.clients.models import CallerMatch
from server.clients.offline import CallerSite, ClientCard, ListedClient, ListedSite
from server.clients.phones import to_e164
from server.db import Database


def caller_of(database: Database, team_id: int, raw_number: str) -> CallerMatch | None:
    """The team's client (and site) whose number called, as typed by any phone system
    ("06 12 34 56 78", "+33612345678", "0033…"); erased clients are nobody."""
    number = to_e164(raw_number)
    if number is None:
        return None
    rows = database.query(
        "SELECT p.client_id, p.site_id FROM client_phones p "
        "JOIN clients c ON c.id = p.client_id "
        "WHERE p.number = ? AND c.team_id = ? AND c.erased_at IS NULL",
        (number, team_id),
    )
    if not rows:
        return None
    numbers = [(row["client_id"], row["site_id"]) for row in rows]
    sites: dict[int, list[int]] = {}
    clients = sorted({client for client, _site in numbers})
    marks = ",".join("?" * len(clients))
    for row in database.query(
        f"SELECT id, client_id FROM client_sites WHERE client_id IN ({marks}) ORDER BY id",
        clients,
    ):
        sites.setdefault(row["client_id"], []).append(row["id"])
    return match_caller(numbers, sites)


def client_card(database: Database, client_id: int, site_id: int | None) -> ClientCard | None:
    """The client and site an alert names; None when the client is gone or erased."""
    row = database.one(
        "SELECT id, team_id, name, contact_name FROM clients WHERE id = ? AND erased_at IS NULL",
        (client_id,),
    )
    if row is None:
        return None
    site = None
    if site_id is not None:
        found = database.one(
            "SELECT id, name, address, access_instructions, access_codes FROM client_sites "
            "WHERE id = ? AND client_id = ?",
            (site_id, client_id),
        )
        site = CallerSite(**found) if found else None
    return ClientCard(**row, site=site)


def link_owners(
    database: Database, client_id: int | None, site_id: int | None
) -> tuple[int | None, int | None]:
    """(the client's team, the site's client) of what an intervention links; None for what
    does not exist (or is not given)."""
    team = None
    if client_id is not None:
        team = database.scalar("SELECT team_id FROM clients WHERE id = ?", (client_id,))
    owner = None
    if site_id is not None:
        owner = database.scalar("SELECT client_id FROM client_sites WHERE id = ?", (site_id,))
    return team, owner


def listed_clients(
    database: Database, team_ids: list[int], codes_team_ids: set[int]
) -> list[ListedClient]:
    """The teams' clients (not erased) with their numbers and sites, by name; access codes
    only for the sites of `codes_team_ids`. Three reads, joined here."""
    if not team_ids:
        return []
    marks = ",".join("?" * len(team_ids))
    live = f"c.team_id IN ({marks}) AND c.erased_at IS NULL"
    phones: dict[int, list[str]] = {}
    for row in database.query(
        f"SELECT p.client_id, p.number FROM client_phones p JOIN clients c ON c.id = p.client_id "
        f"WHERE {live} ORDER BY p.id",
        team_ids,
    ):
        phones.setdefault(row["client_id"], []).append(row["number"])
    sites: dict[int, list[ListedSite]] = {}
    for row in database.query(
        "SELECT s.id, s.client_id, s.name, s.address, s.latitude, s.longitude, "
        "s.access_instructions, s.access_codes, c.team_id FROM client_sites s "
        f"JOIN clients c ON c.id = s.client_id WHERE {live} ORDER BY s.id",
        team_ids,
    ):
        sites.setdefault(row["client_id"], []).append(
            ListedSite(
                id=row["id"],
                name=row["name"],
                address=row["address"],
                lat=row["latitude"],
                lon=row["longitude"],
                instructions=row["access_instructions"],
                codes=row["access_codes"] if row["team_id"] in codes_team_ids else "",
            )
        )
    rows = database.query(
        f"SELECT c.id, c.team_id, c.name, c.contact_name, c.no_surveys FROM clients c "
        f"WHERE {live} "
        "ORDER BY c.name COLLATE NOCASE, c.id",
        team_ids,
    )
    return [
        ListedClient(
            id=row["id"],
            team_id=row["team_id"],
            name=row["name"],
            contact=row["contact_name"],
            phones=list(phones.get(row["id"], ())),
            sites=list(sites.get(row["id"], ())),
            no_surveys=bool(row["no_surveys"]),
        )
        for row in rows
    ]


def client_names(database: Database, client_ids: list[int]) -> dict[int, str]:
    """The names of these clients (an alerts list names the client of each call); erased
    clients are left out: nobody is named."""
    rows = database.query_in(
        "SELECT id, name FROM clients WHERE id IN ({marks}) AND erased_at IS NULL",
        sorted(set(client_ids)),
    )
    return {row["id"]: row["name"] for row in rows}
