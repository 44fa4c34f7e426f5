"""The client's page at /s/{token}: small, in the client's language, showing only the day and
the technician's first name; one answer recorded, a second refused kindly; a low score told to
the team's managers, a 5 with a comment to the technician; "do not ask me again" kept; unknown
links, and too many tries from one address, refused.

The test clock: Tuesday 1 December 2026 in Paris. Sophie (team A) logs the interventions; Marc
manages team A, Nina team B."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import NamedTuple

import pytest

from server.clock import ManualClock
from server.db import Database
from server.settings import Settings
from tests.conftest import Client, Company, LocalOrigins
from tests.integration.mail_helpers import Inbox, serving_inbox
from tests.integration.schedule_helpers import paris
from tests.integration.survey_helpers import (
    BASE_URL,
    add_client,
    engine_round,
    links_in,
    survey_of,
    synced,
)
from tests.integration.webhook_helpers import reaching

PAGE_LIMIT = 20 * 1024


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with serving_inbox() as handler:
        yield handler


@pytest.fixture
def settings(tmp_path, inbox: Inbox, local_origins: LocalOrigins) -> Settings:
    return reaching(tmp_path, local_origins, inbox, base_url=BASE_URL)


class Asked(NamedTuple):
    record: str
    link: str
    client_id: int


@pytest.fixture
def asked(
    app, company: Company, database: Database, clock: ManualClock, make_client, inbox: Inbox
) -> Asked:
    """An intervention of Sophie's for a client, synced at 10:00, whose survey was e-mailed at
    10:30; the link in the e-mail."""
    phone = make_client()
    phone.login(company.staff_a.email)
    client_id = add_client(
        database, company.team_a.id, email="c@client.example", access_codes="Porte 4512B"
    )
    record = synced(phone, clock, client_id, at=paris(2026, 12, 1, 10, 0))
    engine_round(app, clock)
    engine_round(app, clock, paris(2026, 12, 1, 10, 30))
    [link] = links_in(inbox.mails[-1].get_content())
    return Asked(record, link, client_id)


@pytest.fixture
def visitor(make_client) -> Client:
    """The client's phone: no session, no cookie."""
    return make_client()


def notifications(database: Database, user_id: int) -> list[dict]:
    rows = database.query(
        "SELECT kind, params, url, urgency FROM notifications WHERE user_id = ? "
        "AND kind LIKE 'survey%' ORDER BY id",
        (user_id,),
    )
    return [{**row, "params": json.loads(row["params"])} for row in rows]


def test_the_page_is_light_and_shows_only_the_day_and_the_first_name(
    asked: Asked, visitor: Client
) -> None:
    page = visitor.get(f"/s/{asked.link}", headers={"Accept-Encoding": "identity"})
    assert page.status_code == 200
    # The whole first load, CSS included, measured on the response as sent (uncompressed).
    assert len(page.content) <= PAGE_LIMIT, len(page.content)
    html = page.text
    assert "<script" not in html
    assert 'rel="stylesheet"' not in html and "<img" not in html  # nothing else to fetch
    assert "Intervention du 1 décembre 2026, par Sophie." in html
    for hidden in ("Staff", "4512B", "Tilleuls", "rue", "c@client.example"):
        assert hidden not in html
    # No CSRF cookie: the form posts back to the secret link, which is its protection.
    assert "set-cookie" not in page.headers
    assert page.headers["cache-control"] == "no-store"
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp


def test_one_answer_is_recorded_and_a_second_is_refused_kindly(
    asked: Asked, visitor: Client, database: Database, company: Company
) -> None:
    answer = {"score": "4", "solved": "yes", "comment": "Rapide et efficace", "action": "answer"}
    first = visitor.post(f"/s/{asked.link}", data=answer)
    assert first.status_code == 200, first.text
    assert "Merci" in first.text
    survey = survey_of(database, asked.record)
    assert (survey["status"], survey["score"], survey["solved"], survey["comment"]) == (
        "answered",
        4,
        1,
        "Rapide et efficace",
    )
    again = visitor.post(f"/s/{asked.link}", data={**answer, "score": "1"})
    assert again.status_code == 409
    assert "Déjà répondu, merci" in again.text
    assert survey_of(database, asked.record)["score"] == 4
    assert visitor.get(f"/s/{asked.link}").status_code == 409
    # A 4 tells nobody.
    assert notifications(database, company.manager_a.id) == []
    assert notifications(database, company.staff_a.id) == []


def test_an_answer_without_a_score_is_asked_again(
    asked: Asked, visitor: Client, database: Database
) -> None:
    response = visitor.post(f"/s/{asked.link}", data={"comment": "Bien", "action": "answer"})
    assert response.status_code == 400
    assert "Choisissez une note de 1 à 5." in response.text
    assert survey_of(database, asked.record)["status"] == "sent"


def test_a_forged_or_too_long_answer_is_refused_as_on_the_qr_page(
    asked: Asked, visitor: Client, database: Database
) -> None:
    """One reading of the form for both public pages: a "solved" that is neither yes nor no,
    or a comment over 1,000 characters, is refused with what to fix (not silently dropped or
    cut); line breaks count once, as the page's box counts them."""
    forged = {"score": "4", "solved": "peut-être", "action": "answer"}
    refused = visitor.post(f"/s/{asked.link}", data=forged)
    assert refused.status_code == 400
    assert "Répondez à « Le problème est-il résolu ? » par oui ou non." in refused.text
    long = {"score": "4", "comment": "x" * 1001, "action": "answer"}
    refused = visitor.post(f"/s/{asked.link}", data=long)
    assert refused.status_code == 400
    assert "Le commentaire est trop long : 1000 caractères au plus." in refused.text
    assert survey_of(database, asked.record)["status"] == "sent"
    lines = "\r\n".join(["y" * 99] * 10)  # 1,000 characters in the box, 1,018 posted
    kept = visitor.post(f"/s/{asked.link}", data={"score": "4", "comment": lines})
    assert kept.status_code == 200
    assert survey_of(database, asked.record)["comment"] == lines.replace("\r", "")


