"""A manager's correction of everything the person typed: times, travel, place and outcome, and
also what was found, what was done, remote or on site, and the alert answered (among the team's
recent alerts). Each correction is audited with both versions; an older phone edit loses to it;
staff may not correct.

Team A (Maintenance): Marc manages, Sophie is staff. Team B: Nina manages. Now is Monday
30 November 2026, 10:00 in Paris; Sophie's intervention is that night, 02:00 to 03:30."""

from __future__ import annotations

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
    update,
)
from tests.integration.schedule_helpers import Browsers, Node, page_text, parse


@dataclass
class Logged:
    sophie: Client
    marc: Client
    record: str
    alert: int


@pytest.fixture
def logged(company: Company, browsers: Browsers, database: Database, clock: ManualClock) -> Logged:
    alert = raise_alert(database, company.team_a.id, "Chaudière en panne", clock.now())
    sophie = browsers("staff.a@test.fr")
    op = create(alert_id=alert, found="Brûleur en sécurité", done="Réarmement et purge")
    sync_ok(sophie, op)
    return Logged(sophie, browsers("manager.a@test.fr"), op["uuid"], alert)


def correction_form(logged: Logged) -> Node:
    page = logged.marc.get(f"/interventions/{logged.record}")
    assert page.status_code == 200
    return parse(page.text).one("form", action=f"/interventions/{logged.record}/correct")


def as_posted(form: Node, **changes: str) -> dict[str, str]:
    """What the browser posts: every field of the form as shown, with the manager's changes."""
    fields: dict[str, str] = {}
    for node in form.iter():
        name = node.attrs.get("name")
        if not name or name == "_csrf_token":
            continue
        if node.tag == "input":
            fields[name] = node.attrs.get("value") or ""
        elif node.tag == "textarea":
            fields[name] = "".join(c for c in node.children if isinstance(c, str))
        elif node.tag == "select":
            chosen = [o for o in node.find_all("option") if "selected" in o.attrs]
            fields[name] = (chosen[0] if chosen else node.find_all("option")[0]).attrs["value"]
    return {**fields, **changes}


def selected(form: Node, name: str) -> str:
    [option] = [
        o for o in form.one("select", name=name).find_all("option") if "selected" in o.attrs
    ]
    return option.attrs["value"]


def test_the_correction_form_shows_every_field_as_stored(logged: Logged) -> None:
    form = correction_form(logged)
    assert form.one("textarea", name="found").text == "Brûleur en sécurité"
    assert form.one("textarea", name="done").text == "Réarmement et purge"
    assert selected(form, "mode") == "on_site"
    assert selected(form, "alert_id") == str(logged.alert)


def test_the_manager_corrects_what_was_done_and_the_mode(
    logged: Logged, database: Database, company: Company
) -> None:
    posted = as_posted(
        correction_form(logged),
        done="Réarmement, purge et remplacement du pressostat",
        mode="remote",
    )
    answer = logged.marc.post_form(f"/interventions/{logged.record}/correct", posted)
    assert answer.status_code == 303, answer.text

    stored = row(database, logged.record)
    assert (stored["done"], stored["mode"]) == (
        "Réarmement, purge et remplacement du pressostat",
        "remote",
    )
    # The rest as it was: the form posted it back unchanged.
    assert stored["found"] == "Brûleur en sécurité" and stored["alert_id"] == logged.alert
    assert (stored["started_at"], stored["ended_at"]) == (
        "2026-11-30T01:00:00Z",
        "2026-11-30T02:30:00Z",
    )
    assert stored["corrected_by"] == company.manager_a.id

    fix = audit(database, logged.record)[-1]
    assert (fix["action"], fix["actor_user_id"]) == ("intervention.correct", company.manager_a.id)
    assert (fix["before"]["done"], fix["after"]["done"]) == (
        "Réarmement et purge",
        "Réarmement, purge et remplacement du pressostat",
    )
    assert (fix["before"]["mode"], fix["after"]["mode"]) == ("on_site", "remote")

    # Sophie reads the corrected version.
    shown = page_text(logged.sophie.get(f"/interventions/{logged.record}").text)
    assert "remplacement du pressostat" in shown and "à distance" in shown


