"""A person changing their own intervention after it synced: its page offers them (and only
them) "Modifier" and gives the phone's form the record and its version; the change arrives as
an `update` operation, applied for 7 days after the intervention ended (or was logged, when
logged late) and refused after that with a reason that sends them to a manager; someone
else's record is refused whatever the time. The form also works without JavaScript.

Team A (Maintenance): Marc manages, Sophie and Samuel are staff. Sophie's intervention is the
night of Monday 30 November 2026, 02:00 to 03:30 in Paris, synced at 03:35."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest

from server.clock import ManualClock
from server.db import Database
from tests.conftest import Client, Company
from tests.integration.intervention_helpers import (
    TYPED_AT,
    actions,
    create,
    delete,
    iso,
    row,
    statuses,
    sync_ok,
    update,
)
from tests.integration.schedule_helpers import Browsers, Node, page_text, paris, parse

TOO_LATE = (
    "Plus de 7 jours se sont écoulés depuis cette intervention : demandez à un responsable de "
    "la corriger."
)
SOMEONE_ELSES = "Cette intervention appartient à quelqu’un d’autre."
# Seven days after the end, the moment it was logged being earlier still.
LAST_CHANCE = paris(2026, 12, 7, 3, 35)


@dataclass
class Logged:
    sophie: Client
    samuel: Client
    marc: Client
    record: str


@pytest.fixture
def logged(company: Company, browsers: Browsers, clock: ManualClock) -> Logged:
    """Sophie's night intervention, synced five minutes after it ended."""
    clock.set(TYPED_AT)
    sophie = browsers("staff.a@test.fr")
    op = create(latitude=48.85, longitude=2.35, found="Brûleur en sécurité")
    assert statuses(sync_ok(sophie, op)) == ["applied"]
    clock.set(paris(2026, 11, 30, 10))
    return Logged(sophie, browsers("staff.a2@test.fr"), browsers("manager.a@test.fr"), op["uuid"])


def detail(client: Client, record: str) -> Node:
    page = client.get(f"/interventions/{record}")
    assert page.status_code == 200, page.text
    return parse(page.text)


def phone_record(document: Node) -> dict:
    """The record the page hands to the phone's form (a JSON data block, never run)."""
    block = document.one("script", id="intervention-record")
    assert block.attrs.get("type") == "application/json"
    return json.loads("".join(c for c in block.children if isinstance(c, str)))


def later_end(record: str, version: int = 2, **fields: object) -> dict:
    """Sophie's morning-after change: the end was 04:10, not 03:30; she says what she did."""
    return update(
        record,
        version=version,
        changed_at=paris(2026, 11, 30, 9, 50),
        ended_at=paris(2026, 11, 30, 4, 10),
        done="Réarmement, purge, brûleur changé",
        **fields,
    )


# The page -----------------------------------------------------------------------------------


def test_the_owner_gets_modifier_and_the_record_with_its_version(logged: Logged) -> None:
    document = detail(logged.sophie, logged.record)
    button = document.one("a", id="own-edit-button")
    assert button.text == "Modifier"
    assert button.attrs["href"] == f"/interventions/new?edit={logged.record}"
    assert "Vous pouvez la modifier jusqu’au lun. 7 déc. 03:35." in page_text(
        logged.sophie.get(f"/interventions/{logged.record}").text
    )
    record = phone_record(document)
    assert (record["uuid"], record["version"]) == (logged.record, 1)
    assert record["editable_until"] == "2026-12-07T02:35:00Z"
    data = record["data"]
    assert (data["started_at"], data["ended_at"]) == (
        "2026-11-30T01:00:00Z",
        "2026-11-30T02:30:00Z",
    )
    assert (data["place"], data["found"], data["latitude"], data["longitude"]) == (
        "Bâtiment C, chaufferie",
        "Brûleur en sécurité",
        48.85,
        2.35,
    )
    # No correction form for her: that is the manager's.
    assert document.find("form", action=f"/interventions/{logged.record}/correct") is None


def test_the_manager_keeps_the_correction_form_and_gets_no_modifier(logged: Logged) -> None:
    document = detail(logged.marc, logged.record)
    assert document.find(id="own-edit-button") is None
    assert document.find(id="intervention-record") is None
    assert document.find(id="own-edit") is None
    assert document.one("form", action=f"/interventions/{logged.record}/correct")


