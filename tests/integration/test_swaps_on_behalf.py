"""A manager looking for a replacement for someone (issue 11, point 3): a request that could not
succeed is refused before anything is written, with what works instead; every view says who
asked for whose shift; each person sees, and may use, only the actions that are theirs."""

from __future__ import annotations

import pytest

from server.clock import ManualClock, to_db
from tests.conftest import Company
from tests.integration.schedule_helpers import page_text, paris, parse
from tests.integration.swap_helpers import Team, ask, ask_ok, swap_row, written

SOON = (paris(2026, 11, 30, 10, 40), paris(2026, 11, 30, 18))  # the clock reads 10:00
SOON_LATER = (paris(2026, 12, 28, 18), paris(2026, 12, 29, 8))
BY_MARC = "Marc Manager (responsable) cherche un remplaçant pour l’astreinte de Sophie Staff"
TAKE, CANNOT, REJECT, APPROVE = "Je la prends", "Je ne peux pas", "Refuser", "Approuver"
CANCEL_MINE, CANCEL_THIS = "Annuler ma demande", "Annuler cette demande"
ALL_BUTTONS = (TAKE, CANNOT, REJECT, APPROVE, CANCEL_MINE, CANCEL_THIS)


@pytest.fixture
def team(company: Company, database, browsers) -> Team:
    return Team(company, database, browsers)


def buttons(client, swap_id: int) -> set[str]:
    page = parse(client.get(f"/swaps/{swap_id}").text)
    panel = page.one(id=f"swap-panel-{swap_id}")
    return {b.text.strip() for b in panel.find_all("button")} & set(ALL_BUTTONS)


def test_a_replacement_that_could_not_succeed_is_refused_up_front_with_what_works(
    team: Team, database, company: Company
) -> None:
    """Sophie is tired and on call from 10:40; Samuel is her backup. Marc follows the team rest
    page's "Trouver un remplaçant": the refusal and the ways that work, no form to fill in."""
    soon = team.shift(company.staff_a.id, *SOON)
    team.shift(company.staff_a2.id, *SOON, layer="secondary")
    with database.write():
        database.insert(
            "fatigue_reports",
            {
                "user_id": company.staff_a.id,
                "score": 8,
                "reported_at": to_db(paris(2026, 11, 30, 9, 30)),
                "context": "today",
                "created_at": to_db(paris(2026, 11, 30, 9, 30)),
            },
        )
    rest = parse(team.marc.get(f"/rest/team?team={team.team_id}").text)
    link = next(a for a in rest.find_all("a") if a.text.strip() == "Trouver un remplaçant")
    assert link.attrs["href"] == f"/swaps/shifts/{soon}/new"

    page = parse(team.marc.get(link.attrs["href"]).text)
    card = page.one(id="cannot-card")
    text = " ".join(card.text.split())
    assert "Aucune demande envoyée : elle ne pourrait pas aboutir" in text
    assert "Imposé à Sophie Staff avec moins d’un jour franc de délai : interdit." in text
    assert "Samuel Staff est en renfort pendant cette astreinte" in text
    assert "Demander à Sophie Staff de faire la demande depuis son téléphone" in text
    assert "Un remplacement imposé n’est pas possible non plus" in text
    links = {a.text.strip(): a.attrs["href"] for a in card.find_all("a")}
    assert links["Alerter d’abord le renfort"] == f"/alerts/policy?team={team.team_id}"
    assert links["Appeler Sophie Staff"] == "tel:+33600000000"
    assert team.marc.get(links["Alerter d’abord le renfort"]).status_code == 200
    # Nothing left to send: the shift ends before any change may start.
    assert page.find("form", action=f"/swaps/shifts/{soon}/new") is None

    # Sent anyway (an old page, a script): refused, nothing written.
    before = written(database)
    refused = ask(team.marc, soon)
    assert refused.status_code == 422
    refusal = " ".join(page_text(refused.text).split())
    assert "Cette demande ne pourrait pas aboutir, elle n’a donc pas été envoyée" in refusal
    assert "Demander à Sophie Staff de faire la demande" in refusal
    assert written(database) == before

    # Sophie's own request is agreed between colleagues: it goes.
    assert ask(team.sophie, soon).status_code == 303


def test_a_later_part_of_a_long_shift_may_still_be_asked_and_an_override_is_offered(
    team: Team, database, company: Company, clock: ManualClock
) -> None:
    """A week from within the hour: the whole of it is refused, a cover from the first day the
    notice rule allows is offered with the form starting there; a refusal for the colleague
    asked (a clash) keeps an override in exceptional circumstances, pre-filled."""
    week = team.shift(company.staff_a.id, SOON[0], paris(2026, 12, 7, 8))
    page = parse(team.marc.get(f"/swaps/shifts/{week}/new").text)
    assert "à partir du" in page.one(id="cannot-card").text
    form = page.one("form", action=f"/swaps/shifts/{week}/new")
    assert form.one("input", name="starts_at").attrs["value"] == "2026-12-02T00:00"
    assert "checked" not in form.one("input", name="whole").attrs
    later = ask_ok(team.marc, week, whole="", starts_at="2026-12-02T00:00")
    assert swap_row(database, later)["requester_id"] == company.staff_a.id

    # Three days ahead, asked of Samuel who is on call then: his clash blocks it.
    night = team.shift(company.staff_a.id, paris(2026, 12, 3, 18), paris(2026, 12, 4, 8))
    team.shift(company.staff_a2.id, paris(2026, 12, 3, 20), paris(2026, 12, 4, 8))
    before = written(database)
    refused = ask(team.marc, night, target=str(company.staff_a2.id))
    assert refused.status_code == 422
    assert written(database) == before
    card = parse(refused.text).one(id="cannot-card")
    assert "Samuel Staff est déjà d’astreinte" in card.text
    override = next(a for a in card.find_all("a") if a.text.strip() == "Préparer le remplacement")
    manage = parse(team.marc.get(override.attrs["href"]).text).one(id="override-card")
    assert "À la place de Sophie Staff" in manage.text
    assert manage.one("input", name="starts_at").attrs["value"] == "2026-12-03T18:00"
    assert manage.one("input", name="ends_at").attrs["value"] == "2026-12-04T08:00"
    assert "checked" in manage.one("input", name="exceptional").attrs


