"""A refused form on the manage page comes back in its card, in view, with what was typed; the
address it was shown at reloads to the page; the default publish range runs hand-off to
hand-off; a new rotation says how many drafts it made.

Clock: Monday 30 November 2026, 10:00 in Paris; notice is 15 days (see schedule_helpers)."""

from __future__ import annotations

import pytest

from server.db import Database
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import (
    add_rotation,
    create_rotation,
    paris,
    parse,
    publish,
    publish_ok,
    rotation_form,
    shift_at,
)

HTMX = {"HX-Request": "true"}


@pytest.fixture
def manager(client: Client, company: Company) -> Client:
    client.login("manager.a@test.fr")
    return client


def people(company: Company) -> list[int]:
    return [company.staff_a2.id, company.staff_a.id, company.manager_a.id]


def override_form(company: Company, **extra) -> dict[str, str]:
    data = {
        "user_id": str(company.staff_a.id),
        "layer": "secondary",
        "starts_at": "2026-12-03T20:00",
        "ends_at": "2026-12-04T02:00",
    }
    data.update(extra)
    return data


def value_of(card, name: str) -> str | None:
    return card.one("input", name=name).attrs.get("value")


def selected(card, name: str) -> str:
    chosen = [o for o in card.one("select", name=name).find_all("option") if "selected" in o.attrs]
    assert len(chosen) == 1
    return chosen[0].attrs["value"]


