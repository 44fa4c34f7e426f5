"""A team that closes an alert only with its intervention report: resolving from the alert's
page or with the team's API key is refused (409, nothing written) until an intervention is
linked to the alert, and "Log the intervention" opens the form already answering it. Alertmanager's
own "resolved" still closes the alert: it is the system recovering, not a person closing it.

Team A (Maintenance): Marc manages, Sophie and Samuel are staff. Team B (Informatique): Nina
manages, Bruno is staff. The alert was raised at 01:50 in Paris on Monday 30 November 2026; the
intervention that answers it ran 02:00–03:30; now is 10:00."""

from __future__ import annotations

import msgspec
import pytest

from server.audit.models import Actor
from server.clock import ManualClock
from server.db import Database
from server.errors import InvalidInput
from server.teams.models import TeamPolicy
from server.teams.store import get_team, set_policy
from tests.conftest import Client, Company
from tests.integration.alert_helpers import alert_row, api_key, bearer
from tests.integration.intervention_helpers import create, delete, raise_alert, sync_ok
from tests.integration.schedule_helpers import page_text, paris, parse

REFUSAL = (
    "Cette équipe ne clôt une alerte qu’avec son compte rendu d’intervention : "
    "saisissez d’abord l’intervention."
)
RAISED_AT = paris(2026, 11, 30, 1, 50)
# Every table resolving writes to, and the ones a refused attempt must leave alone.
TABLES = ("alerts", "alert_events", "audit_log", "deliveries", "interventions")


def require_reports(database: Database, company: Company, clock: ManualClock, on: bool = True):
    team = get_team(database, company.team_a.id)
    policy = msgspec.structs.replace(team.policy, require_intervention_report=on)
    return set_policy(
        database,
        team.id,
        policy,
        actor=Actor(label="test"),
        now=clock.now(),
        reason="Accord d’entreprise du 1er décembre",
    )


def counts(database: Database) -> dict[str, int]:
    return {t: database.scalar(f"SELECT COUNT(*) FROM {t}") for t in TABLES}


def snapshot(database: Database, alert_id: int) -> tuple[dict, dict[str, int]]:
    return alert_row(database, alert_id), counts(database)


def panel(html: str):
    return parse(html).one(id="alert-panel")


def log_link(html: str) -> list[str]:
    """Where the page's "Saisir l’intervention" links lead."""
    return [
        a.attrs["href"]
        for a in parse(html).find_all("a")
        if a.text.strip() == "Saisir l’intervention"
    ]


def answer_the_alert(client: Client, alert_id: int, **fields) -> dict:
    """Sophie's phone syncs an intervention linked to the alert (what the outbox sends)."""
    op = create(alert_id=alert_id, **fields)
    [result] = sync_ok(client, op)
    assert result["status"] == "applied", result
    return op


# The option off -------------------------------------------------------------------------------


