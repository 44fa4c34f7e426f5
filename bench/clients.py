"""Client search among 10,000 clients: on the server (the clients page's search, the call's
number look-up, the phone's list built) and on the phone offline (Chromium, the list kept in
IndexedDB, searched by clients.js with no network)."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import msgspec
from playwright.sync_api import sync_playwright

from server.accounts.models import CurrentUser
from server.audit.models import Actor
from server.clients.api import PhoneListCache, phone_list
from server.clients.phones import to_e164
from server.clients.rules import ClientInput, SiteInput, search_text
from server.clients.store.clients import search
from server.clients.store.lookup import caller_of
from server.clock import to_db
from server.db import open_database
from server.teams.models import TeamForm
from server.teams.store import create_team
from server.web import SERVICE_WORKER_DIR

TITLE = "Client search among 10,000 clients: server ≤ 50 ms, phone offline ≤ 100 ms (median)"
CLIENTS = 10_000
SERVER_GOAL_MS, PHONE_GOAL_MS = 50.0, 100.0
REPEAT = 30
CHROMIUM = "/usr/bin/chromium"
ORIGIN = "http://phone.bench.invalid"
# What people type: a name without its accents, two words, a number as dialled, an address,
# a prefix of three letters, and nothing that matches (the whole list is read).
QUERIES = ["zephyrin", "boulangerie lyon", "06 12 34", "rue des lilas", "mar", "xqzw"]

WORDS = ["Boulangerie", "Garage", "Hôtel", "Pharmacie", "Résidence", "Cabinet", "École", "Café"]
SURNAMES = ["Dupré", "Martin", "Lefèvre", "Zéphyrin", "Roux", "Müller", "Garçon", "Bérénice"]
STREETS = ["rue des Lilas", "avenue Jean-Jaurès", "place Bellecour", "quai Saint-Antoine"]
TOWNS = ["Lyon", "Villeurbanne", "Vénissieux", "Bron", "Écully"]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def seed(path: Path) -> tuple[int, list[str]]:
    """A team with CLIENTS clients (1-2 sites and 1-2 numbers each), their search text as the
    clients' store writes it: (team id, the numbers)."""
    database = open_database(path)
    rng = random.Random(15)
    now = datetime.now(UTC)
    stamp = to_db(now)
    team = create_team(database, TeamForm(name="Bench clients"), actor=Actor(label="b"), now=now)
    numbers: list[str] = []
    with database.write():
        for n in range(CLIENTS):
            name = f"{rng.choice(WORDS)} {rng.choice(SURNAMES)} {n}"
            contact = f"{rng.choice(['Élodie', 'Jérôme', 'Amélie', 'Marc'])} {rng.choice(SURNAMES)}"
            sites = [
                SiteInput(
                    name=f"Site {k}",
                    address=f"{rng.randint(1, 99)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}",
                    latitude=45 + rng.random(),
                    longitude=4 + rng.random(),
                )
                for k in range(rng.randint(1, 2))
            ]
            mine = [
                to_e164(f"0{rng.choice('67')}{rng.randint(10_000_000, 99_999_999)}")
                for _ in range(rng.randint(1, 2))
            ]
            text = search_text(ClientInput(name=name, contact_name=contact), sites, mine)
            client_id = database.insert(
                "clients",
                {
                    "team_id": team.id,
                    "name": name,
                    "contact_name": contact,
                    "search_text": text,
                    "created_at": stamp,
                    "updated_at": stamp,
                },
            )
            for site in sites:
                database.insert(
                    "client_sites",
                    {
                        "client_id": client_id,
                        "name": site.name,
                        "address": site.address,
                        "latitude": site.latitude,
                        "longitude": site.longitude,
                        "access_instructions": "Interphone, 2e étage",
                        "access_codes": "A1234",
                        "created_at": stamp,
                        "updated_at": stamp,
                    },
                )
            for number in dict.fromkeys(mine):
                database.insert("client_phones", {"client_id": client_id, "number": number})
                numbers.append(number)
    database.close()
    return team.id, numbers


def server_rows(path: Path, team_id: int, numbers: list[str]) -> tuple[list[dict], bytes]:
    database = open_database(path)
    rows = []
    try:
        for query in QUERIES:
            times, found = [], 0
            for _ in range(REPEAT):
                began = time.perf_counter()
                found = len(search(database, [team_id], query))
                times.append(time.perf_counter() - began)
            rows.append(_row("server: clients search", query, times, found, SERVER_GOAL_MS))
        rng = random.Random(7)
        times = []
        for _ in range(REPEAT * 3):
            number = rng.choice(numbers)
            dialled = "0" + number[3:] if number.startswith("+33") else number
            began = time.perf_counter()
            assert caller_of(database, team_id, dialled) is not None
            times.append(time.perf_counter() - began)
        rows.append(_row("server: a call's number", "0X XX XX XX XX", times, 1, SERVER_GOAL_MS))
        user = CurrentUser(
            id=1,
            email="b@bench",
            name="B",
            role="staff",
            locale="fr",
            timezone="Europe/Paris",
            team_ids=(team_id,),
        )
        times = []
        for _ in range(5):
            began = time.perf_counter()
            listed = phone_list(database, user, datetime.now(UTC))
            body = msgspec.json.encode(listed)
            times.append(time.perf_counter() - began)
        rows.append(_row("server: the phone's list built", "(whole list)", times, CLIENTS, None))
        # What the endpoint answers while nothing was written: the kept copy (or a 304).
        cache = PhoneListCache()
        cache.get(database, user, datetime.now(UTC))
        times = []
        for _ in range(REPEAT):
            began = time.perf_counter()
            cache.get(database, user, datetime.now(UTC))
            times.append(time.perf_counter() - began)
        rows.append(
            _row("server: the phone's list, unchanged", "(kept copy)", times, CLIENTS, None)
        )
    finally:
        database.close()
    return rows, body


