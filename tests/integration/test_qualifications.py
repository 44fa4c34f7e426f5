"""Qualifications through HTTP: the gate in publishing, assigning and overriding (warn, or
block when the team says so), certificates (refused too big, of the wrong type, on a nearly full
disk, with nothing stored; served to the person and their managers only), reminders at the
right dates with a pinned clock, and the team matrix with its CSV."""

from __future__ import annotations

from collections import namedtuple
from datetime import date, timedelta

import msgspec
import pytest

from server.audit.models import Actor
from server.clock import ManualClock
from server.qualifications import documents, workflow
from server.qualifications.models import QualificationForm
from server.qualifications.reminders import KIND, send_expiry_reminders
from server.qualifications.workflow import save_holding, save_qualification
from server.teams.store import get_team, set_policy
from tests.conftest import START, Client, Company
from tests.integration.schedule_helpers import (
    add_rotation,
    notifications_of,
    page_text,
    parse,
    publish,
    shift_rows,
)

ACTOR = Actor(label="test")
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def qualification(database, name: str = "Habilitation électrique BR", months=36) -> int:
    form = QualificationForm(name=name, validity_months=months)
    return save_qualification(database, form, actor=ACTOR, now=START).id


def hold(database, user_id: int, qualification_id: int, obtained: date, expires=None) -> int:
    holding = save_holding(
        database, user_id, qualification_id, obtained, expires, actor=ACTOR, now=START
    )
    return holding.id


def gate(database, team_id: int, value: str) -> None:
    policy = msgspec.structs.replace(get_team(database, team_id).policy, qualification_gate=value)
    set_policy(database, team_id, policy, actor=ACTOR, now=START, reason="test")


def audit_count(database) -> int:
    return database.scalar("SELECT count(*) FROM audit_log")


@pytest.fixture
def manager(client: Client, company: Company, database) -> Client:
    """Marc, manager of team A, with a weekly rotation (Samuel, Sophie, Marc) that requires
    the BR habilitation: Samuel and Sophie hold it, Marc does not."""
    client.login("manager.a@test.fr")
    people = [company.staff_a2.id, company.staff_a.id, company.manager_a.id]
    add_rotation(client, company.team_a.id, people)
    rotation = database.scalar("SELECT id FROM rotations WHERE team_id = ?", (company.team_a.id,))
    required = qualification(database)
    saved = client.post_form(
        f"/qualifications/team/rotations?team={company.team_a.id}",
        {f"rotation:{required}:{rotation}": "on"},
    )
    assert saved.status_code == 303
    for person in (company.staff_a2.id, company.staff_a.id):
        hold(database, person, required, date(2025, 1, 10))
    return client


def published(database, team_id: int) -> int:
    return database.scalar(
        "SELECT count(*) FROM shifts WHERE team_id = ? AND status != 'draft'", (team_id,)
    )


# The gate


def test_publishing_warns_then_goes_on(manager: Client, company: Company, database) -> None:
    team = company.team_a.id
    preview = manager.get(
        f"/schedule/manage/publish/preview?team={team}&start=2026-12-15&end=2026-12-21"
    )
    text = page_text(preview.text)
    assert "Qualifications : vous pouvez publier" in text
    assert "Marc Manager n’a pas la qualification « Habilitation électrique BR »" in text
    assert "Samuel Staff n’a pas" not in text
    response = publish(manager, team, "2026-12-15", "2026-12-21")
    assert response.status_code == 303
    assert published(database, team) > 0


def test_publishing_is_refused_when_the_team_blocks(
    manager: Client, company: Company, database
) -> None:
    team = company.team_a.id
    gate(database, team, "block")
    before = (published(database, team), audit_count(database))
    response = publish(manager, team, "2026-12-15", "2026-12-21")
    assert response.status_code == 422
    assert "Marc Manager n’a pas la qualification « Habilitation électrique BR »" in page_text(
        response.text
    )
    assert (published(database, team), audit_count(database)) == before


