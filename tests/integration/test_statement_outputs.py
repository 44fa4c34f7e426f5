"""The statement's outputs over HTTP: the payroll CSV, the API and the manager's month give the
same figures for the same month (provisional, then closed); the PDF of a closed version opens,
rendered to a bitmap, with the person's name, month, totals and the legal mention, accents
intact, in their language; a rectifying version says what it replaces; who may download what,
people of two teams included.

The clock starts on Monday 30 November 2026 at 10:00 in Paris; December 2026 is looked at."""

from __future__ import annotations

import csv
import io

import pypdfium2
import pytest

from server.accounts.store import current_user
from server.apikeys.store import create_key
from server.audit.models import Actor
from server.clock import ManualClock
from server.db import Database
from server.statements import monthly
from server.statements.closing import close_month, recheck_closing
from server.statements.export import COLUMNS
from server.statements.links import payroll_csv_url, pdf_url
from server.statements.store import save_wage
from server.teams.store import set_membership
from tests.conftest import Company
from tests.integration.intervention_helpers import create, sync_ok
from tests.integration.schedule_helpers import paris
from tests.integration.statement_helpers import pay
from tests.integration.swap_helpers import add_shift

MONTH = "2026-12"
EVERYWHERE = frozenset({"push", "email"})
KINDS = ("weekday", "saturday", "sunday", "holiday", "night", "total")


@pytest.fixture
def december(company: Company, database: Database, browsers, clock: ManualClock) -> Company:
    """Team A pays 1.00 € an hour on weekdays (2.00 on Sundays), 0.50 € more at night, a 25 %
    night premium. Sophie (20 € an hour) is on call the night of Monday 14 December and on
    Sunday 20 December, and was called out at 03:00 on the 15th (an hour, 30 minutes of
    travel); Samuel (no wage) the night of the 21st."""
    team, actor = company.team_a.id, Actor(label="test")
    pay(database, team, clock.now())
    save_wage(database, company.staff_a.id, 2000, actor=actor, now=clock.now())
    add_shift(database, team, company.staff_a.id, paris(2026, 12, 14, 18), paris(2026, 12, 15, 8))
    add_shift(database, team, company.staff_a.id, paris(2026, 12, 20, 8), paris(2026, 12, 20, 20))
    add_shift(database, team, company.staff_a2.id, paris(2026, 12, 21, 18), paris(2026, 12, 22, 8))
    clock.set(paris(2026, 12, 15, 9))
    (result,) = sync_ok(
        browsers("staff.a@test.fr"),
        create(
            started_at=paris(2026, 12, 15, 3),
            ended_at=paris(2026, 12, 15, 4),
            travel_minutes=30,
            place="Chaufferie, bâtiment C",
            changed_at=paris(2026, 12, 15, 4, 5),
        ),
    )
    assert result["status"] == "applied"
    return company


@pytest.fixture
def api_key(december: Company, database: Database, clock: ManualClock) -> str:
    token, _key = create_key(
        database, december.team_a.id, "Paie", actor=Actor(label="test"), now=clock.now()
    )
    return token


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # spreadsheets then read UTF-8
    text = response.content.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def page_figures(database: Database, team_id: int, now) -> dict[int, dict[str, int]]:
    """The manager's month (what the page shows), by person."""
    month = monthly.team_month(database, team_id, MONTH, now)
    return {
        line.user_id: {
            **{
                f"oncall_minutes_{k}": getattr(line.content.statement.oncall_minutes, k)
                for k in KINDS
            },
            **{
                f"intervention_minutes_{k}": getattr(line.content.statement.intervention_minutes, k)
                for k in KINDS
            },
            "intervention_count": line.content.statement.intervention_count,
            "oncall_pay_cents": line.content.statement.oncall_pay_cents,
            "intervention_pay_cents": line.content.statement.intervention_pay_cents,
            "oncall_rest_minutes": line.content.statement.oncall_rest_minutes,
        }
        for line in month.lines
    }


def api_figures(body: dict) -> dict[int, dict[str, int]]:
    return {
        line["person_id"]: {
            **{f"oncall_minutes_{k}": line["oncall_minutes"][k] for k in KINDS},
            **{f"intervention_minutes_{k}": line["intervention_minutes"][k] for k in KINDS},
            "intervention_count": line["intervention_count"],
            "oncall_pay_cents": line["oncall_pay_cents"],
            "intervention_pay_cents": line["intervention_pay_cents"],
            "oncall_rest_minutes": line["oncall_rest_minutes"],
        }
        for line in body["lines"]
    }


