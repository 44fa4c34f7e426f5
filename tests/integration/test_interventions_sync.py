"""The sync endpoint a phone's outbox calls: creates, updates and deletes applied exactly once,
bad items refused one by one with a reason while the rest of the batch goes through, the
request itself guarded (JSON, same site, a session), and a manager's correction against a
phone's edit (last change wins; both in the audit log). Also the form without JavaScript."""

from __future__ import annotations

import json
from datetime import timedelta

import msgspec
import pytest

from server.clock import ManualClock, to_db
from server.db import Database
from server.interventions.store import get_intervention
from tests.conftest import Client, Company
from tests.integration.intervention_helpers import (
    JSON,
    NIGHT_END,
    NIGHT_START,
    SYNC_URL,
    TYPED_AT,
    actions,
    audit,
    count,
    create,
    delete,
    new_uuid,
    raise_alert,
    row,
    statuses,
    sync,
    sync_ok,
    update,
    written,
)
from tests.integration.schedule_helpers import Browsers, page_text, paris, parse

END_BEFORE_START = "La fin doit être après le début."
TOO_LONG = "Une intervention dure au plus 24 heures : saisissez un long chantier en plusieurs fois."
FUTURE = "La fin est dans le futur."
BAD_RECORD_ID = "Le numéro de cette fiche n’est pas valide : enregistrez-la à nouveau."
UNKNOWN_ALERT = "Cette alerte n’existe pas."
OTHER_TEAMS_ALERT = "Cette alerte appartient à une autre équipe."
HALF_POSITION = "Une position a besoin de la latitude et de la longitude."
SOMEONE_ELSES = "Cette intervention appartient à quelqu’un d’autre."
DELETED = "Cette intervention a été supprimée."
UNREADABLE = "Ce changement n’a pas pu être lu"
COULD_NOT_SAVE = (
    "Ce changement n’a pas pu être enregistré : vérifiez-le et enregistrez-le de nouveau."
)
SUPERSEDED = (
    "Votre responsable a corrigé cette intervention après votre modification : sa version est "
)


@pytest.fixture
def sophie(company: Company, browsers: Browsers) -> Client:
    """Sophie's phone (staff of team A, Maintenance), logged in."""
    return browsers("staff.a@test.fr")


# Create, replay, update, delete ------------------------------------------------------------


def test_a_create_is_applied_and_stored_with_its_times(
    sophie: Client, database: Database, company: Company, clock: ManualClock
) -> None:
    op = create(mode="remote", travel_minutes=35, outcome="follow_up")
    [result] = sync_ok(sophie, op)
    # Only what the phone needs: an applied item's answer carries no empty fields.
    assert result == {"op_id": op["op_id"], "uuid": op["uuid"], "status": "applied"}
    stored = row(database, op["uuid"])
    assert stored is not None
    assert stored["started_at"] == "2026-11-30T01:00:00Z"  # 02:00 in Paris
    assert stored["ended_at"] == "2026-11-30T02:30:00Z"
    assert (stored["user_id"], stored["team_id"]) == (company.staff_a.id, company.team_a.id)
    assert (stored["mode"], stored["travel_minutes"], stored["outcome"]) == (
        "remote",
        35,
        "follow_up",
    )
    assert stored["place"] == "Bâtiment C, chaufferie"
    assert (stored["found"], stored["done"]) == ("Brûleur en sécurité", "Réarmement et purge")
    assert stored["client_version"] == 1
    assert stored["client_changed_at"] == to_db(TYPED_AT)
    assert stored["server_changed_at"] == to_db(clock.now())
    assert stored["deleted_at"] is None and stored["corrected_by"] is None
    [entry] = audit(database, op["uuid"])
    assert (entry["action"], entry["actor_user_id"]) == ("intervention.create", company.staff_a.id)
    assert entry["after"]["place"] == "Bâtiment C, chaufferie"
    # It is Sophie's: on her list.
    assert "Bâtiment C, chaufferie" in page_text(sophie.get("/interventions").text)