def test_the_alert_select_offers_the_teams_recent_alerts_and_keeps_the_linked_one(
    logged: Logged, database: Database, company: Company, clock: ManualClock
) -> None:
    recent = [
        raise_alert(database, company.team_a.id, f"Alerte {n}", clock.now()) for n in range(25)
    ]
    elsewhere = raise_alert(database, company.team_b.id, "Serveur arrêté", clock.now())
    form = correction_form(logged)
    offered = {o.attrs["value"] for o in form.one("select", name="alert_id").find_all("option")}
    # The linked alert is older than the 20 most recent, and still offered, still chosen.
    assert str(logged.alert) in offered and selected(form, "alert_id") == str(logged.alert)
    assert str(recent[-1]) in offered and "" in offered
    assert str(elsewhere) not in offered
    # Saved as shown, the link stays.
    saved = logged.marc.post_form(f"/interventions/{logged.record}/correct", as_posted(form))
    assert saved.status_code == 303
    assert row(database, logged.record)["alert_id"] == logged.alert


def test_the_manager_links_another_alert_or_none(
    logged: Logged, database: Database, company: Company, clock: ManualClock
) -> None:
    other = raise_alert(database, company.team_a.id, "Fuite chaufferie", clock.now())
    url = f"/interventions/{logged.record}/correct"
    linked = logged.marc.post_form(url, as_posted(correction_form(logged), alert_id=str(other)))
    assert linked.status_code == 303
    assert row(database, logged.record)["alert_id"] == other
    unlinked = logged.marc.post_form(url, as_posted(correction_form(logged), alert_id=""))
    assert unlinked.status_code == 303
    assert row(database, logged.record)["alert_id"] is None
    afters = [e["after"]["alert_id"] for e in audit(database, logged.record)[1:]]
    assert afters == [other, None]


def test_an_alert_of_another_team_is_refused(
    logged: Logged, database: Database, company: Company, clock: ManualClock
) -> None:
    elsewhere = raise_alert(database, company.team_b.id, "Serveur arrêté", clock.now())
    before = row(database, logged.record)
    posted = as_posted(correction_form(logged), alert_id=str(elsewhere), done="Autre")
    answer = logged.marc.post_form(f"/interventions/{logged.record}/correct", posted)
    assert answer.status_code == 400
    assert "Cette alerte appartient à une autre équipe." in page_text(answer.text)
    assert row(database, logged.record) == before
    assert actions(database, logged.record) == ["intervention.create"]


@pytest.mark.parametrize("email", ["staff.a@test.fr", "manager.b@test.fr"])
def test_staff_and_other_managers_still_cannot_correct(
    email: str, logged: Logged, browsers: Browsers, database: Database
) -> None:
    posted = as_posted(correction_form(logged), done="Rien fait", mode="remote")
    person = logged.sophie if email == "staff.a@test.fr" else browsers(email)
    before = row(database, logged.record)
    answer = person.post_form(f"/interventions/{logged.record}/correct", posted)
    assert answer.status_code == 403
    assert row(database, logged.record) == before
    assert actions(database, logged.record) == ["intervention.create"]
    # The owner reads her intervention without the correction form.
    page = parse(logged.sophie.get(f"/interventions/{logged.record}").text)
    assert page.find("form", action=f"/interventions/{logged.record}/correct") is None


def test_an_older_phone_edit_loses_to_the_correction_of_what_was_done(
    logged: Logged, database: Database
) -> None:
    posted = as_posted(correction_form(logged), done="Pressostat remplacé", mode="remote")
    assert (
        logged.marc.post_form(f"/interventions/{logged.record}/correct", posted).status_code == 303
    )
    # Sophie's phone edit was typed before the correction (offline since the night).
    [result] = sync_ok(logged.sophie, update(logged.record, version=2, done="Purge seulement"))
    assert result["status"] == "superseded"
    stored = row(database, logged.record)
    assert (stored["done"], stored["mode"]) == ("Pressostat remplacé", "remote")
    assert actions(database, logged.record)[-1] == "intervention.superseded"
