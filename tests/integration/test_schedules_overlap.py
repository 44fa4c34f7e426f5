"""Two rotations on one level (issue 11, point 1): a second rotation on a level that already has
one is refused with a choice (end the other one where the new one starts, or replace it), both
applied in one transaction; nobody is ever put on both levels at once; and the team planning,
the person's own list, Today and the on-call API say the same thing afterwards.

The clock says Monday 30 November 2026, 10:00 in Paris. The first rotation hands off on Mondays
at 08:00: on call Samuel, Sophie, Marc …, backup Sophie, Marc, Samuel … So the week of Monday
21 December has Samuel on call and Sophie as backup; it is published (21 days ahead, full
notice) and Samuel accepts it. The second rotation starts on 21 December with Sophie first."""

from __future__ import annotations

import itertools

import pytest

from server.apikeys.store import create_key
from server.audit.models import Actor
from server.clock import ManualClock
from server.db import Database
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import (
    add_rotation,
    counts,
    create_rotation,
    notifications_of,
    page_text,
    paris,
    parse,
    publish,
    publish_ok,
    rotation_form,
    shift_rows,
    stored,
)

TUESDAY_NIGHT = paris(2026, 12, 22, 23)
NEW_START = paris(2026, 12, 21, 8)


@pytest.fixture
def manager(client: Client, company: Company) -> Client:
    client.login("manager.a@test.fr")
    return client


@pytest.fixture
def published(manager: Client, company: Company, browsers) -> Client:
    """The first rotation and its backup, published 15–27 December, accepted by Samuel."""
    order = [company.staff_a2.id, company.staff_a.id, company.manager_a.id]
    add_rotation(manager, company.team_a.id, order, backup=True)
    publish_ok(manager, company.team_a.id, "2026-12-15", "2026-12-27")
    samuel = browsers("staff.a2@test.fr")
    assert samuel.post_form("/schedule/accept-all", {}).status_code == 303
    return samuel


def second_rotation(company: Company, resolve: str | None = None) -> dict[str, str]:
    order = [company.staff_a.id, company.manager_a.id, company.staff_a2.id]
    form = rotation_form(order, name="Nouvelle astreinte", start_date="2026-12-21")
    if resolve is not None:
        form["resolve"] = resolve  # the button of the overlap card the manager pressed
    return form


def post_second(manager: Client, company: Company, resolve: str | None = None):
    return manager.post_form(
        f"/schedule/manage/rotations/new?team={company.team_a.id}",
        second_rotation(company, resolve),
    )


def views_at(moment, company: Company, browsers, database: Database, clock: ManualClock):
    """Who is on call on Tuesday 22 December at 23:00, as each place shows it."""
    token, _key = create_key(
        database, company.team_a.id, "PBX", actor=Actor(label="test"), now=clock.now()
    )
    api = browsers()
    api.headers["Authorization"] = f"Bearer {token}"
    oncall = api.get(
        f"/api/v1/teams/{company.team_a.id}/oncall", params={"at": moment.isoformat()}
    ).json()
    viewer = browsers("staff.a2@test.fr")
    day = parse(viewer.get(f"/schedule?team={company.team_a.id}&start=2026-12-21").text)
    slots = [li.text for li in day.section("d-2026-12-22").find_all("li", class_="slot")]
    return oncall, slots


def test_a_second_rotation_on_a_level_is_refused_with_a_choice_and_nothing_is_written(
    manager: Client, company: Company, database: Database, published: Client
) -> None:
    before = counts(database)
    response = post_second(manager, company)

    assert response.status_code == 409
    page = parse(response.text)
    card = page.one("section", class_="overlap")
    assert "Cette rotation chevauche une autre rotation du même niveau" in card.text
    assert "Astreinte hebdomadaire" in card.text
    assert "lun. 21 déc. 08:00" in card.text
    # Samuel's accepted shifts of that week (and the rest of what was published) are named.
    assert "déjà publiées" in card.text
    buttons = {b.attrs["value"]: b.text for b in card.find_all("button")}
    assert buttons == {
        "end": "L’arrêter le lun. 21 déc. 08:00",
        "replace": "La remplacer à partir du lun. 21 déc. 08:00",
    }
    # The choice buttons submit the form that holds everything typed.
    form = page.one("form", hx_select="#rotation-feedback")
    assert card in list(form.iter())
    assert form.one("input", name="name").attrs["value"] == "Nouvelle astreinte"
    assert counts(database) == before