def csv_figures(rows: list[dict[str, str]]) -> dict[int, dict[str, int]]:
    names = [c for c in COLUMNS if "_minutes_" in c] + [
        "intervention_count",
        "oncall_pay_cents",
        "intervention_pay_cents",
        "oncall_rest_minutes",
    ]
    return {int(row["person_id"]): {name: int(row[name]) for name in names} for row in rows}


def test_the_csv_the_api_and_the_page_agree_before_and_after_closing(
    client, december: Company, database: Database, browsers, api_key: str, clock: ManualClock
) -> None:
    # (`client` first: it is closed last, after the browsers opened during the test.)
    team = december.team_a.id
    sophie, samuel = december.staff_a, december.staff_a2
    manager = browsers("manager.a@test.fr")
    clock.set(paris(2026, 12, 31, 12))

    rows = csv_rows(manager.get(payroll_csv_url(team, MONTH)))
    api = client.get(
        f"/api/v1/teams/{team}/statements",
        params={"month": MONTH},
        headers={"Authorization": f"Bearer {api_key}"},
    )
    assert api.status_code == 200, api.text
    body = api.json()
    page = page_figures(database, team, clock.now())
    assert csv_figures(rows) == api_figures(body) == page
    assert set(page) == {sophie.id, samuel.id}
    assert body["closed"] is False and {line["status"] for line in body["lines"]} == {"provisional"}
    by_person = {int(row["person_id"]): row for row in rows}
    mine = by_person[sophie.id]
    assert (mine["name"], mine["email"], mine["month"]) == (
        "Sophie Staff",
        "staff.a@test.fr",
        MONTH,
    )
    assert (mine["status"], mine["version"], mine["sha256"]) == ("provisional", "", "")
    # Her night (14 h, 9 of them at night) and her Sunday (12 h): 26 h on call.
    assert mine["oncall_minutes_total"] == "1560" and mine["oncall_hours_total"] == "26.00"
    assert mine["oncall_minutes_night"] == "540" and mine["oncall_hours_night"] == "9.00"
    # 14 h × 1.00 + 12 h × 2.00 + 9 h × 0.50 = 42.50 €; 1.5 h × 20 € × 125 % = 37.50 €.
    assert (mine["oncall_pay_cents"], mine["oncall_pay_euros"]) == ("4250", "42.50")
    assert (mine["intervention_pay_cents"], mine["intervention_pay_euros"]) == ("3750", "37.50")
    assert (mine["intervention_minutes_total"], mine["intervention_hours_total"]) == ("90", "1.50")
    assert mine["intervention_count"] == "1"

    # Closed by the manager: the same figures, now the versions handed out.
    clock.set(paris(2027, 1, 1, 9))
    marc = current_user(database, december.manager_a.id)
    close_month(database, team, MONTH, now=clock.now(), channels=EVERYWHERE, by=marc)
    rows = csv_rows(manager.get(payroll_csv_url(team, MONTH)))
    body = client.get(
        f"/api/v1/teams/{team}/statements?month={MONTH}",
        headers={"Authorization": f"Bearer {api_key}"},
    ).json()
    assert csv_figures(rows) == api_figures(body) == page_figures(database, team, clock.now())
    assert body["closed"] is True
    stored = {s.user_id: s for s in monthly.statement_versions(database, team, sophie.id, MONTH)}
    row = next(r for r in rows if int(r["person_id"]) == sophie.id)
    assert (row["status"], row["version"], row["sha256"]) == (
        "closed",
        "1",
        stored[sophie.id].sha256,
    )
    line = next(line for line in body["lines"] if line["person_id"] == sophie.id)
    assert (line["version"], line["sha256"]) == (1, stored[sophie.id].sha256)