PHONE_SEARCH = """async ([queries, repeat]) => {
  const cold0 = performance.now();
  await AstreinteClients.search("warm-up", 20);  // reads IndexedDB and indexes the list
  const cold = performance.now() - cold0;
  const out = {cold, queries: {}};
  for (const query of queries) {
    const times = [];
    let found = 0;
    for (let i = 0; i < repeat; i += 1) {
      const began = performance.now();
      found = (await AstreinteClients.search(query, 20)).length;
      times.push(performance.now() - began);
    }
    out.queries[query] = {times, found};
  }
  return out;
}"""


def phone_rows(body: bytes) -> list[dict]:
    """The list stored by clients.js's own refresh, then searched with the network cut off."""
    script = (SERVICE_WORKER_DIR / "clients.js").read_text(encoding="utf-8")
    page_html = "<!doctype html><html><body><script src='/sw/clients.js'></script></body></html>"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            context = browser.new_context()

            def serve(route) -> None:
                path = route.request.url[len(ORIGIN) :]
                if path.startswith("/sw/clients.js"):
                    route.fulfill(body=script, content_type="text/javascript")
                elif path.startswith("/api/v1/me/clients"):
                    route.fulfill(body=body, content_type="application/json")
                else:
                    route.fulfill(body=page_html, content_type="text/html")

            context.route(ORIGIN + "/**", serve)
            page = context.new_page()
            page.goto(ORIGIN + "/interventions/new")
            stored = page.evaluate("AstreinteClients.refresh().then((a) => a.list.clients.length)")
            assert stored == CLIENTS, stored
            # Offline: no route, no network; the refresh left nothing in memory (read again below).
            context.unroute_all()
            context.route("**/*", lambda route: route.abort())
            context.set_offline(True)
            measured = page.evaluate(PHONE_SEARCH, [QUERIES, REPEAT])
            version = browser.version
        finally:
            browser.close()
    rows = [
        {
            "where": f"phone (Chromium {version}), offline: first search",
            "query": "(IndexedDB read + index)",
            "median_ms": round(measured["cold"], 2),
            "p90_ms": "",
            "max_ms": "",
            "found": "",
            "goal": "",
        }
    ]
    for query, got in measured["queries"].items():
        times = [t / 1000 for t in got["times"]]
        rows.append(
            _row("phone offline: clients.js search", query, times, got["found"], PHONE_GOAL_MS)
        )
    return rows


def _row(where: str, query: str, times: list[float], found: int, goal: float | None) -> dict:
    median = statistics.median(times)
    ordered = sorted(times)
    return {
        "where": where,
        "query": query,
        "median_ms": ms(median),
        "p90_ms": ms(ordered[int(len(ordered) * 0.9) - 1]),
        "max_ms": ms(ordered[-1]),
        "found": found,
        "goal": ""
        if goal is None
        else ("met" if ms(median) <= goal else "MISSED") + f" ≤ {goal:g}",
    }


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="astreinte-bench-clients-") as folder:
        path = Path(folder) / "astreinte.db"
        team_id, numbers = seed(path)
        rows, body = server_rows(path, team_id, numbers)
        rows.append(
            {
                "where": "the phone's list",
                "query": f"{CLIENTS:,} clients",
                "median_ms": "",
                "p90_ms": "",
                "max_ms": "",
                "found": f"{len(body) / 1e6:.1f} MB JSON",
                "goal": "",
            }
        )
        rows += phone_rows(body)
    return rows


def markdown(rows: list[dict]) -> str:
    from bench.results import table

    return table(rows) + (
        "\n\nThe server's search is the clients page's (`server/clients/store/clients.py`, "
        "`search`: one folded text per client, every word by `instr`); a call's number is "
        "`caller_of` (an index seek on `client_phones.number`). The phone's list is built "
        "again only after a write (any process): unchanged, the endpoint answers its kept copy "
        "or a 304. The phone's search (`service_worker/clients.js`) stops at 20 hits; `xqzw` "
        "matches nothing and so reads every entry. Its first search reads the list from "
        "IndexedDB and indexes it: the form does that as it opens, not at the first letter. "
        "Chromium here runs on the bench machine's CPU, not a phone's (a few times slower)."
    )
