"""Satisfaction surveys asked by SMS (the webhook gateway) and e-mail (SMTP), with a pinned
clock: planned when the intervention syncs, sent after the team's delay but never at night in
the client's zone, one reminder after 48 hours, then nothing; retried without being sent twice;
cancelled when the intervention is deleted or the client says "do not ask me again".

The test clock: Tuesday 1 December 2026 (Paris, UTC+1). Sophie (team A, "Maintenance") logs
the interventions; Marc manages team A."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from server.clock import ManualClock
from server.db import Database
from server.settings import Settings, load_settings
from server.surveys.rules import after_attempt
from server.surveys.sending import Outgoing, SurveySender
from tests.conftest import Client, Company, LocalOrigins
from tests.integration.intervention_helpers import delete, sync_ok
from tests.integration.mail_helpers import Inbox, free_port, serving_inbox
from tests.integration.schedule_helpers import paris, parse
from tests.integration.survey_helpers import (
    BASE_URL,
    LANDLINE,
    MOBILE,
    add_client,
    engine_round,
    links_in,
    messages_of,
    survey_of,
    synced,
)
from tests.integration.webhook_helpers import Gateway, reaching, serving_gateway


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with serving_inbox() as handler:
        yield handler


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    with serving_gateway() as receiver:
        yield receiver


@pytest.fixture
def settings(tmp_path, inbox: Inbox, gateway: Gateway, local_origins: LocalOrigins) -> Settings:
    return reaching(tmp_path, local_origins, inbox, gateway, base_url=BASE_URL)


@pytest.fixture
def phone(company: Company, make_client) -> Client:
    browser = make_client()
    browser.login(company.staff_a.email)
    return browser


def test_synced_at_20_50_asked_at_8_the_next_morning_then_one_reminder_then_nothing(
    app, company: Company, database: Database, clock: ManualClock, phone: Client, inbox: Inbox
) -> None:
    client_id = add_client(
        database, company.team_a.id, email="gardien@tilleuls.example", phones=(LANDLINE,)
    )
    record = synced(phone, clock, client_id, at=paris(2026, 12, 1, 20, 50))
    engine_round(app, clock)
    survey = survey_of(database, record)
    assert survey["channel"] == "email"  # a landline gets no SMS
    assert survey["status"] == "scheduled"
    # 20:50 + 30 min falls in the night: 08:00 the next morning.
    assert survey["send_at"] == "2026-12-02T07:00:00Z"

    engine_round(app, clock, paris(2026, 12, 1, 21, 20))
    engine_round(app, clock, paris(2026, 12, 2, 7, 59))
    assert inbox.mails == []

    engine_round(app, clock, paris(2026, 12, 2, 8, 0))
    assert len(inbox.mails) == 1
    assert inbox.recipients == [["gardien@tilleuls.example"]]
    first = inbox.mails[0]
    assert "1 décembre 2026" in first["Subject"]
    body = first.get_content()
    assert "Sophie" in body and "Staff" not in body  # the technician's first name only
    assert "3 rue des Tilleuls" not in body
    [first_link] = links_in(body)
    assert len(first_link) >= 22  # 128 bits or more, URL-safe
    # Stored hashed: the token itself is nowhere in the database.
    assert (
        database.scalar("SELECT COUNT(*) FROM survey_links WHERE token_hash = ?", (first_link,))
        == 0
    )
    assert survey_of(database, record)["status"] == "sent"

    # 48 hours later, unanswered: one reminder with its own link.
    engine_round(app, clock, paris(2026, 12, 4, 7, 59))
    assert len(inbox.mails) == 1
    engine_round(app, clock, paris(2026, 12, 4, 8, 0))
    assert len(inbox.mails) == 2
    [second_link] = links_in(inbox.mails[1].get_content())
    assert second_link != first_link
    assert "Rappel" in inbox.mails[1]["Subject"]
    # Both links work until answered.
    for link in (first_link, second_link):
        page = phone.get(f"/s/{link}")
        assert page.status_code == 200
        assert "Comment s’est passée notre intervention" in page.text

    # Then nothing, ever: no third message.
    for days in (3, 7, 13, 20):
        engine_round(app, clock, paris(2026, 12, 4, 10, 0) + timedelta(days=days))
    assert len(inbox.mails) == 2
    assert [m["status"] for m in messages_of(database, survey["id"])] == ["sent", "sent"]
    # 14 days after the first message the survey is closed: the link says so kindly.
    assert survey_of(database, record)["status"] == "expired"
    closed = phone.get(f"/s/{first_link}")
    assert closed.status_code == 410
    assert "expiré" in closed.text
    refused = phone.post(f"/s/{second_link}", data={"score": "5", "action": "answer"})
    assert refused.status_code == 410
    assert survey_of(database, record)["score"] is None


def test_a_mobile_number_is_asked_by_sms_through_the_gateway_in_english(
    app, company: Company, database: Database, clock: ManualClock, phone: Client, gateway: Gateway
) -> None:
    client_id = add_client(
        database,
        company.team_a.id,
        email="office@example.com",
        phones=(LANDLINE, MOBILE),
        locale="en",
        access_codes="Porte 4512B",
    )
    synced(phone, clock, client_id, at=paris(2026, 12, 1, 10, 0))
    engine_round(app, clock)
    engine_round(app, clock, paris(2026, 12, 1, 10, 29))
    assert gateway.bodies == []
    engine_round(app, clock, paris(2026, 12, 1, 10, 30))
    [sms] = gateway.bodies
    assert sms["to"]["phone"] == "+33612345678"
    assert sms["kind"] == "survey"
    assert sms["body"].startswith("Maintenance: how did our visit of 1 December 2026 go?")
    assert "4512B" not in str(sms)
    [link] = links_in(sms["body"])
    page = phone.get(f"/s/{link}")
    assert page.status_code == 200
    assert 'lang="en"' in page.text
    assert "Sophie worked for you on 1 December 2026." in page.text


def test_a_gateway_having_a_bad_minute_is_tried_again_and_the_sms_goes_once(
    app, company: Company, database: Database, clock: ManualClock, phone: Client, gateway: Gateway
) -> None:
    client_id = add_client(database, company.team_a.id, phones=(MOBILE,))
    record = synced(phone, clock, client_id, at=paris(2026, 12, 1, 10, 0))
    engine_round(app, clock)
    gateway.answers = [503]
    engine_round(app, clock, paris(2026, 12, 1, 10, 30))
    assert len(gateway.bodies) == 1
    [message] = messages_of(database, survey_of(database, record)["id"])
    assert (message["status"], message["attempts"], message["last_status"]) == ("pending", 1, 503)
    assert survey_of(database, record)["status"] == "scheduled"
    engine_round(app, clock, paris(2026, 12, 1, 10, 31))
    assert len(gateway.bodies) == 2
    assert survey_of(database, record)["status"] == "sent"
    # Sent: never again, however many rounds.
    for minutes in (32, 40, 90):
        engine_round(app, clock, paris(2026, 12, 1, 10, 0) + timedelta(minutes=minutes))
    assert len(gateway.bodies) == 2


def test_a_message_cut_off_mid_send_is_not_sent_again(
    app, company: Company, database: Database, clock: ManualClock, phone: Client, inbox: Inbox
) -> None:
    client_id = add_client(database, company.team_a.id, email="c@client.example")
    record = synced(phone, clock, client_id, at=paris(2026, 12, 1, 10, 0))
    engine_round(app, clock)
    clock.set(paris(2026, 12, 1, 10, 30))
    # The process stops right after claiming the message (before recording what happened).
    assert len(app.state.engine.surveys.claim_due(clock.now())) == 1
    engine_round(app, clock, paris(2026, 12, 1, 10, 45))
    assert inbox.mails == []
    [message] = messages_of(database, survey_of(database, record)["id"])
    assert message["status"] == "failed"
    assert survey_of(database, record)["status"] == "cancelled"


def test_a_deleted_intervention_cancels_its_survey(
    app, company: Company, database: Database, clock: ManualClock, phone: Client, inbox: Inbox
) -> None:
    client_id = add_client(database, company.team_a.id, email="c@client.example")
    record = synced(phone, clock, client_id, at=paris(2026, 12, 1, 10, 0))
    engine_round(app, clock)
    clock.set(paris(2026, 12, 1, 10, 5))
    sync_ok(phone, delete(record, version=2, changed_at=clock.now()))
    engine_round(app, clock)
    engine_round(app, clock, paris(2026, 12, 1, 11, 0))
    assert inbox.mails == []
    assert survey_of(database, record)["status"] == "cancelled"


@pytest.mark.parametrize(
    "client",
    [
        {"email": "c@client.example", "no_surveys": 1},
        {"email": "c@client.example", "erased_at": "2026-11-20T00:00:00Z"},
        {"email": "", "phones": (LANDLINE,)},
    ],
    ids=["do-not-ask", "erased", "no-address"],
)
def test_who_is_never_asked(
    app, company: Company, database: Database, clock: ManualClock, phone: Client, client: dict
) -> None:
    marks = {key: client.pop(key) for key in ("no_surveys", "erased_at") if key in client}
    client_id = add_client(database, company.team_a.id, **client)
    if marks:
        with database.write():
            for column, value in marks.items():
                database.execute(
                    f"UPDATE clients SET {column} = ? WHERE id = ?", (value, client_id)
                )
    record = synced(phone, clock, client_id, at=paris(2026, 12, 1, 10, 0))
    engine_round(app, clock)
    assert survey_of(database, record) is None


def test_the_team_sets_the_delay_on_its_policy_page(
    app,
    company: Company,
    database: Database,
    clock: ManualClock,
    phone: Client,
    make_client,
) -> None:
    marc = make_client()
    marc.login(company.manager_a.email)
    page = marc.get(f"/rest/policy?team={company.team_a.id}")
    values = {
        node.attrs["name"]: node.attrs.get("value", "")
        for node in parse(page.text).find_all("input")
        if node.attrs.get("name") and node.attrs.get("type") != "checkbox"
    }
    values.pop("_csrf_token", None)
    assert values["survey_delay_minutes"] == "30"
    values.update(survey_delay_minutes="90", reason="Clients rentrés chez eux")
    saved = marc.post_form(f"/rest/policy?team={company.team_a.id}", values)
    assert saved.status_code == 303, saved.text
    client_id = add_client(database, company.team_a.id, email="c@client.example")
    record = synced(phone, clock, client_id, at=paris(2026, 12, 1, 10, 0))
    engine_round(app, clock)
    assert survey_of(database, record)["send_at"] == "2026-12-01T10:30:00Z"  # 11:30 in Paris


def test_an_smtp_server_down_leaves_the_mails_to_try_again(tmp_path) -> None:
    settings = load_settings(
        {}, data_dir=str(tmp_path), smtp_host="127.0.0.1", smtp_port=free_port()
    )
    mail = Outgoing(
        message_id=1,
        survey_id=1,
        kind="first",
        channel="email",
        attempts=1,
        timezone="Europe/Paris",
        address="c@client.example",
        name="",
        subject="Votre avis",
        body="…",
        url=BASE_URL + "/s/x",
    )
    attempts = SurveySender(None, settings)._send_emails([mail, mail._replace(message_id=2)])
    assert [a.status for a in attempts] == [0, 0]
    assert not any(a.maybe_sent for a in attempts)
    after = after_attempt(attempts[0], 1, paris(2026, 12, 1, 10, 0), "Europe/Paris")
    assert (after.status, after.at) == ("pending", paris(2026, 12, 1, 10, 1))
