"""After `astreinte vapid --rotate`: a phone still subscribed with the old key is refused by its
push service (403, RFC 8292). Each alert to it fails once, is never retried and is on the
timeline; the device is kept, and the phone's new subscription (sent by the page when the app
opens, naming the endpoint it replaces) moves that same device to the new endpoint.

Tonight (see alert_helpers): Sophie primary, Samuel secondary, Marc manager; now is 23:00."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from server.clock import ManualClock, to_db
from server.push.vapid import VapidKeys
from tests.conftest import LocalOrigins
from tests.integration.alert_helpers import NIGHT, Night, alert_pushes, deliver, deliveries_of
from tests.integration.schedule_helpers import page_text
from tests.push_service import PushService

KEY_REFUSED = "VAPID key k is not the key the browser subscribed with"


@pytest.fixture
def push(clock: ManualClock, local_origins: LocalOrigins) -> Iterator[PushService]:
    with PushService(clock=clock.now, listener=local_origins.push) as service:
        yield service
        # The only refusals are the ones these tests cause: a phone on the old key.
        assert {r.refused for r in service.refused} <= {KEY_REFUSED}


def devices_of(database, user_id: int) -> list[dict]:
    return database.query(
        "SELECT * FROM push_subscriptions WHERE user_id = ? ORDER BY id", (user_id,)
    )


def subscribe_again(browser, subscription: dict, replaces: str):
    """What the page posts once it dropped the old subscription and made one with the new key."""
    return browser.post(
        "/push/subscriptions",
        json={**subscription, "replaces": replaces},
        headers={"x-csrftoken": browser.csrf(), "User-Agent": "Pixel 8 Chrome"},
    )


def test_a_phone_on_the_old_key_fails_once_per_alert_and_rings_again_once_it_resubscribes(
    night: Night, app, database, push: PushService, browsers, tmp_path: Path
) -> None:
    sophie = night.company.staff_a.id
    (before,) = devices_of(database, sophie)
    # Her phone subscribed with the key the server had before the rotation.
    night.sophie.server_key = VapidKeys(tmp_path).public_key

    alert = night.raise_alert("Chaudière en panne")
    deliver(app)
    assert [r.status for r in push.requests if r.device == night.sophie.id] == [403]
    (delivery,) = [d for d in deliveries_of(database, alert["id"]) if d["name"] == "Sophie Staff"]
    assert (delivery["status"], delivery["attempts"], delivery["last_status"]) == (
        "failed",
        1,
        403,
    )
    assert delivery["last_error"].startswith("VAPID key refused"), delivery["last_error"]
    # No retry can mend it: an hour later the push service has not been asked again.
    night.advance(hours=1)
    deliver(app)
    assert len([r for r in push.requests if r.device == night.sophie.id]) == 1
    # The device is kept (a wrong key must not wipe every phone), its failure noted, and the
    # alert's timeline shows the alert did not reach her.
    (kept,) = devices_of(database, sophie)
    assert kept["id"] == before["id"]
    assert kept["last_failure_at"] == to_db(NIGHT)
    marc = browsers("manager.a@test.fr")
    assert "notification vers Sophie Staff : échec (403)" in page_text(
        marc.get(f"/alerts/{alert['id']}").text
    )

    # She opens the app: the page subscribes with the new key and names the old endpoint.
    phone = push.device(server_key=app.state.vapid.public_key)
    answer = subscribe_again(
        browsers("staff.a@test.fr"), phone.subscription(), night.sophie.endpoint
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["id"] == before["id"]
    (moved,) = devices_of(database, sophie)
    assert (moved["id"], moved["endpoint"], moved["p256dh"], moved["auth"]) == (
        before["id"],
        phone.endpoint,
        phone.p256dh,
        phone.auth,
    )
    assert moved["device_token"] == answer.json()["device_token"] != before["device_token"]

    # The next alert rings her phone.
    night.advance(minutes=1)
    second = night.raise_alert("Chaudière en panne, encore")
    deliver(app)
    assert [m["tag"] for m in alert_pushes(push, phone)] == [f"alert-{second['id']}"]


def test_naming_someone_elses_endpoint_never_takes_their_device(
    night: Night, app, database, push: PushService, browsers
) -> None:
    sophie, samuel = night.company.staff_a.id, night.company.staff_a2.id
    samuels = devices_of(database, samuel)
    phone = push.device(server_key=app.state.vapid.public_key)
    answer = subscribe_again(
        browsers("staff.a@test.fr"), phone.subscription(), night.samuel.endpoint
    )
    assert answer.status_code == 201, answer.text
    assert devices_of(database, samuel) == samuels
    assert [d["endpoint"] for d in devices_of(database, sophie)] == [
        night.sophie.endpoint,
        phone.endpoint,
    ]