def test_the_same_batch_twice_is_applied_once(
    sophie: Client, database: Database, clock: ManualClock
) -> None:
    first, second = create(place="Hall A"), create(place="Hall B")
    edit = update(first["uuid"], version=2, place="Hall A, local 3")
    batch = [first, second, edit]
    assert statuses(sync_ok(sophie, *batch)) == ["applied"] * 3
    before = written(database)
    # The answer was lost on the way (tunnel, phone asleep): the outbox sends it all again.
    clock.advance(timedelta(minutes=10))
    for _replay in range(3):
        assert statuses(sync_ok(sophie, *batch)) == ["already_applied"] * 3
    assert written(database) == before
    assert count(database) == 2
    assert row(database, first["uuid"])["place"] == "Hall A, local 3"
    assert row(database, first["uuid"])["client_version"] == 2
    assert actions(database, first["uuid"]) == ["intervention.create", "intervention.update"]
    assert actions(database, second["uuid"]) == ["intervention.create"]


def test_replaying_an_older_operation_after_a_newer_one_changes_nothing(
    sophie: Client, database: Database
) -> None:
    op = create(place="Hall A")
    edit = update(op["uuid"], version=2, place="Hall A, local 3")
    sync_ok(sophie, op)
    sync_ok(sophie, edit)
    # The create's answer had been lost: it comes again, after the edit.
    assert statuses(sync_ok(sophie, op, op)) == ["already_applied", "already_applied"]
    assert row(database, op["uuid"])["place"] == "Hall A, local 3"
    gone = delete(op["uuid"], version=3)
    sync_ok(sophie, gone)
    assert statuses(sync_ok(sophie, op, edit, gone)) == ["already_applied"] * 3
    stored = row(database, op["uuid"])
    assert stored["deleted_at"] is not None and stored["place"] == "Hall A, local 3"
    assert count(database) == 1


def test_a_create_sent_again_under_a_new_op_id_is_not_doubled(
    sophie: Client, database: Database
) -> None:
    op = create(place="Hall A")
    sync_ok(sophie, op)
    again = {**op, "op_id": new_uuid(), "data": {**op["data"], "place": "Hall A bis"}}
    assert statuses(sync_ok(sophie, again)) == ["already_applied"]
    assert count(database) == 1
    assert row(database, op["uuid"])["place"] == "Hall A"


def test_a_refused_operation_replayed_is_refused_again_with_the_same_reason(
    sophie: Client, database: Database
) -> None:
    bad = create(started_at=NIGHT_END, ended_at=NIGHT_START)
    first = sync_ok(sophie, bad)
    assert sync_ok(sophie, bad) == first
    assert first[0]["status"] == "rejected" and first[0]["reason"] == END_BEFORE_START
    assert count(database) == 0


def test_an_update_with_a_higher_version_is_applied(
    sophie: Client, database: Database, clock: ManualClock
) -> None:
    op = create()
    sync_ok(sophie, op)
    clock.advance(timedelta(hours=1))
    edit = update(
        op["uuid"],
        version=2,
        changed_at=TYPED_AT + timedelta(minutes=20),
        ended_at=paris(2026, 11, 30, 4, 15),
        outcome="escalated",
        done="Pompe remplacée",
    )
    assert statuses(sync_ok(sophie, edit)) == ["applied"]
    stored = row(database, op["uuid"])
    assert stored["ended_at"] == "2026-11-30T03:15:00Z"
    assert (stored["outcome"], stored["done"]) == ("escalated", "Pompe remplacée")
    assert stored["client_version"] == 2
    assert stored["client_changed_at"] == to_db(TYPED_AT + timedelta(minutes=20))
    assert stored["server_changed_at"] == to_db(clock.now())
    last = audit(database, op["uuid"])[-1]
    assert last["action"] == "intervention.update"
    assert last["before"]["outcome"] == "resolved" and last["after"]["outcome"] == "escalated"


def test_an_update_with_a_stale_version_changes_nothing(sophie: Client, database: Database) -> None:
    op = create(place="Hall A")
    newer = update(
        op["uuid"], version=3, changed_at=TYPED_AT + timedelta(minutes=30), place="Hall A, v3"
    )
    sync_ok(sophie, op, newer)
    before = row(database, op["uuid"])
    # An edit made earlier (version 2), arriving late under its own op_id.
    stale = update(
        op["uuid"], version=2, changed_at=TYPED_AT + timedelta(minutes=10), place="Hall A, v2"
    )
    [result] = sync_ok(sophie, stale)
    assert row(database, op["uuid"]) == before, "a stale version overwrote a newer one"
    assert result["status"] in ("already_applied", "superseded"), result
    if result["status"] == "superseded":
        assert result["server_version"]["place"] == "Hall A, v3"