def test_every_view_says_who_asked_for_whose_shift(team: Team, database, company) -> None:
    swap_id = ask_ok(team.marc, team.night)
    assert swap_row(database, swap_id)["created_by"] == company.manager_a.id
    # The colleague's list and the request itself.
    offered = parse(team.samuel.get("/swaps").text).section("offered-title")
    assert BY_MARC in " ".join(offered.text.split())
    detail = " ".join(page_text(team.samuel.get(f"/swaps/{swap_id}").text).split())
    assert BY_MARC in detail
    assert "Demandé par Marc Manager (responsable)" in detail
    assert "Astreinte de Sophie Staff" in detail
    # Sophie's list, and Marc's own list of requests.
    assert BY_MARC in " ".join(page_text(team.sophie.get("/swaps").text).split())
    mine = parse(team.marc.get("/swaps").text).section("mine-title")
    assert BY_MARC in " ".join(mine.text.split())
    # The push Samuel's phone shows, as the notifications page renders it.
    told = " ".join(page_text(team.samuel.get("/notifications").text).split())
    assert "Marc Manager (responsable) cherche un remplaçant pour l’astreinte de Sophie" in told
    # Her own request says she asked.
    own = ask_ok(team.sophie, team.shift(company.staff_a.id, *SOON_LATER))
    assert "Sophie Staff cherche un remplaçant pour son astreinte" in page_text(
        team.samuel.get(f"/swaps/{own}").text
    )


def test_each_person_sees_and_may_use_only_their_own_actions(team: Team, database, company) -> None:
    swap_id = ask_ok(team.marc, team.night)
    assert buttons(team.marc, swap_id) == {CANCEL_THIS}
    assert buttons(team.sophie, swap_id) == set()
    assert buttons(team.samuel, swap_id) == {TAKE, CANNOT}
    assert buttons(team.admin, swap_id) == set()  # nothing to decide before someone takes it

    before = written(database)
    refusals = {
        "sophie cancels": team.sophie.post_form(f"/swaps/{swap_id}/cancel"),
        "marc takes": team.marc.post_form(f"/swaps/{swap_id}/accept"),
        "marc declines": team.marc.post_form(f"/swaps/{swap_id}/decline"),
        "marc rejects": team.marc.post_form(f"/swaps/{swap_id}/reject", {"version": "1"}),
        "admin rejects": team.admin.post_form(f"/swaps/{swap_id}/reject", {"version": "1"}),
    }
    codes = {what: response.status_code for what, response in refusals.items()}
    assert codes == {
        "sophie cancels": 403,
        "marc takes": 403,
        "marc declines": 403,
        "marc rejects": 403,
        "admin rejects": 409,
    }
    said = {what: page_text(response.text) for what, response in refusals.items()}
    assert "Marc Manager a fait cette demande pour vous" in said["sophie cancels"]
    assert "ce sont vos collègues qui y répondent" in said["marc takes"]
    assert "annulez-la plutôt" in said["marc rejects"]
    assert "Aucun collègue n’a encore accepté cette demande." in said["admin rejects"]
    assert written(database) == before

    # Samuel takes it: now a decision is due.
    assert team.samuel.post_form(f"/swaps/{swap_id}/accept").status_code == 303
    assert buttons(team.admin, swap_id) == {APPROVE, REJECT}
    assert buttons(team.marc, swap_id) == {APPROVE, CANCEL_THIS}
    assert buttons(team.sophie, swap_id) == set()
    assert buttons(team.samuel, swap_id) == set()
    assert team.marc.post_form(f"/swaps/{swap_id}/cancel").status_code == 303
    assert swap_row(database, swap_id)["status"] == "cancelled"

    # Her own request: Sophie alone withdraws it, and only Samuel answers it.
    own = ask_ok(team.sophie, team.night)
    assert buttons(team.sophie, own) == {CANCEL_MINE}
    assert buttons(team.marc, own) == {TAKE, CANNOT}
    assert team.marc.post_form(f"/swaps/{own}/cancel").status_code == 403


def test_a_shift_under_way_offers_its_backup(team: Team, company) -> None:
    """ "On call now" on the team rest page: nothing can be asked any more, but the backup can
    still be paged first; asking the person would not work either, so it is not offered."""
    now_on = team.shift(company.staff_a.id, paris(2026, 11, 30, 9), paris(2026, 11, 30, 18))
    team.shift(
        company.staff_a2.id, paris(2026, 11, 30, 9), paris(2026, 11, 30, 18), layer="secondary"
    )
    response = team.marc.get(f"/swaps/shifts/{now_on}/new")
    page, text = parse(response.text), " ".join(page_text(response.text).split())
    assert "Cette astreinte a déjà commencé" in text
    card = page.one(id="cannot-card")
    assert "Samuel Staff est en renfort pendant cette astreinte" in card.text
    assert "Demander à Sophie Staff" not in card.text
    assert page.find("form", action=f"/swaps/shifts/{now_on}/new") is None
