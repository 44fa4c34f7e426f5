"""Who may do what with a request, and bad input: refused with a clear message, nothing written."""

from __future__ import annotations

import pytest

from tests.conftest import Company
from tests.integration.schedule_helpers import page_text, paris, parse
from tests.integration.swap_helpers import (
    Team,
    approve,
    ask,
    ask_ok,
    shift_row,
    swap_row,
    written,
)

ONLY_MANAGERS = "Seul un responsable de cette équipe peut approuver ou refuser ses demandes."


@pytest.fixture
def team(company: Company, database, browsers) -> Team:
    return Team(company, database, browsers)


@pytest.fixture
def waiting(team: Team) -> int:
    """Sophie's night, taken by Samuel: waiting for a manager."""
    swap_id = ask_ok(team.sophie, team.night)
    assert team.samuel.post_form(f"/swaps/{swap_id}/accept").status_code == 303
    return swap_id


@pytest.mark.parametrize("who", ["samuel", "sophie", "bruno", "nina"])
def test_only_a_manager_of_the_team_approves_or_rejects(
    team: Team, database, waiting: int, who: str
) -> None:
    client = getattr(team, who)
    before = written(database)
    for action in ("approve", "reject"):
        response = client.post_form(f"/swaps/{waiting}/{action}", {"version": "3"})
        assert response.status_code == 403
        assert ONLY_MANAGERS in page_text(response.text)
    assert written(database) == before
    assert swap_row(database, waiting)["status"] == "accepted"


def test_a_manager_does_not_decide_on_a_request_he_takes_part_in(
    team: Team, database, company
) -> None:
    swap_id = ask_ok(team.sophie, team.night)
    assert team.marc.post_form(f"/swaps/{swap_id}/accept").status_code == 303
    refused = approve(team.marc, database, swap_id)
    assert refused.status_code == 403
    assert "Vous ne pouvez pas décider d’une demande à laquelle vous prenez part." in page_text(
        refused.text
    )
    assert approve(team.admin, database, swap_id).status_code == 303


def test_another_team_sees_nothing_and_asks_nothing(team: Team, database, waiting: int) -> None:
    assert team.bruno.get(f"/swaps/{waiting}").status_code == 403
    assert team.bruno.get(f"/swaps/shifts/{team.night}").status_code == 403
    assert team.bruno.get(f"/swaps/shifts/{team.night}/new").status_code == 403
    before = written(database)
    assert ask(team.bruno, team.night).status_code == 403
    assert team.bruno.post_form(f"/swaps/{waiting}/accept").status_code == 403
    assert (
        team.nina.post_form(
            f"/swaps/shifts/{team.night}/qualifications", {"qualification": "1"}
        ).status_code
        == 403
    )
    assert written(database) == before
    assert "Sophie Staff" not in page_text(team.bruno.get("/swaps").text)


def test_a_colleague_asks_nothing_for_someone_elses_shift(team: Team, database) -> None:
    before = written(database)
    refused = ask(team.samuel, team.night)
    assert refused.status_code == 403
    assert "Cette astreinte n’est pas la vôtre." in page_text(refused.text)
    assert written(database) == before


def test_an_addressed_request_is_for_its_colleague_only(team: Team, database, company) -> None:
    swap_id = ask_ok(team.sophie, team.night, target=str(company.manager_a.id))
    before = written(database)
    refused = team.samuel.post_form(f"/swaps/{swap_id}/accept")
    assert refused.status_code == 403
    assert "Cette demande ne vous est pas adressée." in page_text(refused.text)
    own = team.sophie.post_form(f"/swaps/{swap_id}/accept")
    assert own.status_code == 400
    assert "C’est votre propre demande." in page_text(own.text)
    assert team.samuel.post_form(f"/swaps/{swap_id}/cancel").status_code == 403
    assert written(database) == before


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-12-21T17:00", "2026-12-21T22:00", "La période doit être comprise dans l’astreinte"),
        ("2026-12-21T20:00", "2026-12-22T09:00", "La période doit être comprise dans l’astreinte"),
        ("2026-12-21T22:00", "2026-12-21T20:00", "La fin doit être après le début."),
        ("2026-12-21T22:00", "", "Vérifiez le champ « Au »"),
    ],
)
def test_a_cover_range_outside_the_shift_is_refused(
    team: Team, database, start: str, end: str, message: str
) -> None:
    before = written(database)
    response = ask(team.sophie, team.night, whole="", starts_at=start, ends_at=end)
    assert response.status_code == 400
    text = page_text(response.text)
    assert message in text, text
    assert written(database) == before


