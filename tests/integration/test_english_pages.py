"""Pages in English read as a European writes them: the date on Today with its month's capital,
day before month, and no heading that repeats the page's own ("Rest" under "Rest")."""

from __future__ import annotations

from tests.conftest import Client, Company
from tests.integration.schedule_helpers import parse


def english(client: Client) -> Client:
    client.headers["Accept-Language"] = "en-GB,en;q=0.9"
    client.login("staff.a@test.fr")
    return client


def test_today_writes_the_date_as_a_european_reads_it(client: Client, company: Company) -> None:
    page = parse(english(client).get("/").text)
    assert page.one("html").attrs["lang"] == "en-GB"
    # The injected clock: Monday 30 November 2026, 10:00 in Paris.
    assert "Monday, 30 November 2026" in page.one("main").text
    assert "november" not in page.one("main").text


def test_the_rest_clock_is_not_titled_like_its_page(client: Client, company: Company) -> None:
    page = parse(english(client).get("/rest").text)
    headings = [h.text for h in page.find_all("h1") + page.find_all("h2")]
    assert headings.count("Rest") == 1, headings
    assert "Daily rest" in headings, headings
