"""The intervention pages: my list, my team's for a manager (filters by person, dates, alert,
outcome), the CSV export a payroll clerk opens, the detail (who may read it) and a manager's
correction with its audit entries.

Team A (Maintenance): Marc manages, Sophie and Samuel are staff. Team B (Informatique): Nina
manages, Bruno is staff. Now is Monday 30 November 2026, 10:00 in Paris."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest

from server.clock import ManualClock
from server.db import Database
from tests.conftest import Client, Company
from tests.integration.intervention_helpers import (
    actions,
    audit,
    create,
    raise_alert,
    row,
    sync_ok,
)
from tests.integration.schedule_helpers import Browsers, page_text, paris, parse


@dataclass
class Log:
    """Interventions logged through the sync endpoint by each person, and their phones."""

    sophie: Client
    samuel: Client
    bruno: Client
    marc: Client
    alert: int
    chaufferie: str  # Sophie, 30 Nov 02:00–03:30, answers the alert, resolved
    ascenseur: str  # Sophie, 28 Nov 22:00–23:15, escalated
    parking: str  # Samuel, 29 Nov 06:00–06:45, temporary
    archive: str  # Samuel, 15 Oct, outside the default 30 days
    serveur: str  # Bruno (team B), 30 Nov 01:00–02:00


@pytest.fixture
def log(browsers: Browsers, company: Company, database: Database, clock: ManualClock) -> Log:
    alert = raise_alert(database, company.team_a.id, "Chaudière en panne", clock.now())
    sophie = browsers("staff.a@test.fr")
    samuel = browsers("staff.a2@test.fr")
    bruno = browsers("staff.b@test.fr")
    marc = browsers("manager.a@test.fr")
    chaufferie = create(
        place="Bâtiment C, chaufferie",
        alert_id=alert,
        found="Brûleur en sécurité; pression à 0,5 bar",
        done='Réarmement, purge et "test" du brûleur\nà revoir lundi',
        travel_minutes=25,
    )
    ascenseur = create(
        started_at=paris(2026, 11, 28, 22),
        ended_at=paris(2026, 11, 28, 23, 15),
        place="Ascenseur B, cabine bloquée",
        outcome="escalated",
        mode="remote",
    )
    parking = create(
        started_at=paris(2026, 11, 29, 6),
        ended_at=paris(2026, 11, 29, 6, 45),
        place="Parking sud, barrière",
        outcome="temporary",
    )
    archive = create(
        started_at=paris(2026, 10, 15, 3),
        ended_at=paris(2026, 10, 15, 4),
        place="Archives, inondation",
    )
    serveur = create(
        started_at=paris(2026, 11, 30, 1),
        ended_at=paris(2026, 11, 30, 2),
        place="Salle serveurs",
    )
    sync_ok(sophie, chaufferie, ascenseur)
    sync_ok(samuel, parking, archive)
    sync_ok(bruno, serveur)
    return Log(
        sophie,
        samuel,
        bruno,
        marc,
        alert,
        chaufferie["uuid"],
        ascenseur["uuid"],
        parking["uuid"],
        archive["uuid"],
        serveur["uuid"],
    )


def linked(html: str) -> list[str]:
    """The interventions a list links to, in page order."""
    hrefs = [a.attrs.get("href") or "" for a in parse(html).find_all("a")]
    return [h.removeprefix("/interventions/") for h in hrefs if h.count("-") == 4]


# My list -------------------------------------------------------------------------------------


def test_my_list_shows_mine_newest_first(log: Log) -> None:
    page = log.sophie.get("/interventions")
    assert page.status_code == 200
    assert linked(page.text) == [log.chaufferie, log.ascenseur]
    text = page_text(page.text)
    assert "Bâtiment C, chaufferie · résolue" in text
    assert "Ascenseur B, cabine bloquée · escaladée" in text
    for others in ("Parking sud", "Salle serveurs", "Archives"):
        assert others not in text
    # The outbox panel is on the page, hidden until the phone's script fills it.
    outbox = parse(page.text).one(id="outbox")
    assert "hidden" in outbox.attrs
    assert "En attente d’envoi" in outbox.text
    assert parse(page.text).one("a", href="/interventions/new").text == "Saisir une intervention"


def test_a_new_person_has_an_empty_list(company: Company, browsers: Browsers) -> None:
    nina = browsers("manager.b@test.fr")
    text = page_text(nina.get("/interventions").text)
    assert "Vous n’avez encore saisi aucune intervention." in text


def test_my_list_needs_a_login(company: Company, browsers: Browsers) -> None:
    answer = browsers().get("/interventions", follow_redirects=False)
    assert answer.status_code in (302, 303)
    assert answer.headers["location"].startswith("/login")


def test_only_managers_see_the_team_link(log: Log) -> None:
    team_link = {"href": "/interventions/team"}
    assert parse(log.marc.get("/interventions").text).find("a", **team_link) is not None
    assert parse(log.sophie.get("/interventions").text).find("a", **team_link) is None


# The team's list -----------------------------------------------------------------------------


def test_the_manager_sees_the_team_of_the_last_30_days(log: Log) -> None:
    page = log.marc.get("/interventions/team")
    assert page.status_code == 200
    assert linked(page.text) == [log.chaufferie, log.parking, log.ascenseur]
    text = page_text(page.text)
    assert "Sophie Staff" in text and "Samuel Staff" in text
    assert "Salle serveurs" not in text and "Bruno" not in text  # team B
    assert "Archives" not in text  # older than 30 days
    document = parse(page.text)
    assert document.one("input", name="start").attrs["value"] == "2026-10-31"
    assert document.one("input", name="end").attrs["value"] == "2026-11-30"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("person={samuel}", ["parking"]),
        ("person={sophie}", ["chaufferie", "ascenseur"]),
        ("outcome=escalated", ["ascenseur"]),
        ("outcome=temporary", ["parking"]),
        ("outcome=follow_up", []),
        ("alert={alert}", ["chaufferie"]),
        ("start=2026-11-29&end=2026-11-29", ["parking"]),
        ("start=2026-11-28&end=2026-11-28", ["ascenseur"]),
        ("start=2026-10-01&end=2026-11-30", ["chaufferie", "parking", "ascenseur", "archive"]),
        ("start=2026-10-01&person={samuel}", ["parking", "archive"]),
        ("person={sophie}&outcome=resolved&start=2026-11-30", ["chaufferie"]),
    ],
)
def test_the_team_list_filters(query: str, expected: list[str], log: Log, company: Company) -> None:
    url = "/interventions/team?" + query.format(
        samuel=company.staff_a2.id, sophie=company.staff_a.id, alert=log.alert
    )
    page = log.marc.get(url)
    assert page.status_code == 200
    assert linked(page.text) == [getattr(log, name) for name in expected]
    if not expected:
        assert "Aucune intervention sur cette période." in page_text(page.text)


def test_a_person_chosen_can_be_changed_for_another(log: Log, company: Company) -> None:
    """Filtered on Samuel, the person list still offers Sophie (the manager switches)."""
    page = parse(log.marc.get(f"/interventions/team?person={company.staff_a2.id}").text)
    options = {o.text: o.attrs.get("value") for o in page.one("select", name="person").find_all()}
    assert options.get("Samuel Staff") == str(company.staff_a2.id)
    assert options.get("Sophie Staff") == str(company.staff_a.id), options
    selected = [
        o.text for o in page.one("select", name="person").find_all() if "selected" in o.attrs
    ]
    assert selected == ["Samuel Staff"]


def test_the_filter_form_offers_every_filter(log: Log) -> None:
    """Person, dates, outcome, and the alert the interventions answer."""
    form = parse(log.marc.get("/interventions/team").text).one("form", method="get")
    names = {field.attrs.get("name") for field in form.iter() if field.tag in ("input", "select")}
    assert {"person", "start", "end", "outcome"} <= names
    assert "alert" in names, f"no alert filter in the form: {sorted(n for n in names if n)}"


def test_staff_cannot_see_the_team_list(log: Log, browsers: Browsers) -> None:
    for person in (log.sophie, log.bruno):
        answer = person.get("/interventions/team")
        assert answer.status_code == 403
        assert "Bâtiment C" not in answer.text and "Salle serveurs" not in answer.text
        assert person.get("/interventions/team?format=csv").status_code == 403


def test_a_manager_asking_for_another_team_is_refused(
    log: Log, company: Company, browsers: Browsers
) -> None:
    page = log.marc.get(f"/interventions/team?team={company.team_b.id}")
    # Refused plainly, not answered with Marc's own team as if it were the one asked for.
    assert page.status_code == 403
    assert "Salle serveurs" not in page.text
    csv_page = log.marc.get(f"/interventions/team?team={company.team_b.id}&format=csv")
    assert csv_page.status_code == 403
    # The admin may look at any team.
    admin = browsers("admin@test.fr")
    b_page = admin.get(f"/interventions/team?team={company.team_b.id}")
    assert linked(b_page.text) == [log.serveur]


# CSV export ------------------------------------------------------------------------------------


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers.get_list("content-type") == ["text/csv; charset=utf-8"]
    assert "charset=utf-8" in response.headers["content-type"]
    assert "attachment" in response.headers["content-disposition"]
    assert ".csv" in response.headers["content-disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:10]  # spreadsheets read the accents right
    # Read by the file's own header, as a spreadsheet does: the tests below check each column by
    # its name, so a column renamed or dropped fails them without restating the list here.
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";")
    rows = list(reader)
    assert len(set(reader.fieldnames or ())) == len(reader.fieldnames or ()), reader.fieldnames
    # No row has more or fewer cells than the header has names.
    assert all(None not in r and None not in r.values() for r in rows)
    return rows


def test_the_csv_export_has_one_row_per_intervention(log: Log, company: Company) -> None:
    rows = read_csv(log.marc.get("/interventions/team?format=csv"))
    assert [r["uuid"] for r in rows] == [log.chaufferie, log.parking, log.ascenseur]
    first = rows[0]
    assert first["person"] == "Sophie Staff"
    # Wall-clock times of the team's zone, with their offset.
    assert first["start"] == "2026-11-30T02:00+01:00"
    assert first["end"] == "2026-11-30T03:30+01:00"
    assert first["hours"] == "1.50"
    assert float(rows[1]["hours"]) == pytest.approx(0.75)
    assert float(rows[2]["hours"]) == pytest.approx(1.25)
    assert first["travel_minutes"] == "25"
    assert (first["mode"], rows[2]["mode"]) == ("on_site", "remote")
    assert first["alert"] == str(log.alert) and rows[1]["alert"] == ""
    assert [r["outcome"] for r in rows] == ["resolved", "temporary", "escalated"]
    # Accents, a separator, quotes and a line break all survive the round trip.
    assert first["place"] == "Bâtiment C, chaufferie"
    assert first["found"] == "Brûleur en sécurité; pression à 0,5 bar"
    assert first["done"] == 'Réarmement, purge et "test" du brûleur\nà revoir lundi'
    assert [r["corrected"] for r in rows] == ["", "", ""]
    total = sum(float(r["hours"]) for r in rows)
    assert total == pytest.approx(3.5)


def test_the_csv_export_follows_the_filters(log: Log, company: Company) -> None:
    rows = read_csv(
        log.marc.get(
            f"/interventions/team?format=csv&person={company.staff_a2.id}&start=2026-10-01"
        )
    )
    assert [r["uuid"] for r in rows] == [log.parking, log.archive]
    assert {r["person"] for r in rows} == {"Samuel Staff"}
    empty = read_csv(log.marc.get("/interventions/team?format=csv&outcome=follow_up"))
    assert empty == []


def test_the_csv_export_marks_corrections(log: Log) -> None:
    answer = log.marc.post_form(
        f"/interventions/{log.parking}/correct",
        {"started_at": "2026-11-29T06:00", "ended_at": "2026-11-29T07:00", "place": "Parking"},
    )
    assert answer.status_code == 303
    rows = {r["uuid"]: r for r in read_csv(log.marc.get("/interventions/team?format=csv"))}
    assert rows[log.parking]["corrected"] == "yes"
    assert rows[log.parking]["hours"] == "1.00"
    assert rows[log.chaufferie]["corrected"] == ""


# Detail and who may read it ------------------------------------------------------------------


def test_the_owner_reads_the_detail(log: Log) -> None:
    page = log.sophie.get(f"/interventions/{log.chaufferie}")
    assert page.status_code == 200
    text = page_text(page.text)
    assert "Sophie Staff · sur site · Bâtiment C, chaufferie" in text
    assert "Trajet : 25 min" in text
    assert "Brûleur en sécurité; pression à 0,5 bar" in text
    assert "résolue" in text
    assert parse(page.text).one("a", href=f"/alerts/{log.alert}").text == "Alerte traitée"
    # Staff read; they do not correct.
    assert parse(page.text).find("form", action=f"/interventions/{log.chaufferie}/correct") is None


def test_the_manager_of_the_team_reads_it_with_a_correction_form(log: Log) -> None:
    page = log.marc.get(f"/interventions/{log.chaufferie}")
    assert page.status_code == 200
    assert "Bâtiment C, chaufferie" in page_text(page.text)
    form = parse(page.text).one("form", action=f"/interventions/{log.chaufferie}/correct")
    # Filled with the stored times on the Paris wall clock.
    assert form.one("input", name="started_at").attrs["value"] == "2026-11-30T02:00"
    assert form.one("input", name="ended_at").attrs["value"] == "2026-11-30T03:30"


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("staff.a2@test.fr", 403),  # same team, not his
        ("staff.b@test.fr", 403),  # staff of another team
        ("manager.b@test.fr", 403),  # manager of another team
        ("admin@test.fr", 200),
    ],
)
def test_who_else_may_read_the_detail(
    email: str, status: int, log: Log, browsers: Browsers
) -> None:
    answer = browsers(email).get(f"/interventions/{log.chaufferie}")
    assert answer.status_code == status
    assert ("Brûleur en sécurité" in answer.text) is (status == 200)


def test_an_unknown_intervention_is_404(log: Log) -> None:
    answer = log.sophie.get("/interventions/00000000-0000-4000-8000-000000000000")
    assert answer.status_code == 404
    assert "Cette intervention n’existe pas." in page_text(answer.text)


# Correction ----------------------------------------------------------------------------------


def correction(**fields: str) -> dict[str, str]:
    return {
        "started_at": "2026-11-30T02:00",
        "ended_at": "2026-11-30T03:00",
        "travel_minutes": "10",
        "place": "Bâtiment C, chaufferie (corrigé)",
        "outcome": "follow_up",
        **fields,
    }


@pytest.mark.parametrize(
    "email", ["staff.a@test.fr", "staff.a2@test.fr", "staff.b@test.fr", "manager.b@test.fr"]
)
def test_a_correction_is_refused_to_anyone_but_the_teams_manager(
    email: str, log: Log, browsers: Browsers, database: Database
) -> None:
    before = row(database, log.chaufferie)
    person = log.sophie if email == "staff.a@test.fr" else browsers(email)
    answer = person.post_form(f"/interventions/{log.chaufferie}/correct", correction())
    assert answer.status_code == 403
    assert row(database, log.chaufferie) == before
    assert actions(database, log.chaufferie) == ["intervention.create"]


def test_the_manager_corrects_and_both_versions_are_audited(
    log: Log, database: Database, company: Company, clock: ManualClock
) -> None:
    answer = log.marc.post_form(f"/interventions/{log.chaufferie}/correct", correction())
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/interventions/{log.chaufferie}?done=corrected"
    stored = row(database, log.chaufferie)
    assert (stored["started_at"], stored["ended_at"]) == (
        "2026-11-30T01:00:00Z",
        "2026-11-30T02:00:00Z",
    )
    assert (stored["place"], stored["outcome"], stored["travel_minutes"]) == (
        "Bâtiment C, chaufferie (corrigé)",
        "follow_up",
        10,
    )
    # What the form does not show is kept: the alert, the mode, the descriptions.
    assert stored["alert_id"] == log.alert and stored["mode"] == "on_site"
    assert stored["found"] == "Brûleur en sécurité; pression à 0,5 bar"
    assert stored["corrected_by"] == company.manager_a.id

    entries = audit(database, log.chaufferie)
    assert [e["action"] for e in entries] == ["intervention.create", "intervention.correct"]
    fix = entries[1]
    assert (fix["actor"], fix["actor_user_id"]) == ("manager.a@test.fr", company.manager_a.id)
    assert fix["team_id"] == company.team_a.id
    assert fix["before"]["place"] == "Bâtiment C, chaufferie"
    assert fix["before"]["ended_at"].startswith("2026-11-30T02:30:00")
    assert fix["after"]["place"] == "Bâtiment C, chaufferie (corrigé)"
    assert fix["after"]["ended_at"].startswith("2026-11-30T02:00:00")

    shown = page_text(log.marc.get(answer.headers["location"]).text)
    assert "Correction enregistrée ; les deux versions sont dans le journal d’audit." in shown
    assert "corrigée" in shown and "suite à donner" in shown
    # Sophie sees it was corrected, on her list and on the detail.
    assert "corrigée" in page_text(log.sophie.get("/interventions").text)
    assert "Bâtiment C, chaufferie (corrigé)" in page_text(
        log.sophie.get(f"/interventions/{log.chaufferie}").text
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ended_at": "2026-11-30T01:00"}, "La fin doit être après le début."),
        ({"started_at": "2026-11-29T01:00"}, "Une intervention dure au plus 24 heures"),
        ({"ended_at": "2026-11-30T12:00"}, "La fin est dans le futur."),
        ({"ended_at": "bientôt"}, "Vérifiez les heures et les champs."),
        ({"outcome": "fini"}, "Vérifiez les heures et les champs."),
    ],
    ids=["end before start", "over 24 h", "future", "not a time", "unknown outcome"],
)
def test_a_bad_correction_is_400_and_changes_nothing(
    fields: dict[str, str], message: str, log: Log, database: Database
) -> None:
    before = row(database, log.chaufferie)
    answer = log.marc.post_form(f"/interventions/{log.chaufferie}/correct", correction(**fields))
    assert answer.status_code == 400
    assert message in page_text(answer.text)
    assert row(database, log.chaufferie) == before
    assert actions(database, log.chaufferie) == ["intervention.create"]


def test_a_correction_without_csrf_is_refused(log: Log, database: Database) -> None:
    before = row(database, log.chaufferie)
    answer = log.marc.post(
        f"/interventions/{log.chaufferie}/correct", data=correction(), follow_redirects=False
    )
    assert answer.status_code == 403
    assert row(database, log.chaufferie) == before
