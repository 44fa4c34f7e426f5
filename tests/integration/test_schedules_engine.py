"""The background engine with the clock moved by hand: reminders before a shift (24 h and 1 h
by default, once each, per person), rotations kept generated up to their horizon, and the
Today page following the clock."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from server.clock import ManualClock
from server.db import Database
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import (
    add_rotation,
    notifications_of,
    page_text,
    paris,
    parse,
    publish_ok,
    shift_at,
    shift_rows,
    turn_of,
)

# Primary Samuel, Sophie, Marc … weekly from Monday 30 November; backup Sophie, Marc, Samuel.
# Published: shifts starting 15–21 December. Marc is on call from Tuesday 15th 18:00 (nights of
# the 15th, 16th, 17th, the weekend of the 18th), Samuel behind him.
TUESDAY = paris(2026, 12, 15, 18)


@pytest.fixture
def published(client: Client, company: Company) -> Client:
    client.login("manager.a@test.fr")
    order = [company.staff_a2.id, company.staff_a.id, company.manager_a.id]
    add_rotation(client, company.team_a.id, order, backup=True)
    publish_ok(client, company.team_a.id, "2026-12-15", "2026-12-21")
    return client


def colons(text: str) -> str:
    """French puts a space before a colon; the page's labels are read with or without it."""
    return re.sub(r"\s*:\s", " : ", text)


def run_engine(app, clock: ManualClock, moment=None) -> dict[str, int]:
    if moment is not None:
        clock.set(moment)
    return app.state.engine.run_once()


def reminders(database: Database, user_id: int) -> list[dict]:
    return [json.loads(n["params"]) for n in notifications_of(database, user_id, "shift_reminder")]


def test_reminders_a_day_and_an_hour_before_once_each(
    published: Client, app, company: Company, database: Database, clock: ManualClock
) -> None:
    marc = company.manager_a.id
    # 30 hours before: nothing yet.
    done = run_engine(app, clock, TUESDAY - timedelta(hours=30))
    assert done["shift_reminders"] == 0
    assert database.scalar("SELECT COUNT(*) FROM notifications WHERE kind = 'shift_reminder'") == 0

    # 24 hours before: the day-before reminder, to Marc (on call) and Samuel (his backup).
    done = run_engine(app, clock, TUESDAY - timedelta(hours=24))
    assert done["shift_reminders"] == 2
    assert [r["minutes"] for r in reminders(database, marc)] == [1440]
    assert reminders(database, marc)[0]["start"].startswith("2026-12-15T17:00:00")
    assert reminders(database, marc)[0]["team"] == "Maintenance"
    assert [r["minutes"] for r in reminders(database, company.staff_a2.id)] == [1440]
    assert reminders(database, company.staff_a.id) == []

    # The engine runs every 30 seconds: no duplicate.
    assert run_engine(app, clock)["shift_reminders"] == 0
    assert run_engine(app, clock, TUESDAY - timedelta(hours=12))["shift_reminders"] == 0
    assert len(reminders(database, marc)) == 1

    # One hour before: the second reminder, and only for Tuesday (Wednesday is 25 h away).
    assert run_engine(app, clock, TUESDAY - timedelta(hours=1))["shift_reminders"] == 2
    assert [r["minutes"] for r in reminders(database, marc)] == [1440, 60]
    assert run_engine(app, clock, TUESDAY - timedelta(minutes=1))["shift_reminders"] == 0
    assert len(reminders(database, marc)) == 2
    notice = notifications_of(database, marc, "shift_reminder")[-1]
    assert notice["created_at"] == "2026-12-15T16:00:00Z"

    # Marc reads them in French.
    text = page_text(published.get("/notifications").text)
    assert text.count("Astreinte imminente") == 2
    assert "Votre astreinte commence le 15/12/2026 18:00 (Maintenance)." in text


def test_a_first_run_an_hour_before_sends_one_reminder_not_two(
    published: Client, app, company: Company, database: Database, clock: ManualClock
) -> None:
    # The engine did not run for a day (server down): at 17:30 both reminders are due.
    assert run_engine(app, clock, TUESDAY - timedelta(minutes=30))["shift_reminders"] == 2
    assert [r["minutes"] for r in reminders(database, company.manager_a.id)] == [60]
    tuesday = shift_at(database, company.team_a.id, "primary", TUESDAY)
    marked = database.query(
        "SELECT offset_minutes FROM shift_reminders WHERE shift_id = ? ORDER BY offset_minutes",
        (tuesday["id"],),
    )
    assert [m["offset_minutes"] for m in marked] == [60, 1440]
    assert run_engine(app, clock, TUESDAY - timedelta(minutes=10))["shift_reminders"] == 0
    assert len(reminders(database, company.manager_a.id)) == 1


