"""Publishing shifts with notice: 15 days, or exceptional circumstances with a reason, never
less than one clear day; the publication time is kept, each person is told once."""

from __future__ import annotations

import json
from datetime import date, timedelta

import icalendar
import pytest

from server.apikeys.store import create_key
from server.audit.models import Actor
from server.clock import ManualClock
from server.db import Database
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import (
    add_rotation,
    notifications_of,
    page_text,
    paris,
    parse,
    publish,
    publish_ok,
    shift_rows,
    snapshot,
    stored,
    weeknight,
)

# Primary order: Samuel (turn 0), Sophie (turn 1), Marc (turn 2), Samuel (turn 3) …
# The backup layer is shifted by one: Sophie (turn 0), Marc (turn 1), Samuel (turn 2) …
# So from Tuesday 15 to Monday 21 December 2026: Marc is on call the nights of the 15th, 16th
# and 17th and the weekend from Friday 18th 18:00 to Monday 21st 08:00, with Samuel as backup;
# on Monday 21st at 18:00 turn 3 begins: Samuel on call, Sophie backup.


@pytest.fixture
def manager(client: Client, company: Company) -> Client:
    client.login("manager.a@test.fr")
    people = [company.staff_a2.id, company.staff_a.id, company.manager_a.id]
    add_rotation(client, company.team_a.id, people, backup=True)
    return client


def expected_week_of_15th(company: Company) -> list[tuple]:
    """(layer, user, start, end) of the shifts that start between 15 and 21 December."""
    marc, samuel, sophie = company.manager_a.id, company.staff_a2.id, company.staff_a.id
    nights = [weeknight(date(2026, 12, day)) for day in (15, 16, 17)]
    weekend = (paris(2026, 12, 18, 18), paris(2026, 12, 21, 8))
    monday = weeknight(date(2026, 12, 21))
    rows = []
    for start, end in [*nights, weekend]:
        rows.append(("primary", marc, start, end))
        rows.append(("secondary", samuel, start, end))
    rows.append(("primary", samuel, *monday))
    rows.append(("secondary", sophie, *monday))
    return sorted(rows, key=lambda r: (r[2], r[0]))


def as_rows(rows: list[dict]) -> list[tuple]:
    return [(r["layer"], r["user_id"], r["starts_at"], r["ends_at"]) for r in rows]


