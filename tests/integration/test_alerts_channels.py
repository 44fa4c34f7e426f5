"""The other ways an alert reaches someone, to real local receivers: e-mail over SMTP (an
aiosmtpd server) after the person's delay, the generic webhook of an SMS gateway, and pushes of
schedule notices (a publication, a reminder) to the person's phone.

Tonight (see alert_helpers): Sophie primary, Samuel secondary, Marc manager; now is 23:00.
Without rules of their own, people are pushed at once and e-mailed after five minutes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import msgspec
import pytest

from server.clock import ManualClock
from server.notifications.dispatch import Dispatcher
from server.settings import Settings
from tests.conftest import Company, LocalOrigins
from tests.integration.alert_helpers import (
    Night,
    add_device,
    alert_pushes,
    alert_row,
    deliver,
    deliveries_of,
    tick,
)
from tests.integration.mail_helpers import Inbox, free_port, serving_inbox
from tests.integration.schedule_helpers import add_rotation, paris, publish_ok
from tests.integration.webhook_helpers import Gateway, reaching, serving_gateway
from tests.push_service import PushService


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with serving_inbox() as handler:
        yield handler


@pytest.fixture
def webhook() -> Iterator[Gateway]:
    with serving_gateway() as receiver:
        yield receiver


@pytest.fixture
def settings(tmp_path, inbox: Inbox, webhook: Gateway, local_origins: LocalOrigins) -> Settings:
    return reaching(
        tmp_path, local_origins, inbox, webhook, base_url="http://astreinte.example:8000"
    )


# E-mail ---------------------------------------------------------------------------------------


def test_an_alert_nobody_takes_within_5_minutes_is_also_e_mailed(
    night: Night, app, inbox: Inbox, push: PushService, database
) -> None:
    alert = night.raise_alert("Chaudière en panne", details="Bâtiment C")
    tick(app)
    assert len(alert_pushes(push, night.sophie)) == 1
    night.at(minutes=4, seconds=59)
    tick(app)
    assert inbox.mails == []

    night.at(minutes=5)
    tick(app)
    assert inbox.recipients == [["staff.a@test.fr"]]
    (mail,) = inbox.mails
    assert "Chaudière en panne" in mail["Subject"]
    assert mail["To"] == "staff.a@test.fr"
    assert mail["From"] == "astreinte@maintenance.example"
    text = mail.get_content()
    assert f"http://astreinte.example:8000/alerts/{alert['id']}" in text
    assert "Alerte pour Maintenance" in text
    sophie = [d for d in deliveries_of(database, alert["id"]) if d["name"] == "Sophie Staff"]
    assert [(d["channel"], d["status"]) for d in sophie] == [("push", "sent"), ("email", "sent")]
    # Samuel, paged at 5 minutes, is pushed now and e-mailed 5 minutes later.
    assert len(alert_pushes(push, night.samuel)) == 1
    night.at(minutes=10)
    tick(app)
    assert [r for r in inbox.recipients] == [["staff.a@test.fr"], ["staff.a2@test.fr"]]


def test_an_alert_taken_before_5_minutes_is_not_e_mailed(
    night: Night, app, inbox: Inbox, push: PushService, database
) -> None:
    alert = night.raise_alert("Chaudière en panne")
    tick(app)
    (message,) = alert_pushes(push, night.sophie)
    night.at(minutes=3)
    assert night.api.post(message["ack_url"], json={"token": message["ack_token"]}).is_success
    for minute in (5, 10, 30):
        night.at(minutes=minute)
        tick(app)
    assert inbox.mails == []
    email = [d for d in deliveries_of(database, alert["id"]) if d["channel"] == "email"]
    assert [(d["name"], d["status"], d["attempts"]) for d in email] == [
        ("Sophie Staff", "cancelled", 0)
    ]


def test_an_unreachable_smtp_server_is_retried_not_lost(
    night: Night, app, inbox: Inbox, database, settings
) -> None:
    # The mail server is down for a while: another dispatcher pointing at a closed port.
    down = msgspec.structs.replace(settings, smtp_port=free_port())
    dispatcher = app.state.engine.dispatcher
    alert = night.raise_alert("Serveur de messagerie")
    night.at(minutes=5)
    app.state.engine.dispatcher = Dispatcher(database, down, dispatcher.push)
    try:
        tick(app)
    finally:
        app.state.engine.dispatcher = dispatcher
    (email,) = [
        d
        for d in deliveries_of(database, alert["id"])
        if d["channel"] == "email" and d["name"] == "Sophie Staff"
    ]
    assert (email["status"], email["attempts"], email["last_status"]) == ("pending", 1, 0)
    assert email["last_error"]
    # Back up: the retry 5 seconds later goes through.
    night.at(minutes=5, seconds=5)
    tick(app)
    assert inbox.recipients == [["staff.a@test.fr"]]


def test_a_title_on_two_lines_is_e_mailed_and_nobody_is_pushed_twice(
    night: Night, app, inbox: Inbox, push: PushService, database
) -> None:
    # Integrations send what their templates render, line breaks included. At 5 minutes
    # Sophie's e-mail and Samuel's push go out in the same round of the dispatcher.
    alert = night.raise_alert("Disque plein\nsur db1")
    tick(app)
    for seconds in (300, 330, 360):
        night.at(seconds=seconds)
        tick(app)
    assert len(alert_pushes(push, night.samuel)) == 1
    assert inbox.recipients == [["staff.a@test.fr"]]
    subject = inbox.mails[0]["Subject"]
    assert "Disque plein" in subject and "sur db1" in subject
    assert "\n" not in subject
    # Every attempt was recorded: nothing due is left waiting.
    overdue = database.scalar(
        "SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?",
        ("2026-12-15T22:06:00Z",),
    )
    assert overdue == 0
    assert alert_row(database, alert["id"])["status"] == "triggered"


# Webhook (SMS gateway) ---------------------------------------------------------------------------


def test_the_sms_gateway_gets_the_person_and_the_title_when_they_chose_it(
    night: Night, app, webhook: Gateway, push: PushService, database, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    saved = sophie.post_form("/settings/channels", {"push": "0", "webhook": "2"})
    assert saved.status_code == 303, saved.text
    alert = night.raise_alert("Chaudière en panne")
    tick(app)
    assert len(alert_pushes(push, night.sophie)) == 1
    assert webhook.bodies == []
    night.at(minutes=2)
    tick(app)
    (received,) = webhook.bodies
    assert webhook.content_types[0].startswith("application/json")
    assert received == {
        "to": {"name": "Sophie Staff", "email": "staff.a@test.fr"},
        "title": "Critique · Chaudière en panne",
        "body": "Alerte pour Maintenance. Prenez-la en compte si vous vous en chargez.",
        "url": f"http://astreinte.example:8000/alerts/{alert['id']}",
        "urgency": "high",
        "kind": "alert",
    }
    webhook_rows = [d for d in deliveries_of(database, alert["id"]) if d["channel"] == "webhook"]
    assert [(d["status"], d["last_status"]) for d in webhook_rows] == [("sent", 200)]
    # She chose no e-mail: none is queued for her.
    assert not [
        d
        for d in deliveries_of(database, alert["id"])
        if d["channel"] == "email" and d["name"] == "Sophie Staff"
    ]


# Schedule notices are pushed too ---------------------------------------------------------------


def test_a_publication_and_the_reminders_reach_the_phone(
    app, company: Company, database, clock: ManualClock, push: PushService, browsers, inbox
) -> None:
    sophie = company.staff_a.id
    phone = add_device(database, push, app, sophie, "Sophie phone", clock.now())
    marc = browsers("manager.a@test.fr")
    add_rotation(marc, company.team_a.id, [sophie, company.staff_a2.id], backup=True)
    publish_ok(marc, company.team_a.id, "2026-12-15", "2026-12-21")
    assert deliver(app) == 1
    (received,) = push.accepted(phone)
    notice = received.message
    assert notice["type"] == "shifts_published"
    assert notice["title"] == "Nouvelles astreintes pour vous"
    assert "Maintenance" in notice["body"]
    assert notice["urgency"] == "normal"
    assert notice["ack_token"] is None
    assert notice["url"].startswith("/schedule")
    assert received.headers["urgency"] == "normal"
    assert int(received.headers["ttl"]) > 0

    # A day before her first published night (Tuesday 15th, 18:00): the reminder.
    clock.set(paris(2026, 12, 14, 18))
    tick(app)
    reminder = push.messages(phone)[-1]
    assert reminder["type"] == "shift_reminder"
    assert reminder["title"] == "Astreinte imminente"
    assert "15/12/2026 18:00" in reminder["body"]
    assert len(push.messages(phone)) == 2
    clock.advance(timedelta(minutes=1))
    tick(app)
    assert len(push.messages(phone)) == 2
    # Notices go to phones only: nobody is e-mailed about them.
    assert inbox.mails == []
