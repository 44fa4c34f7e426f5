"""A team that closes alerts only with their intervention report: Julien's "Résoudre" is refused
with a way forward, "Saisir l’intervention" opens the form already answering the alert even
with no network (the cached form, the link applied on the phone), the outbox carries the alert
to the server when it is back, and the alert then closes, its report shown on its page."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec
from playwright.sync_api import expect

from server.audit.models import Actor
from server.clock import SystemClock
from server.db import Database
from server.teams.store import get_team, set_policy
from tests.e2e.conftest import LiveServer, PhoneFactory
from tests.e2e.field import READ_OUTBOX
from tests.e2e.helpers import (
    PARIS,
    STAFF,
    first_team_of,
    local_input,
    login,
    port_refuses,
    raise_alert,
    read_rows,
    wait_for,
    wait_for_service_worker,
    wait_until_cached,
)

REFUSAL = (
    "Cette équipe ne clôt une alerte qu’avec son compte rendu d’intervention : "
    "saisissez d’abord l’intervention."
)


def require_reports_in_julien_team(live: LiveServer) -> None:
    """The team's option, set as the policy page will: through the store, audited."""
    database = Database(str(live.data_dir / "astreinte.db"))
    try:
        team_id = first_team_of(live, STAFF)
        team = get_team(database, team_id)
        policy = msgspec.structs.replace(team.policy, require_intervention_report=True)
        set_policy(
            database,
            team_id,
            policy,
            actor=Actor(label="test"),
            now=SystemClock().now(),
            reason="Compte rendu obligatoire",
        )
    finally:
        database.close()


def reports_of(live: LiveServer, alert_id: int) -> list[dict]:
    return read_rows(
        live,
        "SELECT uuid, place FROM interventions WHERE alert_id = ? AND deleted_at IS NULL",
        (alert_id,),
    )


def test_the_report_logged_offline_from_the_alert_lets_it_close(
    make_phone: PhoneFactory, own_server: LiveServer
) -> None:
    require_reports_in_julien_team(own_server)
    phone = make_phone(own_server, timezone_id="Europe/Paris")
    login(phone, STAFF)
    wait_for_service_worker(phone)
    phone.goto("/interventions/new")  # opened once before leaving: the form works offline
    expect(phone.get_by_role("heading", level=1)).to_have_text("Saisir une intervention")
    wait_until_cached(phone, ["/interventions/new"])
    path = raise_alert(phone, "Chaudière en panne, bâtiment C")
    alert_id = int(path.rsplit("/", 1)[1])

    panel = phone.locator("#alert-panel")
    expect(panel.get_by_text("Aucune intervention saisie pour cette alerte.")).to_be_visible()
    panel.get_by_role("button", name="Résoudre", exact=True).tap()
    expect(panel.get_by_role("alert")).to_have_text(REFUSAL)
    log_it = panel.locator("#report-needed").get_by_role("link", name="Saisir l’intervention")
    expect(log_it).to_have_attribute("href", f"/interventions/new?alert={alert_id}")

    # In the basement: no network from here on.
    own_server.stop()
    assert port_refuses(own_server.port)
    mark = len(own_server.log)
    with phone.expect_navigation():
        log_it.tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Saisir une intervention")
    answered = phone.get_by_label("Alerte traitée", exact=True)
    expect(answered).to_have_value(str(alert_id))
    start = datetime.now(PARIS).replace(second=0, microsecond=0) - timedelta(minutes=50)
    phone.get_by_label("Début", exact=True).fill(local_input(start))
    phone.get_by_label("Fin", exact=True).fill(local_input(start + timedelta(minutes=40)))
    phone.get_by_label("Lieu", exact=True).fill("Bâtiment C, chaufferie")
    phone.get_by_role("button", name="Enregistrer", exact=True).tap()
    phone.wait_for_url("**/interventions")
    [entry] = phone.evaluate(READ_OUTBOX)
    assert entry["op"]["data"]["alert_id"] == alert_id, entry
    assert len(own_server.log) == mark, own_server.log[mark:]
    assert reports_of(own_server, alert_id) == []

    # Back in signal: the outbox sends it, with its alert.
    own_server.start()
    phone.reload()
    assert wait_for(lambda: bool(reports_of(own_server, alert_id))), phone.evaluate(READ_OUTBOX)
    [report] = reports_of(own_server, alert_id)
    assert report["uuid"] == entry["uuid"]

    phone.goto(path)
    expect(panel.locator("#alert-reports")).to_contain_text("Bâtiment C, chaufferie")
    panel.get_by_role("button", name="Résoudre", exact=True).tap()
    expect(panel.locator(".tag").first).to_have_text("résolue")
    expect(panel.get_by_role("alert")).to_have_count(0)