def test_the_api_refuses_a_bad_month_and_another_teams_key(
    client, december: Company, api_key: str, database: Database, clock: ManualClock
) -> None:
    client.headers["Accept-Language"] = "en"
    team = december.team_a.id
    auth = {"Authorization": f"Bearer {api_key}"}
    for month in ("2026-13", "12-2026", "1800-01", ""):
        response = client.get(f"/api/v1/teams/{team}/statements?month={month}", headers=auth)
        assert response.status_code == 400, (month, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        # A sentence an integrator reads, not the schema's regex.
        assert "YYYY-MM" in response.json()["detail"], response.json()
        assert "regex" not in response.json()["detail"], response.json()
    assert client.get(f"/api/v1/teams/{team}/statements", headers=auth).status_code == 400
    other, _key = create_key(
        database, december.team_b.id, "Autre", actor=Actor(label="t"), now=clock.now()
    )
    refused = client.get(
        f"/api/v1/teams/{team}/statements?month={MONTH}",
        headers={"Authorization": f"Bearer {other}"},
    )
    assert refused.status_code == 403
    assert client.get(f"/api/v1/teams/{team}/statements?month={MONTH}").status_code == 401


def test_the_csv_is_for_the_teams_managers_and_refuses_a_bad_month(
    december: Company, browsers
) -> None:
    team = december.team_a.id
    assert browsers("staff.a@test.fr").get(payroll_csv_url(team, MONTH)).status_code == 403
    assert browsers("manager.b@test.fr").get(payroll_csv_url(team, MONTH)).status_code == 403
    assert browsers("admin@test.fr").get(payroll_csv_url(team, MONTH)).status_code == 200
    bad = browsers("manager.a@test.fr").get(payroll_csv_url(team, "2026-13"))
    assert bad.status_code == 400


def pdf_text(data: bytes) -> str:
    """Page 1 rendered to a bitmap (it must show ink) and its text read back."""
    document = pypdfium2.PdfDocument(data)
    page = document[0]
    width, height = page.get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    image = page.render(scale=1).to_pil().convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 5000, "the page is (nearly) blank"
    return page.get_textpage().get_text_range()


def close_december(database: Database, company: Company, clock: ManualClock) -> None:
    clock.set(paris(2027, 1, 1, 9))
    marc = current_user(database, company.manager_a.id)
    close_month(database, company.team_a.id, MONTH, now=clock.now(), channels=EVERYWHERE, by=marc)


def test_the_pdf_of_a_closed_statement_reads_as_a_person_would(
    december: Company, database: Database, browsers, clock: ManualClock
) -> None:
    team, sophie = december.team_a.id, december.staff_a
    phone = browsers("staff.a@test.fr")
    url = pdf_url(sophie.id, MONTH, 1, team)
    # Not closed yet: no document (the provisional month is shown in the app only).
    assert phone.get(url).status_code == 404
    close_december(database, december, clock)

    response = phone.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="statement-{MONTH}-v1-{sophie.id}.pdf"'
    )
    text = pdf_text(response.content)
    for expected in (
        "Relevé mensuel d’astreinte",
        "Décembre 2026",
        "Sophie Staff",
        "Maintenance",
        "26 h 00",  # on call in all
        "1 h 30",  # the intervention with its travel
        "42,50\u00a0€",
        "37,50\u00a0€",
        "80,00\u00a0€",
        "Chaufferie, bâtiment C",
        "R3121-2",
        "Document à conserver.",
    ):
        assert expected in text, (expected, text)
    (stored,) = monthly.statement_versions(database, team, sophie.id, MONTH)
    assert stored.sha256 in text
    # The same version renders the same bytes: dated by its hand-out, not by the download.
    clock.set(paris(2027, 1, 20, 9))
    assert phone.get(url).content == response.content

    # Her manager downloads it too, in her language; a colleague may not; no version 2.
    assert browsers("manager.a@test.fr").get(url).content == response.content
    assert browsers("staff.a2@test.fr").get(url).status_code == 403
    assert browsers("manager.b@test.fr").get(url).status_code == 403
    assert phone.get(pdf_url(sophie.id, MONTH, 2, team)).status_code == 404
    assert phone.get(f"/statements/{sophie.id}/{MONTH}/v1.txt").status_code == 404
    assert phone.get(f"/statements/{sophie.id}/2026-13/v1.pdf").status_code == 400


def test_the_pdf_is_in_the_persons_language(
    december: Company, database: Database, browsers, clock: ManualClock
) -> None:
    with database.write():
        database.execute("UPDATE users SET locale = 'en' WHERE id = ?", (december.staff_a.id,))
    close_december(database, december, clock)
    url = pdf_url(december.staff_a.id, MONTH, 1, december.team_a.id)
    text = pdf_text(browsers("manager.a@test.fr").get(url).content)
    for expected in ("Monthly on-call statement", "December 2026", "26h 00m", "€42.50", "R3121-2"):
        assert expected in text, (expected, text)


