"""Clients through the pages a manager uses: create, edit with sites and numbers, search,
delete a site, "do not ask again", and who may do what (members read, managers write)."""

from __future__ import annotations

from server.audit.models import Actor
from server.clients.rules import PhoneInput, SiteInput, client_input
from server.clients.workflow import create_client
from server.db import Database
from server.teams.store import set_membership
from tests.conftest import Company
from tests.integration.schedule_helpers import page_text

MANAGER_A, STAFF_A, MANAGER_B, STAFF_B = (
    "manager.a@test.fr",
    "staff.a@test.fr",
    "manager.b@test.fr",
    "staff.b@test.fr",
)


def new_client(browser, team_id: int, **fields) -> int:
    form = {
        "name": "Résidence Les Tilleuls",
        "contact_name": "Mme Garnier",
        "email": "Gardien@Tilleuls.fr",
        "reference": "C-001",
        "phone_0_number": "06 12 34 56 78",
        "phone_0_label": "Gardien",
        "site_0_name": "Chaufferie",
        "site_0_address": "12 rue des Tilleuls, 69003 Lyon",
        "site_0_access_codes": "Porte 4821B",
        **fields,
    }
    answer = browser.post_form(f"/teams/{team_id}/clients/new", form)
    assert answer.status_code == 303, answer.text[:500]
    return int(answer.headers["location"].split("/")[2].split("?")[0])


def test_a_manager_creates_a_client_that_the_team_reads(browsers, company: Company, database):
    team = company.team_a.id
    client_id = new_client(browsers(MANAGER_A), team)
    row = database.one("SELECT * FROM clients WHERE id = ?", (client_id,))
    assert row["email"] == "gardien@tilleuls.fr" and row["version"] == 1
    assert database.scalar("SELECT number FROM client_phones") == "+33612345678"
    # A member reads it, the access code included.
    page = page_text(browsers(STAFF_A).get(f"/clients/{client_id}").text)
    assert "Résidence Les Tilleuls" in page and "Porte 4821B" in page
    assert "06 12 34 56 78" in page
    # An audit entry, with nothing that identifies the client or opens its door.
    audit = database.one("SELECT * FROM audit_log WHERE entity_type = 'client'")
    assert audit["action"] == "client.create"
    assert "Tilleuls" not in audit["after"] and "4821" not in audit["after"]


def test_an_impossible_number_is_refused_naming_the_field(browsers, company, database):
    answer = browsers(MANAGER_A).post_form(
        f"/teams/{company.team_a.id}/clients/new", {"name": "X", "phone_0_number": "12"}
    )
    assert answer.status_code == 400
    assert "Phone number" in answer.text or "Numéro de téléphone" in answer.text
    assert 'class="field invalid"' in answer.text
    assert database.scalar("SELECT count(*) FROM clients") == 0


def test_edit_checks_the_version_and_assigns_numbers_to_sites(browsers, company, database):
    manager = browsers(MANAGER_A)
    client_id = new_client(manager, company.team_a.id)
    site = database.scalar("SELECT id FROM client_sites")
    form = {
        "version": "1",
        "name": "Résidence Les Tilleuls",
        "phone_0_number": "+33612345678",
        "phone_0_site_id": str(site),
        "phone_1_number": "04 72 00 00 00",
        "site_0_id": str(site),
        "site_0_name": "Chaufferie B",
        "site_0_access_codes": "Porte 1234",
        "site_1_name": "Local poubelles",
    }
    saved = manager.post_form(f"/clients/{client_id}/edit", form)
    assert saved.status_code == 303, saved.text[:500]
    assert database.query("SELECT name FROM client_sites ORDER BY id") == [
        {"name": "Chaufferie B"},
        {"name": "Local poubelles"},
    ]
    assert database.query("SELECT number, site_id FROM client_phones ORDER BY id") == [
        {"number": "+33612345678", "site_id": site},
        {"number": "+33472000000", "site_id": None},
    ]
    # The same form again, opened at version 1: someone changed it since.
    stale = manager.post_form(f"/clients/{client_id}/edit", {**form, "site_0_name": "Autre"})
    assert stale.status_code == 409
    assert database.scalar("SELECT name FROM client_sites WHERE id = ?", (site,)) == "Chaufferie B"


def test_a_site_of_another_client_in_the_form_is_refused(browsers, company, database):
    other = create_client(
        database,
        company.team_b.id,
        client_input({"name": "Client B"}),
        [SiteInput(name="Site B")],
        [PhoneInput(number="+33700000000")],
        actor=Actor(label="test"),
        now=company_now(database),
    )
    manager = browsers(MANAGER_A)
    client_id = new_client(manager, company.team_a.id)
    foreign = other.sites[0].id
    before = database.query("SELECT * FROM client_sites ORDER BY id")
    for form in (
        {"site_0_id": str(foreign), "site_0_name": "Volé"},
        {"phone_0_number": "0612345678", "phone_0_site_id": str(foreign)},
    ):
        answer = manager.post_form(
            f"/clients/{client_id}/edit", {"version": "1", "name": "A", **form}
        )
        assert answer.status_code == 400, answer.text[:300]
        assert database.query("SELECT * FROM client_sites ORDER BY id") == before
    assert database.scalar("SELECT name FROM clients WHERE id = ?", (client_id,)) != "A"
    # Deleting B's site through A's client: not found, nothing deleted.
    gone = manager.post_form(f"/clients/{client_id}/sites/{foreign}/delete")
    assert gone.status_code == 404
    assert database.scalar("SELECT count(*) FROM client_sites WHERE id = ?", (foreign,)) == 1


