"""The bottom bar's pages are kept rendered between changes (server/page_cache.py), like Today:
each shows a write at once, turns when its own time moves on (midnight, the minute shown, a swap
request expiring), and carries each browser's own CSRF token.

Clock steps here are seconds, so no session's sliding expiry (written every 5 minutes) or key's
last use empties the kept pages by chance: only what is under test may change them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.clock import ManualClock
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import paris, parse
from tests.integration.swap_helpers import SOPHIES_NIGHT, Team, ask_ok

PAGES = ["/", "/schedule", "/interventions", "/rest", "/team", "/alerts"]


def kept_twice(browser: Client, path: str) -> str:
    first, second = browser.get(path), browser.get(path)
    assert first.status_code == second.status_code == 200, first.text
    assert first.text == second.text
    return second.text


def test_a_new_phone_number_shows_on_the_team_page_at_once(
    company: Company, browsers, make_client
) -> None:
    samuel = browsers("staff.a2@test.fr")
    assert "+33612345678" not in kept_twice(samuel, "/team")
    admin = browsers("admin@test.fr")
    form = {
        "name": "Sophie Staff",
        "email": "staff.a@test.fr",
        "phone": "+33 6 12 34 56 78",
        "role": "staff",
        "timezone": "Europe/Paris",
        "active": "true",
    }
    assert admin.post_form(f"/people/{company.staff_a.id}", form).status_code == 303
    assert 'href="tel:+33612345678"' in samuel.get("/team").text


def test_an_alert_raised_shows_on_the_alerts_page_at_once(company: Company, browsers) -> None:
    samuel, sophie = browsers("staff.a2@test.fr"), browsers("staff.a@test.fr")
    assert "Fuite au sous-sol" not in kept_twice(samuel, "/alerts")
    raised = sophie.post_form(
        "/alerts/new",
        {"team_id": str(company.team_a.id), "title": "Fuite au sous-sol", "severity": "warning"},
    )
    assert raised.status_code == 303, raised.text
    assert "Fuite au sous-sol" in samuel.get("/alerts").text


def test_the_schedule_page_turns_to_the_new_day_at_midnight(
    company: Company, clock: ManualClock, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    agenda = "/schedule?start=2026-11-30"  # two weeks: both days in view
    clock.set(paris(2026, 12, 2) - timedelta(seconds=1))
    sophie.get(agenda)  # the first request after the jump may write the session's touch
    before = parse(kept_twice(sophie, agenda)).one("section", class_="today")
    assert before.attrs["aria-labelledby"] == "d-2026-12-01"
    clock.set(paris(2026, 12, 2))
    after = parse(sophie.get(agenda).text).one("section", class_="today")
    assert after.attrs["aria-labelledby"] == "d-2026-12-02"


def test_the_rest_page_follows_the_minute(company: Company, clock: ManualClock, browsers) -> None:
    """The rest form's "To" is now, and may not be later: a copy from the minute before would
    refuse the time the person types."""
    sophie = browsers("staff.a@test.fr")
    clock.set(paris(2026, 11, 30, 10, 1) - timedelta(seconds=1))
    ended = parse(kept_twice(sophie, "/rest")).one("input", name="ended_at")
    assert ended.attrs["max"] == "2026-11-30T10:00"
    clock.set(paris(2026, 11, 30, 10, 1))
    ended = parse(sophie.get("/rest").text).one("input", name="ended_at")
    assert ended.attrs["max"] == "2026-11-30T10:01"


def test_the_interventions_page_says_the_minute_it_is_as_of(
    company: Company, clock: ManualClock, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    clock.set(paris(2026, 11, 30, 10, 1) - timedelta(seconds=1))
    as_of = parse(kept_twice(sophie, "/interventions")).one(class_="cached-at")
    assert as_of.attrs["data-rendered-at"] == "2026-11-30T09:00:00+00:00"
    clock.set(paris(2026, 11, 30, 10, 1))
    as_of = parse(sophie.get("/interventions").text).one(class_="cached-at")
    assert as_of.attrs["data-rendered-at"] == "2026-11-30T09:01:00+00:00"


def test_the_managers_swap_count_drops_when_the_request_expires(
    company: Company, database, browsers, clock: ManualClock
) -> None:
    """A request expires when its shift starts, with no write: the count in every page's frame
    follows."""
    team = Team(company, database, browsers)
    swap_id = ask_ok(team.sophie, team.night)
    assert team.samuel.post_form(f"/swaps/{swap_id}/accept").status_code == 303
    clock.set(SOPHIES_NIGHT[0] - timedelta(seconds=2))
    team.marc.get("/team")  # the first request after the jump may write the session's touch
    counter = parse(kept_twice(team.marc, "/team")).one("a", href="/swaps/inbox")
    assert counter.attrs["aria-label"] == "Échanges à approuver : 1"
    clock.set(SOPHIES_NIGHT[0])
    counter = parse(team.marc.get("/team").text).one("a", href="/swaps/inbox")
    assert counter.attrs["aria-label"] == "Échanges à approuver : 0"


@pytest.mark.parametrize("path", PAGES)
def test_a_kept_page_carries_each_browsers_own_csrf_token(
    company: Company, path: str, browsers
) -> None:
    phone, laptop = browsers("staff.a@test.fr"), browsers("staff.a@test.fr")
    assert phone.csrf() != laptop.csrf()
    for browser, other in ((phone, laptop), (laptop, phone), (phone, laptop)):
        page = browser.get(path)
        assert page.status_code == 200, page.text
        tokens = {n.attrs["value"] for n in parse(page.text).find_all("input", name="_csrf_token")}
        assert tokens <= {browser.csrf()}
        assert other.csrf() not in page.text