def test_a_qualification_expiring_mid_week_blocks_with_its_date(
    manager: Client, company: Company, database
) -> None:
    team = company.team_a.id
    gate(database, team, "block")
    required = database.scalar("SELECT id FROM qualifications")
    # Marc holds it now, but it expires on Thursday 17 December, before his week ends.
    hold(database, company.manager_a.id, required, date(2023, 12, 17), date(2026, 12, 17))
    response = publish(manager, team, "2026-12-15", "2026-12-21")
    assert response.status_code == 422
    text = page_text(response.text)
    assert "La qualification « Habilitation électrique BR » de Marc Manager expire le" in text
    assert "17 déc. 2026" in text
    # Renewed until 2029: the week publishes.
    hold(database, company.manager_a.id, required, date(2026, 12, 1))
    assert publish(manager, team, "2026-12-15", "2026-12-21").status_code == 303


def _samuels_shift(database, company: Company) -> dict:
    rows = [
        r
        for r in shift_rows(database, company.team_a.id)
        if r["user_id"] == company.staff_a2.id and r["starts_at"] > "2026-12-22"
    ]
    return rows[0]


def test_assigning_warns_on_the_shift_page_and_blocks_when_told(
    manager: Client, company: Company, database
) -> None:
    shift = _samuels_shift(database, company)
    page = page_text(manager.get(f"/schedule/manage/shifts/{shift['id']}").text)
    assert "Marc Manager n’a pas la qualification « Habilitation électrique BR »" in page
    gate(database, company.team_a.id, "block")
    form = {"user_id": str(company.manager_a.id), "version": str(shift["version"])}
    refused = manager.post_form(f"/schedule/manage/shifts/{shift['id']}", form)
    assert refused.status_code == 422
    assert "Marc Manager n’a pas la qualification" in page_text(refused.text)
    assert database.scalar("SELECT user_id FROM shifts WHERE id = ?", (shift["id"],)) == (
        company.staff_a2.id
    )
    gate(database, company.team_a.id, "warn")
    given = manager.post_form(f"/schedule/manage/shifts/{shift['id']}", form)
    assert given.status_code == 303
    assert database.scalar("SELECT user_id FROM shifts WHERE id = ?", (shift["id"],)) == (
        company.manager_a.id
    )


def test_an_override_over_a_shift_requiring_it_is_blocked(
    manager: Client, company: Company, database
) -> None:
    gate(database, company.team_a.id, "block")
    shift = _samuels_shift(database, company)
    starts = shift["starts_at"][:10]  # a night of Samuel's week: Marc would cover it
    data = {
        "user_id": str(company.manager_a.id),
        "layer": "primary",
        "starts_at": f"{starts}T20:00",
        "ends_at": f"{starts}T23:00",
    }
    before = database.scalar("SELECT count(*) FROM shifts WHERE kind = 'override'")
    refused = manager.post_form(f"/schedule/manage/overrides?team={company.team_a.id}", data)
    assert refused.status_code == 422, refused.text
    assert "Marc Manager n’a pas la qualification" in page_text(refused.text)
    assert database.scalar("SELECT count(*) FROM shifts WHERE kind = 'override'") == before
    data["user_id"] = str(company.staff_a.id)  # Sophie holds it
    assert (
        manager.post_form(f"/schedule/manage/overrides?team={company.team_a.id}", data).status_code
        == 303
    )


def test_an_override_warns_and_goes_on_once_the_manager_confirms(
    manager: Client, company: Company, database
) -> None:
    shift = _samuels_shift(database, company)
    starts = shift["starts_at"][:10]
    data = {
        "user_id": str(company.manager_a.id),
        "layer": "primary",
        "starts_at": f"{starts}T20:00",
        "ends_at": f"{starts}T23:00",
    }
    url = f"/schedule/manage/overrides?team={company.team_a.id}"
    warned = manager.post_form(url, data)
    assert warned.status_code == 422
    page = parse(warned.text)
    assert "Marc Manager n’a pas la qualification" in page_text(warned.text)
    assert page.find("input", name="qualifications_seen") is not None
    assert database.scalar("SELECT count(*) FROM shifts WHERE kind = 'override'") == 0
    assert manager.post_form(url, {**data, "qualifications_seen": "true"}).status_code == 303
    assert database.scalar("SELECT count(*) FROM shifts WHERE kind = 'override'") == 1


