"""The managers' "swap to approve" push: its Approve button carries a single-use token that
approves from the notification alone (no page, no cookie), once, and only what the manager
was shown."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from server.clock import ManualClock
from tests.conftest import Company
from tests.integration.alert_helpers import add_device, deliver
from tests.integration.schedule_helpers import paris
from tests.integration.swap_helpers import Team, ask_ok, audit_actions, shift_row, swap_row
from tests.push_service import PushService

APPROVE_URL = "/api/v1/swaps/approve"


@pytest.fixture
def push(clock: ManualClock) -> Iterator[PushService]:
    with PushService(clock=clock.now) as service:
        yield service
        assert service.refused == []


@pytest.fixture
def team(company: Company, database, browsers) -> Team:
    return Team(company, database, browsers)


def pushed_to_approve(team: Team, app, push: PushService, database, clock) -> tuple[int, dict]:
    """Marc's phone gets the push once Samuel takes Sophie's night."""
    phone = add_device(database, push, app, team.company.manager_a.id, "Marc phone", clock.now())
    swap_id = ask_ok(team.sophie, team.night)
    assert team.samuel.post_form(f"/swaps/{swap_id}/accept").status_code == 303
    deliver(app)
    (message,) = [m for m in push.messages(phone) if m["type"] == "swap_to_approve"]
    return swap_id, message


def test_the_push_to_a_manager_has_approve_and_open(
    team: Team, app, push: PushService, database, clock
) -> None:
    swap_id, message = pushed_to_approve(team, app, push, database, clock)
    assert message["title"] == "Échange à approuver"
    assert message["body"] == (
        "Samuel Staff reprend l’astreinte de Sophie Staff du 21/12/2026 18:00 au "
        "22/12/2026 08:00 (Maintenance)."
    )
    assert message["url"] == f"/swaps/{swap_id}"
    assert message["ack_url"] == APPROVE_URL
    assert message["ack_token"]
    assert message["labels"] == {"ack": "Approuver", "open": "Ouvrir", "acked": "Approuvé"}
    # Only the hash of the token is kept.
    stored = database.query("SELECT token_hash FROM swap_approval_tokens")
    assert len(stored) == 1 and stored[0]["token_hash"] != message["ack_token"]


def test_the_token_approves_once_without_a_session(
    team: Team, app, push: PushService, database, clock, make_client
) -> None:
    swap_id, message = pushed_to_approve(team, app, push, database, clock)
    service_worker = make_client()  # no cookie, no CSRF token: only the token
    answer = service_worker.post(APPROVE_URL, json={"token": message["ack_token"]})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"id": swap_id, "status": "approved"}
    assert shift_row(database, team.night)["user_id"] == team.company.staff_a2.id
    row = swap_row(database, swap_id)
    assert row["decided_by"] == team.company.manager_a.id
    audit = database.one("SELECT actor, after FROM audit_log WHERE action = 'swap.approve'")
    assert audit["actor"] == "manager.a@test.fr" and '"via":"notification"' in audit["after"]
    again = service_worker.post(APPROVE_URL, json={"token": message["ack_token"]})
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["detail"] == "Ce lien d’approbation a déjà servi."
    assert audit_actions(database, "swap", swap_id).count("swap.approve") == 1


def test_a_token_for_what_changed_since_is_refused(
    team: Team, app, push: PushService, database, clock, make_client
) -> None:
    swap_id, message = pushed_to_approve(team, app, push, database, clock)
    assert team.sophie.post_form(f"/swaps/{swap_id}/cancel").status_code == 303
    answer = make_client().post(APPROVE_URL, json={"token": message["ack_token"]})
    assert answer.status_code == 409
    assert answer.json()["detail"] == "Le demandeur a annulé cette demande."
    assert shift_row(database, team.night)["user_id"] == team.company.staff_a.id


def test_a_warning_needs_the_page_and_a_reason(
    team: Team, app, push: PushService, database, clock, make_client
) -> None:
    for day in range(5, 20):
        team.shift(team.company.staff_a2.id, paris(2026, 12, day, 18), paris(2026, 12, day + 1, 8))
    swap_id, message = pushed_to_approve(team, app, push, database, clock)
    answer = make_client().post(APPROVE_URL, json={"token": message["ack_token"]})
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("Donnez une raison pour approuver malgré")
    assert swap_row(database, swap_id)["status"] == "accepted"
    assert database.scalar("SELECT used_at FROM swap_approval_tokens") is None


def test_an_unknown_or_expired_token_is_refused(
    team: Team, app, push: PushService, database, clock: ManualClock, make_client
) -> None:
    _swap_id, message = pushed_to_approve(team, app, push, database, clock)
    client = make_client()
    assert client.post(APPROVE_URL, json={"token": "made-up"}).status_code == 404
    assert client.post(APPROVE_URL, content=b"not json").status_code == 400
    clock.advance(timedelta(hours=25))
    late = client.post(APPROVE_URL, json={"token": message["ack_token"]})
    assert late.status_code == 404
    assert late.json()["detail"] == "Ce lien d’approbation n’est plus valable."
