"""People acting at once, or on a request whose shift changed: exactly one outcome, and the
others told plainly what happened instead."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import Company
from tests.integration.schedule_helpers import notifications_of, page_text, paris
from tests.integration.swap_helpers import (
    Team,
    approve,
    ask_ok,
    audit_actions,
    shift_row,
    swap_row,
    written,
)


@pytest.fixture
def team(company: Company, database, browsers) -> Team:
    return Team(company, database, browsers)


def at_once(*calls):
    """Run the calls on threads released together; their answers in the same order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def taken(team: Team) -> int:
    swap_id = ask_ok(team.sophie, team.night)
    assert team.samuel.post_form(f"/swaps/{swap_id}/accept").status_code == 303
    return swap_id


def test_two_managers_approving_at_once_give_one_outcome(team: Team, database, company) -> None:
    swap_id = taken(team)
    version = swap_row(database, swap_id)["version"]
    answers = at_once(
        lambda: approve(team.marc, database, swap_id, version=version),
        lambda: approve(team.admin, database, swap_id, version=version),
    )
    assert sorted(a.status_code for a in answers) == [303, 409]
    (loser,) = [a for a in answers if a.status_code == 409]
    winner = "Marc Manager" if answers[0].status_code == 303 else "Alice Admin"
    assert f"Cette demande a déjà été approuvée par {winner} le " in page_text(loser.text)
    assert audit_actions(database, "swap", swap_id).count("swap.approve") == 1
    assert shift_row(database, team.night)["user_id"] == company.staff_a2.id
    assert len(notifications_of(database, company.staff_a2.id, "swap_approved")) == 1


def test_a_manager_approving_what_another_just_approved_is_told(
    team: Team, database, company
) -> None:
    swap_id = taken(team)
    version = swap_row(database, swap_id)["version"]  # both opened the page
    assert approve(team.marc, database, swap_id, version=version).status_code == 303
    before = written(database)
    late = approve(team.admin, database, swap_id, version=version)
    assert late.status_code == 409
    assert "Cette demande a déjà été approuvée par Marc Manager le 30/11/2026 10:00." in (
        page_text(late.text)
    )
    assert written(database) == before


def test_approve_and_reject_at_once_give_one_outcome(team: Team, database, company) -> None:
    swap_id = taken(team)
    version = swap_row(database, swap_id)["version"]
    answers = at_once(
        lambda: approve(team.marc, database, swap_id, version=version),
        lambda: team.admin.post_form(f"/swaps/{swap_id}/reject", {"version": str(version)}),
    )
    assert sorted(a.status_code for a in answers) == [303, 409]
    status = swap_row(database, swap_id)["status"]
    owner = shift_row(database, team.night)["user_id"]
    assert (status, owner) in (
        ("approved", company.staff_a2.id),
        ("rejected", company.staff_a.id),
    )


def test_two_colleagues_taking_an_open_request_at_once_give_one_taker(
    team: Team, database, company
) -> None:
    swap_id = ask_ok(team.sophie, team.night)
    answers = at_once(
        lambda: team.samuel.post_form(f"/swaps/{swap_id}/accept"),
        lambda: team.marc.post_form(f"/swaps/{swap_id}/accept"),
    )
    assert sorted(a.status_code for a in answers) == [303, 409]
    (loser,) = [a for a in answers if a.status_code == 409]
    assert "Un collègue a déjà accepté cette demande." in page_text(loser.text)
    assert swap_row(database, swap_id)["taker_id"] in (company.staff_a2.id, company.manager_a.id)


def test_approving_a_request_whose_shift_changed_since_is_refused_and_closes_it(
    team: Team, database, company
) -> None:
    swap_id = taken(team)
    # The manager gives the night to someone else by hand (a change imposed with notice).
    shift = shift_row(database, team.night)
    reassigned = team.marc.post_form(
        f"/schedule/manage/shifts/{team.night}",
        {"user_id": str(company.manager_a.id), "version": str(shift["version"])},
    )
    assert reassigned.status_code == 303, reassigned.text
    refused = approve(team.admin, database, swap_id)
    assert refused.status_code == 409
    assert "L’astreinte a changé depuis cette demande : rien n’a été appliqué" in page_text(
        refused.text
    )
    assert shift_row(database, team.night)["user_id"] == company.manager_a.id
    assert swap_row(database, swap_id)["status"] == "void"
    for person in (company.staff_a.id, company.staff_a2.id):
        assert notifications_of(database, person)[-1]["kind"] == "swap_void"
    # Told on the page too, with no button left.
    page = page_text(team.admin.get(f"/swaps/{swap_id}").text)
    assert "plus valable" in page and "Approuver" not in page


def test_taking_a_request_whose_shift_moved_is_refused(team: Team, database, company) -> None:
    swap_id = ask_ok(team.sophie, team.night)
    with database.write():
        database.execute(
            "UPDATE shifts SET starts_at = ?, version = version + 1 WHERE id = ?",
            ("2026-12-21T18:00:00Z", team.night),
        )
    refused = team.samuel.post_form(f"/swaps/{swap_id}/accept")
    assert refused.status_code == 409
    assert swap_row(database, swap_id)["status"] == "void"
    assert shift_row(database, team.night)["user_id"] == company.staff_a.id


def test_the_owner_answering_her_shift_does_not_void_her_request(
    team: Team, database, company
) -> None:
    pending = team.shift(
        company.staff_a.id, paris(2026, 12, 28, 18), paris(2026, 12, 29, 8), status="published"
    )
    swap_id = ask_ok(team.sophie, pending)
    assert team.sophie.post_form(f"/schedule/shifts/{pending}/accept").status_code == 303
    assert team.samuel.post_form(f"/swaps/{swap_id}/accept").status_code == 303
    assert approve(team.marc, database, swap_id).status_code == 303
    assert shift_row(database, pending)["user_id"] == company.staff_a2.id


def test_an_approval_for_an_older_version_is_refused(team: Team, database) -> None:
    swap_id = taken(team)
    old = swap_row(database, swap_id)["version"] - 1
    refused = approve(team.marc, database, swap_id, version=old)
    assert refused.status_code == 409
    assert "Cette demande a changé depuis que vous l’avez ouverte." in page_text(refused.text)
    assert swap_row(database, swap_id)["status"] == "accepted"


def test_a_second_request_for_the_same_shift_waits_for_the_first(team: Team, database) -> None:
    ask_ok(team.sophie, team.night)
    before = written(database)
    again = team.sophie.post_form(
        f"/swaps/shifts/{team.night}/new", {"kind": "cover", "whole": "true", "target": "team"}
    )
    assert again.status_code == 409
    assert "Une demande attend déjà pour cette astreinte." in page_text(again.text)
    assert written(database) == before
