"""The server's limits, said the same on both sides: the forms carry them (so the phone cannot
keep what the server refuses), and a sync item beyond them is refused with a reason in the
person's language that names the field to fix, while the rest of the batch goes through.

Sophie is staff of team A, Marc its manager. Now is Monday 30 November 2026, 10:00 in Paris."""

from __future__ import annotations

import msgspec
import pytest

from server.db import Database
from server.interventions.models import InterventionData
from tests.conftest import Client, Company
from tests.integration.intervention_helpers import (
    actions,
    count,
    create,
    row,
    statuses,
    sync_ok,
    written,
)
from tests.integration.schedule_helpers import Browsers, Node, parse


def model_limit(name: str, bound: str) -> int | float:
    """A limit as the model declares it (msgspec's own view of the Struct, not our copy)."""
    field = next(f for f in msgspec.inspect.type_info(InterventionData).fields if f.name == name)
    kind = field.type
    if isinstance(kind, msgspec.inspect.UnionType):
        kind = next(k for k in kind.types if not isinstance(k, msgspec.inspect.NoneType))
    return getattr(kind, bound)


@pytest.fixture
def sophie(company: Company, browsers: Browsers) -> Client:
    return browsers("staff.a@test.fr")


def assert_carries_the_limits(form: Node) -> None:
    place = form.one("input", name="place")
    assert place.attrs.get("maxlength") == str(model_limit("place", "max_length"))
    for name in ("found", "done"):
        text = form.one("textarea", name=name)
        assert text.attrs.get("maxlength") == str(model_limit(name, "max_length")), name
    travel = form.one("input", name="travel_minutes")
    assert travel.attrs.get("min") == str(model_limit("travel_minutes", "ge"))
    assert travel.attrs.get("max") == str(model_limit("travel_minutes", "le"))


def test_the_intervention_form_carries_the_servers_limits(sophie: Client) -> None:
    page = sophie.get("/interventions/new")
    assert page.status_code == 200
    assert_carries_the_limits(parse(page.text).one("form", id="intervention-form"))


def test_the_correction_form_carries_the_servers_limits(sophie: Client, browsers: Browsers) -> None:
    op = create()
    sync_ok(sophie, op)
    page = browsers("manager.a@test.fr").get(f"/interventions/{op['uuid']}")
    assert page.status_code == 200
    assert_carries_the_limits(
        parse(page.text).one("form", action=f"/interventions/{op['uuid']}/correct")
    )


def test_a_place_at_the_forms_limit_is_accepted_one_more_is_refused(
    sophie: Client, database: Database
) -> None:
    """What the form lets a person type, the server takes; a character more, it refuses."""
    longest = model_limit("place", "max_length")
    fits, too_long = create(place="p" * longest), create(place="p" * (longest + 1))
    assert statuses(sync_ok(sophie, fits, too_long)) == ["applied", "rejected"]
    assert len(row(database, fits["uuid"])["place"]) == longest


def test_a_too_long_place_is_refused_naming_the_field_and_the_rest_applied(
    sophie: Client, database: Database
) -> None:
    before = written(database)
    longest = model_limit("place", "max_length")
    bad = create(place="x" * (longest + 1))
    good = create(place="Atelier")
    results = sync_ok(sophie, bad, good)

    assert results[0] == {
        "op_id": bad["op_id"],
        "uuid": bad["uuid"],
        "status": "rejected",
        "reason": f"« Lieu » est trop long : {longest} caractères au plus.",
        "field": "place",
    }
    assert results[1]["status"] == "applied"
    assert row(database, good["uuid"])["place"] == "Atelier"
    # Nothing of the refused item is written: no row, no audit entry, not remembered as done
    # (so the phone may send it again once shortened).
    assert row(database, bad["uuid"]) is None
    assert actions(database, bad["uuid"]) == []
    assert count(database) == 1
    after = written(database)
    assert after == {
        "interventions": before["interventions"] + 1,
        "sync_operations": before["sync_operations"] + 1,
        "audit_log": before["audit_log"] + 1,
    }
    # Shortened on the phone and sent again under a new op_id: it goes through.
    fixed = create(bad["uuid"], place="x" * longest)
    assert statuses(sync_ok(sophie, fixed)) == ["applied"]


DONE_TOO_LONG = "« Ce que j’ai fait » est trop long : 4000 caractères au plus."


@pytest.mark.parametrize(
    ("fields", "reason", "field"),
    [
        (
            {"travel_minutes": 601},
            "« Temps de trajet (minutes) » doit être compris entre 0 et 600.",
            "travel_minutes",
        ),
        ({"travel_minutes": -5}, None, "travel_minutes"),
        (
            {"done": "d" * 4001},
            "« Ce que j’ai fait » est trop long : 4000 caractères au plus.",
            "done",
        ),
        ({"mode": "by pigeon"}, "Vérifiez le champ « Où ».", "mode"),
        ({"outcome": "fini"}, "Vérifiez le champ « Résultat ».", "outcome"),
        ({"started_at": "hier soir"}, "Vérifiez le champ « Début ».", "started_at"),
    ],
    ids=["travel too long", "negative travel", "done too long", "mode", "outcome", "start"],
)
def test_a_field_the_server_refuses_is_named_in_french(
    fields: dict, reason: str | None, field: str, sophie: Client, database: Database
) -> None:
    bad = create()
    bad["data"].update(fields)  # as an older or faulty phone might send it
    [result] = sync_ok(sophie, bad)
    assert (result["status"], result["field"]) == ("rejected", field)
    if reason is not None:
        assert result["reason"] == reason
    # Never msgspec's own English.
    assert "Expected" not in result["reason"] and "$." not in result["reason"]
    assert count(database) == 0


def test_an_item_with_no_field_to_blame_gets_the_fallback_reason(
    sophie: Client, database: Database
) -> None:
    broken = {k: v for k, v in create().items() if k != "changed_at"}
    [result] = sync_ok(sophie, broken)
    assert result["status"] == "rejected"
    assert result["reason"] == (
        "Ce changement n’a pas pu être lu : mettez l’application à jour, ou supprimez ce "
        "changement et saisissez-le de nouveau."
    )
    assert "field" not in result
    assert count(database) == 0


def test_the_reason_follows_the_persons_language(
    sophie: Client, database: Database, company: Company
) -> None:
    with database.write():
        database.execute("UPDATE users SET locale = 'en' WHERE id = ?", (company.staff_a.id,))
    longest = model_limit("place", "max_length")
    [result] = sync_ok(sophie, create(place="x" * (longest + 1)))
    assert result["reason"] == f"“Place” is too long: at most {longest} characters."
