"""Swap screens (issue 11, point 9): the exchange list says each shift's level, groups it by
week, opens on the next 4 weeks and narrows by colleague, level and period (a GET form, bad
values a 400 that says what to choose); a decision's outcome takes the focus, and the address
a refusal is shown at reloads to the request.

The clock: Monday 30 November 2026, 10:00 in Paris. Samuel is on call on Tuesday nights and
Marc is backup on Wednesday nights, for ten weeks each."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.audit.models import Actor
from server.teams.store import set_membership
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import Node, paris, parse
from tests.integration.swap_helpers import Team, approve, ask_ok, swap_row


@pytest.fixture
def team(company: Company, database, browsers) -> Team:
    team = Team(company, database, browsers)
    team.samuels, team.marcs = [], []
    for week in range(10):
        tuesday = paris(2026, 12, 1, 18) + timedelta(weeks=week)
        team.samuels.append(team.shift(company.staff_a2.id, tuesday, tuesday + timedelta(hours=14)))
        wednesday = tuesday + timedelta(days=1)
        team.marcs.append(
            team.shift(
                company.manager_a.id,
                wednesday,
                wednesday + timedelta(hours=14),
                layer="secondary",
            )
        )
    return team


def exchange(client: Client, team: Team, query: str = "", **headers: str):
    return client.get(f"/swaps/shifts/{team.night}/new{query}", headers=headers)


def lines(page: Node) -> list[str]:
    return [li.text for li in page.find_all("li", class_="exchange-shift")]


def test_the_list_says_the_level_groups_by_week_and_opens_on_four_weeks(team: Team) -> None:
    page = parse(exchange(team.sophie, team).text)
    shown = lines(page)
    # Four Tuesdays and four Wednesdays before Monday 28 December, 10:00.
    assert len(shown) == 8, shown
    assert shown[0].startswith("Astreinte Samuel Staff"), shown
    assert shown[1].startswith("Renfort Marc Manager"), shown
    assert "mar. 1 déc." in shown[0]
    assert page.one(id="exchange-count").text == "8 astreintes correspondent."
    weeks = [h.text for h in page.one(id="exchange-list").find_all("h3")]
    assert weeks == [
        "Semaine du lun. 30 nov.",
        "Semaine du lun. 7 déc.",
        "Semaine du lun. 14 déc.",
        "Semaine du lun. 21 déc.",
    ]
    later = page.one("a", href=f"/swaps/shifts/{team.night}/new?period=8w#swap-title")
    assert later.text == "Voir les astreintes suivantes (12 de plus)"
    # The filter is a GET form of its own, whose fields say what they narrow.
    form = page.one("form", id="exchange-filter")
    assert form.attrs["method"] == "get"
    assert [s.attrs["name"] for s in page.find_all("select", form="exchange-filter")] == [
        "colleague",
        "level",
        "period",
    ]


@pytest.mark.parametrize(
    ("query", "count", "first"),
    [
        ("?level=secondary", 4, "Renfort Marc Manager"),
        ("?colleague={samuel}", 4, "Astreinte Samuel Staff"),
        ("?colleague={samuel}&level=secondary", 0, None),
        ("?period=2027-01", 8, "Astreinte Samuel Staff"),
        ("?period=26w", 20, "Astreinte Samuel Staff"),
    ],
)
def test_narrowing_reduces_the_lines(
    team: Team, company: Company, query: str, count: int, first: str | None
) -> None:
    response = exchange(team.sophie, team, query.format(samuel=company.staff_a2.id))
    assert response.status_code == 200
    page = parse(response.text)
    shown = lines(page)
    assert len(shown) == count, shown
    if first:
        assert shown[0].startswith(first)
        assert all(line.startswith(first) for line in shown) or "period" in query
    else:
        assert "Aucune astreinte d’un collègue ne correspond" in page.one(id="exchange-list").text
    # The page opens on the swap, the filter showing what was chosen.
    assert "checked" in page.one("input", id="f-kind-swap").attrs


def test_january_lists_january_only(team: Team) -> None:
    page = parse(exchange(team.sophie, team, "?period=2027-01").text)
    assert all("janv." in line for line in lines(page)), lines(page)
    options = page.one("select", id="f-x-period").find_all("option")
    assert [o.text for o in options if "selected" in o.attrs] == ["Janvier 2027"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?level=chief", "Choisissez un niveau : astreinte ou renfort."),
        ("?colleague=abc", "Choisissez un collègue de cette équipe."),
        ("?colleague={bruno}", "Choisissez un collègue de cette équipe."),
        ("?colleague={sophie}", "Choisissez un collègue de cette équipe."),
        ("?period=99w", "Choisissez une période"),
        ("?period=0w", "Choisissez une période"),
        ("?period=2030-01", "Choisissez une période"),
        ("?period=2027-13", "Choisissez une période"),
        ("?period=tomorrow", "Choisissez une période"),
    ],
)
def test_a_bad_filter_is_a_400_that_says_what_to_choose(
    team: Team, company: Company, query: str, message: str
) -> None:
    people = {"bruno": company.staff_b.id, "sophie": company.staff_a.id}
    response = exchange(team.sophie, team, query.format(**people))
    assert response.status_code == 400, response.text[:300]
    page = parse(response.text)
    error = page.one(id="exchange").one("p", role="alert")
    assert error.text.startswith(message)
    # The list is still there, with its default: the next 4 weeks.
    assert len(lines(page)) == 8


def test_htmx_gets_the_list_alone_and_a_chosen_shift_stays_listed(team: Team) -> None:
    # Marc's backup night of 6 January is chosen, then the list narrowed to on-call shifts
    # of the next 4 weeks: it stays, checked.
    chosen = team.marcs[5]
    response = exchange(
        team.sophie,
        team,
        f"?level=primary&counter_shift={chosen}",
        **{"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    page = parse(response.text)
    assert page.one(id="exchange")
    radio = page.one("input", value=str(chosen))
    assert "checked" in radio.attrs
    assert len(lines(page)) == 5
    # Going back in the browser's history asks for the whole page.
    restore = exchange(
        team.sophie,
        team,
        "?level=primary",
        **{"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.text


def test_a_colleague_in_two_teams_has_the_team_on_each_line(
    team: Team, company: Company, database, clock
) -> None:
    set_membership(
        database,
        company.team_b.id,
        company.staff_a2.id,
        "member",
        actor=Actor(label="test"),
        now=clock.now(),
    )
    shown = lines(parse(exchange(team.sophie, team).text))
    assert all(" · Maintenance" in line for line in shown if "Samuel" in line), shown
    assert not any("Maintenance" in line for line in shown if "Marc" in line), shown


def test_the_list_in_english(team: Team) -> None:
    team.sophie.headers["Accept-Language"] = "en-GB,en;q=0.9"
    team.sophie.post_form("/settings/preferences", {"locale": "en", "timezone": "Europe/Paris"})
    page = parse(exchange(team.sophie, team).text)
    shown = lines(page)
    assert shown[0].startswith("On call Samuel Staff") and "Tue 1 Dec" in shown[0], shown
    assert shown[1].startswith("Backup Marc Manager"), shown
    assert page.one(id="exchange-count").text == "8 shifts match."
    assert page.one(id="exchange-list").find("h3").text == "Week of Mon 30 Nov"
    options = [o.text for o in page.one("select", id="f-x-period").find_all("option")]
    assert options[:4] == ["Next 4 weeks", "Next 8 weeks", "Next 12 weeks", "Next 26 weeks"]
    assert "January 2027" in options
    bad = parse(exchange(team.sophie, team, "?level=x").text)
    assert bad.one(id="exchange").one("p", role="alert").text == (
        "Choose a level: on call or backup."
    )


def test_a_swap_asked_from_the_list_still_works(team: Team, database) -> None:
    swap_id = ask_ok(team.sophie, team.night, kind="swap", counter_shift=str(team.samuels[3]))
    assert swap_row(database, swap_id)["counter_shift_id"] == team.samuels[3]


# The outcome of a decision -----------------------------------------------------------------


def test_approving_with_htmx_answers_the_card_with_its_confirmation_focused(
    team: Team, database
) -> None:
    swap_id = ask_ok(team.sophie, team.night)
    team.samuel.post_form(f"/swaps/{swap_id}/accept")
    version = swap_row(database, swap_id)["version"]
    answer = team.marc.post_form(
        f"/swaps/{swap_id}/approve",
        # Samuel is on call the next night too: the checks warn, so a reason is given.
        {"version": str(version), "reason": "Vu avec lui"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    card = parse(answer.text).one("section", id=f"swap-panel-{swap_id}")
    status = card.one("p", role="status")
    assert status.text == "Approuvé : le planning est modifié."
    assert "autofocus" in status.attrs and status.attrs["tabindex"] == "-1"


def test_a_refused_reject_without_javascript_keeps_the_reason_and_reloads_to_the_request(
    team: Team, database
) -> None:
    swap_id = ask_ok(team.sophie, team.night)
    team.samuel.post_form(f"/swaps/{swap_id}/accept")
    stale = swap_row(database, swap_id)["version"] - 1
    refused = team.marc.post_form(
        f"/swaps/{swap_id}/reject", {"version": str(stale), "reason": "Trop tard"}
    )
    assert refused.status_code == 409
    card = parse(refused.text).one("section", id=f"swap-panel-{swap_id}")
    error = card.one("p", role="alert")
    assert "autofocus" in error.attrs
    assert card.one("input", id=f"f-reject-{swap_id}").attrs["value"] == "Trop tard"
    # The address the refusal was shown at reloads to the request, not to a 405.
    again = team.marc.get(f"/swaps/{swap_id}/reject", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == f"/swaps/{swap_id}"
    # Without JavaScript, a success lands on the request with its confirmation focused.
    done = approve(team.marc, database, swap_id, reason="Vu avec lui")
    assert done.headers["location"] == f"/swaps/{swap_id}?done=approved"
    page = parse(team.marc.get(done.headers["location"]).text)
    assert "autofocus" in page.one("p", role="status").attrs


def test_the_outcome_in_english(team: Team, database) -> None:
    swap_id = ask_ok(team.sophie, team.night)
    team.samuel.post_form(f"/swaps/{swap_id}/accept")
    team.marc.post_form("/settings/preferences", {"locale": "en", "timezone": "Europe/Paris"})
    answer = team.marc.post_form(
        f"/swaps/{swap_id}/reject",
        {"version": str(swap_row(database, swap_id)["version"]), "reason": ""},
        headers={"HX-Request": "true"},
    )
    status = parse(answer.text).one("p", role="status")
    assert status.text == "The request is rejected."
    assert "autofocus" in status.attrs
