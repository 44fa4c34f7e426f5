"""Web Push delivery to real encrypted endpoints: devices that are gone are forgotten, busy
push services are retried later, one broken device never holds up the others, every payload
fits in 4 KB, every attempt is recorded, and the notification's own token acknowledges.

Tonight (see alert_helpers): Sophie primary, Samuel secondary, Marc manager; now is 23:00."""

from __future__ import annotations

import json
from datetime import timedelta

import msgspec
import pytest

from server.clock import from_db, to_db
from server.notifications.models import Message
from server.push.models import MAX_PLAINTEXT, SubscriptionIn
from server.push.rules import fit_payload
from server.push.store import subscribe
from tests.integration.alert_helpers import (
    NIGHT,
    Night,
    add_device,
    alert_pushes,
    alert_row,
    bearer,
    deliver,
    deliveries_of,
    events,
    table_counts,
)
from tests.integration.schedule_helpers import page_text
from tests.push_service import PushService


def sophies_deliveries(database, alert_id: int) -> list[tuple]:
    return [
        (d["subscription_id"], d["status"], d["attempts"], d["last_status"])
        for d in deliveries_of(database, alert_id)
        if d["name"] == "Sophie Staff"
    ]


def subscription_ids(database, user_id: int) -> list[int]:
    rows = database.query(
        "SELECT id FROM push_subscriptions WHERE user_id = ? ORDER BY id", (user_id,)
    )
    return [row["id"] for row in rows]


# Devices that are gone ------------------------------------------------------------------------


@pytest.mark.parametrize("gone", [410, 404])
def test_a_device_that_is_gone_is_forgotten_and_her_other_device_still_rings(
    night: Night, app, database, push: PushService, gone: int
) -> None:
    sophie = night.company.staff_a.id
    tablet = add_device(database, push, app, sophie, "Sophie tablet", NIGHT)
    phone_id, tablet_id = subscription_ids(database, sophie)
    push.script(night.sophie, gone)

    alert = night.raise_alert("Alarme incendie")
    assert deliver(app) == 2
    assert len(alert_pushes(push, tablet)) == 1
    assert alert_pushes(push, night.sophie) == []
    assert [r.status for r in push.attempts(night.sophie)] == [gone]
    assert subscription_ids(database, sophie) == [tablet_id]
    # The attempt is recorded against the forgotten device (now NULL) and the one that rang.
    assert sophies_deliveries(database, alert["id"]) == [
        (None, "gone", 1, gone),
        (tablet_id, "sent", 1, 201),
    ]
    assert phone_id != tablet_id

    # The next alert goes to the tablet only: the phone's endpoint is never called again.
    night.advance(minutes=1)
    night.raise_alert("Alarme incendie, bâtiment B")
    deliver(app)
    assert len(alert_pushes(push, tablet)) == 2
    assert len(push.attempts(night.sophie)) == 1


# Retries --------------------------------------------------------------------------------------


def test_429_with_retry_after_is_resent_after_that_time_not_before(
    night: Night, app, database, push: PushService
) -> None:
    push.script(night.sophie, 429, retry_after=30)
    alert = night.raise_alert("Climatisation salle serveurs")
    deliver(app)
    (delivery,) = [d for d in deliveries_of(database, alert["id"]) if d["name"] == "Sophie Staff"]
    assert (delivery["status"], delivery["attempts"], delivery["last_status"]) == (
        "pending",
        1,
        429,
    )
    assert delivery["next_attempt_at"] == to_db(NIGHT + timedelta(seconds=30))

    night.at(seconds=29)
    assert deliver(app) == 0
    assert len(push.attempts(night.sophie)) == 1

    night.at(seconds=30)
    assert deliver(app) == 1
    assert [r.status for r in push.attempts(night.sophie)] == [429, 201]
    assert push.attempts(night.sophie)[1].at == NIGHT + timedelta(seconds=30)
    (delivery,) = [d for d in deliveries_of(database, alert["id"]) if d["name"] == "Sophie Staff"]
    assert (delivery["status"], delivery["attempts"], delivery["last_status"]) == ("sent", 2, 201)
    assert delivery["sent_at"] == to_db(NIGHT + timedelta(seconds=30))
    # The message that finally arrived is the alert, with a usable acknowledgement.
    (message,) = alert_pushes(push, night.sophie)
    assert message["tag"] == f"alert-{alert['id']}"


