"""A cover or a swap from the request to the changed schedule, through the pages: asked on a
shift, taken by a colleague, approved by the manager, applied at once for everyone."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from server.clock import ManualClock, from_db, to_db
from server.teams.store import get_team
from tests.conftest import Company
from tests.integration.schedule_helpers import (
    local,
    notifications_of,
    page_text,
    paris,
    parse,
)
from tests.integration.swap_helpers import (
    SOPHIES_NIGHT,
    Team,
    approve,
    ask,
    ask_ok,
    audit_actions,
    shift_row,
    swap_row,
    written,
)


@pytest.fixture
def team(company: Company, database, browsers) -> Team:
    return Team(company, database, browsers)


def test_a_cover_asked_taken_and_approved_changes_the_schedule_for_everyone(
    team: Team, database, company: Company, app
) -> None:
    sophie, samuel, marc = company.staff_a, company.staff_a2, company.manager_a
    # Sophie asks from her shift: the whole night, open to the team.
    form = page_text(team.sophie.get(f"/swaps/shifts/{team.night}/new").text)
    assert "Demander un échange ou un remplacement" in form
    swap_id = ask_ok(team.sophie, team.night, note="Enfant malade")
    row = swap_row(database, swap_id)
    assert (row["status"], row["kind"], row["target_id"]) == ("pending", "cover", None)
    assert [n["kind"] for n in notifications_of(database, samuel.id)] == ["swap_offered"]
    assert notifications_of(database, marc.id, "swap_offered")  # a manager is a colleague too

    # Samuel finds it among the open requests and sees the checks before taking it.
    listing = parse(team.samuel.get("/swaps").text).section("offered-title")
    assert "Sophie Staff" in listing.text
    page = page_text(team.samuel.get(f"/swaps/{swap_id}").text)
    assert "Toutes les vérifications sont passées" in page
    assert "Entre collègues : Samuel Staff consent en demandant ou en acceptant" in page
    taken = team.samuel.post_form(f"/swaps/{swap_id}/accept")
    assert taken.status_code == 303
    assert swap_row(database, swap_id)["status"] == "accepted"
    assert [n["kind"] for n in notifications_of(database, sophie.id)] == ["swap_taken"]
    (to_approve,) = notifications_of(database, marc.id, "swap_to_approve")
    assert to_approve["url"] == f"/swaps/{swap_id}"
    # Until a manager approves, the schedule has not changed.
    assert shift_row(database, team.night)["user_id"] == sophie.id

    # Marc's navigation counts it; his inbox holds it.
    top = parse(team.marc.get("/").text)
    counter = top.one("a", href="/swaps/inbox")
    assert counter.attrs["aria-label"] == "Échanges à approuver : 1"
    assert counter.one("span", class_="badge").text == "1"
    inbox = page_text(team.marc.get("/swaps/inbox").text)
    assert "Sophie Staff → Samuel Staff" in inbox
    version_before = database.version
    assert approve(team.marc, database, swap_id).status_code == 303

    shift = shift_row(database, team.night)
    assert (shift["user_id"], shift["status"]) == (samuel.id, "accepted")
    assert database.version > version_before  # Today's kept page is rendered again
    row = swap_row(database, swap_id)
    assert (row["status"], row["decided_by"]) == ("approved", marc.id)
    for person in (sophie.id, samuel.id):
        assert notifications_of(database, person)[-1]["kind"] == "swap_approved"
    # Everyone sees the new schedule: Samuel's shifts hold the night, Sophie's no longer.
    assert "21 déc." in page_text(team.samuel.get("/schedule/mine").text)
    assert "21 déc." not in page_text(team.sophie.get("/schedule/mine").text)
    agenda = page_text(team.marc.get(f"/schedule?team={team.team_id}&start=2026-12-21").text)
    assert "Samuel Staff" in agenda and "Sophie Staff" not in agenda
    # No counter left for Marc.
    assert parse(team.marc.get("/").text).one("a", href="/swaps/inbox").find(class_="badge") is None
    # The audit trail: the request's life, and the shift changing hands with the request's id.
    assert audit_actions(database, "swap", swap_id) == [
        "swap.request",
        "swap.accept",
        "swap.approve",
    ]
    assert "shift.swap" in audit_actions(database, "shift", team.night)


def test_part_of_a_shift_is_covered_and_the_owner_keeps_the_rest(
    team: Team, database, company: Company
) -> None:
    sophie, samuel = company.staff_a, company.staff_a2
    swap_id = ask_ok(
        team.sophie,
        team.night,
        whole="",
        starts_at="2026-12-21T22:00",
        ends_at="2026-12-22T02:00",
        target=str(samuel.id),
    )
    row = swap_row(database, swap_id)
    assert (local(row["starts_at"]).hour, local(row["ends_at"]).hour) == (22, 2)
    assert team.samuel.post_form(f"/swaps/{swap_id}/accept").status_code == 303
    assert approve(team.marc, database, swap_id).status_code == 303
    pieces = database.query(
        "SELECT user_id, starts_at, ends_at, status FROM shifts WHERE team_id = ? "
        "ORDER BY starts_at",
        (team.team_id,),
    )
    assert [
        (p["user_id"], local(p["starts_at"]).hour, local(p["ends_at"]).hour) for p in pieces
    ] == [
        (sophie.id, 18, 22),
        (samuel.id, 22, 2),
        (sophie.id, 2, 8),
    ]
    assert pieces[1]["status"] == "accepted"
    history = page_text(team.sophie.get(f"/swaps/shifts/{team.night}").text)
    assert "a changé de mains par une demande" in history


def test_a_swap_exchanges_two_whole_shifts(team: Team, database, company: Company) -> None:
    sophie, samuel = company.staff_a, company.staff_a2
    his = team.shift(samuel.id, paris(2026, 12, 28, 18), paris(2026, 12, 29, 8))
    swap_id = ask_ok(team.sophie, team.night, kind="swap", counter_shift=str(his))
    row = swap_row(database, swap_id)
    assert (row["kind"], row["target_id"], row["counter_shift_id"]) == ("swap", samuel.id, his)
    assert notifications_of(database, company.manager_a.id) == []  # addressed to Samuel alone
    assert team.samuel.post_form(f"/swaps/{swap_id}/accept").status_code == 303
    assert approve(team.marc, database, swap_id).status_code == 303
    assert shift_row(database, team.night)["user_id"] == samuel.id
    assert shift_row(database, his)["user_id"] == sophie.id
    assert shift_row(database, his)["status"] == "accepted"


def test_the_calendar_feed_shows_the_new_person(team: Team, database, company) -> None:
    team.samuel.post_form("/schedule/feeds", {"team_id": ""})
    # The address is shown once, on the page opened right after making it.
    (field,) = parse(team.samuel.get("/schedule/feeds").text).find_all("input", class_="copy")
    token = field.attrs["value"].rsplit("/calendar/", 1)[1].removesuffix(".ics")
    assert "DTSTART" not in team.samuel.get(f"/calendar/{token}.ics").text
    swap_id = ask_ok(team.sophie, team.night)
    team.samuel.post_form(f"/swaps/{swap_id}/accept")
    approve(team.marc, database, swap_id)
    feed = team.samuel.get(f"/calendar/{token}.ics").text
    assert "Samuel Staff" in feed and "DTSTART" in feed
    # The same address: nobody has to subscribe again.
    assert (
        database.scalar(
            "SELECT COUNT(*) FROM calendar_feeds WHERE user_id = ? AND revoked_at IS NULL",
            (company.staff_a2.id,),
        )
        == 1
    )


def test_an_addressed_request_declined_is_closed_and_the_requester_told(
    team: Team, database, company
) -> None:
    swap_id = ask_ok(team.sophie, team.night, target=str(company.staff_a2.id))
    assert team.samuel.post_form(f"/swaps/{swap_id}/decline").status_code == 303
    assert swap_row(database, swap_id)["status"] == "declined"
    assert notifications_of(database, company.staff_a.id)[-1]["kind"] == "swap_declined"


def test_an_open_request_declined_by_one_stays_open_for_the_others(
    team: Team, database, company
) -> None:
    swap_id = ask_ok(team.sophie, team.night)
    assert team.samuel.post_form(f"/swaps/{swap_id}/decline").status_code == 303
    assert swap_row(database, swap_id)["status"] == "pending"
    assert "Sophie Staff" not in parse(team.samuel.get("/swaps").text).section("offered-title").text
    assert "Sophie Staff" in parse(team.marc.get("/swaps").text).section("offered-title").text


def test_the_requester_cancels_before_approval(team: Team, database, company) -> None:
    swap_id = ask_ok(team.sophie, team.night)
    team.samuel.post_form(f"/swaps/{swap_id}/accept")
    assert team.sophie.post_form(f"/swaps/{swap_id}/cancel").status_code == 303
    assert swap_row(database, swap_id)["status"] == "cancelled"
    assert notifications_of(database, company.staff_a2.id)[-1]["kind"] == "swap_cancelled"
    refused = approve(team.marc, database, swap_id)
    assert refused.status_code == 409
    assert "Le demandeur a annulé cette demande." in page_text(refused.text)
    assert shift_row(database, team.night)["user_id"] == company.staff_a.id


def test_a_request_expires_when_its_shift_starts(
    team: Team, database, company, clock: ManualClock, app
) -> None:
    swap_id = ask_ok(team.sophie, team.night)
    clock.set(SOPHIES_NIGHT[0] + timedelta(minutes=1))
    page = page_text(team.samuel.get(f"/swaps/{swap_id}").text)
    assert "expirée" in page and "Je la prends" not in page
    refused = team.samuel.post_form(f"/swaps/{swap_id}/accept")
    assert refused.status_code == 422
    assert "Cette demande a expiré quand son astreinte a commencé." in page_text(refused.text)
    assert app.state.engine.run_once()["swap_expiry"] == 1
    assert swap_row(database, swap_id)["status"] == "expired"
    assert notifications_of(database, company.staff_a.id, "swap_expired")


def test_the_team_option_applies_a_swap_that_passes_every_check(
    team: Team, database, company
) -> None:
    with database.write():
        policy = get_team(database, team.team_id).policy
        encoded = msgspec.json.encode(msgspec.structs.replace(policy, auto_approve_swaps=True))
        database.execute(
            "UPDATE teams SET policy = ? WHERE id = ?", (encoded.decode(), team.team_id)
        )
    swap_id = ask_ok(team.sophie, team.night)
    team.samuel.post_form(f"/swaps/{swap_id}/accept")
    row = swap_row(database, swap_id)
    assert (row["status"], row["decided_by"]) == ("approved", None)
    assert shift_row(database, team.night)["user_id"] == company.staff_a2.id
    assert notifications_of(database, company.manager_a.id, "swap_to_approve") == []
    page = page_text(team.sophie.get(f"/swaps/{swap_id}").text)
    assert "automatique" in page


def test_a_manager_asks_on_behalf_of_someone_within_notice(
    team: Team, database, company, clock: ManualClock
) -> None:
    # Sophie's night is in 21 days: a manager's imposed change needs no exceptional reason.
    swap_id = ask_ok(team.marc, team.night)
    row = swap_row(database, swap_id)
    assert (row["requester_id"], row["created_by"]) == (company.staff_a.id, company.manager_a.id)
    assert notifications_of(database, company.staff_a.id)[-1]["kind"] == "swap_on_behalf"
    team.samuel.post_form(f"/swaps/{swap_id}/accept")
    assert approve(team.admin, database, swap_id).status_code == 303
    after = database.one(
        "SELECT after FROM audit_log WHERE entity_type = 'swap' AND action = 'swap.approve'"
    )
    assert '"requester":null' in after["after"]  # imposed: no consent of hers on record


def test_times_are_read_in_the_teams_zone(team: Team, database) -> None:
    swap_id = ask_ok(
        team.sophie, team.night, whole="", starts_at="2026-12-21T20:00", ends_at="2026-12-22T08:00"
    )
    assert from_db(swap_row(database, swap_id)["starts_at"]) == paris(2026, 12, 21, 20)
    assert swap_row(database, swap_id)["ends_at"] == to_db(SOPHIES_NIGHT[1])


def test_a_refused_request_writes_nothing(team: Team, database) -> None:
    before = written(database)
    response = ask(team.sophie, team.night, whole="", starts_at="2026-12-21T17:00")
    assert response.status_code == 400
    assert written(database) == before


def test_every_step_is_in_the_audit_log_with_who_and_what(team: Team, database, company) -> None:
    first = ask_ok(team.sophie, team.night)
    team.marc.post_form(f"/swaps/{first}/decline")
    team.samuel.post_form(f"/swaps/{first}/accept")
    rejected = team.admin.post_form(
        f"/swaps/{first}/reject",
        {"version": str(swap_row(database, first)["version"]), "reason": "Samuel est en formation"},
    )
    assert rejected.status_code == 303
    assert shift_row(database, team.night)["user_id"] == company.staff_a.id
    second = ask_ok(team.sophie, team.night)
    team.sophie.post_form(f"/swaps/{second}/cancel")
    rows = database.query(
        "SELECT entity_id, action, actor, actor_user_id, before, after FROM audit_log "
        "WHERE entity_type = 'swap' ORDER BY id"
    )
    assert [(int(r["entity_id"]), r["action"], r["actor"]) for r in rows] == [
        (first, "swap.request", "staff.a@test.fr"),
        (first, "swap.decline", "manager.a@test.fr"),
        (first, "swap.accept", "staff.a2@test.fr"),
        (first, "swap.reject", "admin@test.fr"),
        (second, "swap.request", "staff.a@test.fr"),
        (second, "swap.cancel", "staff.a@test.fr"),
    ]
    reject = msgspec.json.decode(rows[3]["after"])
    assert reject == {"status": "rejected", "reason": "Samuel est en formation"}
    assert msgspec.json.decode(rows[3]["before"])["status"] == "accepted"
    accept = msgspec.json.decode(rows[2]["after"])
    assert accept["taker_id"] == company.staff_a2.id
    assert [f["code"] for f in accept["findings"]] == ["consent", "consent"]
    # The request's page tells the same story.
    history = parse(team.sophie.get(f"/swaps/{first}").text).section("history-title").text
    for step in ("demandée", "déclinée par un collègue", "reprise par un collègue", "refusée"):
        assert step in history
    assert "Samuel est en formation" in history


def test_the_pages_speak_english_on_request(team: Team, database) -> None:
    swap_id = ask_ok(team.sophie, team.night)
    english = {"Accept-Language": "en"}
    page = page_text(team.samuel.get(f"/swaps/{swap_id}", headers=english).text)
    assert "waiting for a colleague" in page and "I take it" in page
    assert "Agreed between colleagues: Samuel Staff consents by asking or by taking it" in page
    listing = page_text(team.samuel.get("/swaps", headers=english).text)
    assert "Open requests in my team" in listing
