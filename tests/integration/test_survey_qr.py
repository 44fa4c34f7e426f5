"""The survey as a QR code shown by the technician's phone: the pool of tokens, the client's
answer before or after the phone's sync, exactly once, and only to the token's own person."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import NamedTuple

from server.clock import to_db
from server.db import Database
from tests.conftest import Client, Company
from tests.integration.intervention_helpers import JSON, create, sync_ok

POOL_URL = "/api/v1/surveys/qr-pool"


def add_client(database: Database, team_id: int, *, locale: str = "fr") -> int:
    with database.write():
        return database.insert(
            "clients",
            {
                "team_id": team_id,
                "name": "Résidence Les Tilleuls",
                "locale": locale,
                "created_at": "2026-11-01T00:00:00Z",
                "updated_at": "2026-11-01T00:00:00Z",
            },
        )


def pool(client: Client, held: list[int] | None = None) -> dict:
    response = client.post(POOL_URL, content=json.dumps({"held": held or []}), headers=JSON)
    assert response.status_code == 200, response.text
    return response.json()


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def answer(visitor: Client, token: str, score: int = 5, **fields: str):
    return visitor.post_form(f"/s/q/{token}", {"score": str(score), **fields})


def surveys(database: Database) -> list[dict]:
    return database.query("SELECT * FROM surveys ORDER BY id")


def logged_in(make_client, email: str) -> Client:
    person = make_client()
    person.login(email)
    return person


class Showing(NamedTuple):
    """Sophie's phone with its pool, a client of team A, and the first code of the pool."""

    sophie: Client
    client_id: int
    token: dict

    @property
    def code(self) -> str:
        return token_of(self.token["url"])

    def synced(self) -> dict:
        """The intervention for the client, synced with the code shown for it; its operation."""
        op = create(client_id=self.client_id, survey_token_id=self.token["id"])
        sync_ok(self.sophie, op)
        return op


def showing(make_client, database: Database, company: Company, locale: str = "fr") -> Showing:
    sophie = logged_in(make_client, "staff.a@test.fr")
    client_id = add_client(database, company.team_a.id, locale=locale)
    return Showing(sophie, client_id, pool(sophie)["tokens"][0])


def test_the_phone_gets_a_pool_of_codes_once(make_client, company: Company) -> None:
    sophie = logged_in(make_client, "staff.a@test.fr")
    first = pool(sophie)
    assert len(first["tokens"]) == 5
    assert all("<svg" in t["svg"] and "/s/q/" in t["url"] for t in first["tokens"])
    ids = [t["id"] for t in first["tokens"]]
    # The phone says what it holds: nothing new, its codes kept.
    again = pool(sophie, ids)
    assert again == {"kept": ids, "tokens": []}
    # Two used up (say): two more.
    assert len(pool(sophie, ids[2:])["tokens"]) == 2