def test_the_form_opens_filled_with_the_stored_record_for_its_owner_only(
    logged: Logged,
) -> None:
    page = logged.sophie.get(f"/interventions/new?edit={logged.record}")
    assert page.status_code == 200
    document = parse(page.text)
    assert document.one("h1").text == "Modifier l’intervention"
    assert "hidden" in document.one("section", id="timer").attrs
    form = document.one("form", id="intervention-form")
    assert form.attrs["data-edit-uuid"] == logged.record
    assert form.one("input", name="edit").attrs["value"] == logged.record
    assert form.one("input", name="started_at").attrs["value"] == "2026-11-30T02:00"
    assert form.one("input", name="ended_at").attrs["value"] == "2026-11-30T03:30"
    assert form.one("input", name="place").attrs["value"] == "Bâtiment C, chaufferie"
    assert form.one("input", name="latitude").attrs["value"] == "48.85"
    assert form.one("textarea", name="found").text == "Brûleur en sécurité"
    assert phone_record(document)["version"] == 1

    assert logged.samuel.get(f"/interventions/new?edit={logged.record}").status_code == 403
    assert logged.marc.get(f"/interventions/new?edit={logged.record}").status_code == 403
    # The plain form knows nothing of it.
    plain = parse(logged.sophie.get("/interventions/new").text)
    assert plain.one("h1").text == "Saisir une intervention"
    assert plain.find(id="intervention-record") is None
    assert plain.one("form", id="intervention-form").attrs["data-edit-uuid"] == ""


def test_after_the_window_the_page_sends_the_owner_to_a_manager(
    logged: Logged, clock: ManualClock
) -> None:
    clock.set(LAST_CHANCE + timedelta(minutes=1))
    document = detail(logged.sophie, logged.record)
    assert document.find(id="own-edit-button") is None
    assert document.find(id="intervention-record") is None
    assert document.one(id="own-edit-closed").text == TOO_LATE
    refused = logged.sophie.get(f"/interventions/new?edit={logged.record}")
    assert refused.status_code == 403
    assert TOO_LATE in page_text(refused.text)


def test_my_list_marks_the_pages_to_fetch_ahead_only_while_they_can_change(
    logged: Logged, clock: ManualClock
) -> None:
    link = f"/interventions/{logged.record}"
    assert "data-warm" in parse(logged.sophie.get("/interventions").text).one("a", href=link).attrs
    clock.set(LAST_CHANCE + timedelta(minutes=1))
    assert (
        "data-warm" not in parse(logged.sophie.get("/interventions").text).one("a", href=link).attrs
    )


# The update operation -----------------------------------------------------------------------


def test_an_update_within_the_window_is_applied_and_shown(
    logged: Logged, database: Database, clock: ManualClock
) -> None:
    clock.set(LAST_CHANCE)
    edit = later_end(logged.record)
    [result] = sync_ok(logged.sophie, edit)
    assert result == {"op_id": edit["op_id"], "uuid": logged.record, "status": "applied"}
    stored = row(database, logged.record)
    assert (stored["ended_at"], stored["done"], stored["client_version"]) == (
        "2026-11-30T03:10:00Z",
        "Réarmement, purge, brûleur changé",
        2,
    )
    assert actions(database, logged.record) == ["intervention.create", "intervention.update"]
    document = detail(logged.sophie, logged.record)
    assert "Réarmement, purge, brûleur changé" in document.text
    assert phone_record(document)["version"] == 2  # her next change goes as 3


def test_an_update_after_the_window_is_refused_with_the_reason(
    logged: Logged, database: Database, clock: ManualClock
) -> None:
    before = row(database, logged.record)
    clock.set(LAST_CHANCE + timedelta(minutes=1))
    edit = later_end(logged.record)
    [result] = sync_ok(logged.sophie, edit)
    assert (result["status"], result["reason"]) == ("rejected", TOO_LATE)
    assert row(database, logged.record) == before
    assert actions(database, logged.record) == ["intervention.create"]
    # A delete is a change too.
    [gone] = sync_ok(logged.sophie, delete(logged.record, version=2))
    assert (gone["status"], gone["reason"]) == ("rejected", TOO_LATE)
    assert row(database, logged.record)["deleted_at"] is None


def test_the_window_is_the_servers_clock_not_the_phones(
    logged: Logged, database: Database, clock: ManualClock
) -> None:
    """A phone whose clock says it is still within the window does not reopen the record."""
    clock.set(LAST_CHANCE + timedelta(days=1))
    edit = update(logged.record, version=2, changed_at=LAST_CHANCE, place="Bâtiment D")
    [result] = sync_ok(logged.sophie, edit)
    assert (result["status"], result["reason"]) == ("rejected", TOO_LATE)
    assert row(database, logged.record)["place"] == "Bâtiment C, chaufferie"


