"""Who a caller is, decided from the numbers that match (pure: no database, no clock)."""

from __future__ import annotations

from server.clients.models import CallerMatch


def match_caller(
    numbers: list[tuple[int, int | None]], sites: dict[int, list[int]]
) -> CallerMatch | None:
    """The client a call names, from its team's numbers equal to the caller's, each
    (client_id, site_id or None), and the sites of those clients.

    The same number given by two clients (a shared switchboard) names nobody: a wrong name on
    an alert is worse than none. The site is the number's own, else the client's only site;
    a client with several sites and a number of none leaves the site to the technician."""
    clients = {client_id for client_id, _site in numbers}
    if len(clients) != 1:
        return None
    client_id = clients.pop()
    own = sorted({site for _client, site in numbers if site is not None})
    if len(own) == 1:
        return CallerMatch(client_id=client_id, site_id=own[0])
    if own:
        return CallerMatch(client_id=client_id, site_id=None)
    only = sites.get(client_id, [])
    return CallerMatch(client_id=client_id, site_id=only[0] if len(only) == 1 else None)