def company_now(database: Database):
    from server.clock import from_db

    return from_db(database.scalar("SELECT created_at FROM teams LIMIT 1"))


def test_search_by_name_number_contact_and_address(browsers, company, database):
    manager = browsers(MANAGER_A)
    team = company.team_a.id
    new_client(manager, team)
    new_client(
        manager,
        team,
        name="Boulangerie Éclair",
        reference="C-002",
        contact_name="Jean Dupont",
        email="",
        phone_0_number="+44 20 7946 0958",
        site_0_name="Boutique",
        site_0_address="3 place Bellecour",
    )

    def found(query: str) -> list[str]:
        page = manager.get(f"/teams/{team}/clients", params={"q": query})
        assert page.status_code == 200
        text = page_text(page.text)
        return [n for n in ("Tilleuls", "Boulangerie") if n in text]

    assert found("eclair") == ["Boulangerie"]  # accents and case ignored
    assert found("tille") == ["Tilleuls"]  # prefix of a word
    assert found("06 12 34") == ["Tilleuls"]  # a number as dialled
    assert found("+33 6 12") == ["Tilleuls"]
    assert found("7946") == ["Boulangerie"]
    assert found("dupont") == ["Boulangerie"]
    assert found("bellecour") == ["Boulangerie"]
    assert found("4821") == []  # access codes are never searched (every member sees results)
    assert found("") == ["Tilleuls", "Boulangerie"]
    # htmx asks for the results alone.
    partial = manager.get(
        f"/teams/{team}/clients",
        params={"q": "eclair"},
        headers={"HX-Request": "true", "HX-Target": "client-results"},
    )
    assert partial.text.lstrip().startswith('<section class="card" id="client-results"')


def test_delete_a_site_and_do_not_ask_again(browsers, company, database):
    manager = browsers(MANAGER_A)
    client_id = new_client(manager, company.team_a.id)
    site = database.scalar("SELECT id FROM client_sites")
    assert manager.post_form(f"/clients/{client_id}/sites/{site}/delete").status_code == 303
    assert database.scalar("SELECT count(*) FROM client_sites") == 0
    assert manager.post_form(f"/clients/{client_id}/surveys", {"no_surveys": "1"}).is_redirect
    assert database.scalar("SELECT no_surveys FROM clients") == 1
    page = page_text(browsers(STAFF_A).get(f"/clients/{client_id}").text)
    assert "Do not ask again" in page or "Ne plus demander" in page
    assert manager.post_form(f"/clients/{client_id}/surveys", {}).is_redirect
    assert database.scalar("SELECT no_surveys FROM clients") == 0


def test_members_read_managers_write_others_are_refused(browsers, company, database):
    client_id = new_client(browsers(MANAGER_A), company.team_a.id)
    staff_a, staff_b, manager_b = browsers(STAFF_A), browsers(STAFF_B), browsers(MANAGER_B)
    assert staff_a.get(f"/teams/{company.team_a.id}/clients").status_code == 200
    assert staff_a.get(f"/teams/{company.team_a.id}/clients/new").status_code == 403
    assert staff_a.post_form(f"/clients/{client_id}/edit", {"name": "X"}).status_code == 403
    assert staff_a.get(f"/teams/{company.team_a.id}/clients.csv").status_code == 403
    for outsider in (staff_b, manager_b):
        assert outsider.get(f"/clients/{client_id}").status_code == 403
        assert outsider.get(f"/teams/{company.team_a.id}/clients").status_code == 403
        assert (
            outsider.post_form(f"/clients/{client_id}/erase", {"confirm": "erase"}).status_code
            == 403
        )
    assert database.scalar("SELECT erased_at FROM clients") is None


def test_a_person_of_two_teams_reads_both_writes_only_where_manager(browsers, company, database):
    actor = Actor(label="test")
    # Samuel manages team B and is a plain member of team A.
    set_membership(
        database,
        company.team_b.id,
        company.staff_a2.id,
        "manager",
        actor=actor,
        now=company_now(database),
    )
    client_a = new_client(browsers(MANAGER_A), company.team_a.id)
    client_b = new_client(browsers(MANAGER_B), company.team_b.id, reference="B-1")
    samuel = browsers("staff.a2@test.fr")
    assert samuel.get(f"/clients/{client_a}").status_code == 200
    assert samuel.get(f"/clients/{client_b}").status_code == 200
    assert samuel.get(f"/clients/{client_a}/edit").status_code == 403
    assert samuel.get(f"/clients/{client_b}/edit").status_code == 200
    assert samuel.post_form(f"/clients/{client_a}/surveys", {"no_surveys": "1"}).status_code == 403
    assert database.scalar("SELECT no_surveys FROM clients WHERE id = ?", (client_a,)) == 0