def test_ending_the_old_rotation_keeps_what_people_were_told_and_every_view_agrees(
    manager: Client,
    company: Company,
    database: Database,
    clock: ManualClock,
    published: Client,
    browsers,
) -> None:
    response = post_second(manager, company, resolve="end")
    assert response.status_code == 303, response.text

    old = database.one("SELECT * FROM rotations WHERE name = 'Astreinte hebdomadaire'")
    assert stored(NEW_START) in old["spec"]
    # No two regular shifts on one level at any instant, drafts included.
    for layer in ("primary", "secondary"):
        rows = shift_rows(database, company.team_a.id, layer=layer, kind="regular")
        for a, b in itertools.pairwise(rows):
            assert a["ends_at"] <= b["starts_at"], (layer, a, b)
    # Samuel keeps his accepted week: the new rotation fills around it.
    samuel_week = [
        r
        for r in shift_rows(database, company.team_a.id, layer="primary")
        if stored(NEW_START) <= r["starts_at"] < stored(paris(2026, 12, 28, 8))
    ]
    assert {(r["user_id"], r["status"]) for r in samuel_week} == {(company.staff_a2.id, "accepted")}

    oncall, slots = views_at(TUESDAY_NIGHT, company, browsers, database, clock)
    assert oncall["primary"]["name"] == "Samuel Staff"
    assert oncall["secondary"]["name"] == "Sophie Staff"
    assert any("Astreinte" in s and "Samuel Staff" in s for s in slots), slots
    assert any("Renfort" in s and "Sophie Staff" in s for s in slots), slots
    assert not any("Sophie Staff" in s and "Astreinte" in s and "Renfort" not in s for s in slots)
    mine = page_text(published.get("/schedule/mine").text)
    assert "mar. 22 déc." in mine
    clock.set(TUESDAY_NIGHT)
    today = page_text(published.get("/").text)
    assert "Vous êtes d’astreinte jusqu’au" in today
    assert "Votre renfort : Sophie Staff" in today


def test_replacing_withdraws_the_old_published_shifts_and_nobody_is_on_both_levels(
    manager: Client,
    company: Company,
    database: Database,
    clock: ManualClock,
    published: Client,
    browsers,
) -> None:
    response = post_second(manager, company, resolve="replace")
    assert response.status_code == 303, response.text

    # Samuel's week is withdrawn (three weeks ahead: full notice) and he is told.
    primary_week = [
        r
        for r in shift_rows(database, company.team_a.id, layer="primary")
        if stored(NEW_START) <= r["starts_at"] < stored(paris(2026, 12, 28, 8))
    ]
    assert {(r["user_id"], r["status"]) for r in primary_week} == {(company.staff_a.id, "draft")}
    assert notifications_of(database, company.staff_a2.id, "shift_removed")
    assert "mar. 22 déc." not in page_text(published.get("/schedule/mine").text)

    # Sophie is backup that week: publishing her primary drafts is refused, naming her.
    before = shift_rows(database, company.team_a.id, status="draft")
    refused = publish(manager, company.team_a.id, "2026-12-21", "2026-12-27")
    assert refused.status_code == 422
    assert "Sophie Staff serait d’astreinte et en renfort en même temps" in refused.text
    assert shift_rows(database, company.team_a.id, status="draft") == before

    # Every view agrees: nobody is on call on that level until it is published.
    oncall, slots = views_at(TUESDAY_NIGHT, company, browsers, database, clock)
    assert oncall["primary"] is None
    assert oncall["secondary"]["name"] == "Sophie Staff"
    assert not any("Samuel Staff" in s for s in slots), slots
    assert any("Renfort" in s and "Sophie Staff" in s for s in slots), slots


def test_an_override_or_a_reassignment_cannot_put_someone_on_both_levels(
    manager: Client, company: Company, database: Database, published: Client
) -> None:
    before = counts(database)
    # Sophie is backup on the night of Tuesday 22 December: not on call on top of it.
    response = manager.post_form(
        f"/schedule/manage/overrides?team={company.team_a.id}",
        {
            "user_id": str(company.staff_a.id),
            "layer": "primary",
            "starts_at": "2026-12-22T18:00",
            "ends_at": "2026-12-23T08:00",
        },
    )
    assert response.status_code == 422
    assert "Sophie Staff serait d’astreinte et en renfort en même temps" in response.text
    assert counts(database) == before

    night = database.one(
        "SELECT * FROM shifts WHERE layer = 'primary' AND starts_at = ?",
        (stored(paris(2026, 12, 22, 18)),),
    )
    response = manager.post_form(
        f"/schedule/manage/shifts/{night['id']}",
        {"user_id": str(company.staff_a.id), "version": str(night["version"])},
    )
    assert response.status_code == 422
    assert "Sophie Staff serait d’astreinte et en renfort en même temps" in response.text
    assert counts(database) == before


def test_a_backup_layer_created_alongside_is_checked_too(
    manager: Client, company: Company, database: Database
) -> None:
    add_rotation(manager, company.team_a.id, [company.staff_a.id], layer="secondary")
    before = counts(database)
    response = create_rotation(
        manager,
        company.team_a.id,
        [company.staff_a2.id, company.manager_a.id],
        layer="primary",
        backup=True,
    )
    assert response.status_code == 409
    assert counts(database) == before


def test_with_htmx_the_card_is_swapped_in_place_and_the_choice_leads_to_the_page(
    manager: Client, company: Company, database: Database, published: Client
) -> None:
    url = f"/schedule/manage/rotations/new?team={company.team_a.id}"
    htmx = {"HX-Request": "true"}
    response = manager.post_form(url, second_rotation(company), headers=htmx)
    assert response.status_code == 409
    # The form selects #rotation-feedback from the answer: the card and its focus are there.
    feedback = parse(response.text).one(id="rotation-feedback")
    title = feedback.one("h2", id="overlap-title")
    assert "autofocus" in title.attrs
    assert title.text.startswith("Cette rotation chevauche")

    response = manager.post_form(url, second_rotation(company, "end"), headers=htmx)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith(f"/schedule/manage?team={company.team_a.id}")
    assert database.scalar("SELECT COUNT(*) FROM rotations") == 3