def test_a_delete_is_soft_and_hides_the_intervention(
    sophie: Client, database: Database, company: Company, browsers: Browsers
) -> None:
    kept, removed = create(place="Garage nord"), create(place="Parking sud")
    sync_ok(sophie, kept, removed)
    assert "Parking sud" in page_text(sophie.get("/interventions").text)

    assert statuses(sync_ok(sophie, delete(removed["uuid"], version=2))) == ["applied"]
    stored = row(database, removed["uuid"])
    assert stored is not None and stored["deleted_at"] is not None  # kept for the audit
    assert count(database, deleted=False) == 1
    assert actions(database, removed["uuid"]) == ["intervention.create", "intervention.delete"]
    assert audit(database, removed["uuid"])[-1]["before"]["place"] == "Parking sud"
    mine = page_text(sophie.get("/interventions").text)
    assert "Garage nord" in mine and "Parking sud" not in mine
    marc = browsers("manager.a@test.fr")
    team = marc.get("/interventions/team")
    assert "Garage nord" in page_text(team.text) and "Parking sud" not in page_text(team.text)
    csv_text = marc.get("/interventions/team?format=csv").text
    assert kept["uuid"] in csv_text and removed["uuid"] not in csv_text
    # An edit still waiting on another phone is refused, not resurrecting it.
    late = update(removed["uuid"], version=3, place="Parking sud bis")
    [result] = sync_ok(sophie, late)
    assert (result["status"], result["reason"]) == ("rejected", DELETED)
    assert row(database, removed["uuid"])["deleted_at"] is not None


def test_deleting_what_the_server_never_had_is_applied(sophie: Client, database) -> None:
    # Created and deleted on the phone, the create refused meanwhile: nothing to delete here.
    assert statuses(sync_ok(sophie, delete(new_uuid(), version=2))) == ["applied"]
    assert count(database) == 0


# Bad items: refused one by one, the rest of the batch applied ---------------------------------


def _bad_items(company: Company, database: Database, clock: ManualClock) -> dict[str, tuple]:
    other_alert = raise_alert(database, company.team_b.id, "Serveur arrêté", clock.now())
    now = clock.now()
    return {
        "end before start": (
            create(started_at=NIGHT_END, ended_at=NIGHT_START),
            END_BEFORE_START,
            "ended_at",
        ),
        "end equal to start": (
            create(started_at=NIGHT_START, ended_at=NIGHT_START),
            END_BEFORE_START,
            "ended_at",
        ),
        "longer than 24 hours": (
            create(started_at=NIGHT_END - timedelta(hours=24, seconds=1), ended_at=NIGHT_END),
            TOO_LONG,
            "ended_at",
        ),
        "in the future": (
            create(started_at=now, ended_at=now + timedelta(minutes=6)),
            FUTURE,
            "ended_at",
        ),
        "unknown alert": (create(alert_id=999_999), UNKNOWN_ALERT, "alert_id"),
        "another team's alert": (create(alert_id=other_alert), OTHER_TEAMS_ALERT, "alert_id"),
        "half a position": (create(latitude=48.85), HALF_POSITION, "latitude"),
    }


BAD_ITEMS = [
    "end before start",
    "end equal to start",
    "longer than 24 hours",
    "in the future",
    "unknown alert",
    "another team's alert",
    "half a position",
]


@pytest.mark.parametrize("case", BAD_ITEMS)
def test_a_bad_item_is_refused_with_its_reason_and_the_good_one_applied(
    case: str, sophie: Client, database: Database, company: Company, clock: ManualClock
) -> None:
    bad, reason, field = _bad_items(company, database, clock)[case]
    good = create(place="Atelier")
    results = sync_ok(sophie, bad, good)
    assert results[0] == {
        "op_id": bad["op_id"],
        "uuid": bad["uuid"],
        "status": "rejected",
        "reason": reason,
        **({"field": field} if field else {}),
    }
    assert results[1]["status"] == "applied"
    assert row(database, bad["uuid"]) is None
    assert row(database, good["uuid"])["place"] == "Atelier"
    assert count(database) == 1
    assert actions(database, bad["uuid"]) == []


