"""Procedures end to end: written by a manager, versioned with a visible difference, read
again by the team, reminded when stale, shown first on the alert they serve, and refused to
whoever may not read or write them (down to the id, people of several teams included)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from server.alerts.models import AlertIn
from server.alerts.workflow import create_alert
from server.apikeys.store import create_key
from server.audit.models import Actor
from server.clients.rules import ClientInput, SiteInput
from server.clients.workflow import create_client
from server.teams.store import set_membership
from tests.conftest import Client, Company

BODY = """## Diagnostic

1. Lire la pression.
2. Vérifier la sonde.

- [ ] Couper la vanne
- [ ] Prévenir le client
"""


def procedure_ids(database) -> list[int]:
    return [row["id"] for row in database.query("SELECT id FROM procedures ORDER BY id")]


def notifications(database, user_id: int, kind: str = "procedure_changed") -> list[dict]:
    return database.query(
        "SELECT * FROM notifications WHERE user_id = ? AND kind = ? ORDER BY id", (user_id, kind)
    )


@pytest.fixture
def marc(company: Company, make_client) -> Client:
    browser = make_client()
    browser.login("manager.a@test.fr")
    return browser


def write(browser: Client, team_id: int, **fields) -> int:
    response = browser.post_form(
        f"/teams/{team_id}/procedures/new", {"title": "Chaudière en panne", "body": BODY, **fields}
    )
    assert response.status_code == 303, response.text
    return int(re.search(r"/procedures/(\d+)", response.headers["location"]).group(1))


def test_a_manager_writes_a_procedure_the_team_is_asked_to_read(
    company: Company, database, marc: Client, make_client
) -> None:
    procedure_id = write(marc, company.team_a.id, owner_id=str(company.staff_a.id))
    sophie = make_client()
    sophie.login("staff.a@test.fr")
    page = sophie.get(f"/procedures/{procedure_id}")
    assert page.status_code == 200
    assert "<h2>Diagnostic</h2>" in page.text
    # The task list is the checklist an intervention ticks (the offline side reads it).
    assert f'<ul class="checklist" data-procedure="{procedure_id}" data-version="1">' in page.text
    assert '<input type="checkbox" data-item="1" disabled> Prévenir le client' in page.text
    assert "Sophie Staff" in page.text  # the owner
    # Every member but the author is asked to read it; the author has read it.
    for person in (company.staff_a, company.staff_a2):
        [asked] = notifications(database, person.id)
        assert asked["url"] == f"/procedures/{procedure_id}"
    assert notifications(database, company.manager_a.id) == []
    assert notifications(database, company.staff_b.id) == []
    listing = sophie.get(f"/teams/{company.team_a.id}/procedures?q=panne")
    assert "Chaudière en panne" in listing.text and "lue par 1 sur 3" in listing.text
    assert (
        "Aucune procédure ne correspond"
        in sophie.get(f"/teams/{company.team_a.id}/procedures?q=ascenseur").text
    )


def test_a_change_keeps_the_previous_version_shows_the_difference_and_asks_again(
    company: Company, database, marc: Client, make_client
) -> None:
    procedure_id = write(marc, company.team_a.id)
    changed = BODY.replace("2. Vérifier la sonde.", "2. Remplacer la sonde.")
    saved = marc.post_form(
        f"/procedures/{procedure_id}/edit",
        {"version": "1", "title": "Chaudière en panne", "body": changed, "note": "Sonde HS"},
    )
    assert saved.status_code == 303, saved.text
    rows = database.query(
        "SELECT version, body FROM procedure_versions WHERE procedure_id = ? ORDER BY version",
        (procedure_id,),
    )
    assert [(r["version"], r["body"]) for r in rows] == [
        (1, BODY.strip("\n")),
        (2, changed.strip("\n")),
    ]
    sophie = make_client()
    sophie.login("staff.a@test.fr")
    page = sophie.get(f"/procedures/{procedure_id}").text
    assert "Version 2" in page and "Sonde HS" in page
    assert "<del>2. Vérifier la sonde.</del>" in page
    assert "<ins>2. Remplacer la sonde.</ins>" in page
    assert [n["params"] for n in notifications(database, company.staff_a.id)][-1].find(
        '"version":2'
    ) >= 0
    old = sophie.get(f"/procedures/{procedure_id}/versions/1")
    assert old.status_code == 200 and "Vérifier la sonde." in old.text
    assert sophie.get(f"/procedures/{procedure_id}/versions/9").status_code == 404
    # A form opened at version 1 and sent now is refused: nothing is written.
    stale = marc.post_form(
        f"/procedures/{procedure_id}/edit",
        {"version": "1", "title": "Autre", "body": "Texte", "note": ""},
    )
    assert stale.status_code == 409
    assert database.scalar("SELECT COUNT(*) FROM procedure_versions") == 2
    # Only the owner, review date or tags changed: no new version, nobody asked again.
    before = len(notifications(database, company.staff_a.id))
    marc.post_form(
        f"/procedures/{procedure_id}/edit",
        {"version": "2", "title": "Chaudière en panne", "body": changed, "sources": "call"},
    )
    assert database.scalar("SELECT version FROM procedures") == 2
    assert len(notifications(database, company.staff_a.id)) == before


def test_i_have_read_version_n_is_recorded_once_per_person(
    company: Company, database, marc: Client, make_client
) -> None:
    procedure_id = write(marc, company.team_a.id)
    sophie = make_client()
    sophie.login("staff.a@test.fr")
    assert "J’ai lu la version 1" in sophie.get(f"/procedures/{procedure_id}").text
    for _attempt in range(2):
        done = sophie.post_form(f"/procedures/{procedure_id}/read", {"version": "1"})
        assert done.status_code == 303
    rows = database.query(
        "SELECT user_id, version FROM procedure_reads WHERE user_id = ?", (company.staff_a.id,)
    )
    assert rows == [{"user_id": company.staff_a.id, "version": 1}]
    page = sophie.get(f"/procedures/{procedure_id}").text
    assert "Vous avez lu la version 1." in page
    assert "J’ai lu la version 1" not in page
    # A version that is not the current one cannot be said read.
    assert sophie.post_form(f"/procedures/{procedure_id}/read", {"version": "7"}).status_code == 409
    assert sophie.post_form(f"/procedures/{procedure_id}/read", {}).status_code == 400
    listing = marc.get(f"/teams/{company.team_a.id}/procedures").text
    assert "lue par 2 sur 3" in listing


def test_a_stale_procedure_reminds_its_owner_once(
    company: Company, database, marc: Client, app, clock
) -> None:
    review_on = (clock.now() + timedelta(days=3)).date().isoformat()
    procedure_id = write(
        marc, company.team_a.id, owner_id=str(company.staff_a2.id), review_on=review_on
    )
    app.state.engine.run_once()
    assert notifications(database, company.staff_a2.id, "procedure_stale") == []
    clock.advance(timedelta(days=3))  # the review date itself is still in time
    app.state.engine.run_once()
    assert notifications(database, company.staff_a2.id, "procedure_stale") == []
    clock.advance(timedelta(days=1))
    app.state.engine.run_once()
    app.state.engine.run_once()
    clock.advance(timedelta(days=5))
    app.state.engine.run_once()
    [reminder] = notifications(database, company.staff_a2.id, "procedure_stale")
    assert reminder["url"] == f"/procedures/{procedure_id}"
    assert notifications(database, company.manager_a.id, "procedure_stale") == []
    page = marc.get(f"/procedures/{procedure_id}").text
    assert 'id="stale"' in page
    assert "revue en retard" in marc.get(f"/teams/{company.team_a.id}/procedures").text


def test_the_review_date_defaults_to_the_teams_setting(
    company: Company, database, marc: Client, clock
) -> None:
    form = marc.get(f"/rest/policy?team={company.team_a.id}").text
    values = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    assert values["procedure_review_months"] == "6"
    values.update(procedure_review_months="3", reason="Procédures revues chaque trimestre")
    values.pop("_csrf_token", None)
    for option in ("alsace_moselle_holidays", "require_intervention_report", "auto_approve_swaps"):
        values.pop(option, None)
    saved = marc.post_form(f"/rest/policy?team={company.team_a.id}", values)
    assert saved.status_code == 303, saved.text
    write(marc, company.team_a.id)
    # 30 November 2026 + 3 months: 28 February 2027 (the month has no 30th).
    assert database.scalar("SELECT review_on FROM procedures") == "2027-02-28"
    assert clock.now().date().isoformat() == "2026-11-30"


def test_bad_input_is_refused_clearly_and_nothing_is_written(
    company: Company, database, marc: Client, clock
) -> None:
    actor = Actor(label="test")
    other = create_client(
        database,
        company.team_b.id,
        ClientInput(name="Résidence B"),
        [SiteInput(name="Cave")],
        [],
        actor=actor,
        now=clock.now(),
    )
    cases = [
        ({"title": "", "body": BODY}, "Donnez un titre à la procédure."),
        ({"title": "T", "body": "  "}, "Écrivez le texte de la procédure."),
        ({"title": "T", "body": BODY, "labels": "sans-egal"}, "nom=valeur"),
        (
            {"title": "T", "body": BODY, "clients": str(other.id)},
            "Ce client n’est pas un client de l’équipe.",
        ),
        (
            {"title": "T", "body": BODY, "sites": str(other.sites[0].id)},
            "Ce site n’est pas un site de l’équipe.",
        ),
        (
            {"title": "T", "body": BODY, "owner_id": str(company.staff_b.id)},
            "Le responsable doit être membre de l’équipe.",
        ),
        (
            {"title": "T", "body": BODY, "review_on": "2020-01-01"},
            "La date de revue est déjà passée.",
        ),
        ({"title": "T", "body": BODY, "review_on": "demain"}, "Cette date n’est pas valide."),
        (
            {"title": "T", "body": "x" * 50_001},
            "Le texte est trop long (50 000 caractères au plus).",
        ),
    ]
    for fields, message in cases:
        response = marc.post_form(f"/teams/{company.team_a.id}/procedures/new", fields)
        assert response.status_code == 400, (fields.keys(), response.status_code)
        assert message in response.text, message
    assert procedure_ids(database) == []
    assert database.scalar("SELECT COUNT(*) FROM notifications") == 0


def test_who_may_read_and_write_down_to_the_procedure(
    company: Company, database, marc: Client, make_client, clock
) -> None:
    procedure_id = write(marc, company.team_a.id, owner_id=str(company.staff_a.id))
    # Nina manages team B and is a plain member of team A.
    set_membership(
        database,
        company.team_a.id,
        company.manager_b.id,
        "member",
        actor=Actor(label="test"),
        now=clock.now(),
    )
    browsers = {}
    for email in ("staff.a@test.fr", "staff.a2@test.fr", "manager.b@test.fr", "staff.b@test.fr"):
        browsers[email] = make_client()
        browsers[email].login(email)
    edit = {"version": "1", "title": "Modifiée", "body": "Nouveau texte"}
    # The owner (staff) edits; another member, and a manager of another team, do not.
    assert browsers["staff.a2@test.fr"].get(f"/procedures/{procedure_id}/edit").status_code == 403
    assert browsers["manager.b@test.fr"].get(f"/procedures/{procedure_id}").status_code == 200
    for email in ("staff.a2@test.fr", "manager.b@test.fr", "staff.b@test.fr"):
        assert (
            browsers[email].post_form(f"/procedures/{procedure_id}/edit", edit).status_code == 403
        )
    assert database.scalar("SELECT version FROM procedures") == 1
    assert (
        browsers["staff.a@test.fr"].post_form(f"/procedures/{procedure_id}/edit", edit).status_code
        == 303
    )
    # Someone of team B only neither reads team A's procedures nor says they read one.
    outsider = browsers["staff.b@test.fr"]
    assert outsider.get(f"/procedures/{procedure_id}").status_code == 403
    assert outsider.get(f"/teams/{company.team_a.id}/procedures").status_code == 403
    assert (
        outsider.post_form(f"/procedures/{procedure_id}/read", {"version": "2"}).status_code == 403
    )
    # A member of A managing B writes no new procedure in A.
    nina = browsers["manager.b@test.fr"]
    assert (
        nina.post_form(
            f"/teams/{company.team_a.id}/procedures/new", {"title": "X", "body": "Y"}
        ).status_code
        == 403
    )
    assert database.scalar("SELECT COUNT(*) FROM procedures") == 1


def test_the_alert_page_shows_matching_procedures_best_first(
    company: Company, database, marc: Client, make_client, clock
) -> None:
    actor = Actor(label="test")
    team = company.team_a.id
    residence = create_client(
        database,
        team,
        ClientInput(name="Résidence Les Tilleuls"),
        [SiteInput(name="Chaufferie"), SiteInput(name="Parking")],
        [],
        actor=actor,
        now=clock.now(),
    )
    chaufferie, parking = residence.sites
    by_source = write(marc, team, title="Toute alerte de supervision", sources="alertmanager")
    by_label = write(marc, team, title="Service chauffage", labels="service=chauffage")
    by_client = write(marc, team, title="Les Tilleuls", clients=str(residence.id))
    by_site = write(marc, team, title="Chaufferie des Tilleuls", sites=str(chaufferie.id))
    write(marc, team, title="Parking des Tilleuls", sites=str(parking.id))
    write(marc, team, title="Sans étiquette")
    token, _key = create_key(database, team, "Supervision", actor=actor, now=clock.now())
    # Alertmanager's labels are kept on the alert.
    sent = make_client().post(
        "/api/v1/integrations/alertmanager",
        json={
            "alerts": [
                {"status": "firing", "labels": {"alertname": "Temp", "service": "chauffage"}}
            ]
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert sent.status_code == 200, sent.text
    labelled = database.one("SELECT id, labels FROM alerts")
    assert '"service":"chauffage"' in labelled["labels"]
    page = marc.get(f"/alerts/{labelled['id']}").text
    shown = re.findall(r'href="/procedures/(\d+)"', page)
    assert shown == [str(by_label), str(by_source)]
    # A call from the client's boiler room: site, then client; the others do not match.
    called, _new = create_alert(
        database,
        team,
        AlertIn(title="Appel", source="alertmanager"),
        now=clock.now(),
        channels=frozenset({"push"}),
    )
    with database.write():
        database.execute(
            "UPDATE alerts SET client_id = ?, site_id = ? WHERE id = ?",
            (residence.id, chaufferie.id, called.id),
        )
    page = marc.get(f"/alerts/{called.id}").text
    shown = re.findall(r'href="/procedures/(\d+)"', page)
    assert shown == [str(by_site), str(by_client), str(by_source)]
    # First on the page: before the alert's details and its buttons.
    assert page.index('id="procedures"') < page.index("acknowledge")


def test_rendering_shows_nothing_executable(company: Company, marc: Client) -> None:
    body = (
        "<script>alert(1)</script>\n\n[a](javascript:alert(1)) [b](JAVASCRIPT:alert(1))\n\n"
        "![x](data:image/svg+xml;base64,PHN2Zz4=) <img src=x onerror=alert(1)>\n\n"
        '[c](https://exemple.fr "t") <a href="javascript:alert(2)">d</a>'
    )
    procedure_id = write(marc, company.team_a.id, body=body)
    page = marc.get(f"/procedures/{procedure_id}").text
    article = page[page.index('id="procedure-text"') : page.index('id="read"')]
    assert (
        "<script" not in article
        and "<img" not in article
        and "onerror=" not in article.replace("onerror=alert", "")
    )
    assert "javascript:" not in re.findall(r'href="([^"]*)"', article)[0].lower()
    hrefs = re.findall(r'href="([^"]*)"', article)
    assert hrefs == ["https://exemple.fr"]
    assert "&lt;script&gt;" in article
