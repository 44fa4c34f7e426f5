"""Every answer carries the security headers once each (they are swapped in, already encoded,
as the answer starts): the strict policy everywhere but the API viewer, whose scripts are its
own; a header of the same name set by a handler is replaced, not doubled."""

from __future__ import annotations

import pytest

from tests.conftest import Client, Company

HEADERS = ("x-content-type-options", "referrer-policy", "x-frame-options", "permissions-policy")


def values(response, name: str) -> list[str]:
    return response.headers.get_list(name)


@pytest.mark.parametrize(
    "path", ["/login", "/", "/team", "/healthz", "/api/v1/whoami", "/static/app.css"]
)
def test_each_answer_has_each_header_once(client: Client, company: Company, path: str) -> None:
    client.login("staff.a@test.fr")
    response = client.get(path, follow_redirects=False)
    for name in (*HEADERS, "content-security-policy"):
        assert len(values(response, name)) == 1, (name, response.headers)
    assert values(response, "x-frame-options") == ["DENY"]
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "strict-transport-security" not in response.headers  # plain http in tests


def test_the_api_viewer_may_run_inline_code_but_reach_only_this_server(client: Client) -> None:
    response = client.get("/schema")
    assert response.status_code == 200
    [policy] = values(response, "content-security-policy")
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self' 'unsafe-inline'"
    assert directives["connect-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert "http" not in policy
    for name in HEADERS:
        assert len(values(response, name)) == 1