@pytest.mark.parametrize(
    ("choice", "expected"),
    [("", []), ("60", [60]), ("1440", [1440]), ("1440,60", [1440, 60])],
    ids=["none", "an hour before", "a day before", "both"],
)
def test_each_person_chooses_their_reminders(
    published: Client,
    app,
    company: Company,
    database: Database,
    clock: ManualClock,
    choice: str,
    expected: list[int],
) -> None:
    # Marc sets his preference on the settings page (the form sends every field).
    response = published.post_form(
        "/settings/preferences",
        {
            "locale": "",
            "timezone": "Europe/Paris",
            "phone": "+33 6 00 00 00 00",
            "reminder_minutes": choice,
        },
    )
    assert response.status_code == 303, response.text
    for hours in (30, 24, 12, 1):
        run_engine(app, clock, TUESDAY - timedelta(hours=hours))
    assert [r["minutes"] for r in reminders(database, company.manager_a.id)] == expected
    # Samuel, who kept the default, gets both for the same night.
    assert [r["minutes"] for r in reminders(database, company.staff_a2.id)] == [1440, 60]


def test_a_declined_shift_gets_no_reminder_an_accepted_one_does(
    published: Client, app, company: Company, database: Database, clock: ManualClock
) -> None:
    tuesday = shift_at(database, company.team_a.id, "primary", TUESDAY)
    wednesday = shift_at(database, company.team_a.id, "primary", paris(2026, 12, 16, 18))
    declined = published.post_form(
        f"/schedule/shifts/{tuesday['id']}/decline", {"reason": "Rendez-vous médical"}
    )
    assert declined.status_code == 303
    assert published.post_form(f"/schedule/shifts/{wednesday['id']}/accept").status_code == 303
    for hours in (24, 1):
        run_engine(app, clock, TUESDAY - timedelta(hours=hours))
    assert reminders(database, company.manager_a.id) == []
    for hours in (24, 1):
        run_engine(app, clock, paris(2026, 12, 16, 18) - timedelta(hours=hours))
    got = reminders(database, company.manager_a.id)
    assert [r["minutes"] for r in got] == [1440, 60]
    assert {r["start"][:19] for r in got} == {"2026-12-16T17:00:00"}


def test_nobody_is_reminded_of_a_shift_an_override_took_from_them(
    published: Client, app, company: Company, database: Database, clock: ManualClock
) -> None:
    # Sophie takes all of Marc's Tuesday night; Marc is told it is no longer his.
    response = published.post_form(
        f"/schedule/manage/overrides?team={company.team_a.id}",
        {
            "user_id": str(company.staff_a.id),
            "layer": "primary",
            "starts_at": "2026-12-15T18:00:00",
            "ends_at": "2026-12-16T08:00:00",
        },
    )
    assert response.status_code == 303, response.text
    assert len(notifications_of(database, company.manager_a.id, "shift_removed")) == 1
    for hours in (24, 1):
        run_engine(app, clock, TUESDAY - timedelta(hours=hours))
    assert [r["minutes"] for r in reminders(database, company.staff_a.id)] == [1440, 60]
    assert [r["minutes"] for r in reminders(database, company.staff_a2.id)] == [1440, 60]
    # Marc is not on call that night: "on call soon" would contradict what he was told.
    assert reminders(database, company.manager_a.id) == []


def test_drafts_get_no_reminder(
    published: Client, app, company: Company, database: Database, clock: ManualClock
) -> None:
    # Monday 14th 18:00 (Marc, still a draft) starts an hour later.
    run_engine(app, clock, paris(2026, 12, 14, 17))
    assert reminders(database, company.manager_a.id) == []