def test_the_policy_form_sets_the_gate(manager: Client, company: Company, database) -> None:
    page = manager.get(f"/rest/policy?team={company.team_a.id}")
    assert 'name="qualification_gate" value="warn" checked' in page.text


# Certificates


@pytest.fixture
def sophies(company: Company, database) -> int:
    return hold(database, company.staff_a.id, qualification(database, "SST", 24), date(2025, 3, 1))


def upload(client: Client, holding: int, content: bytes, name: str = "attestation.pdf"):
    return client.post(
        f"/qualifications/holdings/{holding}/document",
        data={"_csrf_token": client.csrf()},
        files={"document": (name, content, "application/pdf")},
        follow_redirects=False,
    )


def nothing_stored(database, settings, holding: int) -> bool:
    folder = settings.data_path / documents.FOLDER
    files = list(folder.iterdir()) if folder.exists() else []
    row = database.one("SELECT document_path FROM person_qualifications WHERE id = ?", (holding,))
    return not files and row["document_path"] is None


def test_the_person_adds_a_certificate_shown_to_them_and_their_managers_only(
    make_client, company: Company, database, sophies: int
) -> None:
    sophie, marc, bruno = make_client(), make_client(), make_client()
    sophie.login(company.staff_a.email)
    marc.login(company.manager_a.email)
    bruno.login(company.manager_b.email)
    assert upload(sophie, sophies, PDF).status_code == 303
    for reader in (sophie, marc):
        got = reader.get(f"/qualifications/holdings/{sophies}/document")
        assert got.status_code == 200 and got.content == PDF
        assert got.headers["content-disposition"] == 'attachment; filename="attestation.pdf"'
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-type"].startswith("application/pdf")
    assert bruno.get(f"/qualifications/holdings/{sophies}/document").status_code == 403
    assert "attestation" not in bruno.get(f"/qualifications/people/{company.staff_a.id}").text


@pytest.mark.parametrize(
    ("content", "name", "status", "message"),
    [
        (b"%PDF-" + b"0" * 5_000_000, "big.pdf", 413, "Le fichier est trop gros (5 Mo au plus)."),
        (b"MZ\x90\x00 not a certificate", "photo.png", 400, "n’est pas un PDF, un JPEG ou un PNG"),
        (b"", "vide.pdf", 400, "Choisissez un fichier"),
    ],
)
def test_a_refused_file_stores_nothing(
    client: Client, company, database, settings, sophies, content, name, status, message
) -> None:
    client.login(company.staff_a.email)
    before = audit_count(database)
    response = upload(client, sophies, content, name)
    assert response.status_code == status
    assert message in page_text(response.text)
    assert nothing_stored(database, settings, sophies)
    assert audit_count(database) == before


def test_a_nearly_full_disk_refuses_the_file(
    client: Client, company, database, settings, sophies, monkeypatch
) -> None:
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(
        documents.shutil, "disk_usage", lambda path: usage(10**10, 10**10 - 10**6, 10**6)
    )
    client.login(company.staff_a.email)
    response = upload(client, sophies, PDF)
    assert response.status_code == 507
    assert "Le disque du serveur est presque plein" in page_text(response.text)
    assert nothing_stored(database, settings, sophies)


def test_a_failed_transaction_leaves_no_file(
    client: Client, company, database, settings, sophies, monkeypatch
) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("disk error")

    monkeypatch.setattr(workflow.store, "set_document", broken)
    client.login(company.staff_a.email)
    assert upload(client, sophies, PDF).status_code == 500
    assert nothing_stored(database, settings, sophies)


# Reminders


