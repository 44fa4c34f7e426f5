"""Accepting and declining: one by one (htmx or plain form), all at once, a decline with its
reason reaching the managers; nobody answers for someone else, nobody answers a draft."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from server.clock import ManualClock
from server.db import Database
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import (
    add_rotation,
    notifications_of,
    page_text,
    paris,
    parse,
    publish_ok,
    shift_at,
    shift_rows,
    snapshot,
    stored,
    weeknight,
)

# Primary: Samuel, Sophie, Marc, Samuel … from Monday 30 November; backup shifted by one.
# Published: the shifts starting 15–21 December. Samuel is backup on the nights of the 15th,
# 16th, 17th and the weekend of the 18th, then on call the night of Monday 21st: five shifts.
# Sophie has one (backup, Monday 21st); Marc four (on call, 15th to the weekend).
SAMUEL_SHIFTS = 5


@pytest.fixture
def published(client: Client, company: Company) -> Client:
    client.login("manager.a@test.fr")
    people = [company.staff_a2.id, company.staff_a.id, company.manager_a.id]
    add_rotation(client, company.team_a.id, people, backup=True)
    publish_ok(client, company.team_a.id, "2026-12-15", "2026-12-21")
    return client


def my_rows(browser: Client) -> list:
    return parse(browser.get("/schedule/mine").text).find_all("li", class_="my-shift")


def test_accepting_one_shift_with_htmx_swaps_its_row(
    published: Client, company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    samuel = browsers("staff.a2@test.fr")
    page = parse(samuel.get("/schedule/mine").text)
    assert "5 astreintes attendent votre réponse." in page.text
    rows = page.find_all("li", class_="my-shift")
    assert len(rows) == SAMUEL_SHIFTS
    assert all(row.find("button", type="submit").text == "Accepter" for row in rows)

    tuesday = shift_at(database, company.team_a.id, "secondary", paris(2026, 12, 15, 18))
    assert tuesday["user_id"] == company.staff_a2.id
    first = rows[0]
    assert first.attrs["id"] == f"shift-{tuesday['id']}"
    assert "mar. 15 déc. 18:00 → mer. 16 déc. 08:00" in first.text
    assert "Renfort" in first.text

    clock.advance(timedelta(minutes=5))
    response = samuel.post_form(
        f"/schedule/shifts/{tuesday['id']}/accept", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200, response.text
    # Only the row comes back, ready to replace itself.
    fragment = parse(response.text)
    row = fragment.one("li")
    assert row.attrs["id"] == f"shift-{tuesday['id']}"
    assert row.attrs["hx-swap"] == "outerHTML"
    assert "acceptée" in row.text
    assert row.find("button") is None
    assert "<html" not in response.text.lower()

    after = shift_at(database, company.team_a.id, "secondary", paris(2026, 12, 15, 18))
    assert after["status"] == "accepted"
    assert after["answered_at"] == stored(clock.now())
    audit = database.one(
        "SELECT * FROM audit_log WHERE action = 'shift.accept' AND entity_id = ?",
        (str(tuesday["id"]),),
    )
    assert audit is not None and audit["actor_user_id"] == company.staff_a2.id

    page = parse(samuel.get("/schedule/mine").text)
    assert "4 astreintes attendent votre réponse." in page.text
    assert "acceptée" in page.one("li", id=f"shift-{tuesday['id']}").text
    # The other four still wait.
    others = [
        r for r in page.find_all("li", class_="my-shift") if r.attrs["id"] != first.attrs["id"]
    ]
    assert all(r.find("button") is not None for r in others)


def test_accepting_without_javascript_redirects_back(
    published: Client, company: Company, database: Database, browsers
) -> None:
    samuel = browsers("staff.a2@test.fr")
    monday = shift_at(database, company.team_a.id, "primary", paris(2026, 12, 21, 18))
    response = samuel.post_form(f"/schedule/shifts/{monday['id']}/accept")
    assert response.status_code == 303
    assert response.headers["location"] == "/schedule/mine?done=accepted"
    page = page_text(samuel.get(response.headers["location"]).text)
    assert "Merci : votre réponse est enregistrée." in page
    assert (
        shift_at(database, company.team_a.id, "primary", paris(2026, 12, 21, 18))["status"]
        == "accepted"
    )


def test_accept_all_answers_every_pending_shift_of_mine_only(
    published: Client, company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    samuel = browsers("staff.a2@test.fr")
    response = samuel.post_form("/schedule/accept-all")
    assert response.status_code == 303
    assert response.headers["location"] == f"/schedule/mine?done=accepted-{SAMUEL_SHIFTS}"

    mine = shift_rows(database, company.team_a.id, user_id=company.staff_a2.id)
    told = [r for r in mine if r["status"] != "draft"]
    assert len(told) == SAMUEL_SHIFTS
    assert all(r["status"] == "accepted" and r["answered_at"] == stored(clock.now()) for r in told)
    # His drafts stay drafts; other people's shifts are not touched.
    assert {r["status"] for r in mine if r["published_at"] is None} == {"draft"}
    assert {
        r["status"] for r in shift_rows(database, user_id=company.manager_a.id) if r["published_at"]
    } == {"published"}

    page = parse(samuel.get(response.headers["location"]).text)
    assert "Merci : votre réponse est enregistrée." in page.text
    assert page.find("form", action="/schedule/accept-all") is None
    rows = page.find_all("li", class_="my-shift")
    assert len(rows) == SAMUEL_SHIFTS
    assert all("acceptée" in r.text and r.find("button") is None for r in rows)

    # Nothing left: a second press accepts nothing.
    again = samuel.post_form("/schedule/accept-all")
    assert again.headers["location"] == "/schedule/mine?done=accepted-0"


def test_declining_needs_a_reason_and_reaches_the_manager(
    published: Client, company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    samuel = browsers("staff.a2@test.fr")
    tuesday = shift_at(database, company.team_a.id, "secondary", paris(2026, 12, 15, 18))
    url = f"/schedule/shifts/{tuesday['id']}/decline"

    form = parse(samuel.get(url).text)
    assert form.one("textarea", name="reason") is not None
    assert "Pourquoi ne pouvez-vous pas la prendre ?" in form.text

    before = snapshot(database)
    for blank in ("", "   "):
        response = samuel.post_form(url, {"reason": blank})
        assert response.status_code == 400, response.text
        assert parse(response.text).find(role="alert") is not None
        assert snapshot(database) == before
    assert notifications_of(database, company.manager_a.id, "shift_declined") == []

    clock.advance(timedelta(hours=1))
    reason = "Mariage de ma sœur, je ne serai pas joignable."
    response = samuel.post_form(url, {"reason": f"  {reason}  "})
    assert response.status_code == 303
    assert response.headers["location"] == "/schedule/mine?done=declined"
    row = shift_at(database, company.team_a.id, "secondary", paris(2026, 12, 15, 18))
    assert row["status"] == "declined"
    assert row["decline_reason"] == reason
    assert row["answered_at"] == stored(clock.now())
    assert "Votre responsable est prévenu de votre refus." in page_text(
        samuel.get(response.headers["location"]).text
    )
    assert (
        "refusée"
        in parse(samuel.get("/schedule/mine").text).one("li", id=f"shift-{tuesday['id']}").text
    )

    # Marc manages the team: one notice, with the name and the reason.
    notices = notifications_of(database, company.manager_a.id, "shift_declined")
    assert len(notices) == 1
    params = json.loads(notices[0]["params"])
    assert params["name"] == "Samuel Staff"
    assert params["reason"] == reason
    assert notices[0]["url"] == f"/schedule/manage?team={company.team_a.id}"
    for other in (company.staff_a, company.staff_a2, company.manager_b, company.admin):
        assert notifications_of(database, other.id, "shift_declined") == []
    marc_notices = page_text(published.get("/notifications").text)
    assert "Une astreinte a été refusée" in marc_notices
    assert f"Samuel Staff a refusé l’astreinte du 15/12/2026 18:00 : {reason}" in marc_notices

    # The manager's to-do list shows it, apart from Samuel's unanswered shifts.
    todo = parse(published.get(f"/schedule/manage?team={company.team_a.id}").text).section(
        "todo-title"
    )
    items = [li.text for li in todo.find_all("li")]
    declined = [t for t in items if "refusée" in t]
    assert len(declined) == 1
    assert "Samuel Staff" in declined[0]
    assert "mar. 15 déc. 18:00 → mer. 16 déc. 08:00" in declined[0]
    assert reason in declined[0]
    assert any("Samuel Staff" in t and "sans réponse" in t for t in items)


def test_nobody_answers_for_someone_else(
    published: Client, company: Company, database: Database, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    samuels = shift_at(database, company.team_a.id, "secondary", paris(2026, 12, 15, 18))
    before = snapshot(database)
    assert sophie.post_form(f"/schedule/shifts/{samuels['id']}/accept").status_code == 403
    htmx = sophie.post_form(
        f"/schedule/shifts/{samuels['id']}/accept", headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 403
    assert "Cette astreinte n’est pas la vôtre." in page_text(htmx.text)
    assert sophie.get(f"/schedule/shifts/{samuels['id']}/decline").status_code == 403
    declined = sophie.post_form(f"/schedule/shifts/{samuels['id']}/decline", {"reason": "Non"})
    assert declined.status_code == 403
    assert snapshot(database) == before
    assert notifications_of(database, company.manager_a.id, "shift_declined") == []
    # Her accept-all leaves Samuel's shifts alone.
    sophie.post_form("/schedule/accept-all")
    assert (
        shift_at(database, company.team_a.id, "secondary", paris(2026, 12, 15, 18))["status"]
        == "published"
    )


def test_a_draft_cannot_be_accepted_or_declined(
    published: Client, company: Company, database: Database, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    # Her own on-call week from Monday 7 December is still a draft.
    draft = shift_at(database, company.team_a.id, "primary", weeknight(date(2026, 12, 7))[0])
    assert (draft["user_id"], draft["status"]) == (company.staff_a.id, "draft")
    before = snapshot(database)
    response = sophie.post_form(f"/schedule/shifts/{draft['id']}/accept")
    assert response.status_code == 400
    assert "Cette astreinte n’est pas encore publiée." in page_text(response.text)
    response = sophie.post_form(f"/schedule/shifts/{draft['id']}/decline", {"reason": "Congés"})
    assert response.status_code == 400
    assert snapshot(database) == before
    # Accept-all answers her one published shift and leaves the drafts alone.
    response = sophie.post_form("/schedule/accept-all")
    assert response.headers["location"] == "/schedule/mine?done=accepted-1"
    assert (
        shift_at(database, company.team_a.id, "primary", weeknight(date(2026, 12, 7))[0])["status"]
        == "draft"
    )
    # Drafts never show on her list.
    assert len(my_rows(sophie)) == 1


def test_a_shift_under_way_no_longer_offers_a_swap(
    published: Client, company: Company, database: Database, clock: ManualClock, browsers
) -> None:
    samuel = browsers("staff.a2@test.fr")
    tuesday = shift_at(database, company.team_a.id, "secondary", paris(2026, 12, 15, 18))
    link = f"/swaps/shifts/{tuesday['id']}/new"

    def row() -> object:
        return next(r for r in my_rows(samuel) if r.attrs["id"] == f"shift-{tuesday['id']}")

    assert row().find("a", href=link).text == "Échange / remplacement"
    clock.set(paris(2026, 12, 15, 19))  # an hour into the night
    under_way = row()
    assert under_way.find("a", href=link) is None
    assert "en cours" in under_way.text
    # Still answerable: accepting a shift under way is allowed, and the row keeps its state.
    response = samuel.post_form(
        f"/schedule/shifts/{tuesday['id']}/accept", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200, response.text
    fragment = parse(response.text).one("li")
    assert "acceptée" in fragment.text and "en cours" in fragment.text
