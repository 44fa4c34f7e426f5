"""Who is on call next, where people look: Today says who comes when nobody is on call (and the
kept copy of Today turns at the hand-off), the agenda lists a night once, and the month view
has a legend and days that open the agenda."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.clock import ManualClock
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import add_rotation, paris, parse, publish_ok


@pytest.fixture
def sophie_from_15_december(client: Client, company: Company) -> None:
    """Weekly turns from Monday 30 November: Samuel, Marc, then Sophie from 14 December, on
    weeknights (18:00–08:00) and the weekend; published from Tuesday 15 December."""
    client.login("manager.a@test.fr")
    order = [company.staff_a2.id, company.manager_a.id, company.staff_a.id]
    add_rotation(client, company.team_a.id, order)
    publish_ok(client, company.team_a.id, "2026-12-15", "2026-12-21")


def team_card(browser: Client, company: Company) -> str:
    return parse(browser.get("/").text).section(f"team-now-{company.team_a.id}").text


def test_today_says_who_comes_next_when_nobody_is_on_call(
    sophie_from_15_december, company: Company, clock: ManualClock, browsers
) -> None:
    samuel = browsers("staff.a2@test.fr")
    clock.set(paris(2026, 12, 15, 16, 55))
    card = team_card(samuel, company)
    assert "D’astreinte en ce moment : personne" in card
    assert "Ensuite : Sophie Staff dès mar. 15 déc. 18:00" in card
    # Nobody comes for the backup within the week: no "next" line for it.
    assert card.count("Ensuite") == 1
    # The kept copy is still right a minute before the hand-off, and turns at it.
    clock.set(paris(2026, 12, 15, 17, 59))
    assert "Ensuite : Sophie Staff dès mar. 15 déc. 18:00" in team_card(samuel, company)
    clock.set(paris(2026, 12, 15, 18, 0))
    card = team_card(samuel, company)
    assert "D’astreinte en ce moment : Sophie Staff jusqu’au mer. 16 déc. 08:00" in card
    assert "Ensuite" not in card
    # The next morning, between two nights: the evening's person, with the day and time.
    clock.advance(timedelta(hours=14, minutes=30))
    assert "Ensuite : Sophie Staff dès mer. 16 déc. 18:00" in team_card(samuel, company)


def test_the_agenda_lists_each_night_once(
    sophie_from_15_december, company: Company, browsers
) -> None:
    samuel = browsers("staff.a2@test.fr")
    page = parse(samuel.get(f"/schedule?team={company.team_a.id}&start=2026-12-14").text)
    slots = [li.text for li in page.find_all("li", class_="slot")]
    assert len(slots) == len(set(slots)), slots
    tuesday_night = "Sophie Staff mar. 15 déc. 18:00 → mer. 16 déc. 08:00"
    assert [s for s in slots if tuesday_night in s], slots
    assert tuesday_night in page.section("d-2026-12-15").text
    assert tuesday_night not in page.section("d-2026-12-16").text
    # The weekend is listed on the Friday it starts; Saturday says it is covered, not empty.
    assert "ven. 18 déc. 18:00 → lun. 21 déc. 08:00" in page.section("d-2026-12-18").text
    saturday = page.section("d-2026-12-19")
    assert saturday.find_all("li", class_="slot") == []
    assert "Couvert par une astreinte indiquée un jour précédent." in saturday.text
    assert "Personne d’astreinte." in page.section("d-2026-12-14").text  # a draft


def test_the_month_view_has_a_legend_and_each_day_opens_its_agenda(
    sophie_from_15_december, company: Company, clock: ManualClock, browsers
) -> None:
    team = company.team_a.id
    clock.set(paris(2026, 12, 16, 10, 0))
    samuel = browsers("staff.a2@test.fr")
    page = parse(samuel.get(f"/schedule?team={team}&view=month&start=2026-12-01").text)
    days = page.find_all("a", class_="month-day")
    assert len(days) == 35
    by_date = {d.attrs["href"]: d for d in days}
    wednesday = by_date[f"/schedule?team={team}&view=agenda&start=2026-12-16"]
    assert "today" in wednesday.attrs["class"].split()
    legend = page.section("legend-title").text
    assert "SS Sophie Staff d’astreinte" in legend
    for mark in ("Aujourd’hui", "jour férié", "Jour d’un autre mois"):
        assert mark in legend
    # The day's link leads to that day's agenda, with who and their number.
    agenda = parse(samuel.get(wednesday.attrs["href"]).text)
    first = agenda.find_all("section", class_="day")[0]
    assert first.attrs["aria-labelledby"] == "d-2026-12-16"
    assert "Sophie Staff" in first.text
    assert first.find("a", class_="tel") is not None


def test_who_is_next_reads_in_english(
    sophie_from_15_december, company: Company, clock: ManualClock, browsers
) -> None:
    samuel = browsers("staff.a2@test.fr")
    samuel.headers["Accept-Language"] = "en"
    clock.set(paris(2026, 12, 15, 16, 55))
    card = team_card(samuel, company)
    assert "On call now: nobody" in card
    assert "Next: Sophie Staff from " in card  # the date's own format is point 8's
    month = parse(samuel.get(f"/schedule?team={company.team_a.id}&view=month").text)
    legend = month.section("legend-title").text
    assert "Sophie Staff on call" in legend and "Day of another month" in legend