def test_reminders_go_out_60_30_and_7_days_before_once_each(
    company: Company, database, clock: ManualClock
) -> None:
    sst = qualification(database, "SST", 24)
    # Obtained 1 March 2025: expires 1 March 2027 (24 months).
    holding = hold(database, company.staff_a.id, sst, date(2025, 3, 1))
    sophie, marc = company.staff_a.id, company.manager_a.id

    def at(day: date) -> int:
        clock.set(START.replace(year=day.year, month=day.month, day=day.day, hour=8))
        return send_expiry_reminders(database, clock.now())

    assert at(date(2026, 12, 30)) == 0  # 61 days before
    assert at(date(2026, 12, 31)) == 1  # 60 days before
    assert at(date(2026, 12, 31)) == 0  # once
    assert at(date(2027, 1, 29)) == 0
    assert at(date(2027, 1, 30)) == 1  # 30 days
    assert at(date(2027, 2, 22)) == 1  # 7 days
    assert at(date(2027, 2, 23)) == 0
    mine = notifications_of(database, sophie, KIND)
    assert len(mine) == 3 and len(notifications_of(database, marc, KIND)) == 3
    assert "2027-03-01" in mine[0]["params"]
    # Renewed on 20 February until 2029: the new date gets its own three reminders.
    hold(database, sophie, sst, date(2027, 2, 20))
    assert at(date(2028, 12, 21)) == 0
    assert at(date(2028, 12, 22)) == 1  # 60 days before 20 February 2029
    assert (
        database.scalar(
            "SELECT count(*) FROM qualification_reminders WHERE person_qualification_id = ?",
            (holding,),
        )
        == 4
    )


def test_a_server_down_for_weeks_sends_one_late_reminder(
    company: Company, database, clock: ManualClock
) -> None:
    hold(database, company.staff_a.id, qualification(database, "CACES R489", 60), date(2022, 3, 1))
    clock.set(START.replace(year=2027, month=2, day=10))  # 19 days before 1 March 2027
    assert send_expiry_reminders(database, clock.now()) == 1
    assert len(notifications_of(database, company.staff_a.id, KIND)) == 1
    clock.advance(timedelta(days=1))
    assert send_expiry_reminders(database, clock.now()) == 0
    clock.set(START.replace(year=2027, month=2, day=22))
    assert send_expiry_reminders(database, clock.now()) == 1  # the 7-day one still comes


# The matrix


def test_the_matrix_and_its_csv(manager: Client, company: Company, database) -> None:
    sst = qualification(database, "SST", 24)
    hold(database, company.staff_a.id, sst, date(2025, 1, 15))  # expires 15 January 2027
    page = manager.get(f"/qualifications/team?team={company.team_a.id}")
    assert page.status_code == 200
    text = page_text(page.text)
    assert "Expirent dans les 90 jours : 1. Requises et manquantes ou expirées : 1." in text
    assert "manquante" in text
    csv = manager.get(f"/qualifications/team/csv?team={company.team_a.id}")
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "person;qualification;required;state;expires_on"
    assert "Marc Manager;Habilitation électrique BR;yes;missing;" in lines
    assert "Sophie Staff;SST;no;expiring;2027-01-15" in lines
    other = manager.get(f"/qualifications/team/csv?team={company.team_b.id}")
    assert other.status_code == 403


# The catalogue and holdings


def test_admins_keep_the_catalogue_managers_read_it(
    make_client, company: Company, database
) -> None:
    admin, marc = make_client(), make_client()
    admin.login(company.admin.email)
    marc.login(company.manager_a.email)
    form = {
        "name": "Habilitation électrique H0V",
        "description": "NF C18-510",
        "validity_months": "36",
    }
    assert admin.post_form("/qualifications", form).status_code == 303
    again = admin.post_form("/qualifications", {**form, "name": "habilitation ÉLECTRIQUE h0v"})
    assert again.status_code == 409
    assert "Le catalogue a déjà une qualification de ce nom." in page_text(again.text)
    forever = admin.post_form("/qualifications", {"name": "Interne", "validity_months": ""})
    assert forever.status_code == 303
    bad = admin.post_form("/qualifications", {"name": "X", "validity_months": "0"})
    assert bad.status_code == 400
    rows = database.query("SELECT name, validity_months FROM qualifications ORDER BY id")
    assert [(r["name"], r["validity_months"]) for r in rows] == [
        ("Habilitation électrique H0V", 36),
        ("Interne", None),
    ]
    text = page_text(marc.get("/qualifications").text)
    assert "Habilitation électrique H0V" in text and "n’expire pas" in text
    assert marc.post_form("/qualifications", {"name": "Autre"}).status_code == 403


