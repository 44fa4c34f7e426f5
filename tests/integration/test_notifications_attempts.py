"""Every attempt of every delivery is recorded, whatever the notification (a schedule notice, a
reminder, an alert) and the channel: when, the outcome, the status code and a short detail that
never carries the message nor the device's address and keys.

Tonight (see alert_helpers): Sophie primary, Samuel secondary, Marc manager; now is 23:00."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest

from server.clock import ManualClock
from server.notifications.models import SendResult
from server.notifications.store import attempts_of, set_rules
from server.push.encrypt import Encryptor
from server.push.sender import PushSender
from server.settings import Settings, load_settings
from tests.conftest import Company, LocalOrigins
from tests.integration.alert_helpers import (
    Night,
    add_device,
    alert_pushes,
    deliver,
    deliveries_of,
    events,
    tick,
)
from tests.integration.schedule_helpers import add_rotation, paris, publish_ok
from tests.push_service import PushService

SECRET = "k3y-0f-th3-g4t3w4y"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def settings(tmp_path, local_origins: LocalOrigins) -> Settings:
    # An SMS gateway on the LAN (allowed) that is down, whose address carries its key.
    gateway = f"http://127.0.0.1:{closed_port()}"
    return load_settings(
        {},
        data_dir=str(tmp_path / "data"),
        engine_interval=0,
        webhook_url=f"{gateway}/sms?key={SECRET}",
        push_allow=f"{local_origins.allow},{gateway}",
    )


def tried(database, delivery_id: int) -> list[tuple]:
    return [(a.attempt, a.outcome, a.status_code) for a in attempts_of(database, delivery_id)]


def deliveries_of_kind(database, user_id: int, kind: str) -> list[dict]:
    return database.query(
        "SELECT d.* FROM deliveries d JOIN notifications n ON n.id = d.notification_id "
        "WHERE d.user_id = ? AND n.kind = ? ORDER BY d.id",
        (user_id, kind),
    )


def test_a_reminder_refused_then_accepted_keeps_both_attempts(
    app, company: Company, database, clock: ManualClock, push: PushService, browsers
) -> None:
    sophie = company.staff_a.id
    phone = add_device(database, push, app, sophie, "Sophie phone", clock.now())
    marc = browsers("manager.a@test.fr")
    add_rotation(marc, company.team_a.id, [sophie, company.staff_a2.id], backup=True)
    publish_ok(marc, company.team_a.id, "2026-12-15", "2026-12-21")
    deliver(app)
    (published,) = deliveries_of_kind(database, sophie, "shifts_published")
    assert tried(database, published["id"]) == [(1, "sent", 201)]

    # A day before her first night the reminder is due; her push service is overloaded.
    push.script(phone, 500)
    clock.set(paris(2026, 12, 14, 18))
    tick(app)
    (reminder,) = deliveries_of_kind(database, sophie, "shift_reminder")
    assert tried(database, reminder["id"]) == [(1, "retry", 500)]
    assert push.messages(phone)[-1]["type"] == "shifts_published"

    # Five seconds on, the retry goes through.
    clock.advance(timedelta(seconds=5))
    tick(app)
    assert push.messages(phone)[-1]["type"] == "shift_reminder"
    attempts = attempts_of(database, reminder["id"])
    assert [(a.attempt, a.outcome, a.status_code, a.detail) for a in attempts] == [
        (1, "retry", 500, ""),
        (2, "sent", 201, ""),
    ]
    assert attempts[1].at - attempts[0].at == timedelta(seconds=5)
    assert attempts[1].at == clock.now().replace(microsecond=0)
    row = database.one("SELECT * FROM deliveries WHERE id = ?", (reminder["id"],))
    assert (row["status"], row["attempts"], row["last_status"]) == ("sent", 2, 201)


def test_an_alert_s_deliveries_record_each_attempt_and_its_timeline_is_unchanged(
    night: Night, app, database, push: PushService
) -> None:
    push.script(night.sophie, 503)
    alert = night.raise_alert("Chaudière en panne")
    deliver(app)
    night.at(seconds=5)
    deliver(app)
    assert len(alert_pushes(push, night.sophie)) == 1
    (delivery,) = deliveries_of(database, alert["id"])
    assert tried(database, delivery["id"]) == [(1, "retry", 503), (2, "sent", 201)]
    # The alert's page still tells each attempt, as before.
    told = [
        (d["status"], d["code"]) for kind, d in events(database, alert["id"]) if kind == "delivery"
    ]
    assert told == [("pending", 503), ("sent", 201)]


def test_a_device_gone_and_a_gateway_down_are_recorded_without_their_addresses(
    night: Night, app, database, push: PushService
) -> None:
    # Sophie wants the SMS gateway too; her phone unsubscribed behind our back.
    set_rules(database, night.company.staff_a.id, [("push", 0), ("webhook", 0)])
    push.forget(night.sophie)
    alert = night.raise_alert("Inondation")
    deliver(app)
    by_channel = {d["channel"]: d["id"] for d in deliveries_of(database, alert["id"])}
    assert tried(database, by_channel["push"]) == [(1, "gone", 410)]
    (unreachable,) = attempts_of(database, by_channel["webhook"])
    assert (unreachable.outcome, unreachable.status_code) == ("retry", 0)
    assert unreachable.detail and SECRET not in unreachable.detail


def test_a_push_service_echoing_the_device_s_address_is_not_copied_into_the_record(
    night: Night, app, database, monkeypatch
) -> None:
    class EchoingSender(PushSender):
        """A push service that refuses the message and quotes the subscription back."""

        def __init__(self) -> None:
            self.encryptor = Encryptor(workers=0)

        async def send(self, session, *, endpoint, body, **_message) -> SendResult:
            await body
            keys = database.one(
                "SELECT p256dh, auth FROM push_subscriptions WHERE endpoint = ?", (endpoint,)
            )
            quoted = f"{endpoint} ({keys['p256dh']}/{keys['auth']})"
            return SendResult(status=400, error=f"bad request for\n{quoted}")

    monkeypatch.setattr(app.state.engine.dispatcher, "push", EchoingSender())
    alert = night.raise_alert("Ascenseur bloqué")
    deliver(app)
    (delivery,) = deliveries_of(database, alert["id"])
    (attempt,) = attempts_of(database, delivery["id"])
    assert (attempt.outcome, attempt.status_code) == ("failed", 400)
    assert attempt.detail.startswith("bad request for …")
    device = database.one(
        "SELECT * FROM push_subscriptions WHERE id = ?", (delivery["subscription_id"],)
    )
    for secret in (device["endpoint"], device["p256dh"], device["auth"]):
        assert secret not in attempt.detail
    assert "\n" not in attempt.detail