def test_a_record_logged_late_stays_changeable_for_7_days_after_it_reached_the_server(
    company: Company, browsers: Browsers, database: Database, clock: ManualClock
) -> None:
    sophie = browsers("staff.a@test.fr")
    old = create(
        started_at=paris(2026, 11, 10, 2), ended_at=paris(2026, 11, 10, 3), place="Archives"
    )
    sync_ok(sophie, old)  # 30 November, 20 days after it ended
    clock.advance(timedelta(days=6))
    assert statuses(sync_ok(sophie, update(old["uuid"], version=2, place="Archives B"))) == [
        "applied"
    ]
    assert row(database, old["uuid"])["place"] == "Archives B"


def test_someone_elses_record_is_refused_whatever_the_time(
    logged: Logged, database: Database
) -> None:
    [result] = sync_ok(logged.samuel, later_end(logged.record))
    assert (result["status"], result["reason"]) == ("rejected", SOMEONE_ELSES)
    assert row(database, logged.record)["client_version"] == 1
    page = logged.samuel.get(f"/interventions/{logged.record}")
    assert page.status_code == 403


def test_a_stale_version_changes_nothing(logged: Logged, database: Database) -> None:
    """The version the page gave plus one: the same version again is a change already had."""
    sync_ok(logged.sophie, later_end(logged.record))
    [again] = sync_ok(logged.sophie, later_end(logged.record, place="Ailleurs"))
    assert again["status"] == "already_applied"
    assert row(database, logged.record)["place"] == "Bâtiment C, chaufferie"


# Without JavaScript -------------------------------------------------------------------------


def test_the_form_without_javascript_changes_the_record_and_keeps_its_position(
    logged: Logged, database: Database
) -> None:
    document = parse(logged.sophie.get(f"/interventions/new?edit={logged.record}").text)
    form = document.one("form", id="intervention-form")
    fields = {
        name: form.one("input", name=name).attrs.get("value") or ""
        for name in ("uuid", "edit", "started_at", "place", "travel_minutes", "latitude")
    }
    response = logged.sophie.post_form(
        "/interventions/new",
        {
            **fields,
            "longitude": form.one("input", name="longitude").attrs["value"],
            "ended_at": "2026-11-30T04:10",
            "mode": "on_site",
            "alert_id": "",
            "found": "Brûleur en sécurité",
            "done": "Brûleur changé",
            "outcome": "resolved",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/interventions?done=saved"
    stored = row(database, logged.record)
    assert (stored["ended_at"], stored["done"], stored["client_version"]) == (
        "2026-11-30T03:10:00Z",
        "Brûleur changé",
        2,
    )
    assert (stored["latitude"], stored["longitude"]) == (48.85, 2.35)
    assert database.scalar("SELECT COUNT(*) FROM interventions") == 1


def test_the_form_without_javascript_after_the_window_is_refused(
    logged: Logged, database: Database, clock: ManualClock
) -> None:
    clock.set(LAST_CHANCE + timedelta(minutes=1))
    response = logged.sophie.post_form(
        "/interventions/new",
        {
            "edit": logged.record,
            "started_at": "2026-11-30T02:00",
            "ended_at": "2026-11-30T04:10",
            "outcome": "resolved",
        },
    )
    assert response.status_code == 403
    assert TOO_LATE in page_text(response.text)
    assert row(database, logged.record)["client_version"] == 1


def test_the_pages_record_goes_back_as_the_phones_update(
    logged: Logged, database: Database
) -> None:
    """What the form sends: the page's data with the person's change, one version above."""
    record = phone_record(detail(logged.sophie, logged.record))
    edit = {
        "op": "update",
        "op_id": "5a0f7a43-3c39-4d8e-9d59-6f1f8b9e0c11",
        "uuid": record["uuid"],
        "version": record["version"] + 1,
        "changed_at": iso(paris(2026, 11, 30, 9, 55)),
        "data": {**record["data"], "outcome": "follow_up"},
    }
    assert statuses(sync_ok(logged.sophie, edit)) == ["applied"]
    stored = row(database, logged.record)
    assert (stored["outcome"], stored["client_version"]) == ("follow_up", 2)
    assert (stored["started_at"], stored["ended_at"]) == (
        "2026-11-30T01:00:00Z",
        "2026-11-30T02:30:00Z",
    )
    assert (stored["latitude"], stored["found"]) == (48.85, "Brûleur en sécurité")
