"""The managers' "swap to approve" push: its Approve button carries a single-use token that
approves from the notification alone (no page, no cookie), once, and only what the manager
was shown."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from server.clock import ManualClock
from server.rest.fatigue import record_fatigue
from tests.conftest import Company, LocalOrigins
from tests.integration.alert_helpers import add_device, deliver
from tests.integration.schedule_helpers import paris
from tests.integration.swap_helpers import (
    SOPHIES_NIGHT,
    Team,
    add_shift,
    approve,
    ask_ok,
    audit_actions,
    shift_row,
    swap_row,
    written,
)
from tests.push_service import PushService

APPROVE_URL = "/api/v1/swaps/approve"


@pytest.fixture
def push(clock: ManualClock, local_origins: LocalOrigins) -> Iterator[PushService]:
    with PushService(clock=clock.now, listener=local_origins.push) as service:
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


SUMMARY = (
    "Samuel Staff reprend l’astreinte de Sophie Staff du 21/12/2026 18:00 au "
    "22/12/2026 08:00 (Maintenance)."
)


def test_a_warning_is_named_and_offers_no_approve_that_would_fail(
    team: Team, app, push: PushService, database, clock
) -> None:
    # Samuel is already on call every night of December before Sophie's: over the load limit.
    for day in range(5, 20):
        team.shift(team.company.staff_a2.id, paris(2026, 12, day, 18), paris(2026, 12, day + 1, 8))
    swap_id, message = pushed_to_approve(team, app, push, database, clock)
    assert message["title"] == "Échange à examiner"
    assert message["body"] == (
        f"{SUMMARY} Pour l’approuver, ouvrez la demande et donnez une raison : "
        "Samuel Staff serait d’astreinte 18 jours sur 28 (limite 16)."
    )
    # No token, so the phone shows Open only; its tap opens the request.
    assert message["ack_token"] is None and message["ack_url"] is None
    assert message["url"] == f"/swaps/{swap_id}"
    assert database.scalar("SELECT COUNT(*) FROM swap_approval_tokens") == 0
    # There, the reason is asked, then the approval goes through.
    page = team.marc.get(f"/swaps/{swap_id}")
    assert "Samuel Staff serait d’astreinte 18 jours sur 28 (limite 16)." in page.text
    assert approve(team.marc, database, swap_id).status_code == 422
    assert approve(team.marc, database, swap_id, "Personne d’autre").status_code == 303
    assert swap_row(database, swap_id)["status"] == "approved"


def test_the_warning_is_in_the_managers_language(
    team: Team, app, push: PushService, database, clock
) -> None:
    # The demo's case: the taker declared fatigue 7 out of 9 an hour before taking it.
    with database.write():
        database.execute(
            "UPDATE users SET locale = 'en' WHERE id = ?", (team.company.manager_a.id,)
        )
    record_fatigue(
        database,
        team.company.staff_a2.id,
        7,
        context="night_intervention",
        now=clock.now() - timedelta(hours=1),
    )
    _swap_id, message = pushed_to_approve(team, app, push, database, clock)
    assert message["title"] == "Swap to review"
    assert message["body"] == (
        "Samuel Staff takes over Sophie Staff's on-call from 21/12/2026, 18:00 to "
        "22/12/2026, 08:00 (Maintenance). To approve it, open the request and give a "
        "reason: Samuel Staff reported fatigue 7 out of 9 at 30/11/2026, 09:00."
    )
    assert message["ack_token"] is None
    assert message["labels"]["open"] == "Open"


def test_checks_are_run_again_when_the_push_is_sent(
    team: Team, app, push: PushService, database, clock
) -> None:
    # Samuel takes it with every check passed, then reports his fatigue before the push leaves.
    phone = add_device(database, push, app, team.company.manager_a.id, "Marc phone", clock.now())
    swap_id = ask_ok(team.sophie, team.night)
    assert team.samuel.post_form(f"/swaps/{swap_id}/accept").status_code == 303
    record_fatigue(database, team.company.staff_a2.id, 8, context="shift_start", now=clock.now())
    deliver(app)
    (message,) = [m for m in push.messages(phone) if m["type"] == "swap_to_approve"]
    assert message["ack_token"] is None
    assert message["body"].endswith(
        "Samuel Staff a déclaré une fatigue de 8 sur 9 le 30/11/2026 10:00."
    )


def test_a_block_found_when_sending_says_it_cannot_be_approved(
    team: Team, app, push: PushService, database, clock
) -> None:
    phone = add_device(database, push, app, team.company.manager_a.id, "Marc phone", clock.now())
    swap_id = ask_ok(team.sophie, team.night)
    assert team.samuel.post_form(f"/swaps/{swap_id}/accept").status_code == 303
    # Meanwhile Samuel is put on call the same night in another team.
    add_shift(database, team.company.team_b.id, team.company.staff_a2.id, *SOPHIES_NIGHT)
    deliver(app)
    (message,) = [m for m in push.messages(phone) if m["type"] == "swap_to_approve"]
    assert message["ack_token"] is None
    assert message["body"] == (
        f"{SUMMARY} Elle ne peut pas être approuvée en l’état : Samuel Staff est déjà "
        "d’astreinte du 21/12/2026 18:00 au 22/12/2026 08:00."
    )


def test_a_warning_that_arrives_after_the_push_is_refused_and_nothing_is_written(
    team: Team, app, push: PushService, database, clock: ManualClock, make_client
) -> None:
    swap_id, message = pushed_to_approve(team, app, push, database, clock)
    assert message["ack_token"]
    # Samuel reports his fatigue after the push reached Marc's phone, before Marc taps Approve.
    clock.advance(timedelta(minutes=10))
    record_fatigue(database, team.company.staff_a2.id, 7, context="shift_start", now=clock.now())
    before = written(database)
    answer = make_client().post(APPROVE_URL, json={"token": message["ack_token"]})
    # Not a success, nor a 409 (what the service worker takes as "done"): it opens the page.
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["detail"] == (
        "Donnez une raison pour approuver malgré ces avertissements : Samuel Staff a déclaré "
        "une fatigue de 7 sur 9 le 30/11/2026 10:10."
    )
    assert written(database) == before
    assert swap_row(database, swap_id)["status"] == "accepted"
    assert shift_row(database, team.night)["user_id"] == team.company.staff_a.id
    assert database.scalar("SELECT used_at FROM swap_approval_tokens") is None
    assert approve(team.marc, database, swap_id, "Il se sent mieux").status_code == 303
    assert shift_row(database, team.night)["user_id"] == team.company.staff_a2.id


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
