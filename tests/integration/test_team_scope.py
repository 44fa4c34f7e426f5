"""A manager's pages take their team from `?team=`: the manager of another team is refused with
a page that says so, whichever page it is; their own team, or none asked, opens theirs."""

from __future__ import annotations

import pytest

from tests.conftest import Client, Company

# The manager's pages that show one team, chosen by `?team=` (server/auth/team_scope.py).
TEAM_PAGES = [
    "/schedule/manage/publish",
    "/schedule/manage/overrides",
    "/rest/policy",
    "/qualifications/team",
    "/alerts/policy",
]


@pytest.mark.parametrize("page", TEAM_PAGES)
def test_the_manager_of_another_team_is_told_they_do_not_manage_it(
    client: Client, company: Company, page: str
) -> None:
    client.login(company.manager_a.email)
    refused = client.get(f"{page}?team={company.team_b.id}")
    assert refused.status_code == 403
    assert "Vous ne gérez pas cette équipe." in refused.text
    assert company.team_b.name not in refused.text


@pytest.mark.parametrize("page", TEAM_PAGES)
def test_their_own_team_opens_asked_or_not(client: Client, company: Company, page: str) -> None:
    client.login(company.manager_a.email)
    for address in (f"{page}?team={company.team_a.id}", page):
        shown = client.get(address)
        assert shown.status_code == 200, address
        assert company.team_a.name in shown.text, address


@pytest.mark.parametrize("page", TEAM_PAGES)
def test_an_administrator_opens_any_team(client: Client, company: Company, page: str) -> None:
    client.login(company.admin.email)
    shown = client.get(f"{page}?team={company.team_b.id}")
    assert shown.status_code == 200
    assert company.team_b.name in shown.text
