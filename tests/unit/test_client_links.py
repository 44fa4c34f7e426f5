"""Who a call names (the site: the number's, else the only one, else none; a shared number
names nobody) and which client and site an intervention may name."""

from __future__ import annotations

import pytest

from server.clients.callers import match_caller
from server.clients.models import CallerMatch
from server.interventions.rules import client_problem


@pytest.mark.parametrize(
    ("numbers", "sites", "expected"),
    [
        # The number is a site's (the caretaker's line): that site.
        ([(1, 11)], {1: [10, 11]}, CallerMatch(client_id=1, site_id=11)),
        # The client's general number, one site: that site.
        ([(1, None)], {1: [10]}, CallerMatch(client_id=1, site_id=10)),
        # The client's general number, several sites: the technician chooses.
        ([(1, None)], {1: [10, 11]}, CallerMatch(client_id=1, site_id=None)),
        # No site at all.
        ([(1, None)], {}, CallerMatch(client_id=1, site_id=None)),
        # The number twice for one client (general and a site's): the site's.
        ([(1, None), (1, 11)], {1: [10, 11]}, CallerMatch(client_id=1, site_id=11)),
        # The same number on two sites of the client: neither.
        ([(1, 10), (1, 11)], {1: [10, 11]}, CallerMatch(client_id=1, site_id=None)),
        # Two clients share it (a switchboard): nobody.
        ([(1, None), (2, None)], {1: [10], 2: [20]}, None),
        ([], {}, None),
    ],
)
def test_the_client_and_site_a_call_names(numbers, sites, expected) -> None:
    assert match_caller(numbers, sites) == expected


MINE = (1, 2)


@pytest.mark.parametrize(
    ("client", "site", "client_team", "site_client", "expected"),
    [
        (None, None, None, None, None),
        (5, None, 2, None, None),  # a client of my second team
        (5, 50, 1, 5, None),
        (5, None, 3, None, ("This client belongs to another team.", "client_id")),
        (5, None, None, None, ("This client does not exist.", "client_id")),
        (5, 60, 1, 6, ("This site is not one of the client's sites.", "site_id")),
        (5, 99, 1, None, ("This site is not one of the client's sites.", "site_id")),
        (None, 50, None, 5, ("Choose the client before its site.", "site_id")),
    ],
)
def test_which_client_and_site_an_intervention_may_name(
    client, site, client_team, site_client, expected
) -> None:
    assert client_problem(client, site, client_team, site_client, MINE) == expected