def test_the_expiry_defaults_to_the_validity_and_can_be_typed(
    manager: Client, company: Company, database
) -> None:
    sst = qualification(database, "SST", 24)
    url = f"/qualifications/people/{company.staff_a.id}"
    assert (
        manager.post_form(
            url, {"qualification_id": str(sst), "obtained_on": "2025-08-31"}
        ).status_code
        == 303
    )
    row = database.one(
        "SELECT obtained_on, expires_on FROM person_qualifications WHERE qualification_id = ?",
        (sst,),
    )
    assert (row["obtained_on"], row["expires_on"]) == ("2025-08-31", "2027-08-31")
    typed = {"qualification_id": str(sst), "obtained_on": "2025-08-31", "expires_on": "2027-06-30"}
    assert manager.post_form(url, typed).status_code == 303
    assert (
        database.scalar(
            "SELECT expires_on FROM person_qualifications WHERE qualification_id = ?", (sst,)
        )
        == "2027-06-30"
    )
    backwards = manager.post_form(url, {**typed, "expires_on": "2024-01-01"})
    assert backwards.status_code == 400
    assert "La date d’expiration ne peut pas précéder la date d’obtention." in page_text(
        backwards.text
    )
    nothing = manager.post_form(url, {"qualification_id": str(sst), "obtained_on": ""})
    assert nothing.status_code == 400


def test_another_teams_rotation_in_the_form_is_ignored(
    manager: Client, company: Company, database, make_client
) -> None:
    bruno = make_client()
    bruno.login(company.manager_b.email)
    add_rotation(bruno, company.team_b.id, [company.staff_b.id])
    theirs = database.scalar("SELECT id FROM rotations WHERE team_id = ?", (company.team_b.id,))
    required = database.scalar("SELECT id FROM qualifications")
    saved = manager.post_form(
        f"/qualifications/team/rotations?team={company.team_a.id}",
        {f"rotation:{required}:{theirs}": "on"},
    )
    assert saved.status_code == 303
    assert (
        database.scalar(
            "SELECT count(*) FROM rotation_qualifications WHERE rotation_id = ?", (theirs,)
        )
        == 0
    )


def test_removing_a_qualification_removes_its_certificates(
    make_client, company: Company, database, settings, sophies: int
) -> None:
    sophie, admin = make_client(), make_client()
    sophie.login(company.staff_a.email)
    admin.login(company.admin.email)
    assert upload(sophie, sophies, PDF).status_code == 303
    folder = settings.data_path / documents.FOLDER
    assert len(list(folder.iterdir())) == 1
    sst = database.scalar(
        "SELECT qualification_id FROM person_qualifications WHERE id = ?", (sophies,)
    )
    assert admin.post_form(f"/qualifications/{sst}/delete").status_code == 303
    assert list(folder.iterdir()) == []
    assert database.scalar("SELECT count(*) FROM person_qualifications") == 0


def test_the_reminder_reads_in_the_persons_language(
    client: Client, company: Company, database, clock: ManualClock
) -> None:
    hold(database, company.staff_a.id, qualification(database, "SST", 24), date(2025, 3, 1))
    clock.set(START.replace(year=2026, month=12, day=31))
    send_expiry_reminders(database, clock.now())
    client.login(company.staff_a.email)
    text = page_text(client.get("/notifications").text)
    assert "Votre qualification expire bientôt" in text
    assert "« SST » expire le 1 mars 2027 : prévoyez son renouvellement." in text