def test_without_the_option_an_alert_closes_without_a_report(
    company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    assert get_team(database, company.team_a.id).policy.require_intervention_report is False
    by_page = raise_alert(database, company.team_a.id, "Chaudière en panne", RAISED_AT)
    by_api = raise_alert(database, company.team_a.id, "Ascenseur bloqué", RAISED_AT)
    sophie = browsers("staff.a@test.fr")
    answer = sophie.post_form(f"/alerts/{by_page}/resolve")
    assert answer.status_code == 303
    token = api_key(database, company.team_a.id)
    api = browsers().post(f"/api/v1/alerts/{by_api}/resolve", headers=bearer(token))
    assert api.status_code == 200, api.text
    assert [alert_row(database, a)["status"] for a in (by_page, by_api)] == ["resolved"] * 2


# The option on: refused until the report exists ----------------------------------------------


def test_the_page_refuses_to_close_without_a_report_and_offers_to_log_it(
    company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    require_reports(database, company, clock)
    alert = raise_alert(database, company.team_a.id, "Chaudière en panne", RAISED_AT)
    sophie = browsers("staff.a@test.fr")
    page = sophie.get(f"/alerts/{alert}")
    text = page_text(page.text)
    assert "Aucune intervention saisie pour cette alerte." in text
    assert "Cette équipe ne clôt une alerte qu’avec son compte rendu d’intervention." in text
    marc = browsers("manager.a@test.fr")  # logged in first: a login is audited too
    before = snapshot(database, alert)

    # Without JavaScript: the whole page again, with the reason and the way forward.
    plain = sophie.post_form(f"/alerts/{alert}/resolve")
    assert plain.status_code == 409
    assert REFUSAL in page_text(plain.text)
    assert parse(plain.text).one(role="alert").text.strip() == REFUSAL
    assert log_link(plain.text) == [f"/interventions/new?alert={alert}"]
    # With htmx: the panel alone, swapped in place.
    htmx = sophie.post_form(f"/alerts/{alert}/resolve", headers={"HX-Request": "true"})
    assert htmx.status_code == 409
    assert "<html" not in htmx.text
    root = panel(htmx.text)
    assert REFUSAL in root.text
    assert log_link(htmx.text) == [f"/interventions/new?alert={alert}"]
    assert root.find("form", action=f"/alerts/{alert}/resolve") is not None  # still open
    # A manager is held to the team's rule too.
    assert marc.post_form(f"/alerts/{alert}/resolve").status_code == 409
    assert snapshot(database, alert) == before
    assert alert_row(database, alert)["status"] == "triggered"


def test_once_the_report_is_synced_the_alert_closes_and_shows_it(
    company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    require_reports(database, company, clock)
    alert = raise_alert(database, company.team_a.id, "Chaudière en panne", RAISED_AT)
    sophie = browsers("staff.a@test.fr")
    assert sophie.post_form(f"/alerts/{alert}/resolve").status_code == 409

    op = answer_the_alert(sophie, alert, place="Bâtiment C, chaufferie")
    page = sophie.get(f"/alerts/{alert}")
    reports = parse(page.text).one(id="alert-reports")
    assert "Sophie Staff · Bâtiment C, chaufferie" in reports.text
    assert "lun. 30 nov., 02:00–03:30" in reports.text
    assert reports.find("a", href=f"/interventions/{op['uuid']}") is not None
    # Samuel sees that it exists, but only its author and the team's managers open it.
    samuel_view = parse(browsers("staff.a2@test.fr").get(f"/alerts/{alert}").text)
    assert "Sophie Staff" in samuel_view.one(id="alert-reports").text
    assert samuel_view.find("a", href=f"/interventions/{op['uuid']}") is None

    answer = sophie.post_form(f"/alerts/{alert}/resolve", headers={"HX-Request": "true"})
    assert answer.status_code == 200, answer.text
    assert "Résolue par staff.a@test.fr" in panel(answer.text).text
    row = alert_row(database, alert)
    assert (row["status"], row["resolved_by"]) == ("resolved", company.staff_a.id)


def test_the_api_refuses_with_a_problem_then_closes_once_reported(
    company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    require_reports(database, company, clock)
    alert = raise_alert(database, company.team_a.id, "Serveur injoignable", RAISED_AT)
    token = api_key(database, company.team_a.id)
    api = browsers()
    before = snapshot(database, alert)
    refused = api.post(f"/api/v1/alerts/{alert}/resolve", headers=bearer(token))
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    body = refused.json()
    assert (body["status"], body["code"], body["detail"]) == (
        409,
        "intervention-report-required",
        REFUSAL,
    )
    assert snapshot(database, alert) == before

    answer_the_alert(browsers("staff.a@test.fr"), alert)
    closed = api.post(f"/api/v1/alerts/{alert}/resolve", headers=bearer(token))
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "resolved"


def test_a_deleted_report_does_not_count(
    company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    require_reports(database, company, clock)
    alert = raise_alert(database, company.team_a.id, "Chaudière en panne", RAISED_AT)
    sophie = browsers("staff.a@test.fr")
    op = answer_the_alert(sophie, alert)
    [gone] = sync_ok(sophie, delete(op["uuid"], version=2))
    assert gone["status"] == "applied"
    assert sophie.post_form(f"/alerts/{alert}/resolve").status_code == 409
    # A report linked to another alert does not count either.
    other = raise_alert(database, company.team_a.id, "Ascenseur bloqué", RAISED_AT)
    answer_the_alert(sophie, other)
    assert sophie.post_form(f"/alerts/{alert}/resolve").status_code == 409
    assert alert_row(database, alert)["status"] == "triggered"
    assert sophie.post_form(f"/alerts/{other}/resolve").status_code == 303


def test_turning_the_option_off_again_lets_alerts_close(
    company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    require_reports(database, company, clock)
    alert = raise_alert(database, company.team_a.id, "Chaudière en panne", RAISED_AT)
    sophie = browsers("staff.a@test.fr")
    assert sophie.post_form(f"/alerts/{alert}/resolve").status_code == 409
    require_reports(database, company, clock, on=False)
    assert sophie.post_form(f"/alerts/{alert}/resolve").status_code == 303
    # Team B never asked for reports: its alerts were never held back.
    other = raise_alert(database, company.team_b.id, "Serveur injoignable", RAISED_AT)
    assert browsers("staff.b@test.fr").post_form(f"/alerts/{other}/resolve").status_code == 303


def test_alertmanager_resolved_closes_even_without_a_report(
    company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    """The monitoring system saying it recovered is a fact, not a person closing the alert (and
    refusing it would have Alertmanager resend the whole group forever)."""
    require_reports(database, company, clock)
    token = api_key(database, company.team_a.id)
    api = browsers()
    path = "/api/v1/integrations/alertmanager"

    def group(status: str) -> dict:
        item = {"status": status, "labels": {"alertname": "DiskFull"}, "fingerprint": "5f1c2a"}
        return {"alerts": [item]}

    assert api.post(path, json=group("firing"), headers=bearer(token)).json()["created"] == 1
    alert = database.scalar("SELECT id FROM alerts")
    answer = api.post(path, json=group("resolved"), headers=bearer(token))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"created": 0, "repeated": 0, "resolved": 1}
    assert alert_row(database, alert)["status"] == "resolved"
    # The report can still be logged afterwards, from the closed alert's page.
    page = browsers("staff.a@test.fr").get(f"/alerts/{alert}")
    assert log_link(page.text) == [f"/interventions/new?alert={alert}"]


# "Log the intervention": the form answers the alert ------------------------------------------


def selected_alert(html: str) -> list[str]:
    select = parse(html).one("select", name="alert_id")
    return [o.attrs["value"] for o in select.find_all("option") if "selected" in o.attrs]


def test_the_form_opened_from_the_alert_answers_it_and_then_the_alert_closes(
    company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    require_reports(database, company, clock)
    alert = raise_alert(database, company.team_a.id, "Chaudière en panne", RAISED_AT)
    # Twenty-five newer alerts: the one answered is no longer among the form's latest.
    for n in range(25):
        raise_alert(database, company.team_a.id, f"Autre alerte {n}", paris(2026, 11, 30, 5))
    sophie = browsers("staff.a@test.fr")
    refused = sophie.post_form(f"/alerts/{alert}/resolve")
    [href] = log_link(refused.text)
    form_page = sophie.get(href)
    assert form_page.status_code == 200
    assert selected_alert(form_page.text) == [str(alert)]
    option = parse(form_page.text).one("option", value=str(alert))
    assert option.text.strip() == "Chaudière en panne"

    # Without JavaScript the form posts here (with it, the outbox sends the same alert_id).
    form = parse(form_page.text).one("form", id="intervention-form")
    saved = sophie.post_form(
        "/interventions/new",
        {
            "uuid": form.attrs["data-uuid"],
            "started_at": "2026-11-30T02:00",
            "ended_at": "2026-11-30T03:30",
            "mode": "on_site",
            "place": "Bâtiment C, chaufferie",
            "travel_minutes": "20",
            "alert_id": str(alert),
            "found": "Brûleur en sécurité",
            "done": "Réarmement",
            "outcome": "resolved",
        },
    )
    assert saved.status_code == 303, saved.text
    linked = database.one("SELECT alert_id, team_id FROM interventions")
    assert linked == {"alert_id": alert, "team_id": company.team_a.id}
    assert sophie.post_form(f"/alerts/{alert}/resolve").status_code == 303
    assert alert_row(database, alert)["status"] == "resolved"


def test_another_team_cannot_link_the_alert(
    company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    require_reports(database, company, clock)
    alert = raise_alert(database, company.team_a.id, "Chaudière en panne", RAISED_AT)
    bruno = browsers("staff.b@test.fr")
    # The form names nothing of another team's alert.
    form_page = bruno.get(f"/interventions/new?alert={alert}")
    assert form_page.status_code == 200
    assert "Chaudière en panne" not in form_page.text
    assert selected_alert(form_page.text) == [""]
    assert browsers("staff.a@test.fr").get("/interventions/new?alert=9999").status_code == 200
    before = counts(database)

    # Through the outbox: refused for that field, nothing stored.
    [result] = sync_ok(bruno, create(alert_id=alert))
    assert (result["status"], result["field"]) == ("rejected", "alert_id")
    assert result["reason"] == "Cette alerte appartient à une autre équipe."
    # Through the plain form: the form again with the reason.
    plain = bruno.post_form(
        "/interventions/new",
        {
            "started_at": "2026-11-30T02:00",
            "ended_at": "2026-11-30T03:30",
            "alert_id": str(alert),
            "outcome": "resolved",
        },
    )
    assert plain.status_code == 400
    assert "Cette alerte appartient à une autre équipe." in page_text(plain.text)
    assert counts(database) == before
    assert browsers("staff.a@test.fr").post_form(f"/alerts/{alert}/resolve").status_code == 409


# Setting the option ---------------------------------------------------------------------------


def test_the_policy_change_is_audited_with_its_reason(
    company: Company, database: Database, clock: ManualClock
) -> None:
    team = require_reports(database, company, clock)
    assert team.policy.require_intervention_report is True
    assert team.policy.notice_days == TeamPolicy().notice_days  # the rest unchanged
    entry = database.one("SELECT * FROM audit_log WHERE action = 'team.policy'")
    assert entry["entity_type"] == "team" and entry["entity_id"] == str(team.id)
    before = msgspec.json.decode(entry["before"])
    after = msgspec.json.decode(entry["after"])
    assert before["policy"]["require_intervention_report"] is False
    assert after["policy"]["require_intervention_report"] is True
    assert after["reason"] == "Accord d’entreprise du 1er décembre"

    written = counts(database)
    with pytest.raises(InvalidInput):
        set_policy(
            database,
            team.id,
            TeamPolicy(),
            actor=Actor(label="test"),
            now=clock.now(),
            reason="   ",
        )
    assert counts(database) == written
    assert get_team(database, team.id).policy.require_intervention_report is True