def test_a_bad_update_leaves_the_stored_intervention_as_it_was(
    sophie: Client, database: Database
) -> None:
    op = create()
    sync_ok(sophie, op)
    before = row(database, op["uuid"])
    wrong = update(op["uuid"], version=2, started_at=NIGHT_END, ended_at=NIGHT_START)
    [result] = sync_ok(sophie, wrong)
    assert (result["status"], result["reason"], result["field"]) == (
        "rejected",
        END_BEFORE_START,
        "ended_at",
    )
    assert row(database, op["uuid"]) == before


def test_one_refused_item_in_a_full_batch_leaves_the_other_199_applied(
    sophie: Client, database: Database
) -> None:
    batch = [create(place=f"Local {n}") for n in range(200)]
    batch[100] = create(place="Local 100", started_at=NIGHT_END, ended_at=NIGHT_START)
    results = sync_ok(sophie, *batch)
    assert statuses(results) == ["applied"] * 100 + ["rejected"] + ["applied"] * 99
    assert results[100]["reason"] == END_BEFORE_START
    assert count(database) == 199
    assert row(database, batch[100]["uuid"]) is None
    assert all(actions(database, op["uuid"]) == ["intervention.create"] for op in batch[:100])
    assert actions(database, batch[100]["uuid"]) == []
    before = written(database)
    # The answer was lost: the same batch again answers the same, and writes nothing.
    again = sync_ok(sophie, *batch)
    assert statuses(again) == ["already_applied"] * 100 + ["rejected"] + ["already_applied"] * 99
    assert again[100] == results[100]
    assert written(database) == before


def test_an_item_the_database_refuses_is_undone_alone_and_can_be_sent_again(
    sophie: Client, database: Database
) -> None:
    """A constraint the rules did not foresee (here a trigger of the test's own) refuses one
    item: the others of the batch stay applied, and the refused one is not remembered as done,
    so it goes through once the cause is gone."""
    database.conn.execute(
        "CREATE TEMP TRIGGER refuse_boom AFTER INSERT ON interventions WHEN NEW.place = 'Boom' "
        "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
    )
    first, boom, last = create(place="Avant"), create(place="Boom"), create(place="Après")
    results = sync_ok(sophie, first, boom, last)
    assert statuses(results) == ["applied", "rejected", "applied"]
    assert results[1]["reason"] == COULD_NOT_SAVE
    assert [row(database, op["uuid"]) is not None for op in (first, boom, last)] == [
        True,
        False,
        True,
    ]
    assert actions(database, boom["uuid"]) == []
    assert actions(database, last["uuid"]) == ["intervention.create"]

    database.conn.execute("DROP TRIGGER refuse_boom")
    assert statuses(sync_ok(sophie, first, boom, last)) == [
        "already_applied",
        "applied",
        "already_applied",
    ]
    assert count(database) == 3
    assert actions(database, boom["uuid"]) == ["intervention.create"]


def test_the_same_operation_twice_in_one_batch_is_applied_once(
    sophie: Client, database: Database
) -> None:
    op = create(place="Hall A")
    edit = update(op["uuid"], version=2, place="Hall A, local 3")
    results = sync_ok(sophie, op, op, edit, edit)
    assert statuses(results) == ["applied", "already_applied", "applied", "already_applied"]
    assert count(database) == 1
    assert row(database, op["uuid"])["place"] == "Hall A, local 3"
    assert actions(database, op["uuid"]) == ["intervention.create", "intervention.update"]


def test_the_audit_log_holds_the_intervention_as_stored(sophie: Client, database: Database) -> None:
    op = create(place="  Hall A  ", latitude=48.8566, longitude=2.3522)
    sync_ok(sophie, op)
    created = msgspec.to_builtins(get_intervention(database, op["uuid"]))
    edit = update(op["uuid"], version=2, place="Hall B", outcome="escalated")
    sync_ok(sophie, edit)
    updated = msgspec.to_builtins(get_intervention(database, op["uuid"]))
    create_entry, update_entry = audit(database, op["uuid"])
    assert create_entry["after"] == created
    assert (update_entry["before"], update_entry["after"]) == (created, updated)


def test_an_alert_of_my_team_is_linked(
    sophie: Client, database: Database, company: Company, clock: ManualClock
) -> None:
    alert = raise_alert(database, company.team_a.id, "Chaudière en panne", clock.now())
    op = create(alert_id=alert)
    assert statuses(sync_ok(sophie, op)) == ["applied"]
    stored = row(database, op["uuid"])
    assert (stored["alert_id"], stored["team_id"]) == (alert, company.team_a.id)