def test_500_is_retried_with_growing_backoff_and_each_attempt_is_on_the_timeline(
    night: Night, app, database, push: PushService
) -> None:
    push.script(night.sophie, 500, times=2)
    alert = night.raise_alert("Pompe de relevage")
    deliver(app)  # 23:00:00 → 500, again in 5 s
    for second in (4, 5, 14, 15, 16):
        night.at(seconds=second)
        deliver(app)
    # 23:00:05 → 500, again 10 s later; 23:00:15 → 201.
    assert [
        (r.status, int((r.at - NIGHT).total_seconds())) for r in push.attempts(night.sophie)
    ] == [
        (500, 0),
        (500, 5),
        (201, 15),
    ]
    assert sophies_deliveries(database, alert["id"])[0][1:] == ("sent", 3, 201)
    results = [
        (detail["status"], detail["code"])
        for kind, detail in events(database, alert["id"])
        if kind == "delivery"
    ]
    assert results == [("pending", 500), ("pending", 500), ("sent", 201)]
    device = database.one(
        "SELECT last_success_at, last_failure_at FROM push_subscriptions WHERE user_id = ?",
        (night.company.staff_a.id,),
    )
    assert device == {
        "last_success_at": to_db(NIGHT + timedelta(seconds=15)),
        "last_failure_at": to_db(NIGHT + timedelta(seconds=5)),
    }


def test_a_broken_subscription_key_never_holds_up_the_others(
    night: Night, app, database, push: PushService
) -> None:
    sophie = night.company.staff_a.id
    # A subscription whose public key is not a point of P-256 (a corrupted row, a bad client).
    broken = push.device()
    subscription = broken.subscription()
    subscription["keys"]["p256dh"] = "B" + "A" * 86
    subscribe(
        database,
        sophie,
        msgspec.convert(subscription, SubscriptionIn),
        user_agent="Broken",
        now=NIGHT,
    )
    tablet = add_device(database, push, app, sophie, "Sophie tablet", NIGHT)
    alert = night.raise_alert("Groupe électrogène")
    assert deliver(app) == 3
    # Both good devices rang in the same round; the broken one never reached the service.
    assert len(alert_pushes(push, night.sophie)) == 1
    assert len(alert_pushes(push, tablet)) == 1
    assert push.attempts(broken) == []
    (bad,) = [d for d in deliveries_of(database, alert["id"]) if d["status"] != "sent"]
    # A key no retry can mend fails at once, with the reason kept.
    assert (bad["attempts"], bad["status"], bad["last_status"]) == (1, "failed", -1)
    assert bad["last_error"]
    # It is retried a bounded number of times, then given up; nothing else is disturbed.
    for _ in range(20):
        due = database.scalar(
            "SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending'"
        )
        if due is None:
            break
        night.clock.set(from_db(due))
        deliver(app)
    bad = database.one("SELECT * FROM deliveries WHERE id = ?", (bad["id"],))
    assert bad["status"] == "failed"
    assert bad["attempts"] == 1  # never tried again: it cannot succeed
    assert len(alert_pushes(push, night.sophie)) == 1


# Payload size ----------------------------------------------------------------------------------


def test_the_longest_alert_fits_in_one_push(night: Night, app, push: PushService) -> None:
    title = 'Défaillance « critique » du réseau "cœur" — ' * 5
    night.raise_alert(title[:200], details="Journal :\n" + "ligne ☃ d’erreur\t" * 470)
    deliver(app)
    (received,) = push.accepted(night.sophie)
    assert len(received.plaintext) <= MAX_PLAINTEXT
    assert received.body_size <= 4096
    assert title[:200].strip() in received.message["title"]


@pytest.mark.parametrize(
    "body",
    [
        'Très "long" corps\n' * 400 + "fin",
        "x" * 9000,
        "é" * 5000,
        "Température élevée ⚠ " * 300,
    ],
    ids=["french-with-quotes", "ascii", "accented", "symbols"],
)
def test_a_body_too_long_for_a_push_is_shortened_not_dropped(body: str) -> None:
    # Alert pushes carry a short fixed body today; other notices (a declined shift's reason,
    # later an intervention's notes) may not, and the same function fits them all.
    message = Message(
        type="shift_declined",
        title="Critique · " + "é" * 200,
        body=body,
        url="/schedule/manage",
        tag="n-1",
        labels={"ack": "Je prends", "open": "Ouvrir", "acked": "Pris en compte"},
    )
    data = fit_payload(message)
    assert len(data) <= MAX_PLAINTEXT
    decoded = json.loads(data)
    assert decoded["title"] == message.title
    assert decoded["body"].endswith("…")
    assert body.startswith(decoded["body"][:-1])
    # Shortened, not emptied: most of the room left by the title is still used.
    assert len(data) > MAX_PLAINTEXT // 2, (len(data), len(decoded["body"]))


def test_a_short_body_is_left_alone() -> None:
    message = Message(type="test", title="Alerte de test", body="Court", url="/", tag="n-1")
    assert json.loads(fit_payload(message))["body"] == "Court"