def test_a_low_score_notifies_the_teams_managers(
    app, asked: Asked, visitor: Client, database: Database, company: Company, clock, inbox: Inbox
) -> None:
    answer = {"score": "2", "solved": "no", "comment": "Toujours froid", "action": "answer"}
    assert visitor.post(f"/s/{asked.link}", data=answer).status_code == 200
    [told] = notifications(database, company.manager_a.id)
    assert told["kind"] == "survey_low_score"
    assert told["url"] == f"/interventions/{asked.record}"
    assert told["urgency"] == "normal"
    assert told["params"]["comment"] == "Toujours froid"
    assert told["params"]["client_id"] == asked.client_id
    assert "4512B" not in json.dumps(told)
    # The other team's manager and the technician are not told.
    assert notifications(database, company.manager_b.id) == []
    assert notifications(database, company.staff_a.id) == []
    # The reminder is never sent after an answer.
    mails = len(inbox.mails)
    engine_round(app, clock, paris(2026, 12, 3, 11, 0))
    assert len(inbox.mails) == mails


def test_the_managers_notification_reads_as_a_follow_up(
    asked: Asked, visitor: Client, company: Company, make_client
) -> None:
    visitor.post(f"/s/{asked.link}", data={"score": "1", "comment": "Personne", "action": "answer"})
    marc = make_client()
    marc.login(company.manager_a.email)
    page = marc.get("/notifications").text
    assert "Satisfaction 1/5 : à suivre" in page
    assert "Personne" in page


def test_a_5_with_a_comment_is_passed_on_to_the_technician(
    asked: Asked, visitor: Client, database: Database, company: Company
) -> None:
    answer = {"score": "5", "solved": "yes", "comment": "Sophie a été formidable", "action": ""}
    assert visitor.post(f"/s/{asked.link}", data=answer).status_code == 200
    [told] = notifications(database, company.staff_a.id)
    assert told["kind"] == "survey_praise"
    assert told["params"]["comment"] == "Sophie a été formidable"
    assert notifications(database, company.manager_a.id) == []


def test_a_5_without_a_comment_tells_nobody(
    asked: Asked, visitor: Client, database: Database, company: Company
) -> None:
    assert visitor.post(f"/s/{asked.link}", data={"score": "5"}).status_code == 200
    assert notifications(database, company.staff_a.id) == []


def test_do_not_ask_me_again_is_kept_and_cancels_what_waits(
    app,
    asked: Asked,
    visitor: Client,
    database: Database,
    company: Company,
    clock: ManualClock,
    make_client,
    inbox: Inbox,
) -> None:
    # Another intervention for the same client, its survey still to send.
    phone = make_client()
    phone.login(company.staff_a.email)
    later = synced(phone, clock, asked.client_id, at=paris(2026, 12, 1, 11, 0))
    engine_round(app, clock)
    assert survey_of(database, later)["status"] == "scheduled"

    stopped = visitor.post(f"/s/{asked.link}", data={"action": "stop"})
    assert stopped.status_code == 200
    assert "Nous ne vous demanderons plus votre avis." in stopped.text
    assert database.scalar("SELECT no_surveys FROM clients WHERE id = ?", (asked.client_id,)) == 1
    assert survey_of(database, asked.record)["status"] == "cancelled"
    assert survey_of(database, later)["status"] == "cancelled"
    entry = database.one("SELECT * FROM audit_log WHERE action = 'client.no_surveys'")
    assert entry["entity_id"] == str(asked.client_id)

    # Nothing more is sent, and a new intervention gets no survey.
    mails = len(inbox.mails)
    newest = synced(phone, clock, asked.client_id, at=paris(2026, 12, 1, 14, 0))
    for hours in (1, 3, 60):
        engine_round(app, clock, paris(2026, 12, 1, 14, 0) + timedelta(hours=hours))
    assert len(inbox.mails) == mails
    assert survey_of(database, newest) is None


def test_an_unknown_link_is_a_kind_404(visitor: Client, database: Database) -> None:
    page = visitor.get("/s/not-a-real-link-0123456789abcdef")
    assert page.status_code == 404
    assert "Lien introuvable" in page.text
    posted = visitor.post("/s/not-a-real-link-0123456789abcdef", data={"score": "1"})
    assert posted.status_code == 404
    stop = visitor.post("/s/not-a-real-link-0123456789abcdef", data={"action": "stop"})
    assert stop.status_code == 404
    assert database.scalar("SELECT COUNT(*) FROM surveys WHERE answered_at IS NOT NULL") == 0


def test_too_many_tries_from_one_address_are_refused(
    asked: Asked, visitor: Client, clock: ManualClock, make_client
) -> None:
    for n in range(29):
        assert visitor.get(f"/s/guess-{n:04d}").status_code == 404
    assert visitor.get(f"/s/{asked.link}").status_code == 200  # the 30th
    limited = visitor.get(f"/s/{asked.link}")
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert "Trop de tentatives" in limited.text
    assert visitor.post(f"/s/{asked.link}", data={"score": "5"}).status_code == 429
    # Ten minutes later the address may try again.
    clock.advance(timedelta(minutes=10))
    assert visitor.get(f"/s/{asked.link}").status_code == 200