def test_publishing_with_full_notice_tells_each_person_once(
    manager: Client, company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    drafts_before = len(shift_rows(database, company.team_a.id, status="draft"))
    assert drafts_before == 2 * 58

    # Tuesday 15 December is 15 days after Monday 30 November: normal notice, no tick needed.
    response = publish(manager, company.team_a.id, "2026-12-15", "2026-12-21")
    assert response.status_code == 303, response.text
    assert (
        response.headers["location"]
        == f"/schedule/manage?team={company.team_a.id}&done=published-10"
    )

    published = shift_rows(database, company.team_a.id, status="published")
    expected = [
        (layer, user, stored(s), stored(e)) for layer, user, s, e in expected_week_of_15th(company)
    ]
    assert as_rows(published) == expected
    for row in published:
        assert row["published_at"] == stored(clock.now()) == "2026-11-30T09:00:00Z"
        assert row["exceptional_reason"] is None
        assert row["answered_at"] is None
    # Everything else stays a draft.
    assert len(shift_rows(database, company.team_a.id, status="draft")) == drafts_before - 10

    # One notice per person, whatever the number of their shifts.
    marc, samuel, sophie = company.manager_a, company.staff_a2, company.staff_a
    for person, count in ((marc, 4), (samuel, 5), (sophie, 1)):
        notices = notifications_of(database, person.id, "shifts_published")
        assert len(notices) == 1, person.email
        params = json.loads(notices[0]["params"])
        assert params["count"] == count
        assert params["team"] == "Maintenance"
        assert notices[0]["url"] == "/schedule/mine"
    assert json.loads(notifications_of(database, samuel.id)[0]["params"])["first"].startswith(
        "2026-12-15T17:00:00"
    )
    for outsider in (company.staff_b, company.manager_b, company.admin):
        assert notifications_of(database, outsider.id) == []

    # Samuel reads it in French on his notification list.
    samuel_phone = browsers("staff.a2@test.fr")
    text = page_text(samuel_phone.get("/notifications").text)
    assert "Nouvelles astreintes pour vous" in text
    assert (
        "5 astreintes publiées dans Maintenance, à partir du 15/12/2026 18:00. "
        "Merci de les accepter." in text
    )
    sophie_phone = browsers("staff.a@test.fr")
    assert (
        "1 astreinte publiée dans Maintenance, à partir du 21/12/2026 18:00. Merci de l’accepter."
        in page_text(sophie_phone.get("/notifications").text)
    )

    # The audit log keeps the publication: who, when, which range, how many.
    entries = database.query("SELECT * FROM audit_log WHERE action = 'shifts.publish'")
    assert len(entries) == 1
    entry = entries[0]
    assert entry["actor"] == "manager.a@test.fr"
    assert entry["actor_user_id"] == company.manager_a.id
    assert entry["team_id"] == company.team_a.id
    assert entry["at"] == "2026-11-30T09:00:00Z"
    after = json.loads(entry["after"])
    assert after["start"] == "2026-12-15"
    assert after["end"] == "2026-12-21"
    assert after["count"] == 10
    assert after["exceptional"] == 0

    # The manager's page says so and lists the ten shifts as waiting for an answer.
    page = parse(manager.get(response.headers["location"]).text)
    assert "Publié : chaque personne est prévenue et invitée à accepter." in page.text
    todo = page.section("todo-title")
    assert (
        todo.one("h2").one("span", class_="tag").text == "4"
    )  # Marc's run, Samuel's run, Monday ×2
    assert todo.text.count("sans réponse") == 4


def test_publishing_again_publishes_nothing_twice(
    manager: Client, company: Company, database: Database, clock: ManualClock
) -> None:
    publish_ok(manager, company.team_a.id, "2026-12-15", "2026-12-21")
    clock.advance(timedelta(hours=2))
    before = snapshot(database)
    response = publish(manager, company.team_a.id, "2026-12-15", "2026-12-21")
    assert response.status_code == 400
    assert "Aucune astreinte en brouillon à publier sur cette période." in page_text(response.text)
    assert snapshot(database) == before
    assert len(notifications_of(database, company.staff_a2.id, "shifts_published")) == 1


def test_the_preview_tells_the_manager_before_publishing(
    manager: Client, company: Company, database: Database
) -> None:
    team = company.team_a.id

    def preview(start: str, end: str) -> str:
        response = manager.get(
            f"/schedule/manage/publish/preview?team={team}&start={start}&end={end}"
        )
        assert response.status_code == 200
        return parse(response.text).text

    assert preview("2026-12-15", "2026-12-21") == "10 astreintes seront publiées."
    short = preview("2026-12-10", "2026-12-16")
    assert short.startswith("10 astreintes seront publiées.")
    assert "6 commencent avec un délai de prévenance plus court que la règle" in short
    late = preview("2026-12-01", "2026-12-02")
    # Tuesday 1st's night cannot be published; Wednesday 2nd's can, in exceptional circumstances.
    assert "4 astreintes seront publiées." in late
    assert "2 commencent trop tôt pour pouvoir être publiées." in late
    assert preview("2027-06-01", "2027-06-30") == (
        "Aucune astreinte en brouillon à publier sur cette période."
    )
    assert shift_rows(database, team, status="published") == []


@pytest.mark.parametrize(
    ("exceptional", "reason"),
    [(False, ""), (True, ""), (True, "   "), (False, "Jean est malade")],
    ids=["no tick", "tick without reason", "tick with blank reason", "reason without tick"],
)
def test_short_notice_without_exceptional_circumstances_is_refused(
    manager: Client,
    company: Company,
    database: Database,
    exceptional: bool,
    reason: str,
) -> None:
    before = snapshot(database)
    audit_before = database.scalar("SELECT COUNT(*) FROM audit_log")
    # From Wednesday 2 to Tuesday 8 December: 2 to 8 days of notice, less than 15.
    response = publish(
        manager,
        company.team_a.id,
        "2026-12-02",
        "2026-12-08",
        exceptional=exceptional,
        reason=reason,
    )
    assert response.status_code == 422, response.text
    alert = parse(response.text).section("publish-title").one(role="alert")
    if exceptional:
        # The box is ticked: the message names what is missing, the reason.
        assert "cochées : indiquez la raison du délai réduit" in alert.text
    else:
        # Wed 2, Thu 3, Fri 4 (weekend), Mon 7, Tue 8: five in each layer.
        assert "10 astreintes commencent dans moins de 15 jours" in alert.text
        assert "Cochez « circonstances exceptionnelles »" in alert.text
    assert snapshot(database) == before
    assert database.scalar("SELECT COUNT(*) FROM notifications") == 0
    assert database.scalar("SELECT COUNT(*) FROM audit_log") == audit_before


def test_one_day_short_of_full_notice_needs_the_tick(
    manager: Client, company: Company, database: Database
) -> None:
    # Monday 14 December is 14 days ahead: one too few.
    response = publish(manager, company.team_a.id, "2026-12-14", "2026-12-14")
    assert response.status_code == 422
    assert shift_rows(database, company.team_a.id, status="published") == []


def test_exceptional_circumstances_with_a_reason_publish_and_keep_the_reason(
    manager: Client, company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    reason = "Départ imprévu d’un technicien"
    # 10 to 16 December: the nights of Thursday 10th, the weekend from Friday 11th and the night
    # of Monday 14th start with less than 15 days of notice; the 15th and 16th have enough.
    publish_ok(
        manager, company.team_a.id, "2026-12-10", "2026-12-16", exceptional=True, reason=reason
    )
    published = shift_rows(database, company.team_a.id, status="published")
    assert len(published) == 10
    short_starts = {stored(weeknight(date(2026, 12, day))[0]) for day in (10, 11, 14)}
    for row in published:
        assert row["published_at"] == stored(clock.now())
        if row["starts_at"] in short_starts:
            assert row["exceptional_reason"] == reason, row
        else:
            assert row["starts_at"] in {stored(weeknight(date(2026, 12, d))[0]) for d in (15, 16)}
            assert row["exceptional_reason"] is None, row
    assert sum(r["exceptional_reason"] == reason for r in published) == 6

    entry = database.one("SELECT * FROM audit_log WHERE action = 'shifts.publish'")
    after = json.loads(entry["after"])
    assert (after["count"], after["exceptional"], after["reason"]) == (10, 6, reason)

    # Sophie (on call that week) sees the reason next to each short-notice shift.
    sophie = browsers("staff.a@test.fr")
    rows = parse(sophie.get("/schedule/mine").text).find_all("li", class_="my-shift")
    texts = [row.text for row in rows]
    # Her turn (from Monday 7th) ends with the night of Thursday 10th and the weekend from the
    # 11th: both published here, both with less than 15 days of notice.
    assert len(texts) == 2
    assert all(f"Délai réduit : {reason}" in text for text in texts)


@pytest.mark.parametrize(
    ("start", "status"),
    [("2026-12-01", 422), ("2026-12-02", 303)],
    ids=["told the day before: refused", "one clear day between: allowed"],
)
def test_less_than_one_clear_day_is_refused_even_in_exceptional_circumstances(
    manager: Client, company: Company, database: Database, start: str, status: int
) -> None:
    before = snapshot(database)
    response = publish(
        manager, company.team_a.id, start, "2026-12-02", exceptional=True, reason="Urgence"
    )
    assert response.status_code == status, response.text
    if status == 422:
        alert = parse(response.text).section("publish-title").one(role="alert")
        assert "01/12/2026 18:00" in alert.text
        assert "jour franc" in alert.text
        assert snapshot(database) == before
        assert database.scalar("SELECT COUNT(*) FROM notifications") == 0
    else:
        published = shift_rows(database, company.team_a.id, status="published")
        # Wednesday 2 December 18:00, both layers.
        assert {r["starts_at"] for r in published} == {stored(paris(2026, 12, 2, 18))}
        assert len(published) == 2
        assert all(r["exceptional_reason"] == "Urgence" for r in published)


def test_drafts_stay_invisible_to_staff_until_published(
    manager: Client, company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    token, _key = create_key(
        database, company.team_a.id, "PBX", actor=Actor(label="test"), now=clock.now()
    )
    api = browsers()
    api.headers["Authorization"] = f"Bearer {token}"
    samuel = browsers("staff.a2@test.fr")
    samuel.post_form("/schedule/feeds", {"team_id": str(company.team_a.id)})
    feed_path = feed_url(samuel)
    team = company.team_a.id
    wednesday_night = "2026-12-16T23:00:00+01:00"

    def day_section(html: str):
        return parse(html).section("d-2026-12-16")

    # Before publication: nobody on call anywhere a staff member (or an integration) looks.
    day = day_section(samuel.get(f"/schedule?team={team}&start=2026-12-14").text)
    assert "Personne d’astreinte." in day.text
    assert "Marc Manager" not in day.text
    assert "Aucune astreinte n’est prévue pour vous." in page_text(
        samuel.get("/schedule/mine").text
    )
    oncall = api.get(f"/api/v1/teams/{team}/oncall", params={"at": wednesday_night}).json()
    assert oncall["primary"] is None and oncall["secondary"] is None
    listing = api.get(
        f"/api/v1/teams/{team}/shifts",
        params={"from": "2026-11-30T00:00:00+01:00", "to": "2027-02-28T00:00:00+01:00"},
    )
    assert listing.status_code == 200 and listing.json() == []
    calendar = icalendar.Calendar.from_ical(browsers().get(feed_path).content)
    assert calendar.walk("VEVENT") == []

    publish_ok(manager, team, "2026-12-15", "2026-12-21")

    day = day_section(samuel.get(f"/schedule?team={team}&start=2026-12-14").text)
    slots = [li.text for li in day.find_all("li", class_="slot")]
    assert any("Astreinte" in s and "Marc Manager" in s for s in slots), slots
    assert any("Renfort" in s and "Samuel Staff" in s for s in slots), slots
    # Monday 14th is still a draft: the day before shows nobody.
    monday = parse(samuel.get(f"/schedule?team={team}&start=2026-12-14").text).section(
        "d-2026-12-14"
    )
    assert "Personne d’astreinte." in monday.text
    mine = parse(samuel.get("/schedule/mine").text).find_all("li", class_="my-shift")
    assert len(mine) == 5
    oncall = api.get(f"/api/v1/teams/{team}/oncall", params={"at": wednesday_night}).json()
    assert oncall["primary"]["name"] == "Marc Manager"
    assert oncall["secondary"]["name"] == "Samuel Staff"
    listing = api.get(
        f"/api/v1/teams/{team}/shifts",
        params={"from": "2026-11-30T00:00:00+01:00", "to": "2027-02-28T00:00:00+01:00"},
    ).json()
    assert len(listing) == 10
    assert {item["status"] for item in listing} == {"published"}
    calendar = icalendar.Calendar.from_ical(browsers().get(feed_path).content)
    assert len(calendar.walk("VEVENT")) == 10


def feed_url(client: Client) -> str:
    """The path of the first calendar address shown on the person's feeds page."""
    fields = parse(client.get("/schedule/feeds").text).find_all("input", class_="copy")
    assert fields, "no calendar address on the page"
    value = fields[-1].attrs["value"]
    return "/calendar/" + value.rsplit("/calendar/", 1)[1]


def test_week_and_month_views_show_published_shifts_of_the_chosen_team(
    manager: Client, company: Company, browsers
) -> None:
    team = company.team_a.id
    publish_ok(manager, team, "2026-12-15", "2026-12-21")
    samuel = browsers("staff.a2@test.fr")

    week = parse(samuel.get(f"/schedule?team={team}&view=week&start=2026-12-16").text)
    days = [s.attrs["aria-labelledby"] for s in week.find_all("section", class_="day")]
    assert days == [f"d-2026-12-{d}" for d in range(14, 21)]  # Monday to Sunday
    saturday = week.section("d-2026-12-19")
    assert [li.text for li in saturday.find_all("li", class_="slot")] == [
        "Astreinte Marc Manager ven. 18 déc. 18:00 → lun. 21 déc. 08:00 +33 6 00 00 00 00",
        "Renfort Samuel Staff ven. 18 déc. 18:00 → lun. 21 déc. 08:00 +33 6 00 00 00 00",
    ]
    tel = saturday.find("a", class_="tel")
    assert tel is not None and tel.attrs["href"] == "tel:+33600000000"

    month = parse(samuel.get(f"/schedule?team={team}&view=month&start=2026-12-16").text)
    assert "Décembre 2026" in month.text
    cells = month.find_all("a", class_="month-day")
    # From Monday 30 November to Sunday 3 January: five whole weeks.
    assert len(cells) == 35
    december = {
        int(c.one("span", class_="date").text): [a.attrs["title"] for a in c.find_all("abbr")]
        for c in cells
        if "other" not in c.attrs["class"].split()
    }
    assert len(december) == 31
    assert december[14] == []  # Monday 14th's night is still a draft
    assert december[15] == ["Marc Manager"]
    assert december[19] == ["Marc Manager"]
    assert december[21] == ["Marc Manager", "Samuel Staff"]  # the weekend ends, turn 3 begins
    assert december[22] == ["Samuel Staff"]
    assert december[23] == []
    assert [d for d, names in december.items() if names] == list(range(15, 23))

    # Team B (no shift) through the filter, for someone who sees both teams.
    admin = browsers("admin@test.fr")
    page = parse(admin.get(f"/schedule?team={company.team_b.id}&start=2026-12-14").text)
    selected = [
        o for o in page.one("select", name="team").find_all("option") if "selected" in o.attrs
    ]
    assert [o.text for o in selected] == ["Informatique"]
    assert "Marc Manager" not in page.one("main").text
    assert page.section("d-2026-12-16").text.endswith("Personne d’astreinte.")
    # Samuel is not in team B: asking for it shows his own team, not B's.
    page = parse(samuel.get(f"/schedule?team={company.team_b.id}&start=2026-12-14").text)
    assert "Marc Manager" in page.section("d-2026-12-16").text