def test_the_app_badge_counts_the_open_alerts_the_person_was_paged_for(
    night: Night, app, push: PushService
) -> None:
    first = night.raise_alert("Chaudière en panne", dedup_key="boiler")
    deliver(app)
    night.raise_alert("Ascenseur bloqué", dedup_key="lift")
    deliver(app)
    assert [m["badge"] for m in alert_pushes(push, night.sophie)] == [1, 2]

    # The same alert raised again is one alert; another team's alert is not hers.
    repeated = night.api.post(
        "/api/v1/alerts",
        json={"title": "Chaudière en panne", "dedup_key": "boiler"},
        headers=bearer(night.token),
    )
    assert repeated.status_code == 200, repeated.text
    other = night.api.post(
        "/api/v1/alerts", json={"title": "Serveur B"}, headers=bearer(night.other_token)
    )
    assert other.status_code == 201, other.text
    deliver(app)
    # Taken by someone: it leaves the count.
    taken = night.api.post(f"/api/v1/alerts/{first['id']}/acknowledge", headers=bearer(night.token))
    assert taken.is_success, taken.text
    night.raise_alert("Fuite d'eau", dedup_key="leak")
    deliver(app)
    assert [m["badge"] for m in alert_pushes(push, night.sophie)] == [1, 2, 2]


# Acknowledging from the notification ------------------------------------------------------------


def test_the_notifications_token_acknowledges_as_that_person(
    night: Night, app, database, push: PushService, browsers
) -> None:
    alert = night.raise_alert("Porte du local technique ouverte")
    deliver(app)
    (message,) = alert_pushes(push, night.sophie)
    night.advance(minutes=2)

    answer = night.api.post(message["ack_url"], json={"token": message["ack_token"]})
    assert answer.status_code == 200, answer.text  # nothing is created: not 201
    assert answer.json() == {"id": alert["id"], "status": "acknowledged"}
    row = alert_row(database, alert["id"])
    assert row["status"] == "acknowledged"
    assert row["acknowledged_by"] == night.company.staff_a.id
    assert row["acknowledged_at"] == "2026-12-15T22:02:00Z"
    marc = browsers("manager.a@test.fr")
    text = page_text(marc.get(f"/alerts/{alert['id']}").text)
    assert "prise en compte par Sophie Staff" in text
    assert "Prise en compte par staff.a@test.fr" in text

    # The escalation stopped: Samuel is not paged at 5 minutes.
    night.at(minutes=6)
    app.state.engine.run_once()
    deliver(app)
    assert push.messages(night.samuel) == []


def test_refused_tokens_change_nothing(night: Night, app, database, push: PushService) -> None:
    alert = night.raise_alert("Capteur de température")
    deliver(app)
    (message,) = alert_pushes(push, night.sophie)
    ack = message["ack_url"]
    assert night.api.post(ack, json={"token": message["ack_token"]}).is_success

    acknowledged = alert_row(database, alert["id"])
    counts = table_counts(database)
    again = night.api.post(ack, json={"token": message["ack_token"]})
    assert again.status_code == 409
    assert again.json()["status"] == 409
    made_up = night.api.post(ack, json={"token": "x" * 32})
    assert made_up.status_code == 404
    assert made_up.headers["content-type"].startswith("application/problem+json")
    for body in (b"{}", b"not json", b'{"token": 7}'):
        refused = night.api.post(ack, content=body, headers={"Content-Type": "application/json"})
        assert refused.status_code == 400, body
    assert alert_row(database, alert["id"]) == acknowledged
    assert table_counts(database) == counts


def test_a_second_persons_token_after_someone_took_it_is_a_conflict(
    night: Night, app, database, push: PushService
) -> None:
    alert = night.raise_alert("Inondation parking")
    deliver(app)
    night.at(minutes=5)
    app.state.engine.run_once()
    deliver(app)
    (sophies,) = alert_pushes(push, night.sophie)
    (samuels,) = alert_pushes(push, night.samuel)
    assert night.api.post(sophies["ack_url"], json={"token": sophies["ack_token"]}).is_success
    late = night.api.post(samuels["ack_url"], json={"token": samuels["ack_token"]})
    assert late.status_code == 409
    row = alert_row(database, alert["id"])
    assert row["acknowledged_by"] == night.company.staff_a.id
    # Samuel's token was not spent by the refusal.
    used = database.scalar("SELECT COUNT(*) FROM ack_tokens WHERE used_at IS NOT NULL")
    assert used == 1


def test_a_token_older_than_a_day_no_longer_works(
    night: Night, app, database, push: PushService
) -> None:
    alert = night.raise_alert("Alarme intrusion")
    deliver(app)
    (message,) = alert_pushes(push, night.sophie)
    night.advance(hours=24, seconds=1)
    stale = night.api.post(message["ack_url"], json={"token": message["ack_token"]})
    assert stale.status_code == 404
    assert alert_row(database, alert["id"])["status"] == "triggered"
    # The alert is still acknowledged with the team's key, for one.
    assert night.api.post(
        f"/api/v1/alerts/{alert['id']}/acknowledge", headers=bearer(night.token)
    ).is_success
