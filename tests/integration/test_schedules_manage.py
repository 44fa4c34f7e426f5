"""The manager's side: rotations that generate drafts (and regenerate without touching what
people were told), bad rotations refused, reassigning with notice, two managers at once,
overrides, who may manage what, and load warnings."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta

import pytest

from server.apikeys.store import create_key
from server.audit.models import Actor
from server.clock import ManualClock, from_db
from server.db import Database
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import (
    add_rotation,
    counts,
    create_rotation,
    local,
    notifications_of,
    page_text,
    paris,
    parse,
    publish_ok,
    rotation_form,
    shift_at,
    shift_rows,
    snapshot,
    stored,
    turn_of,
    weeknight,
)


@pytest.fixture
def manager(client: Client, company: Company) -> Client:
    client.login("manager.a@test.fr")
    return client


def people(company: Company) -> list[int]:
    """Samuel, Sophie, Marc: the order of the rotations below."""
    return [company.staff_a2.id, company.staff_a.id, company.manager_a.id]


# Rotations ----------------------------------------------------------------------------------


def test_weekly_rotation_with_backup_generates_twelve_weeks_of_drafts(
    manager: Client, company: Company, database: Database
) -> None:
    order = people(company)
    add_rotation(manager, company.team_a.id, order, backup=True)

    rotations = database.query("SELECT * FROM rotations ORDER BY id")
    assert [(r["name"], r["layer"]) for r in rotations] == [
        ("Astreinte hebdomadaire", "primary"),
        ("Astreinte hebdomadaire (renfort)", "secondary"),
    ]
    backup = order[1:] + order[:1]  # shifted by one: Sophie, Marc, Samuel
    for layer, who in (("primary", order), ("secondary", backup)):
        rows = shift_rows(database, company.team_a.id, layer=layer)
        # Twelve turns of four weeknights and a weekend, less the Friday nights that Christmas
        # and New Year's Day (both Fridays, public holidays) join to the weekend: 12·5 − 2.
        assert len(rows) == 58, layer
        assert {r["status"] for r in rows} == {"draft"}
        assert {r["kind"] for r in rows} == {"regular"}
        for row in rows:
            assert row["user_id"] == who[turn_of(row["starts_at"]) % 3], (layer, row)
        # The first week, to the minute (the clock says Monday 30 November 10:00).
        first_week = [(local(r["starts_at"]), local(r["ends_at"])) for r in rows[:5]]
        assert first_week == [
            *(weeknight(date(2026, 11, 30) + timedelta(days=n)) for n in range(4)),
            (paris(2026, 12, 4, 18), paris(2026, 12, 7, 8)),
        ]
        starts = [local(r["starts_at"]) for r in rows]
        ends = [local(r["ends_at"]) for r in rows]
        assert (paris(2026, 12, 24, 18), paris(2026, 12, 28, 8)) in zip(starts, ends, strict=True)
        assert (paris(2026, 12, 31, 18), paris(2027, 1, 4, 8)) in zip(starts, ends, strict=True)
        # The last one starts before the horizon (twelve weeks from now, 22 February 10:00).
        assert (starts[-1], ends[-1]) == (paris(2027, 2, 19, 18), paris(2027, 2, 22, 8))
        assert all(a_end <= b_start for a_end, b_start in zip(ends[:-1], starts[1:], strict=True))

    page = parse(manager.get(f"/schedule/manage?team={company.team_a.id}").text)
    assert "116 astreintes en brouillon dans les 12 prochaines semaines." in page.text
    rotations_text = page.section("rotations-title").text
    assert "Astreinte hebdomadaire (renfort)" in rotations_text
    assert "3 personnes" in rotations_text


def test_handoffs_stay_at_local_time_across_daylight_saving(
    manager: Client, company: Company, database: Database
) -> None:
    add_rotation(
        manager,
        company.team_a.id,
        [company.staff_a.id],
        coverage="always",
        horizon_weeks=52,
    )
    rows = shift_rows(database, company.team_a.id)
    # The turn that began today at 08:00 is in the past; the next 52 Mondays 08:00 follow,
    # up to 29 November 2027 08:00 (before the horizon, 29 November 2027 10:00).
    assert len(rows) == 52
    for k, row in enumerate(rows, start=1):
        start, end = local(row["starts_at"]), local(row["ends_at"])
        assert start == paris(2026, 11, 30, 8) + timedelta(weeks=k), row
        assert (start.weekday(), start.hour, start.minute) == (0, 8, 0)
        assert (end.weekday(), end.hour, end.minute) == (0, 8, 0)
    # Real elapsed hours (from the UTC instants: wall-clock subtraction would hide the change).
    hours = {
        r["starts_at"]: (from_db(r["ends_at"]) - from_db(r["starts_at"])).total_seconds() / 3600
        for r in rows
    }
    # Clocks go forward on Sunday 28 March 2027 and back on Sunday 31 October 2027.
    assert hours.pop("2027-03-22T07:00:00Z") == 167
    assert hours.pop("2027-10-25T06:00:00Z") == 169
    assert set(hours.values()) == {168}


def test_regenerating_replaces_untouched_drafts_only(
    manager: Client, company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    team = company.team_a.id
    samuel, sophie, marc = people(company)
    add_rotation(manager, team, [samuel, sophie, marc])
    rotation = database.one("SELECT * FROM rotations")

    # What people were told: 15–21 December published (Marc's four, Samuel's Monday 21st),
    # Samuel accepts his; and a draft the manager gave by hand to Sophie (4 January, Marc's turn).
    publish_ok(manager, team, "2026-12-15", "2026-12-21")
    monday_21 = shift_at(database, team, "primary", paris(2026, 12, 21, 18))
    samuel_phone = browsers("staff.a2@test.fr")
    assert samuel_phone.post_form(f"/schedule/shifts/{monday_21['id']}/accept").status_code == 303
    edited = shift_at(database, team, "primary", paris(2027, 1, 4, 18))
    assert edited["user_id"] == marc
    response = manager.post_form(
        f"/schedule/manage/shifts/{edited['id']}", {"user_id": sophie, "version": edited["version"]}
    )
    assert response.status_code == 303
    told = {r["id"]: r for r in shift_rows(database, team) if r["status"] != "draft"}
    assert len(told) == 5
    untouched_before = {
        r["starts_at"]: r for r in shift_rows(database, team, status="draft") if not r["edited"]
    }

    # The order is reversed: Marc, Sophie, Samuel.
    page = parse(manager.get(f"/schedule/manage/rotations/{rotation['id']}").text)
    version = page.one("input", name="version").attrs["value"]
    form = rotation_form([marc, sophie, samuel])
    form["version"] = version
    response = manager.post_form(f"/schedule/manage/rotations/{rotation['id']}", form)
    assert response.status_code == 303, response.text

    rows = shift_rows(database, team)
    assert len(rows) == 58
    by_id = {r["id"]: r for r in rows}
    for shift_id, before in told.items():
        after = by_id[shift_id]
        assert (after["user_id"], after["status"], after["starts_at"], after["ends_at"]) == (
            before["user_id"],
            before["status"],
            before["starts_at"],
            before["ends_at"],
        )
    assert by_id[monday_21["id"]]["status"] == "accepted"
    assert by_id[edited["id"]]["user_id"] == sophie
    assert by_id[edited["id"]]["status"] == "draft"
    new_order = [marc, sophie, samuel]
    for row in rows:
        if row["id"] in told or row["id"] == edited["id"]:
            continue
        assert row["status"] == "draft"
        assert row["user_id"] == new_order[turn_of(row["starts_at"]) % 3], row
        assert row["starts_at"] in untouched_before  # same stretches, new people
    # Nothing overlaps: a stretch kept is not planned a second time.
    assert all(a["ends_at"] <= b["starts_at"] for a, b in itertools.pairwise(rows))
    # Samuel's Monday stays his; the rest of that turn is now Marc's.
    turn_3 = [r for r in rows if turn_of(r["starts_at"]) == 3]
    assert [r["user_id"] for r in turn_3] == [samuel, marc, marc, marc]
    assert len(database.query("SELECT * FROM audit_log WHERE action = 'rotation.save'")) == 2


def test_a_rotation_without_participants_is_refused(
    manager: Client, company: Company, database: Database
) -> None:
    before = counts(database)
    response = create_rotation(manager, company.team_a.id, [])
    assert response.status_code == 400
    alert = parse(response.text).one(role="alert")
    assert "Choisissez au moins une personne" in alert.text
    assert counts(database) == before
    # Someone outside the team does not count as a participant either.
    response = create_rotation(manager, company.team_a.id, [company.staff_b.id])
    assert response.status_code == 400
    assert counts(database) == before


@pytest.mark.parametrize(
    ("start_date", "length_unit", "missing"),
    [
        ("2026-12-06", "weeks", "28 mars 2027"),
        ("2026-03-01", "weeks", "29 mars 2026"),
        ("2026-12-01", "days", "28 mars 2027"),
    ],
    ids=["sundays from December", "sundays from March 2026", "every day"],
)
def test_a_handoff_time_skipped_by_daylight_saving_is_refused(
    manager: Client,
    company: Company,
    database: Database,
    start_date: str,
    length_unit: str,
    missing: str,
) -> None:
    before = counts(database)
    response = create_rotation(
        manager,
        company.team_a.id,
        people(company),
        start_date=start_date,
        handoff_time="02:30",
        length_unit=length_unit,
        backup=True,
    )
    assert response.status_code == 400
    alert = parse(response.text).one(role="alert")
    assert f"L’heure de relève 02:30 n’existe pas le {missing}" in alert.text
    assert counts(database) == before
    # The form comes back as typed, so the manager only changes the time.
    page = parse(response.text)
    assert page.one("input", name="start_date").attrs["value"] == start_date


def test_two_managers_editing_the_same_rotation_the_second_is_told(
    manager: Client, company: Company, database: Database, browsers
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, people(company))
    rotation_id = database.scalar("SELECT id FROM rotations")
    url = f"/schedule/manage/rotations/{rotation_id}"
    admin = browsers("admin@test.fr")
    version = parse(manager.get(url).text).one("input", name="version").attrs["value"]
    assert parse(admin.get(url).text).one("input", name="version").attrs["value"] == version

    samuel, sophie, marc = people(company)
    first = rotation_form([marc, sophie, samuel])
    first["version"] = version
    assert manager.post_form(url, first).status_code == 303
    after_first = snapshot(database)
    second = rotation_form([sophie, samuel], name="Autre nom")
    second["version"] = version
    response = admin.post_form(url, second)
    assert response.status_code == 409
    assert (
        "Ce roulement a été modifié par quelqu’un d’autre."
        in parse(response.text).one(role="alert").text
    )
    assert database.scalar("SELECT name FROM rotations") == "Astreinte hebdomadaire"
    assert snapshot(database) == after_first


def test_deleting_a_rotation_keeps_what_people_were_told(
    manager: Client, company: Company, database: Database
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, people(company))
    publish_ok(manager, team, "2026-12-15", "2026-12-21")
    rotation_id = database.scalar("SELECT id FROM rotations")
    response = manager.post_form(f"/schedule/manage/rotations/{rotation_id}/delete")
    assert response.status_code == 303
    assert database.scalar("SELECT COUNT(*) FROM rotations") == 0
    rows = shift_rows(database, team)
    assert [r["status"] for r in rows] == ["published"] * 5
    assert {r["starts_at"] for r in rows} == {
        stored(weeknight(date(2026, 12, d))[0]) for d in (15, 16, 17, 18, 21)
    }


GENERIC = "La demande n’a pas pu être comprise."


@pytest.mark.parametrize(
    ("what", "url", "data"),
    [
        (
            "a publication range ending before it starts",
            "/schedule/manage/publish?team={team}",
            {"start": "2026-12-21", "end": "2026-12-15"},
        ),
        (
            "business hours ending before they start",
            "/schedule/manage/rotations/new?team={team}",
            {"business_start": "18:00", "business_end": "08:00"},
        ),
        (
            "a hand-off time that is not a time",
            "/schedule/manage/rotations/new?team={team}",
            {"handoff_time": "8h"},
        ),
    ],
    ids=["publish range reversed", "business hours reversed", "hand-off not a time"],
)
def test_form_mistakes_are_explained_and_nothing_is_written(
    manager: Client, company: Company, database: Database, what: str, url: str, data: dict
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, people(company))
    before = counts(database), snapshot(database)
    if "rotations" in url:
        data = {**rotation_form(people(company)), **data}
    response = manager.post_form(url.format(team=team), data)
    assert response.status_code == 400, response.text[:300]
    alert = parse(response.text).one(role="alert").text
    assert alert != GENERIC, f"{what}: the manager is not told what is wrong"
    assert (counts(database), snapshot(database)) == before


def test_a_backup_layer_the_database_refuses_leaves_no_primary_behind(
    manager: Client, company: Company, database: Database
) -> None:
    # The database refuses the backup rotation (a full disk, a constraint): the primary saved
    # just before must go too, or the team keeps a schedule with no backup it never chose.
    with database.write():
        database.execute(
            "CREATE TRIGGER refuse_backup BEFORE INSERT ON rotations WHEN NEW.layer = 'secondary' "
            "BEGIN SELECT RAISE(ABORT, 'backup refused'); END"
        )
    response = create_rotation(manager, company.team_a.id, people(company), backup=True)
    assert response.status_code == 500
    assert database.query("SELECT id FROM rotations") == []
    assert shift_rows(database, company.team_a.id) == []
    assert database.query("SELECT id FROM audit_log WHERE action = 'rotation.save'") == []


# Reassigning --------------------------------------------------------------------------------


def test_reassigning_a_draft_tells_nobody(
    manager: Client, company: Company, database: Database
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, people(company))
    draft = shift_at(database, team, "primary", paris(2026, 12, 7, 18))
    assert draft["user_id"] == company.staff_a.id

    page = parse(manager.get(f"/schedule/manage/shifts/{draft['id']}").text)
    assert page.one("input", name="version").attrs["value"] == str(draft["version"])
    assert "Actuellement : Sophie Staff" in page.text
    assert "checked" in page.one("input", id=f"f-user-{company.staff_a.id}").attrs

    response = manager.post_form(
        f"/schedule/manage/shifts/{draft['id']}",
        {"user_id": str(company.staff_a2.id), "version": str(draft["version"])},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/schedule/manage?team={team}&done=shift"
    after = shift_at(database, team, "primary", paris(2026, 12, 7, 18))
    assert (after["user_id"], after["status"], after["edited"]) == (company.staff_a2.id, "draft", 1)
    assert after["version"] == draft["version"] + 1
    assert database.scalar("SELECT COUNT(*) FROM notifications") == 0
    entry = database.one("SELECT * FROM audit_log WHERE action = 'shift.reassign'")
    assert json.loads(entry["before"])["user_id"] == company.staff_a.id
    assert json.loads(entry["after"])["user_id"] == company.staff_a2.id


def test_reassigning_a_published_shift_republishes_it_and_tells_both_people(
    manager: Client, company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, people(company))
    publish_ok(manager, team, "2026-12-15", "2026-12-21")
    tuesday = shift_at(database, team, "primary", paris(2026, 12, 15, 18))
    assert tuesday["user_id"] == company.manager_a.id
    # Marc accepted it, then hands it to Sophie an hour later.
    assert manager.post_form(f"/schedule/shifts/{tuesday['id']}/accept").status_code == 303
    clock.advance(timedelta(hours=1))
    accepted = shift_at(database, team, "primary", paris(2026, 12, 15, 18))
    page = page_text(manager.get(f"/schedule/manage/shifts/{tuesday['id']}").text)
    assert "acceptée" in page
    assert "Publiée le 30/11/2026 10:00" in page

    response = manager.post_form(
        f"/schedule/manage/shifts/{tuesday['id']}",
        {"user_id": str(company.staff_a.id), "version": str(accepted["version"])},
    )
    assert response.status_code == 303, response.text
    after = shift_at(database, team, "primary", paris(2026, 12, 15, 18))
    assert after["user_id"] == company.staff_a.id
    assert after["status"] == "published"
    assert after["published_at"] == stored(clock.now()) == "2026-11-30T10:00:00Z"
    assert after["answered_at"] is None
    assert after["exceptional_reason"] is None

    assigned = notifications_of(database, company.staff_a.id, "shift_assigned")
    removed = notifications_of(database, company.manager_a.id, "shift_removed")
    assert len(assigned) == 1 and len(removed) == 1
    assert json.loads(assigned[0]["params"])["start"].startswith("2026-12-15T17:00:00")
    assert notifications_of(database, company.staff_a2.id, "shift_assigned") == []

    sophie = browsers("staff.a@test.fr")
    text = page_text(sophie.get("/notifications").text)
    assert "Une astreinte vous a été attribuée" in text
    assert "D’astreinte du 15/12/2026 18:00 au 16/12/2026 08:00 (Maintenance)." in text
    row = parse(sophie.get("/schedule/mine").text).one("li", id=f"shift-{tuesday['id']}")
    assert row.find("button") is not None  # she is asked to accept it
    marc_text = page_text(manager.get("/notifications").text)
    assert "Une astreinte a été retirée de votre planning" in marc_text


def test_changing_a_published_shift_at_short_notice_follows_the_notice_rule(
    manager: Client, company: Company, database: Database, clock: ManualClock
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, people(company))
    publish_ok(
        manager, team, "2026-12-02", "2026-12-08", exceptional=True, reason="Effectif réduit"
    )
    thursday = shift_at(database, team, "primary", paris(2026, 12, 3, 18))
    url = f"/schedule/manage/shifts/{thursday['id']}"
    notices = database.scalar("SELECT COUNT(*) FROM notifications")
    before = snapshot(database)

    # Thursday 3 December is three days away: exceptional circumstances and a reason.
    response = manager.post_form(
        url, {"user_id": str(company.staff_a.id), "version": str(thursday["version"])}
    )
    assert response.status_code == 422
    assert "moins de 15 jours" in parse(response.text).one(role="alert").text
    assert snapshot(database) == before
    assert database.scalar("SELECT COUNT(*) FROM notifications") == notices

    response = manager.post_form(
        url,
        {
            "user_id": str(company.staff_a.id),
            "version": str(thursday["version"]),
            "exceptional": "true",
            "reason": "Samuel est malade",
        },
    )
    assert response.status_code == 303, response.text
    after = shift_at(database, team, "primary", paris(2026, 12, 3, 18))
    assert (after["user_id"], after["status"]) == (company.staff_a.id, "published")
    assert after["exceptional_reason"] == "Samuel est malade"
    assert len(notifications_of(database, company.staff_a.id, "shift_assigned")) == 1
    assert len(notifications_of(database, company.staff_a2.id, "shift_removed")) == 1

    # On Tuesday 1 December, Wednesday's shift is less than one clear day away: refused.
    clock.set(paris(2026, 12, 1, 10))
    wednesday = shift_at(database, team, "primary", paris(2026, 12, 2, 18))
    before = snapshot(database)
    response = manager.post_form(
        f"/schedule/manage/shifts/{wednesday['id']}",
        {
            "user_id": str(company.staff_a.id),
            "version": str(wednesday["version"]),
            "exceptional": "true",
            "reason": "Urgence",
        },
    )
    assert response.status_code == 422
    assert "jour franc" in parse(response.text).one(role="alert").text
    assert snapshot(database) == before


def test_two_managers_change_the_same_shift_the_second_is_told(
    manager: Client, company: Company, database: Database, browsers
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, people(company))
    admin = browsers("admin@test.fr")
    shift = shift_at(database, team, "primary", paris(2026, 12, 7, 18))
    url = f"/schedule/manage/shifts/{shift['id']}"
    seen_by_marc = parse(manager.get(url).text).one("input", name="version").attrs["value"]
    seen_by_alice = parse(admin.get(url).text).one("input", name="version").attrs["value"]
    assert seen_by_marc == seen_by_alice == str(shift["version"])

    first = manager.post_form(url, {"user_id": str(company.staff_a2.id), "version": seen_by_marc})
    assert first.status_code == 303
    second = admin.post_form(url, {"user_id": str(company.manager_a.id), "version": seen_by_alice})
    assert second.status_code == 409
    page = parse(second.text)
    assert "modifiée entre-temps" in page.one(role="alert").text
    # The page shows the shift as it is now, with the version to retry from.
    assert "Actuellement : Samuel Staff" in page.text
    assert page.one("input", name="version").attrs["value"] == str(shift["version"] + 1)
    after = shift_at(database, team, "primary", paris(2026, 12, 7, 18))
    assert after["user_id"] == company.staff_a2.id
    assert after["version"] == shift["version"] + 1


# Overrides ----------------------------------------------------------------------------------


def override(manager: Client, team: int, user_id: int, start: str, end: str, **extra):
    data = {"user_id": str(user_id), "layer": "primary", "starts_at": start, "ends_at": end}
    data.update(extra)
    return manager.post_form(f"/schedule/manage/overrides?team={team}", data)


@pytest.fixture
def week_of_15th(manager: Client, company: Company, clock: ManualClock, database: Database):
    """15–21 December published: Marc on call, Samuel backup (see test_schedules_publish)."""
    add_rotation(manager, company.team_a.id, people(company), backup=True)
    publish_ok(manager, company.team_a.id, "2026-12-15", "2026-12-21")
    token, _key = create_key(
        database, company.team_a.id, "PBX", actor=Actor(label="test"), now=clock.now()
    )
    return token


def oncall_at(browser: Client, token: str, team: int, at: str) -> dict:
    response = browser.get(
        f"/api/v1/teams/{team}/oncall",
        params={"at": at},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def who(body: dict, layer: str) -> tuple[str, str] | None:
    person = body[layer]
    return None if person is None else (person["name"], person["until"])


def test_an_override_replaces_the_regular_shift_over_its_stretch_only(
    manager: Client,
    company: Company,
    database: Database,
    clock: ManualClock,
    week_of_15th,
    browsers,
) -> None:
    team = company.team_a.id
    # Sophie takes Wednesday night 20:00–02:00 from Marc (16 days ahead: normal notice).
    response = override(
        manager, team, company.staff_a.id, "2026-12-16T20:00:00", "2026-12-17T02:00:00"
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/schedule/manage?team={team}&done=override"
    rows = shift_rows(database, team, kind="override")
    assert len(rows) == 1
    row = rows[0]
    assert (row["user_id"], row["layer"], row["status"]) == (
        company.staff_a.id,
        "primary",
        "published",
    )
    assert (row["starts_at"], row["ends_at"]) == ("2026-12-16T19:00:00Z", "2026-12-17T01:00:00Z")
    assert row["published_at"] == stored(clock.now())
    assert len(notifications_of(database, company.staff_a.id, "shift_assigned")) == 1
    assert len(notifications_of(database, company.manager_a.id, "shift_removed")) == 1
    assert notifications_of(database, company.staff_a2.id, "shift_removed") == []

    # The API: Marc until the override starts, Sophie over it, Marc again after; backup unchanged.
    api = browsers()
    before = oncall_at(api, week_of_15th, team, "2026-12-16T19:00:00+01:00")
    assert who(before, "primary") == ("Marc Manager", "2026-12-16T19:00:00Z")
    during = oncall_at(api, week_of_15th, team, "2026-12-16T23:00:00+01:00")
    assert who(during, "primary") == ("Sophie Staff", "2026-12-17T01:00:00Z")
    assert who(during, "secondary") == ("Samuel Staff", "2026-12-17T07:00:00Z")
    after = oncall_at(api, week_of_15th, team, "2026-12-17T03:00:00+01:00")
    assert who(after, "primary") == ("Marc Manager", "2026-12-17T07:00:00Z")
    tuesday = oncall_at(api, week_of_15th, team, "2026-12-15T23:00:00+01:00")
    assert who(tuesday, "primary") == ("Marc Manager", "2026-12-16T07:00:00Z")

    # The schedule page a colleague reads says who is really on call.
    samuel = browsers("staff.a2@test.fr")
    page = parse(samuel.get(f"/schedule?team={team}&start=2026-12-14").text)
    # (The agenda lists each stretch on the day it starts: Tuesday's night under Tuesday.)
    wednesday = [li.text for li in page.section("d-2026-12-16").find_all("li", class_="primary")]
    assert wednesday == [
        "Astreinte Marc Manager mer. 16 déc., 18:00–20:00 +33 6 00 00 00 00",
        "Astreinte Sophie Staff remplacement mer. 16 déc. 20:00 → jeu. 17 déc. 02:00 "
        "+33 6 00 00 00 00",
    ]
    thursday = [li.text for li in page.section("d-2026-12-17").find_all("li", class_="primary")]
    assert "Astreinte Marc Manager jeu. 17 déc., 02:00–08:00" in thursday[0]
    # And the manager's page lists it with a way to cancel it.
    overrides = parse(manager.get(f"/schedule/manage?team={team}").text).section("override-title")
    assert "Sophie Staff" in overrides.text
    assert overrides.find("form", action=f"/schedule/manage/overrides/{row['id']}/cancel")


def test_an_override_typed_in_a_browser_date_time_field_is_accepted(
    manager: Client, company: Company, database: Database, week_of_15th
) -> None:
    # <input type="datetime-local"> sends minutes without seconds: 2026-12-16T20:00.
    response = override(
        manager, company.team_a.id, company.staff_a.id, "2026-12-16T20:00", "2026-12-17T02:00"
    )
    alert = parse(response.text).find(role="alert")
    assert response.status_code == 303, alert.text if alert else response.text[:300]
    row = shift_rows(database, company.team_a.id, kind="override")[0]
    assert (row["starts_at"], row["ends_at"]) == ("2026-12-16T19:00:00Z", "2026-12-17T01:00:00Z")


def test_an_override_ending_before_it_starts_is_refused_clearly(
    manager: Client, company: Company, database: Database, week_of_15th
) -> None:
    before = counts(database)
    response = override(
        manager, company.team_a.id, company.staff_a.id, "2026-12-17T02:00:00", "2026-12-16T20:00:00"
    )
    assert response.status_code == 400
    alert = parse(response.text).section("override-title").one(role="alert")
    assert "La fin doit être après le début." in alert.text
    assert counts(database) == before


def test_an_override_at_short_notice_follows_the_notice_rule(
    manager: Client, company: Company, database: Database, week_of_15th
) -> None:
    team = company.team_a.id
    before = counts(database)
    # Thursday 3 December is three days ahead: exceptional circumstances and a reason.
    response = override(
        manager, team, company.staff_a.id, "2026-12-03T20:00:00", "2026-12-04T02:00:00"
    )
    assert response.status_code == 422
    alert = parse(response.text).section("override-title").one(role="alert")
    assert "moins de 15 jours" in alert.text
    assert counts(database) == before
    # Tuesday 1 December is tomorrow: not even in exceptional circumstances.
    response = override(
        manager,
        team,
        company.staff_a.id,
        "2026-12-01T20:00:00",
        "2026-12-02T02:00:00",
        exceptional="true",
        reason="Urgence",
    )
    assert response.status_code == 422
    assert "jour franc" in parse(response.text).section("override-title").one(role="alert").text
    assert counts(database) == before

    response = override(
        manager,
        team,
        company.staff_a.id,
        "2026-12-03T20:00:00",
        "2026-12-04T02:00:00",
        exceptional="true",
        reason="Samuel en formation",
    )
    assert response.status_code == 303
    row = shift_rows(database, team, kind="override")[0]
    assert row["exceptional_reason"] == "Samuel en formation"


def test_an_override_for_someone_outside_the_team_or_in_the_past_is_refused(
    manager: Client, company: Company, database: Database, week_of_15th
) -> None:
    before = counts(database)
    outsider = override(
        manager, company.team_a.id, company.staff_b.id, "2026-12-16T20:00:00", "2026-12-17T02:00:00"
    )
    assert outsider.status_code == 400
    assert "Cette personne ne fait pas partie de cette équipe." in page_text(outsider.text)
    past = override(
        manager, company.team_a.id, company.staff_a.id, "2026-11-29T20:00:00", "2026-11-30T02:00:00"
    )
    assert past.status_code == 400
    assert "Un remplacement ne peut pas commencer dans le passé." in page_text(past.text)
    assert counts(database) == before


def test_cancelling_an_override_gives_the_stretch_back(
    manager: Client, company: Company, database: Database, week_of_15th, browsers
) -> None:
    team = company.team_a.id
    override(manager, team, company.staff_a.id, "2026-12-16T20:00:00", "2026-12-17T02:00:00")
    row = shift_rows(database, team, kind="override")[0]
    response = manager.post_form(f"/schedule/manage/overrides/{row['id']}/cancel")
    assert response.status_code == 303
    assert shift_rows(database, team, kind="override") == []
    removed = notifications_of(database, company.staff_a.id, "shift_removed")
    assert len(removed) == 1
    assert database.one("SELECT * FROM audit_log WHERE action = 'override.cancel'") is not None
    during = oncall_at(browsers(), week_of_15th, team, "2026-12-16T23:00:00+01:00")
    assert who(during, "primary") == ("Marc Manager", "2026-12-17T07:00:00Z")
    # Marc, whose night it is again, is told over the stretch he takes back.
    back = notifications_of(database, company.manager_a.id, "shift_assigned")
    assert [json.loads(n["params"]) for n in back] == [
        {
            "start": "2026-12-16T19:00:00+00:00",
            "end": "2026-12-17T01:00:00+00:00",
            "team": "Maintenance",
        }
    ]


def test_cancelling_an_override_under_way_is_refused(
    manager: Client,
    company: Company,
    database: Database,
    clock: ManualClock,
    week_of_15th,
    browsers,
) -> None:
    team = company.team_a.id
    override(manager, team, company.staff_a.id, "2026-12-16T20:00:00", "2026-12-17T02:00:00")
    shift_id = shift_rows(database, team, kind="override")[0]["id"]
    clock.set(paris(2026, 12, 16, 22))
    before, rows = counts(database), snapshot(database)
    # Marc would be on call again at once: not even exceptional circumstances allow that.
    response = manager.post_form(
        f"/schedule/manage/overrides/{shift_id}/cancel",
        {"exceptional": "true", "reason": "Sophie est malade"},
    )
    assert response.status_code == 422
    alert = parse(response.text).section("override-title").one(role="alert")
    assert "jour franc" in alert.text
    assert (counts(database), snapshot(database)) == (before, rows)
    now = oncall_at(browsers(), week_of_15th, team, "2026-12-16T22:00:00+01:00")
    assert who(now, "primary") == ("Sophie Staff", "2026-12-17T01:00:00Z")


def test_cancelling_an_override_at_short_notice_follows_the_notice_rule(
    manager: Client, company: Company, database: Database, week_of_15th, browsers
) -> None:
    team = company.team_a.id
    # 2–8 December published at short notice; Samuel has Thursday 3 December's night, Sophie
    # is his backup: Marc takes the night (Sophie cannot be on both levels at once).
    publish_ok(
        manager, team, "2026-12-02", "2026-12-08", exceptional=True, reason="Effectif réduit"
    )
    response = override(
        manager,
        team,
        company.manager_a.id,
        "2026-12-03T20:00",
        "2026-12-04T02:00",
        exceptional="true",
        reason="Samuel en formation",
    )
    assert response.status_code == 303, response.text
    shift_id = shift_rows(database, team, kind="override")[0]["id"]
    cancel_url = f"/schedule/manage/overrides/{shift_id}/cancel"
    # The manager's page offers the tick and the reason with the cancel button.
    cancel_form = parse(manager.get(f"/schedule/manage?team={team}").text).one(
        "form", action=cancel_url
    )
    assert cancel_form.one("input", name="exceptional").attrs["type"] == "checkbox"
    assert cancel_form.one("input", name="reason") is not None

    # Three days ahead: without exceptional circumstances, refused and nothing written.
    before, rows = counts(database), snapshot(database)
    response = manager.post_form(cancel_url, {"reason": ""})
    assert response.status_code == 422
    alert = parse(response.text).section("override-title").one(role="alert")
    assert "moins de 15 jours" in alert.text
    assert "circonstances exceptionnelles" in alert.text
    assert (counts(database), snapshot(database)) == (before, rows)

    response = manager.post_form(
        cancel_url, {"exceptional": "true", "reason": "La formation est reportée"}
    )
    assert response.status_code == 303, response.text
    assert shift_rows(database, team, kind="override") == []
    entry = database.one("SELECT * FROM audit_log WHERE action = 'override.cancel'")
    assert json.loads(entry["after"]) == {"exceptional_reason": "La formation est reportée"}
    # Both people are told: Marc is relieved, Samuel has his night back.
    assert len(notifications_of(database, company.manager_a.id, "shift_removed")) == 1
    assert len(notifications_of(database, company.staff_a2.id, "shift_assigned")) == 1
    samuel = page_text(browsers("staff.a2@test.fr").get("/notifications").text)
    assert "Une astreinte vous a été attribuée" in samuel
    assert "D’astreinte du 03/12/2026 20:00 au 04/12/2026 02:00 (Maintenance)." in samuel
    marc = page_text(browsers("manager.a@test.fr").get("/notifications").text)
    assert "Vous n’êtes plus d’astreinte du 03/12/2026 20:00 au 04/12/2026 02:00" in marc
    night = oncall_at(browsers(), week_of_15th, team, "2026-12-03T23:00:00+01:00")
    assert who(night, "primary") == ("Samuel Staff", "2026-12-04T07:00:00Z")


# Coming shifts, page by page ----------------------------------------------------------------


def coming_links(page) -> tuple[list[str], str | None]:
    """The shift pages a manager can open from the coming shifts, and the link to later ones."""
    section = page.section("shifts-title")
    shifts = [
        a.attrs["href"]
        for a in section.find_all("a")
        if a.attrs["href"].startswith("/schedule/manage/shifts/")
    ]
    later = section.find("a", rel="next")
    return shifts, later.attrs["href"] if later else None


def test_every_coming_shift_is_reachable_from_the_manage_page(
    manager: Client, company: Company, database: Database
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, people(company), backup=True)
    publish_ok(manager, team, "2026-12-15", "2026-12-21")
    # A draft ten weeks ahead: Tuesday 9 February 2027's night, Marc on call.
    far = shift_at(database, team, "primary", paris(2027, 2, 9, 18))
    assert far["status"] == "draft"
    every = {row["id"] for row in shift_rows(database, team)}
    assert len(every) > 100  # more than one page holds (the page used to show 60)

    url: str | None = f"/schedule/manage?team={team}"
    seen: list[str] = []
    pages = []
    while url is not None:
        page = parse(manager.get(url).text)
        links, url = coming_links(page)
        seen += links
        pages.append(page)
        assert len(pages) < 10, "the pages never end"
    # Each shift once, on one page of four weeks, in the order they come.
    assert len(seen) == len(set(seen))
    assert {int(link.rsplit("/", 1)[1]) for link in seen} == every
    assert len(pages) == 3
    assert "Du 30 novembre 2026 au 27 décembre 2026" in pages[0].section("shifts-title").text
    # The far draft is on the third page, marked as a draft; back and forth works.
    item = pages[2].one("a", href=f"/schedule/manage/shifts/{far['id']}")
    row = next(li for li in pages[2].section("shifts-title").find_all("li") if item in li.iter())
    assert "brouillon" in row.text and row.attrs.get("class") == "draft"
    earlier = pages[2].section("shifts-title").one("a", rel="prev").attrs["href"]
    assert earlier == f"/schedule/manage?team={team}&from=2026-12-28#shifts-title"
    assert pages[0].section("shifts-title").find("a", rel="prev") is None

    # Following its link, the manager gives it to Sophie before publishing.
    shift_page = parse(manager.get(item.attrs["href"]).text)
    version = shift_page.one("input", name="version").attrs["value"]
    response = manager.post_form(
        item.attrs["href"], {"user_id": str(company.staff_a.id), "version": version}
    )
    assert response.status_code == 303, response.text
    after = shift_at(database, team, "primary", paris(2027, 2, 9, 18))
    assert (after["user_id"], after["status"]) == (company.staff_a.id, "draft")


def test_a_coming_shifts_page_never_starts_in_the_past(
    manager: Client, company: Company, database: Database
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, people(company))
    first = parse(manager.get(f"/schedule/manage?team={team}").text)
    for odd in ("2026-01-01", "not-a-day"):
        page = parse(manager.get(f"/schedule/manage?team={team}&from={odd}").text)
        assert coming_links(page) == coming_links(first)


# Who may manage -----------------------------------------------------------------------------


@pytest.fixture
def team_a_things(manager: Client, company: Company, database: Database) -> dict[str, int]:
    """A rotation, a shift and an override of team A, made by its manager."""
    add_rotation(manager, company.team_a.id, people(company))
    publish_ok(manager, company.team_a.id, "2026-12-15", "2026-12-21")
    override(
        manager, company.team_a.id, company.staff_a.id, "2026-12-16T20:00:00", "2026-12-17T02:00:00"
    )
    return {
        "team": company.team_a.id,
        "rotation": database.scalar("SELECT id FROM rotations"),
        "shift": shift_at(database, company.team_a.id, "primary", paris(2026, 12, 7, 18))["id"],
        "override": database.scalar("SELECT id FROM shifts WHERE kind = 'override'"),
        "user": company.staff_a.id,
    }


MANAGE_ROUTES = [
    ("GET", "/schedule/manage?team={team}", None),
    ("GET", "/schedule/manage/publish/preview?team={team}&start=2026-12-22&end=2026-12-28", None),
    ("POST", "/schedule/manage/publish?team={team}", {"start": "2026-12-22", "end": "2026-12-28"}),
    ("GET", "/schedule/manage/rotations/new?team={team}", None),
    ("POST", "/schedule/manage/rotations/new?team={team}", "rotation"),
    ("GET", "/schedule/manage/rotations/{rotation}", None),
    ("POST", "/schedule/manage/rotations/{rotation}", "rotation"),
    ("POST", "/schedule/manage/rotations/{rotation}/delete", {}),
    ("GET", "/schedule/manage/shifts/{shift}", None),
    ("POST", "/schedule/manage/shifts/{shift}", {"user_id": "{user}", "version": "1"}),
    (
        "POST",
        "/schedule/manage/overrides?team={team}",
        {"user_id": "{user}", "starts_at": "2026-12-23T20:00:00", "ends_at": "2026-12-24T02:00:00"},
    ),
    ("POST", "/schedule/manage/overrides/{override}/cancel", {}),
]


def attempt(browser: Client, method: str, url: str, data, things: dict[str, int], company):
    url = url.format(**things)
    if method == "GET":
        return browser.get(url, follow_redirects=False)
    if data == "rotation":
        data = rotation_form([company.staff_a.id, company.staff_b.id])
        data["version"] = "1"
    data = {k: v.format(**things) for k, v in data.items()}
    return browser.post_form(url, data)


@pytest.mark.parametrize(
    ("method", "url", "data"),
    MANAGE_ROUTES,
    ids=[f"{m} {u.split('?')[0]}" for m, u, _ in MANAGE_ROUTES],
)
@pytest.mark.parametrize(
    "email", ["manager.b@test.fr", "staff.a@test.fr"], ids=["manager B", "staff A"]
)
def test_only_the_team_manager_manages_its_schedule(
    company: Company,
    database: Database,
    team_a_things: dict[str, int],
    browsers,
    email: str,
    method: str,
    url: str,
    data,
) -> None:
    outsider = browsers(email)
    before = counts(database), snapshot(database)
    response = attempt(outsider, method, url, data, team_a_things, company)
    assert response.status_code == 403, (response.status_code, response.text[:300])
    assert (counts(database), snapshot(database)) == before


def test_a_manager_sees_only_the_teams_they_manage(
    company: Company, team_a_things: dict[str, int], browsers
) -> None:
    nina = browsers("manager.b@test.fr")
    page = parse(nina.get("/schedule/manage").text)
    assert "Informatique" in page.text
    assert "Maintenance" not in page.text
    assert "Marc Manager" not in page.text
    sophie = browsers("staff.a@test.fr")
    assert sophie.get("/schedule/manage").status_code == 403


# Load ---------------------------------------------------------------------------------------


def test_load_warnings_show_who_would_exceed_the_limits(
    manager: Client, company: Company, database: Database
) -> None:
    team = company.team_a.id
    sophie, samuel, marc = company.staff_a.id, company.staff_a2.id, company.manager_a.id
    # Two people, a week each in turn: Sophie has 16 on-call days in any 28 (the limit) and
    # 7 days and 10 hours between her weeks (the minimum is 7): no warning yet.
    add_rotation(manager, team, [sophie, samuel])
    assert (
        parse(manager.get(f"/schedule/manage?team={team}").text).find(aria_labelledby="load-title")
        is None
    )

    # Samuel's Wednesday night in his week: given to Sophie, it would make her on call on 18 of
    # the busiest 28 days holding it, and her weeks only 2.4 days apart: one figure per rule,
    # each naming her, the period and the limit.
    wednesday = shift_at(database, team, "primary", paris(2026, 12, 9, 18))
    assert wednesday["user_id"] == samuel
    page = parse(manager.get(f"/schedule/manage/shifts/{wednesday['id']}").text)

    def tags(user_id: int) -> list[str]:
        label = page.one("label", for_=f"f-user-{user_id}")
        return [tag.text for tag in label.find_all("span", class_="warn")]

    assert tags(sophie) == [
        "Sophie Staff aurait 18 jours d’astreinte du mar. 24 nov. au lun. 21 déc. "
        "(limite 16 sur 28 jours)",
        "Sophie Staff n’aurait que 2,4 jours entre deux périodes d’astreinte, "
        "du lun. 7 déc. au mer. 9 déc. (au moins 7)",
    ]
    assert tags(marc) == []
    assert tags(samuel) == []


def test_load_warning_numbers_are_written_the_french_way(
    manager: Client, company: Company, database: Database
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, [company.staff_a.id, company.staff_a2.id])
    wednesday = shift_at(database, team, "primary", paris(2026, 12, 9, 18))
    page = page_text(manager.get(f"/schedule/manage/shifts/{wednesday['id']}").text)
    assert "n’aurait que 2,4 jours entre deux périodes d’astreinte" in page


def test_each_manager_builds_their_own_teams_rotation(
    manager: Client, company: Company, database: Database, browsers
) -> None:
    """Team B's manager builds their own rotation; team A's page does not count it."""
    add_rotation(manager, company.team_a.id, people(company))
    nina = browsers("manager.b@test.fr")
    add_rotation(nina, company.team_b.id, [company.staff_b.id, company.manager_b.id])
    assert len(shift_rows(database, company.team_b.id)) == 58
    assert {r["user_id"] for r in shift_rows(database, company.team_b.id)} == {
        company.staff_b.id,
        company.manager_b.id,
    }
    page = parse(manager.get(f"/schedule/manage?team={company.team_a.id}").text)
    assert "58 astreintes en brouillon dans les 12 prochaines semaines." in page.text
