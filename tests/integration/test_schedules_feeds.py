"""Calendar feeds: a person's and a team's published shifts as iCalendar behind secret URLs
that need no login, can be regenerated (the old one stops working) and die with the account."""

from __future__ import annotations

from datetime import date, datetime

import icalendar
import pytest

from server.db import Database
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import (
    add_rotation,
    paris,
    parse,
    publish_ok,
    shift_rows,
    weeknight,
)

# Primary order Samuel, Marc, Sophie (weekly from Monday 30 November): Sophie's turn is the
# week from Monday 14 December. The backup layer is shifted by one: Marc, Sophie, Samuel, so
# Samuel backs her up that week. Published: shifts starting 15–21 December.
SOPHIE_SHIFTS = [
    *(weeknight(date(2026, 12, day)) for day in (15, 16, 17)),
    (paris(2026, 12, 18, 18), paris(2026, 12, 21, 8)),
]


@pytest.fixture
def published(client: Client, company: Company) -> Client:
    client.login("manager.a@test.fr")
    order = [company.staff_a2.id, company.manager_a.id, company.staff_a.id]
    add_rotation(client, company.team_a.id, order, backup=True)
    publish_ok(client, company.team_a.id, "2026-12-15", "2026-12-21")
    return client


def feed_addresses(browser: Client) -> dict[str, str]:
    """Section title → the calendar path shown in it, from the feeds page."""
    page = parse(browser.get("/schedule/feeds").text)
    found = {}
    for section in page.find_all("section", class_="card"):
        field = section.find("input", class_="copy")
        if field is not None:
            url = field.attrs["value"]
            assert url.startswith("http://") and url.endswith(".ics"), url
            found[section.one("h2").text] = "/calendar/" + url.rsplit("/calendar/", 1)[1]
    return found


def events(body: bytes) -> list[tuple[datetime, datetime, str]]:
    calendar = icalendar.Calendar.from_ical(body)
    found = []
    for event in calendar.walk("VEVENT"):
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert start.tzinfo is not None and end.tzinfo is not None
        # Written in Paris time with a TZID, not floating and not UTC.
        assert event["dtstart"].params["TZID"] == "Europe/Paris"
        assert event["dtend"].params["TZID"] == "Europe/Paris"
        found.append((start, end, str(event["summary"])))
    return sorted(found)