@pytest.mark.parametrize(
    ("item", "op_id", "uuid"),
    [
        pytest.param(
            {"op": "upsert", "op_id": "11111111-1111-4111-8111-111111111111", "uuid": "x"},
            "11111111-1111-4111-8111-111111111111",
            "x",
            id="unknown op",
        ),
        pytest.param(
            {k: v for k, v in create().items() if k != "uuid"}
            | {"op_id": "22222222-2222-4222-8222-222222222222"},
            "22222222-2222-4222-8222-222222222222",
            "",
            id="no uuid",
        ),
        pytest.param(
            {k: v for k, v in create().items() if k != "data"} | {"op_id": "3" * 32},
            "3" * 32,
            None,
            id="a create without data",
        ),
        pytest.param(42, "", "", id="not an object"),
        pytest.param("create", "", "", id="a string"),
    ],
)
def test_an_unreadable_item_is_refused_and_the_others_applied(
    item, op_id: str, uuid: str | None, sophie: Client, database: Database
) -> None:
    good = create()
    response = sync(sophie, item, good)
    assert response.status_code == 200, response.text
    bad_result, good_result = response.json()["results"]
    assert bad_result["status"] == "rejected"
    assert bad_result["reason"].startswith(UNREADABLE), bad_result
    assert bad_result["op_id"] == op_id
    if uuid is not None:
        assert bad_result["uuid"] == uuid
    else:
        assert bad_result["uuid"] == item["uuid"]
    assert good_result["status"] == "applied"
    assert count(database) == 1


def test_an_operation_on_someone_elses_intervention_is_refused(
    sophie: Client, browsers: Browsers, database: Database
) -> None:
    op = create(place="Chez Sophie")
    sync_ok(sophie, op)
    before = row(database, op["uuid"])
    samuel = browsers("staff.a2@test.fr")  # same team, not his record
    attempts = [
        update(op["uuid"], version=2, place="Chez Samuel"),
        delete(op["uuid"], version=2),
        create(op["uuid"], version=5, place="Chez Samuel"),
    ]
    mine = create(place="Chez Samuel, le sien")
    results = sync_ok(samuel, *attempts, mine)
    assert [(r["status"], r["reason"]) for r in results[:3]] == [("rejected", SOMEONE_ELSES)] * 3
    assert results[3]["status"] == "applied"
    assert row(database, op["uuid"]) == before
    assert actions(database, op["uuid"]) == ["intervention.create"]
    assert "Chez Samuel" not in page_text(sophie.get("/interventions").text)


def test_an_op_id_of_someone_else_does_not_swallow_my_change(
    sophie: Client, browsers: Browsers, database: Database
) -> None:
    """The op_id is the phone's: another person sending the same one (a copied payload, a
    colliding generator) must not get Sophie's answer back instead of their own change."""
    op = create(place="Chez Sophie")
    sync_ok(sophie, op)
    samuel = browsers("staff.a2@test.fr")
    his = create(place="Chez Samuel")
    his["op_id"] = op["op_id"]
    [result] = sync_ok(samuel, his)
    assert result["uuid"] == his["uuid"], result
    assert result["status"] == "applied", result
    assert row(database, his["uuid"]) is not None


# The request itself --------------------------------------------------------------------------


def test_exactly_200_operations_are_accepted(sophie: Client, database: Database) -> None:
    batch = [create(place=f"Local {n}") for n in range(200)]
    assert statuses(sync_ok(sophie, *batch)) == ["applied"] * 200
    assert count(database) == 200


def test_200_operations_at_their_largest_are_accepted(sophie: Client, database: Database) -> None:
    """Each item within its limits (4,000 characters of findings and of work done), the batch
    within 200: the phone's outbox sends exactly such batches and has no smaller fallback, so
    refusing the whole request would leave it stuck, resending the same batch for ever."""
    batch = [create(place=f"Local {n}", found="f" * 4000, done="d" * 4000) for n in range(200)]
    response = sync(sophie, *batch)
    assert response.status_code == 200, (response.status_code, response.text[:300])
    assert statuses(response.json()["results"]) == ["applied"] * 200
    assert count(database) == 200