def test_the_range_message_names_the_shift(team: Team) -> None:
    response = ask(team.sophie, team.night, whole="", starts_at="2026-12-21T17:00")
    assert "du 21/12/2026 18:00 au 22/12/2026 08:00" in page_text(response.text)
    # The form keeps what was typed.
    field = parse(response.text).one("input", name="starts_at")
    assert field.attrs["value"] == "2026-12-21T17:00"


def test_a_request_for_a_shift_in_the_past_or_under_way_is_refused(
    team: Team, database, company
) -> None:
    past = team.shift(company.staff_a.id, paris(2026, 11, 20, 18), paris(2026, 11, 21, 8))
    now_on = team.shift(company.staff_a.id, paris(2026, 11, 30, 8), paris(2026, 11, 30, 18))
    before = written(database)
    gone = ask(team.sophie, past)
    assert gone.status_code == 400
    assert "Cette astreinte est terminée" in page_text(gone.text)
    under_way = ask(team.sophie, now_on)
    assert under_way.status_code == 400
    assert "Cette astreinte a déjà commencé" in page_text(under_way.text)
    assert written(database) == before
    form = page_text(team.sophie.get(f"/swaps/shifts/{now_on}/new").text)
    assert "Cette astreinte a déjà commencé" in form and "Envoyer la demande" not in form


def test_a_draft_shift_cannot_be_asked_for(team: Team, database, company) -> None:
    draft = team.shift(
        company.staff_a.id, paris(2027, 1, 4, 18), paris(2027, 1, 5, 8), status="draft"
    )
    response = ask(team.sophie, draft)
    assert response.status_code == 400
    assert "Cette astreinte n’est pas encore publiée." in page_text(response.text)


def test_a_swap_needs_a_colleagues_published_shift(team: Team, database, company) -> None:
    elsewhere = team.shift(company.staff_b.id, paris(2026, 12, 28, 18), paris(2026, 12, 29, 8))
    with team.database.write():
        team.database.execute(
            "UPDATE shifts SET team_id = ? WHERE id = ?", (company.team_b.id, elsewhere)
        )
    before = written(database)
    missing = ask(team.sophie, team.night, kind="swap")
    assert missing.status_code == 400
    assert "Choisissez l’astreinte du collègue que vous prenez en échange." in page_text(
        missing.text
    )
    other_team = ask(team.sophie, team.night, kind="swap", counter_shift=str(elsewhere))
    assert other_team.status_code == 400
    assert "Choisissez une astreinte publiée d’un collègue de cette équipe." in page_text(
        other_team.text
    )
    not_a_number = ask(team.sophie, team.night, kind="swap", counter_shift="abc")
    assert not_a_number.status_code == 400
    assert written(database) == before


def test_a_request_is_addressed_to_a_colleague_of_the_team(team: Team, database, company) -> None:
    before = written(database)
    response = ask(team.sophie, team.night, target=str(company.staff_b.id))
    assert response.status_code == 400
    assert "Choisissez un collègue de cette équipe." in page_text(response.text)
    assert written(database) == before


def test_a_form_without_its_csrf_token_is_refused(team: Team, database, waiting: int) -> None:
    before = written(database)
    version = swap_row(database, waiting)["version"]
    forged = team.marc.post(
        f"/swaps/{waiting}/approve", data={"version": str(version)}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert written(database) == before
    assert shift_row(database, team.night)["user_id"] == team.company.staff_a.id


def test_htmx_buttons_swap_the_panel_in_place(team: Team, database) -> None:
    swap_id = ask_ok(team.sophie, team.night)
    answer = team.samuel.post(
        f"/swaps/{swap_id}/accept",
        data={},
        headers={"HX-Request": "true", "x-csrftoken": team.samuel.csrf()},
    )
    assert answer.status_code == 200
    assert "<html" not in answer.text
    panel = parse(answer.text).one("section", id=f"swap-panel-{swap_id}")
    assert "Merci : vous la prenez. Un responsable l’approuve ensuite." in panel.text
    assert "attend l’accord" in panel.text
    refused = team.samuel.post(
        f"/swaps/{swap_id}/accept",
        data={},
        headers={"HX-Request": "true", "x-csrftoken": team.samuel.csrf()},
    )
    assert refused.status_code == 409
    assert "Un collègue a déjà accepté cette demande." in parse(refused.text).one(role="alert").text


def test_a_staff_member_has_no_inbox(team: Team) -> None:
    assert team.samuel.get("/swaps/inbox").status_code == 403
    assert parse(team.samuel.get("/").text).find("a", href="/swaps/inbox") is None