def test_a_refused_override_comes_back_in_its_card_with_what_was_typed(
    manager: Client, company: Company
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, people(company), backup=True)
    url = f"/schedule/manage/overrides?team={team}"
    response = manager.post_form(url, override_form(company, reason="Samuel en formation"))
    assert response.status_code == 422
    card = parse(response.text).section("override-title")
    alert = card.one(role="alert")
    # The box is not ticked: that is what the message says, and the error takes the focus.
    assert "cochez « circonstances exceptionnelles »" in alert.text
    assert "autofocus" in alert.attrs and alert.attrs["tabindex"] == "-1"
    assert selected(card, "user_id") == str(company.staff_a.id)
    assert selected(card, "layer") == "secondary"
    assert value_of(card, "starts_at") == "2026-12-03T20:00"
    assert value_of(card, "ends_at") == "2026-12-04T02:00"
    assert value_of(card, "reason") == "Samuel en formation"
    # Without JavaScript the page is shown at the card's anchor...
    form = card.find_all("form")[0]
    assert form.attrs["action"].endswith("#override-card")
    # ...and the address in the bar reloads to the page, not to a 405.
    again = manager.get(url, follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == f"/schedule/manage?team={team}#override-card"
    assert manager.get(url).status_code == 200


def test_a_ticked_box_without_a_reason_is_told_apart_from_an_unticked_one(
    manager: Client, company: Company
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, people(company), backup=True)
    url = f"/schedule/manage/overrides?team={team}"
    response = manager.post_form(url, override_form(company, exceptional="true"))
    assert response.status_code == 422
    card = parse(response.text).section("override-title")
    assert "indiquez la raison du délai réduit" in card.one(role="alert").text
    assert "checked" in card.one("input", name="exceptional").attrs
    # The field to fix is the one marked.
    marked = [d.one("input").attrs["name"] for d in card.find_all("div", class_="invalid")]
    assert marked == ["reason"]


def test_with_htmx_the_refused_card_alone_is_sent_and_a_success_loads_the_page(
    manager: Client, company: Company, database: Database
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, people(company), backup=True)
    url = f"/schedule/manage/overrides?team={team}"
    response = manager.post_form(url, override_form(company), headers=HTMX)
    assert response.status_code == 422
    assert "<html" not in response.text
    card = parse(response.text).one("section", id="override-card")
    assert card.attrs["aria-labelledby"] == "override-title"
    assert "autofocus" in card.one(role="alert").attrs
    assert value_of(card, "starts_at") == "2026-12-03T20:00"

    ok = manager.post_form(
        url, override_form(company, exceptional="true", reason="Formation"), headers=HTMX
    )
    assert ok.status_code == 200
    assert ok.headers["hx-redirect"] == f"/schedule/manage?team={team}&done=override"
    assert database.scalar("SELECT COUNT(*) FROM shifts WHERE kind = 'override'") == 1


def test_a_refused_publication_keeps_the_range_the_box_and_the_reason(
    manager: Client, company: Company
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, people(company))
    response = publish(manager, team, "2026-12-02", "2026-12-08", exceptional=True)
    assert response.status_code == 422
    card = parse(response.text).section("publish-title")
    assert "indiquez la raison du délai réduit" in card.one(role="alert").text
    assert value_of(card, "start") == "2026-12-02"
    assert value_of(card, "end") == "2026-12-08"
    assert "checked" in card.one("input", name="exceptional").attrs

    response = publish(manager, team, "2026-12-02", "2026-12-08", reason="Effectif réduit")
    card = parse(response.text).section("publish-title")
    assert "Cochez « circonstances exceptionnelles »" in card.one(role="alert").text
    assert value_of(card, "reason") == "Effectif réduit"
    assert "checked" not in card.one("input", name="exceptional").attrs

    htmx = manager.post_form(
        f"/schedule/manage/publish?team={team}",
        {"start": "2026-12-02", "end": "2026-12-08"},
        headers=HTMX,
    )
    assert htmx.status_code == 422
    assert parse(htmx.text).one("section", id="publish-card").one(role="alert")

    url = f"/schedule/manage/publish?team={team}"
    again = manager.get(url, follow_redirects=False)
    assert again.headers["location"] == f"/schedule/manage?team={team}#publish-card"
    assert manager.get(url).status_code == 200


def test_the_shift_form_keeps_the_chosen_person_and_names_what_is_missing(
    manager: Client, company: Company, database: Database
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, people(company))
    publish_ok(
        manager, team, "2026-12-02", "2026-12-08", exceptional=True, reason="Effectif réduit"
    )
    thursday = shift_at(database, team, "primary", paris(2026, 12, 3, 18))
    url = f"/schedule/manage/shifts/{thursday['id']}"
    chosen = company.staff_a.id
    assert thursday["user_id"] != chosen

    response = manager.post_form(
        url, {"user_id": str(chosen), "version": str(thursday["version"]), "reason": "Malade"}
    )
    assert response.status_code == 422
    page = parse(response.text)
    assert "cochez « circonstances exceptionnelles »" in page.one(role="alert").text
    assert "checked" in page.one("input", id=f"f-user-{chosen}").attrs
    assert "checked" not in page.one("input", id=f"f-user-{thursday['user_id']}").attrs
    assert value_of(page, "reason") == "Malade"

    response = manager.post_form(
        url,
        {"user_id": str(chosen), "version": str(thursday["version"]), "exceptional": "true"},
    )
    assert response.status_code == 422
    page = parse(response.text)
    assert "indiquez la raison du délai réduit" in page.one(role="alert").text
    assert "checked" in page.one("input", id=f"f-user-{chosen}").attrs
    assert "checked" in page.one("input", name="exceptional").attrs
    assert manager.get(url).status_code == 200


def test_the_default_publish_range_runs_from_hand_off_to_hand_off(
    manager: Client, company: Company
) -> None:
    team = company.team_a.id
    # Hand-offs on Mondays at 08:00. Normal notice reaches Tuesday 15 December: the range
    # offered starts on the next hand-off, Monday 21 December, and ends on the Sunday four
    # weeks later, so each week is published whole.
    add_rotation(manager, team, people(company))
    card = parse(manager.get(f"/schedule/manage?team={team}").text).section("publish-title")
    assert value_of(card, "start") == "2026-12-21"
    assert value_of(card, "end") == "2027-01-17"


def test_a_new_rotation_says_how_many_drafts_it_made_and_leads_to_publishing(
    manager: Client, company: Company, database: Database
) -> None:
    team = company.team_a.id
    response = create_rotation(manager, team, people(company))
    assert response.status_code == 303
    drafts = database.scalar("SELECT COUNT(*) FROM shifts WHERE status = 'draft'")
    assert drafts > 0
    page = parse(manager.get(response.headers["location"]).text)
    notice = page.one(role="status", class_="success")
    assert f"{drafts} brouillons créés : publiez-les." in notice.text
    assert notice.one("a").attrs["href"] == "#publish-card"
    assert page.find(id="publish-card") is not None


def test_positions_given_twice_are_kept_in_an_order_the_page_states(
    manager: Client, company: Company
) -> None:
    team = company.team_a.id
    form = rotation_form(people(company))
    form[f"order_{company.staff_a.id}"] = "1"  # Samuel and Sophie both first
    response = manager.post_form(f"/schedule/manage/rotations/new?team={team}", form)
    assert response.status_code == 303
    assert "renumbered=" in response.headers["location"]
    page = parse(manager.get(response.headers["location"]).text)
    warning = page.one("p", class_="warn")
    assert "Deux personnes avaient la même position" in warning.text
    # No duplicate, no such message.
    add_rotation(manager, team, people(company), name="Autre", layer="secondary")
    page = parse(manager.get(f"/schedule/manage?team={team}&done=rotation").text)
    assert page.find("p", class_="warn") is None


def test_in_english_the_messages_read_as_written(
    client: Client, company: Company, database: Database
) -> None:
    with database.write():
        database.execute("UPDATE users SET locale = 'en' WHERE id = ?", (company.manager_a.id,))
    client.login("manager.a@test.fr")
    team = company.team_a.id
    response = create_rotation(client, team, people(company))
    page = parse(client.get(response.headers["location"]).text)
    drafts = database.scalar("SELECT COUNT(*) FROM shifts WHERE status = 'draft'")
    notice = page.one(role="status", class_="success")
    assert f"{drafts} drafts created: publish them." in notice.text
    assert notice.one("a").text == "Publish"

    response = publish(client, team, "2026-12-02", "2026-12-08", exceptional=True)
    alert = parse(response.text).section("publish-title").one(role="alert")
    assert alert.text == (
        "Exceptional circumstances are ticked: give the reason for the shorter notice."
    )


def test_a_refused_cancellation_shows_its_error_beside_that_override(
    manager: Client, company: Company, database: Database
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, people(company), backup=True)
    made = manager.post_form(
        f"/schedule/manage/overrides?team={team}",
        override_form(company, layer="primary", exceptional="true", reason="Formation"),
    )
    assert made.status_code == 303, made.text
    shift_id = database.scalar("SELECT id FROM shifts WHERE kind = 'override'")
    url = f"/schedule/manage/overrides/{shift_id}/cancel"
    response = manager.post_form(url, {"reason": "Samuel revient"}, headers=HTMX)
    assert response.status_code == 422
    card = parse(response.text).one("section", id="override-card")
    form = card.one("form", action=url)
    assert "cochez « circonstances exceptionnelles »" in form.one(role="alert").text
    assert form.one("input", name="reason").attrs["value"] == "Samuel revient"
    # The card's own form has no error of its own.
    assert len(card.find_all(role="alert")) == 1
    again = manager.get(url, follow_redirects=False)
    assert again.headers["location"] == f"/schedule/manage?team={team}#override-card"