def test_the_engine_extends_rotations_as_time_goes_by(
    client: Client, app, company: Company, database: Database, clock: ManualClock
) -> None:
    client.login("manager.a@test.fr")
    order = [company.staff_a2.id, company.staff_a.id, company.manager_a.id]
    add_rotation(client, company.team_a.id, order)
    assert len(shift_rows(database, company.team_a.id)) == 58
    # Running now adds nothing: the rotation is generated up to its horizon.
    assert run_engine(app, clock)["extend_rotations"] == 0

    # Three weeks later the horizon is 15 March 2027: turns 12, 13 and 14 (22 February,
    # 1 and 8 March), five shifts each, appear, on the engine's next hourly round (its rounds
    # in between send reminders and escalations, and leave the rotations alone).
    clock.advance(timedelta(weeks=3))
    between = app.state.engine.run_once(hourly=False)
    assert "extend_rotations" not in between and "shift_reminders" in between
    assert len(shift_rows(database, company.team_a.id)) == 58
    assert run_engine(app, clock)["extend_rotations"] == 15
    # The engine's change is in the audit log, as every change is.
    generated = database.query(
        "SELECT actor, after FROM audit_log WHERE action = 'rotation.generate' ORDER BY id"
    )[-1]
    assert generated["actor"] == "system"
    assert json.loads(generated["after"])["drafts_added"] == 15
    rows = shift_rows(database, company.team_a.id)
    assert len(rows) == 58 + 15
    assert len({r["starts_at"] for r in rows}) == len(rows)
    new = [r for r in rows if turn_of(r["starts_at"]) >= 12]
    assert len(new) == 15
    assert {turn_of(r["starts_at"]) for r in new} == {12, 13, 14}
    for row in new:
        assert row["status"] == "draft"
        assert row["user_id"] == order[turn_of(row["starts_at"]) % 3]
    assert (rows[-1]["starts_at"], rows[-1]["ends_at"]) == (
        "2027-03-12T17:00:00Z",
        "2027-03-15T07:00:00Z",
    )
    # Running again (or a minute later) inserts nothing.
    assert run_engine(app, clock)["extend_rotations"] == 0
    assert run_engine(app, clock, clock.now() + timedelta(minutes=1))["extend_rotations"] == 0
    assert len(shift_rows(database, company.team_a.id)) == 73


def test_the_today_page_follows_the_clock(
    published: Client, app, company: Company, clock: ManualClock, browsers
) -> None:
    # Monday 30 November: Marc's first shift is ahead and waits for his answer.
    page = parse(published.get("/").text)
    duty = page.section("duty-title")
    assert "Prochaine astreinte : mar. 15 déc. 18:00 → mer. 16 déc. 08:00" in duty.text
    assert "4 astreintes attendent votre réponse." in page.text

    # Wednesday 16th, 23:00: he is on call until Thursday 08:00, Samuel behind him.
    clock.set(paris(2026, 12, 16, 23))
    page = parse(published.get("/").text)
    duty = page.section("duty-title")
    assert "Vous êtes d’astreinte jusqu’au jeu. 17 déc. 08:00." in duty.text
    assert "Votre renfort : Samuel Staff" in duty.text
    assert duty.find("a", href="tel:+33600000000") is not None
    team = page.section(f"team-now-{company.team_a.id}")
    lines = [colons(li.text) for li in team.find_all("li")]
    assert lines[0].startswith(
        "D’astreinte en ce moment : Marc Manager jusqu’au jeu. 17 déc. 08:00"
    )
    assert lines[1].startswith("Renfort en ce moment : Samuel Staff jusqu’au jeu. 17 déc. 08:00")
    assert lines[2].startswith("Responsable : Marc Manager")
    assert all(li.find("a", class_="tel") is not None for li in team.find_all("li"))

    # Sophie, the same night: her next duty is Monday 21st, as backup of Samuel.
    sophie = browsers("staff.a@test.fr")
    duty = parse(sophie.get("/").text).section("duty-title")
    assert "Prochaine astreinte : lun. 21 déc. 18:00 → mar. 22 déc. 08:00" in duty.text
    assert "D’astreinte en premier : Samuel Staff" in duty.text

    # Thursday 11:00: business hours, nobody on call.
    clock.set(paris(2026, 12, 17, 11))
    team = parse(published.get("/").text).section(f"team-now-{company.team_a.id}")
    lines = [colons(li.text) for li in team.find_all("li")]
    assert lines[0] == (
        "D’astreinte en ce moment : personne "
        "Ensuite : Marc Manager dès jeu. 17 déc. 18:00 +33 6 00 00 00 00"
    )
    assert lines[1].startswith("Renfort en ce moment : personne")