def test_201_operations_are_refused_and_nothing_is_written(
    sophie: Client, database: Database
) -> None:
    before = written(database)
    response = sync(sophie, *[create(place=f"Local {n}") for n in range(201)])
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "au plus 200 changements" in response.json()["detail"]
    assert written(database) == before


@pytest.mark.parametrize(
    "body",
    [
        b'{"operations": [',
        b"not json",
        b"",
        b'{"operations": "all of them"}',
        b'{"operations": [1], "extra": 2',
        b"[]",
        b"{}",
        b'{"ops": []}',
    ],
    ids=["cut", "words", "empty", "not a list", "unclosed", "a list", "no operations", "typo"],
)
def test_a_malformed_body_is_400_problem_json(
    body: bytes, sophie: Client, database: Database
) -> None:
    before = written(database)
    response = sophie.post(SYNC_URL, content=body, headers=JSON)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 400 and response.json()["detail"]
    assert written(database) == before


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_body_that_is_not_declared_json_is_400(
    content_type: str, sophie: Client, database: Database
) -> None:
    body = json.dumps({"operations": [create()]})
    response = sophie.post(SYNC_URL, content=body, headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert response.json()["detail"] == "Envoyez les opérations en application/json."
    assert count(database) == 0


def test_json_with_a_charset_is_json(sophie: Client, database: Database) -> None:
    body = json.dumps({"operations": [create()]})
    headers = {"Content-Type": "application/json; charset=utf-8"}
    response = sophie.post(SYNC_URL, content=body, headers=headers)
    assert response.status_code == 200 and count(database) == 1


def test_a_cross_site_request_is_403(sophie: Client, database: Database) -> None:
    op = create()
    response = sync(sophie, op, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert response.json()["detail"] == "Les requêtes venant d’un autre site sont refusées."
    assert count(database) == 0
    # The phone's own page says same-origin.
    assert sync(sophie, op, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200
    assert count(database) == 1


def test_without_a_session_it_is_401_problem_json(
    company: Company, browsers: Browsers, database: Database
) -> None:
    stranger = browsers()
    response = sync(stranger, create())
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 401
    assert "location" not in response.headers  # an API is not redirected to the login page
    assert count(database) == 0


def test_after_logging_out_the_outbox_gets_401(sophie: Client, database: Database) -> None:
    sophie.post_form("/logout")
    assert sync(sophie, create()).status_code == 401
    assert count(database) == 0


# A manager's correction against a phone's edit -----------------------------------------------


def correct(manager: Client, record: str, **fields: str):
    form = {
        "started_at": "2026-11-30T02:00",
        "ended_at": "2026-11-30T03:00",
        "travel_minutes": "20",
        "place": "Bâtiment C (corrigé)",
        "outcome": "resolved",
        **fields,
    }
    return manager.post_form(f"/interventions/{record}/correct", form)


def test_a_phone_edit_older_than_the_managers_correction_is_superseded(
    sophie: Client, browsers: Browsers, database: Database, clock: ManualClock, company: Company
) -> None:
    op = create(place="Bâtiment C")
    sync_ok(sophie, op)
    # At 04:00 Sophie edits offline (her phone's clock); at 10:00 Marc corrects on the server.
    clock.set(paris(2026, 11, 30, 10))
    marc = browsers("manager.a@test.fr")
    answer = correct(marc, op["uuid"])
    assert answer.status_code == 303, answer.text
    corrected = row(database, op["uuid"])
    assert corrected["ended_at"] == "2026-11-30T02:00:00Z"  # 03:00 in Paris
    assert corrected["corrected_by"] == company.manager_a.id
    assert corrected["server_changed_at"] == to_db(paris(2026, 11, 30, 10))

    clock.set(paris(2026, 11, 30, 11))  # her phone finds a network
    offline_edit = update(
        op["uuid"],
        version=2,
        changed_at=paris(2026, 11, 30, 4),
        place="Bâtiment C, 2e étage",
        ended_at=paris(2026, 11, 30, 3, 45),
    )
    [result] = sync_ok(sophie, offline_edit)
    assert result["status"] == "superseded"
    assert result["reason"].startswith(SUPERSEDED)
    assert result["server_version"]["place"] == "Bâtiment C (corrigé)"
    assert result["server_version"]["ended_at"].startswith("2026-11-30T02:00:00")
    assert result["server_version"]["uuid"] == op["uuid"]
    assert row(database, op["uuid"]) == corrected  # the manager's version stands

    entries = audit(database, op["uuid"])
    assert [e["action"] for e in entries] == [
        "intervention.create",
        "intervention.correct",
        "intervention.superseded",
    ]
    correction, superseded = entries[1], entries[2]
    assert correction["actor_user_id"] == company.manager_a.id
    assert correction["before"]["place"] == "Bâtiment C"
    assert correction["after"]["place"] == "Bâtiment C (corrigé)"
    # Both versions are kept: the manager's, and the phone's that lost.
    assert superseded["actor_user_id"] == company.staff_a.id
    assert superseded["before"]["place"] == "Bâtiment C (corrigé)"
    assert superseded["after"]["place"] == "Bâtiment C, 2e étage"
    # The answer is remembered like any other: a replay says the same.
    assert sync_ok(sophie, offline_edit) == [result]


def test_a_phone_edit_newer_than_the_correction_wins(
    sophie: Client, browsers: Browsers, database: Database, clock: ManualClock, company: Company
) -> None:
    op = create(place="Bâtiment C")
    sync_ok(sophie, op)
    clock.set(paris(2026, 11, 30, 10))
    assert correct(browsers("manager.a@test.fr"), op["uuid"]).status_code == 303
    clock.set(paris(2026, 11, 30, 11))
    later_edit = update(
        op["uuid"], version=2, changed_at=paris(2026, 11, 30, 10, 30), place="Bâtiment D"
    )
    assert statuses(sync_ok(sophie, later_edit)) == ["applied"]
    stored = row(database, op["uuid"])
    assert stored["place"] == "Bâtiment D"
    assert stored["corrected_by"] is None
    assert stored["client_changed_at"] == to_db(paris(2026, 11, 30, 10, 30))
    entries = audit(database, op["uuid"])
    assert [e["action"] for e in entries] == [
        "intervention.create",
        "intervention.correct",
        "intervention.update",
    ]
    assert entries[-1]["before"]["place"] == "Bâtiment C (corrigé)"
    assert entries[-1]["after"]["place"] == "Bâtiment D"


def test_a_phone_edit_at_the_same_instant_as_the_correction_wins(
    sophie: Client, browsers: Browsers, database: Database, clock: ManualClock
) -> None:
    op = create(place="Bâtiment C")
    sync_ok(sophie, op)
    clock.set(paris(2026, 11, 30, 10))
    assert correct(browsers("manager.a@test.fr"), op["uuid"]).status_code == 303
    tie = update(op["uuid"], version=2, changed_at=paris(2026, 11, 30, 10), place="Bâtiment E")
    assert statuses(sync_ok(sophie, tie)) == ["applied"]
    assert row(database, op["uuid"])["place"] == "Bâtiment E"


def test_a_phone_delete_older_than_the_managers_correction_is_superseded(
    sophie: Client, browsers: Browsers, database: Database, clock: ManualClock
) -> None:
    """The same rule for a delete: made on the phone before the correction, it loses."""
    op = create(place="Bâtiment C")
    sync_ok(sophie, op)
    clock.set(paris(2026, 11, 30, 10))
    assert correct(browsers("manager.a@test.fr"), op["uuid"]).status_code == 303
    clock.set(paris(2026, 11, 30, 11))
    old_delete = delete(op["uuid"], version=2, changed_at=paris(2026, 11, 30, 4))
    [result] = sync_ok(sophie, old_delete)
    stored = row(database, op["uuid"])
    assert stored["deleted_at"] is None, "a delete older than the correction erased it"
    assert result["status"] == "superseded", result
    assert result["server_version"]["place"] == "Bâtiment C (corrigé)"


# The form without JavaScript -------------------------------------------------------------------


def form(**fields: str) -> dict[str, str]:
    return {
        "uuid": new_uuid(),
        "started_at": "2026-11-30T02:00",
        "ended_at": "2026-11-30T03:30",
        "mode": "on_site",
        "place": "Chaufferie, bâtiment C",
        "travel_minutes": "15",
        "alert_id": "",
        "found": "Fuite",
        "done": "Vanne fermée",
        "outcome": "temporary",
        **fields,
    }


def test_the_form_without_javascript_creates_one(
    sophie: Client, database: Database, company: Company
) -> None:
    typed = form()
    answer = sophie.post_form("/interventions/new", typed)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/interventions?done=saved"
    stored = row(database, typed["uuid"])
    # Typed on Sophie's Paris wall clock.
    assert (stored["started_at"], stored["ended_at"]) == (
        "2026-11-30T01:00:00Z",
        "2026-11-30T02:30:00Z",
    )
    assert (stored["user_id"], stored["team_id"]) == (company.staff_a.id, company.team_a.id)
    assert (stored["place"], stored["travel_minutes"], stored["outcome"]) == (
        "Chaufferie, bâtiment C",
        15,
        "temporary",
    )
    listing = page_text(sophie.get(answer.headers["location"]).text)
    assert "Intervention enregistrée." in listing and "Chaufferie, bâtiment C" in listing
    # A double tap on "Enregistrer" posts the same form twice: still one.
    assert sophie.post_form("/interventions/new", typed).status_code == 303
    assert count(database) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ended_at": "2026-11-30T01:00"}, END_BEFORE_START),
        ({"started_at": "2026-11-29T01:00"}, TOO_LONG),
        ({"started_at": "2026-11-30T10:30", "ended_at": "2026-11-30T11:00"}, FUTURE),
        ({"ended_at": ""}, "Vérifiez les heures et les champs."),
        ({"started_at": "hier soir"}, "Vérifiez les heures et les champs."),
        ({"travel_minutes": "-3"}, "Vérifiez les heures et les champs."),
        ({"alert_id": "999999"}, UNKNOWN_ALERT),
        ({"uuid": "../../admin"}, BAD_RECORD_ID),
    ],
    ids=[
        "end before start",
        "over 24 h",
        "future",
        "no end",
        "not a time",
        "negative",
        "alert",
        "record id",
    ],
)
def test_the_form_with_bad_input_is_shown_again_with_400(
    fields: dict[str, str], message: str, sophie: Client, database: Database
) -> None:
    typed = form(**fields)
    answer = sophie.post_form("/interventions/new", typed)
    assert answer.status_code == 400
    page = parse(answer.text)
    assert message in page_text(answer.text)
    # What was typed is still there to fix.
    assert page.one("input", name="place").attrs["value"] == "Chaufferie, bâtiment C"
    assert page.one("textarea", name="done").text == "Vanne fermée"
    assert page.one("input", name="started_at").attrs["value"] == typed["started_at"]
    assert count(database) == 0


def test_the_form_without_its_csrf_token_is_refused(sophie: Client, database: Database) -> None:
    answer = sophie.post("/interventions/new", data=form(), follow_redirects=False)
    assert answer.status_code == 403
    assert count(database) == 0


def test_a_phone_clock_running_ahead_leaves_no_time_from_the_future(
    sophie: Client, database: Database, clock: ManualClock
) -> None:
    op = create(changed_at=clock.now() + timedelta(days=400))
    assert statuses(sync_ok(sophie, op)) == ["applied"]
    stored = row(database, op["uuid"])
    assert stored["client_changed_at"] == to_db(clock.now())


# Dates a phone's clock or a typo can send (found by fuzzing the API) -----------------------

YEAR_ONE = "0001-01-01T00:30:00+01:00"
BEFORE_2000 = "Le début est avant l’an 2000 : vérifiez la date."


def test_a_start_in_year_one_is_rejected_alone_and_the_batch_goes_through(
    sophie: Client, database: Database
) -> None:
    """It was a 500 for the whole batch (year 1 at +01:00 is before year 1 in UTC), so the
    outbox could never deliver the changes queued behind it."""
    wrong = create()
    wrong["data"]["started_at"] = YEAR_ONE
    wrong["data"]["ended_at"] = "0001-01-01T01:30:00+01:00"
    fine = create()
    first, second = sync_ok(sophie, wrong, fine)
    assert (first["status"], first["reason"], first["field"]) == (
        "rejected",
        BEFORE_2000,
        "started_at",
    )
    assert second["status"] == "applied"
    assert row(database, wrong["uuid"]) is None and row(database, fine["uuid"]) is not None


def test_a_phone_clock_in_year_one_still_saves_the_change(
    sophie: Client, database: Database
) -> None:
    op = create()
    op["changed_at"] = YEAR_ONE
    [result] = sync_ok(sophie, op)
    assert result["status"] == "applied"
    assert row(database, op["uuid"])["client_changed_at"] == "2000-01-01T00:00:00Z"
