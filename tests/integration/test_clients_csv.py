"""Clients' CSV through HTTP: export without access details, import that updates instead of
doubling, and a file with an error that writes nothing and names its line and column."""

from __future__ import annotations

import csv
import io

from tests.integration.schedule_helpers import page_text

MANAGER_A = "manager.a@test.fr"
HEADER = (
    "reference;kind;name;contact_name;email;phones;locale;timezone;notes;no_surveys;"
    "site_name;site_address;site_latitude;site_longitude;site_phones\r\n"
)
GOOD = HEADER + (
    "C-1;company;Résidence Les Tilleuls;Mme Garnier;gardien@tilleuls.fr;04 72 00 00 01;fr;"
    "Europe/Paris;;0;Chaufferie;12 rue des Tilleuls, Lyon;45.76;4.84;06 12 34 56 78\r\n"
    "C-1;;;;;;;;;;Parking;12 rue des Tilleuls, Lyon;;;\r\n"
    "C-2;person;Jean Dupont;;;+44 20 7946 0958;en;Europe/London;VIP;1;;;;;\r\n"
)


def upload(browser, team_id: int, text: str, name: str = "clients.csv"):
    return browser.post(
        f"/teams/{team_id}/clients/import",
        data={"_csrf_token": browser.csrf()},
        files={"file": (name, text.encode("utf-8"), "text/csv")},
        follow_redirects=False,
    )


def counts(database) -> tuple[int, int, int]:
    return tuple(
        database.scalar(f"SELECT count(*) FROM {table}")
        for table in ("clients", "client_sites", "client_phones")
    )


def test_import_then_import_again_updates_instead_of_doubling(browsers, company, database):
    manager = browsers(MANAGER_A)
    team = company.team_a.id
    answer = upload(manager, team, GOOD)
    assert answer.status_code == 303, answer.text[:500]
    assert "created=2" in answer.headers["location"]
    assert counts(database) == (2, 2, 3)
    listing = page_text(manager.get(answer.headers["location"]).text)
    assert "Import terminé : 2 clients ajoutés, 0 mis à jour." in listing
    assert "Résidence Les Tilleuls" in listing and "(2 sites)" in listing
    site_phone = database.one(
        "SELECT p.number, s.name FROM client_phones p JOIN client_sites s ON s.id = p.site_id"
    )
    assert site_phone == {"number": "+33612345678", "name": "Chaufferie"}
    # A manager types the door code in the app; a re-import with a new contact keeps it.
    with database.write():
        database.execute("UPDATE client_sites SET access_codes = 'B4821' WHERE name = 'Parking'")
    again = upload(manager, team, GOOD.replace("Mme Garnier", "M. Garnier"))
    assert again.status_code == 303
    assert "created=0" in again.headers["location"] and "updated=2" in again.headers["location"]
    assert counts(database) == (2, 2, 3)
    assert database.scalar("SELECT contact_name FROM clients WHERE reference = 'C-1'") == (
        "M. Garnier"
    )
    assert database.scalar("SELECT access_codes FROM client_sites WHERE name = 'Parking'") == (
        "B4821"
    )
    person = database.one(
        "SELECT kind, locale, timezone, no_surveys FROM clients WHERE reference = 'C-2'"
    )
    assert person == {
        "kind": "person",
        "locale": "en",
        "timezone": "Europe/London",
        "no_surveys": 1,
    }


def test_a_row_in_error_names_its_line_and_column_and_nothing_is_written(
    browsers, company, database
):
    manager = browsers(MANAGER_A)
    bad = GOOD + "C-3;company;Boulangerie;;;12;fr;Europe/Paris;;0;;;;;\r\n"
    answer = upload(manager, company.team_a.id, bad)
    assert answer.status_code == 400
    text = page_text(answer.text)
    # Line 5 (the header is line 1), column phones.
    assert "Ligne 5, colonne « phones »" in text, text
    assert counts(database) == (0, 0, 0)
    assert database.scalar("SELECT count(*) FROM audit_log WHERE entity_type = 'client'") == 0
    # A later row of a client that contradicts its first row is an error too.
    contradicting = GOOD.replace("C-1;;;;;;;;;;Parking", "C-1;;Autre nom;;;;;;;;Parking")
    refused = upload(manager, company.team_a.id, contradicting)
    assert refused.status_code == 400
    assert "Ligne 3, colonne « name »" in page_text(refused.text)
    assert counts(database) == (0, 0, 0)


def test_an_access_codes_column_is_refused(browsers, company, database):
    text = HEADER.replace("\r\n", ";access_codes\r\n") + "C-9;;X;;;;;;;;;;;;;1234\r\n"
    answer = upload(browsers(MANAGER_A), company.team_a.id, text)
    assert answer.status_code == 400
    assert "access_codes" in answer.text
    assert counts(database) == (0, 0, 0)


def test_export_has_every_site_and_no_access_details(browsers, company, database):
    manager = browsers(MANAGER_A)
    team = company.team_a.id
    assert upload(manager, team, GOOD).status_code == 303
    with database.write():
        database.execute(
            "UPDATE client_sites SET access_codes = 'Porte 4821B', "
            "access_instructions = 'Clé chez le gardien'"
        )
    # A client made in the app without a reference is exported as #id, which matches it back.
    made = manager.post_form(f"/teams/{team}/clients/new", {"name": "Sans référence"})
    assert made.status_code == 303
    exported = manager.get(f"/teams/{team}/clients.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    body = exported.text
    assert "4821" not in body and "gardien" not in body.lower().replace("gardien@", "")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert [(r["reference"], r["site_name"]) for r in rows if r["reference"] != ""][:3] == [
        ("C-2", ""),
        ("C-1", "Chaufferie"),
        ("C-1", "Parking"),
    ]
    assert any(r["reference"].startswith("#") for r in rows)
    # The export imported again changes no count.
    before = counts(database)
    again = upload(manager, team, body)
    assert again.status_code == 303, again.text[:500]
    assert counts(database) == before
    assert database.scalar("SELECT access_codes FROM client_sites LIMIT 1") == "Porte 4821B"


def test_members_cannot_export_or_import(browsers, company, database):
    staff = browsers("staff.a@test.fr")
    assert staff.get(f"/teams/{company.team_a.id}/clients.csv").status_code == 403
    assert upload(staff, company.team_a.id, GOOD).status_code == 403
    assert counts(database) == (0, 0, 0)