def test_personal_and_team_feeds_hold_the_published_shifts(
    published: Client, company: Company, database: Database, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    page = parse(sophie.get("/schedule/feeds").text)
    assert [h.text for h in page.find_all("h2")] == ["Mes astreintes", "Maintenance"]
    assert page.find("input", class_="copy") is None  # nothing until asked for

    for team_id in ("", str(company.team_a.id)):
        response = sophie.post_form("/schedule/feeds", {"team_id": team_id})
        assert response.status_code == 303
        assert response.headers["location"] == "/schedule/feeds"
    addresses = feed_addresses(sophie)
    assert set(addresses) == {"Mes astreintes", "Maintenance"}
    assert addresses["Mes astreintes"] != addresses["Maintenance"]

    stranger = browsers()  # a calendar app: no session, no cookie
    mine = stranger.get(addresses["Mes astreintes"])
    assert mine.status_code == 200
    assert mine.headers.get_list("content-type") == ["text/calendar; charset=utf-8"]
    calendar = icalendar.Calendar.from_ical(mine.content)
    zones = [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")]
    assert zones == ["Europe/Paris"]
    assert events(mine.content) == [
        (start, end, "Astreinte — Sophie Staff") for start, end in SOPHIE_SHIFTS
    ]
    # The Friday event spans the weekend, in Paris time: 18:00 to Monday 08:00.
    weekend = icalendar.Calendar.from_ical(mine.content).walk("VEVENT")[-1].decoded("dtstart")
    assert (weekend.hour, weekend.utcoffset().total_seconds()) == (18, 3600)

    team = stranger.get(addresses["Maintenance"])
    assert team.status_code == 200
    monday = weeknight(date(2026, 12, 21))
    expected = [
        *((start, end, "Astreinte — Sophie Staff") for start, end in SOPHIE_SHIFTS),
        *((start, end, "Astreinte de renfort — Samuel Staff") for start, end in SOPHIE_SHIFTS),
        (*monday, "Astreinte — Samuel Staff"),
        (*monday, "Astreinte de renfort — Marc Manager"),
    ]
    assert events(team.content) == sorted(expected)
    assert len(shift_rows(database, company.team_a.id, status="published")) == len(expected)


def test_regenerating_revokes_the_old_address(
    published: Client, company: Company, database: Database, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    sophie.post_form("/schedule/feeds", {"team_id": ""})
    old = feed_addresses(sophie)["Mes astreintes"]
    stranger = browsers()
    assert stranger.get(old).status_code == 200

    page = parse(sophie.get("/schedule/feeds").text)
    assert "Nouvelle adresse" in page.text
    sophie.post_form("/schedule/feeds", {"team_id": ""})
    new = feed_addresses(sophie)["Mes astreintes"]
    assert new != old
    gone = stranger.get(old)
    assert gone.status_code == 404
    assert "Cette adresse de calendrier n’est plus valable." in gone.text
    assert stranger.get(new).status_code == 200
    assert len(events(stranger.get(new).content)) == len(SOPHIE_SHIFTS)
    assert (
        database.scalar(
            "SELECT COUNT(*) FROM calendar_feeds WHERE user_id = ? AND revoked_at IS NULL",
            (company.staff_a.id,),
        )
        == 1
    )


def test_a_made_up_address_is_404(published: Client, browsers) -> None:
    assert browsers().get("/calendar/not-a-token.ics").status_code == 404


def test_a_feed_for_a_team_one_is_not_in_is_refused(
    published: Client, company: Company, database: Database, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    response = sophie.post_form("/schedule/feeds", {"team_id": str(company.team_b.id)})
    assert response.status_code == 400
    assert database.scalar("SELECT COUNT(*) FROM calendar_feeds") == 0


def test_a_deactivated_persons_feeds_stop_working(
    published: Client, company: Company, database: Database, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    sophie.post_form("/schedule/feeds", {"team_id": ""})
    sophie.post_form("/schedule/feeds", {"team_id": str(company.team_a.id)})
    addresses = feed_addresses(sophie)
    stranger = browsers()
    assert all(stranger.get(path).status_code == 200 for path in addresses.values())

    # Her manager deactivates her account (the checkbox "active" left unticked).
    response = published.post_form(
        f"/people/{company.staff_a.id}",
        {
            "email": "staff.a@test.fr",
            "name": "Sophie Staff",
            "phone": "+33 6 00 00 00 00",
            "role": "staff",
        },
    )
    assert response.status_code == 303, response.text
    assert database.scalar("SELECT active FROM users WHERE id = ?", (company.staff_a.id,)) == 0
    for path in addresses.values():
        assert stranger.get(path).status_code == 404, path


def test_a_team_feed_stops_when_the_person_leaves_the_team(
    published: Client, company: Company, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    sophie.post_form("/schedule/feeds", {"team_id": ""})
    sophie.post_form("/schedule/feeds", {"team_id": str(company.team_a.id)})
    addresses = feed_addresses(sophie)
    admin = browsers("admin@test.fr")
    response = admin.post_form(
        f"/admin/teams/{company.team_a.id}/members/{company.staff_a.id}/remove"
    )
    assert response.status_code == 303
    stranger = browsers()
    assert stranger.get(addresses["Maintenance"]).status_code == 404
    # Her own feed still lists her own published shifts.
    assert len(events(stranger.get(addresses["Mes astreintes"]).content)) == len(SOPHIE_SHIFTS)


def test_feeds_show_who_really_holds_a_night_after_an_override(
    published: Client, company: Company, browsers
) -> None:
    """Marc replaces Sophie on the night of 16 December: her calendar loses that night, his
    gains it, and the team calendar shows Marc, not both of them."""
    response = published.post_form(
        f"/schedule/manage/overrides?team={company.team_a.id}",
        {
            "user_id": str(company.manager_a.id),
            "layer": "primary",
            "starts_at": "2026-12-16T18:00",
            "ends_at": "2026-12-17T08:00",
        },
    )
    assert response.status_code == 303, response.text
    sophie, marc = browsers("staff.a@test.fr"), browsers("manager.a@test.fr")
    for browser in (sophie, marc):
        browser.post_form("/schedule/feeds", {"team_id": ""})
    night = (paris(2026, 12, 16, 18), paris(2026, 12, 17, 8))
    sophie_nights = [
        (s, e) for s, e, _ in events(sophie.get(feed_addresses(sophie)["Mes astreintes"]).content)
    ]
    marc_nights = [
        (s, e) for s, e, _ in events(marc.get(feed_addresses(marc)["Mes astreintes"]).content)
    ]
    assert night not in sophie_nights
    assert len(sophie_nights) == len(SOPHIE_SHIFTS) - 1
    assert night in marc_nights
    sophie.post_form("/schedule/feeds", {"team_id": str(company.team_a.id)})
    team = events(sophie.get(feed_addresses(sophie)["Maintenance"]).content)
    holders = sorted(summary for start, end, summary in team if (start, end) == night)
    assert holders == ["Astreinte de renfort — Samuel Staff", "Astreinte — Marc Manager"]


def test_a_feed_address_is_shown_once_and_only_its_hash_is_kept(
    published: Client, company: Company, database: Database, browsers
) -> None:
    """Whoever reads the database (or a backup) cannot read the schedules: the address is on the
    page the browser opens after making it, then never again; it keeps working."""
    sophie = browsers("staff.a@test.fr")
    sophie.post_form("/schedule/feeds", {"team_id": ""})
    path = feed_addresses(sophie)["Mes astreintes"]
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    assert token not in "\n".join(database.conn.iterdump())

    again = sophie.get("/schedule/feeds")
    assert feed_addresses(sophie) == {}
    assert "Une adresse est active depuis" in parse(again.text).text
    assert token not in again.text
    assert len(events(browsers().get(path).content)) == len(SOPHIE_SHIFTS)
    # Another browser of hers, or a forged cookie, is shown nothing.
    other = browsers("staff.a@test.fr")
    other.cookies.set("astreinte_new_feeds", f"me:{token}", path="/schedule/feeds")
    assert token in other.get("/schedule/feeds").text  # her own valid token: harmless
    other.cookies.set("astreinte_new_feeds", "me:made-up-token", path="/schedule/feeds")
    assert feed_addresses(other) == {}


def test_feeds_subscribed_before_tokens_were_hashed_keep_working(
    tmp_path, monkeypatch: pytest.MonkeyPatch, clock
) -> None:
    """A database from before migration 0010 held tokens in clear: after it, the calendar apps
    already subscribed to those addresses still get their schedule."""
    import server.db
    from server.app import create_app
    from server.settings import load_settings

    path = tmp_path / "old.db"
    older = [f for f in server.db.migration_files() if f.name < "0010"]
    monkeypatch.setattr(server.db, "migration_files", lambda: older)
    old = server.db.Database(path)
    server.db.migrate(old)
    with old.write():
        old.execute(
            "INSERT INTO users (id, email, name, role, active, timezone, created_at, "
            "updated_at) VALUES (1, 'sophie@test.fr', 'Sophie', 'staff', 1, 'Europe/Paris', "
            "'2026-11-01', '2026-11-01')"
        )
        old.execute(
            "INSERT INTO calendar_feeds (user_id, team_id, token, created_at) "
            "VALUES (1, NULL, 'an-old-clear-token', '2026-11-01T00:00:00Z')"
        )
    old.close()
    monkeypatch.undo()

    upgraded = server.db.open_database(path)
    stored = upgraded.scalar("SELECT token_hash FROM calendar_feeds")
    assert stored != "an-old-clear-token" and len(stored) == 64
    settings = load_settings({}, data_dir=str(tmp_path / "data"), engine_interval=0)
    app = create_app(settings, clock=clock, database=upgraded)
    with Client(app=app, base_url="http://testserver.local") as calendar_app:
        answer = calendar_app.get("/calendar/an-old-clear-token.ics")
        assert answer.status_code == 200, answer.text
        assert calendar_app.get("/calendar/another-token.ics").status_code == 404
    upgraded.close()