def test_a_cross_site_or_form_request_gets_no_codes(make_client, company: Company) -> None:
    sophie = logged_in(make_client, "staff.a@test.fr")
    refused = sophie.post(POOL_URL, content="{}", headers={**JSON, "Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403
    assert sophie.post(POOL_URL, data={"held": "1"}).status_code == 400


def test_answer_before_the_sync_waits_and_joins_its_intervention(
    make_client, company: Company, database: Database
) -> None:
    shown = showing(make_client, database, company)
    visitor = make_client()
    page = visitor.get(f"/s/q/{shown.code}")
    assert page.status_code == 200
    assert "Sophie" in page.text and "Staff" not in page.text  # first name only
    assert len(page.content) < 20_000  # the whole page: no script, no stylesheet, no image
    assert "<script" not in page.text and '<link rel="stylesheet' not in page.text
    done = answer(visitor, shown.code, 5, solved="yes", comment="Très rapide")
    assert done.status_code == 200 and 'id="survey-done"' in done.text
    [waiting] = surveys(database)
    assert waiting["intervention_id"] is None and waiting["channel"] == "qr"
    # The phone comes back online: the intervention, with the code it showed.
    op = shown.synced()
    [joined] = surveys(database)
    intervention = database.one("SELECT id FROM interventions WHERE uuid = ?", (op["uuid"],))
    assert joined["intervention_id"] == intervention["id"]
    assert joined["client_id"] == shown.client_id
    assert (joined["status"], joined["score"], joined["solved"]) == ("answered", 5, 1)
    # A replay of the sync changes nothing.
    sync_ok(shown.sophie, op)
    assert len(surveys(database)) == 1


def test_answer_after_the_sync_goes_to_its_intervention(
    make_client, company: Company, database: Database
) -> None:
    shown = showing(make_client, database, company, locale="en")
    op = shown.synced()
    assert surveys(database) == []
    visitor = make_client()
    page = visitor.get(f"/s/q/{shown.code}")
    assert "How did our intervention go?" in page.text  # in the client's language
    assert answer(visitor, shown.code, 2, solved="no").status_code == 200
    [survey] = surveys(database)
    assert survey["intervention_uuid"] == op["uuid"] and survey["score"] == 2


def test_a_code_answers_once(make_client, company: Company, database: Database) -> None:
    sophie = logged_in(make_client, "staff.a@test.fr")
    token = token_of(pool(sophie)["tokens"][0]["url"])
    visitor = make_client()
    assert answer(visitor, token, 4).status_code == 200
    twice = answer(make_client(), token, 1)
    assert twice.status_code == 409
    assert "already been answered" in twice.text or "déjà" in twice.text
    assert [s["score"] for s in surveys(database)] == [4]


def test_a_bad_answer_is_refused_and_writes_nothing(
    make_client, company: Company, database: Database
) -> None:
    sophie = logged_in(make_client, "staff.a@test.fr")
    token = token_of(pool(sophie)["tokens"][0]["url"])
    refused = answer(make_client(), token, 7)
    assert refused.status_code == 400 and 'role="alert"' in refused.text
    assert surveys(database) == []
    assert make_client().get("/s/q/not-a-token").status_code == 404


def test_the_comment_is_read_as_on_the_links_page(
    make_client, company: Company, database: Database
) -> None:
    """The link's page and this one read the form the same way: at most 1,000 characters
    (refused above, nothing written), control characters dropped."""
    sophie = logged_in(make_client, "staff.a@test.fr")
    token = token_of(pool(sophie)["tokens"][0]["url"])
    visitor = make_client()
    refused = answer(visitor, token, 4, comment="x" * 1001)
    assert refused.status_code == 400 and "1000" in refused.text
    assert 'maxlength="1000"' in visitor.get(f"/s/q/{token}").text
    assert surveys(database) == []
    assert answer(visitor, token, 4, comment="Bien\x07 vu\x00").status_code == 200
    assert [s["comment"] for s in surveys(database)] == ["Bien vu"]


def test_a_code_of_another_person_binds_nothing(
    make_client, company: Company, database: Database
) -> None:
    shown = showing(make_client, database, company)
    samuel = logged_in(make_client, "staff.a2@test.fr")
    op = create(client_id=shown.client_id, survey_token_id=shown.token["id"])
    assert sync_ok(samuel, op)[0]["status"] == "applied"  # the intervention itself is kept
    assert database.scalar("SELECT intervention_uuid FROM survey_qr_tokens") is None
    answer(make_client(), shown.code, 5)
    [survey] = surveys(database)
    assert survey["intervention_id"] is None and survey["user_id"] == company.staff_a.id


def test_an_expired_code_is_refused_kindly(
    make_client, company: Company, database: Database, clock
) -> None:
    sophie = logged_in(make_client, "staff.a@test.fr")
    token = token_of(pool(sophie)["tokens"][0]["url"])
    clock.advance(timedelta(days=31))
    visitor = make_client()
    assert (
        "14 days" in visitor.get(f"/s/q/{token}").text
        or "14 jours" in visitor.get(f"/s/q/{token}").text
    )
    assert visitor.get(f"/s/q/{token}").status_code == 410
    assert answer(visitor, token, 5).status_code == 410
    assert surveys(database) == []


def _planned_survey(database: Database, intervention_uuid: str, status: str, now) -> int:
    found = database.one(
        "SELECT id, team_id, user_id, client_id FROM interventions WHERE uuid = ?",
        (intervention_uuid,),
    )
    row = {
        "team_id": found["team_id"],
        "user_id": found["user_id"],
        "client_id": found["client_id"],
        "intervention_id": found["id"],
        "intervention_uuid": intervention_uuid,
        "channel": "sms",
        "status": status,
        "send_at": to_db(now + timedelta(minutes=30)),
        "created_at": to_db(now),
    }
    if status == "answered":
        row.update(answered_at=to_db(now), score=3)
    with database.write():
        return database.insert("surveys", row)


def test_a_qr_answer_takes_the_place_of_the_planned_sms(
    make_client, company: Company, database: Database, clock
) -> None:
    shown = showing(make_client, database, company)
    op = shown.synced()
    planned = _planned_survey(database, op["uuid"], "scheduled", clock.now())
    answer(make_client(), shown.code, 5)
    [survey] = surveys(database)
    assert survey["id"] == planned
    assert (survey["status"], survey["channel"], survey["score"]) == ("answered", "qr", 5)


def test_a_waiting_answer_merges_into_the_planned_survey_at_sync(
    make_client, company: Company, database: Database, clock
) -> None:
    shown = showing(make_client, database, company)
    answer(make_client(), shown.code, 4)
    op = create(client_id=shown.client_id)
    sync_ok(shown.sophie, op)  # an older phone's first sync, without the binding
    planned = _planned_survey(database, op["uuid"], "sent", clock.now())
    bind = create(
        op["uuid"], version=2, client_id=shown.client_id, survey_token_id=shown.token["id"]
    )
    bind["op"] = "update"
    sync_ok(shown.sophie, bind)
    [survey] = surveys(database)
    assert (survey["id"], survey["status"], survey["score"]) == (planned, "answered", 4)


def test_after_an_sms_answer_the_qr_code_is_refused_kindly(
    make_client, company: Company, database: Database, clock
) -> None:
    shown = showing(make_client, database, company)
    op = shown.synced()
    _planned_survey(database, op["uuid"], "answered", clock.now())
    visitor = make_client()
    assert re.search(r'id="survey-done"', visitor.get(f"/s/q/{shown.code}").text)
    assert answer(visitor, shown.code, 1).status_code == 409
    assert [s["score"] for s in surveys(database)] == [3]


def test_a_low_score_reaches_the_managers_once_the_answer_joins_its_intervention(
    make_client, company: Company, database: Database
) -> None:
    shown = showing(make_client, database, company)
    answer(make_client(), shown.code, 1, comment="Toujours en panne")

    def to_managers() -> list[dict]:
        return database.query(
            "SELECT user_id, url FROM notifications WHERE kind = 'survey_low_score'"
        )

    assert to_managers() == []  # which team's? Known once the phone syncs
    op = shown.synced()
    assert to_managers() == [
        {"user_id": company.manager_a.id, "url": f"/interventions/{op['uuid']}"}
    ]
    page = shown.sophie.get(f"/interventions/{op['uuid']}").text
    assert page.count('id="survey-answer"') == 1 and "Toujours en panne" in page


def test_guessing_codes_is_rate_limited(make_client, company: Company) -> None:
    visitor = make_client()
    answers = [visitor.get(f"/s/q/guess-{n}").status_code for n in range(31)]
    assert answers[:30] == [404] * 30
    assert answers[30] == 429


def test_the_phones_client_list_says_who_refuses_surveys(
    make_client, company: Company, database: Database
) -> None:
    asks = add_client(database, company.team_a.id)
    refuses = add_client(database, company.team_a.id)
    with database.write():
        database.execute("UPDATE clients SET no_surveys = 1 WHERE id = ?", (refuses,))
    sophie = logged_in(make_client, "staff.a@test.fr")
    listed = {c["id"]: c for c in sophie.get("/api/v1/me/clients").json()["clients"]}
    assert listed[refuses]["no_surveys"] is True
    assert "no_surveys" not in listed[asks]  # the usual case costs nothing on the phone


def test_the_interventions_page_offers_the_code_to_its_technician_until_one_is_bound(
    make_client, company: Company, database: Database
) -> None:
    sophie = logged_in(make_client, "staff.a@test.fr")
    manager = logged_in(make_client, "manager.a@test.fr")
    client_id = add_client(database, company.team_a.id)
    op = create(client_id=client_id)
    sync_ok(sophie, op)
    page = f"/interventions/{op['uuid']}"
    assert f"/interventions/new?edit={op['uuid']}#survey-qr" in sophie.get(page).text
    assert 'id="survey-qr-offer"' not in manager.get(page).text  # the technician's to show
    bind = create(op["uuid"], version=2, client_id=client_id)
    bind["op"] = "update"
    bind["data"]["survey_token_id"] = pool(sophie)["tokens"][0]["id"]
    sync_ok(sophie, bind)
    assert 'id="survey-qr-offer"' not in sophie.get(page).text
    # A client who refused surveys is never offered one.
    with database.write():
        database.execute("UPDATE clients SET no_surveys = 1 WHERE id = ?", (client_id,))
    other = create(client_id=client_id)
    sync_ok(sophie, other)
    assert 'id="survey-qr-offer"' not in sophie.get(f"/interventions/{other['uuid']}").text


def test_a_full_pool_writes_nothing(make_client, company: Company, database: Database) -> None:
    sophie = logged_in(make_client, "staff.a@test.fr")
    ids = [t["id"] for t in pool(sophie)["tokens"]]
    before = database.seen_writes()
    assert pool(sophie, ids) == {"kept": ids, "tokens": []}
    assert database.seen_writes() == before  # no page copy is emptied by opening the form