def test_someone_reading_as_their_browser_gets_their_pdf_in_its_language(
    december: Company, database: Database, browsers, clock: ManualClock
) -> None:
    """No language chosen ("as my browser"): the person's own download follows the browser; a
    manager downloading it gets the server's default (French) whatever their browser says."""
    close_december(database, december, clock)
    url = pdf_url(december.staff_a.id, MONTH, 1, december.team_a.id)
    phone = browsers("staff.a@test.fr")
    phone.headers["Accept-Language"] = "en-GB,en;q=0.9"
    assert "Monthly on-call statement" in pdf_text(phone.get(url).content)
    manager = browsers("manager.a@test.fr")
    manager.headers["Accept-Language"] = "en-GB,en;q=0.9"
    assert "Relevé mensuel d’astreinte" in pdf_text(manager.get(url).content)


def test_a_rectifying_version_says_what_it_replaces_and_what_changed(
    december: Company, database: Database, browsers, clock: ManualClock
) -> None:
    team, sophie = december.team_a.id, december.staff_a
    close_december(database, december, clock)
    # A late intervention of the 20th syncs on 5 January: version 2.
    clock.set(paris(2027, 1, 5, 10))
    sync_ok(
        browsers("staff.a@test.fr"),
        create(
            started_at=paris(2026, 12, 20, 10),
            ended_at=paris(2026, 12, 20, 11),
            travel_minutes=0,
            changed_at=paris(2027, 1, 5, 9),
        ),
    )
    closing = monthly.store.get_closing(database, team, MONTH)
    assert recheck_closing(database, closing, now=clock.now(), channels=EVERYWHERE) == 1
    response = browsers("staff.a@test.fr").get(pdf_url(sophie.id, MONTH, 2, team))
    assert response.status_code == 200, response.text
    text = pdf_text(response.content)
    assert "Rectificatif n°2 remplaçant la version du 1 janvier 2027" in text, text
    assert "Ce qui change par rapport à la version 1" in text
    assert "Temps d’intervention (dimanches) +1 h 00" in text
    assert "Temps d’intervention (total) +1 h 00" in text
    assert "Nombre d’interventions +1" in text
    assert "Interventions payées +20,00\u00a0€" in text  # an hour at 20 €, no premium
    first, second = monthly.statement_versions(database, team, sophie.id, MONTH)
    assert first.sha256 in text and second.sha256 in text
    # The first version is still there, unchanged.
    first_pdf = browsers("staff.a@test.fr").get(pdf_url(sophie.id, MONTH, 1, team))
    assert "Rectificatif" not in pdf_text(first_pdf.content)


def test_someone_in_two_teams_gets_each_teams_statement_from_its_managers(
    december: Company, database: Database, browsers, clock: ManualClock
) -> None:
    """Sophie is also in team B (Informatique) and on call there on the 28th: two statements
    of December. Each team's manager downloads their team's only."""
    sophie, team_a, team_b = december.staff_a, december.team_a.id, december.team_b.id
    set_membership(database, team_b, sophie.id, "member", actor=Actor(label="t"), now=clock.now())
    add_shift(database, team_b, sophie.id, paris(2026, 12, 28, 18), paris(2026, 12, 29, 8))
    close_december(database, december, clock)
    nina = current_user(database, december.manager_b.id)
    close_month(database, team_b, MONTH, now=clock.now(), channels=EVERYWHERE, by=nina)

    phone = browsers("staff.a@test.fr")
    both = f"/statements/{sophie.id}/{MONTH}/v1.pdf"
    assert phone.get(both).status_code == 400  # which team? she has two
    assert "Informatique" in pdf_text(phone.get(pdf_url(sophie.id, MONTH, 1, team_b)).content)
    assert "Maintenance" in pdf_text(phone.get(pdf_url(sophie.id, MONTH, 1, team_a)).content)
    manager_b = browsers("manager.b@test.fr")
    assert manager_b.get(pdf_url(sophie.id, MONTH, 1, team_a)).status_code == 403
    assert "Informatique" in pdf_text(manager_b.get(pdf_url(sophie.id, MONTH, 1, team_b)).content)
    # Without ?team=, each manager sees the one statement of theirs.
    assert "Informatique" in pdf_text(manager_b.get(both).content)
    assert "Maintenance" in pdf_text(browsers("manager.a@test.fr").get(both).content)
    # Team B's CSV lists her B month only.
    rows = csv_rows(manager_b.get(payroll_csv_url(team_b, MONTH)))
    assert [(int(r["person_id"]), r["oncall_minutes_total"]) for r in rows] == [(sophie.id, "840")]
