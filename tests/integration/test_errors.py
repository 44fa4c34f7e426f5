"""Errors as a person or an integration sees them: a full page, an htmx partial, or JSON problem
details, in the right language, never a stack trace; bad input writes nothing."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

import server.apikeys.store
import server.pages.routes
from server.db import Database
from server.settings import Settings
from tests.conftest import Client, Company

SECRET_DETAIL = "database password is hunter2"


class ErrorPage(HTMLParser):
    """The language of the page, its h1, the alert of a partial, and all its visible text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.h1 = ""
        self.text: list[str] = []
        self._in_h1 = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        self._in_h1 = self._in_h1 or tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_h1:
            self.h1 += data

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


def assert_no_internals(text: str) -> None:
    for leak in ("Traceback", "RuntimeError", SECRET_DETAIL, "server/", ".py", 'File "'):
        assert leak not in text, leak


def counts(database: Database) -> tuple[int, int]:
    return (
        database.scalar("SELECT count(*) FROM teams"),
        database.scalar("SELECT count(*) FROM audit_log"),
    )


# Not found ------------------------------------------------------------------------------


def test_unknown_page_is_a_full_404_page_in_french_by_default(client: Client) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    page = ErrorPage(response.text)
    assert page.lang == "fr"
    assert page.h1 == "Cette page n’existe pas."
    assert "Retour à l’accueil" in page.visible


@pytest.mark.parametrize("header", ["en", "en-GB,en;q=0.9", "de-DE, en;q=0.5"])
def test_unknown_page_is_in_english_when_the_browser_asks(client: Client, header: str) -> None:
    response = client.get("/no/such/page", headers={"Accept-Language": header})
    assert response.status_code == 404
    page = ErrorPage(response.text)
    assert page.lang == "en-GB"
    assert page.h1 == "This page does not exist."


def test_unknown_page_follows_the_language_the_person_chose(
    client: Client, company: Company
) -> None:
    client.login("staff.a@test.fr")
    saved = client.post_form("/settings/preferences", {"locale": "en", "timezone": "Europe/Paris"})
    assert saved.status_code == 303
    response = client.get("/no/such/page", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert ErrorPage(response.text).h1 == "This page does not exist."


def test_a_missing_record_is_a_404_page_in_the_persons_language(
    client: Client, company: Company
) -> None:
    client.login("admin@test.fr")
    response = client.get("/people/9999", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    page = ErrorPage(response.text)
    assert page.lang == "en-GB"
    assert "This person does not exist." in page.visible


@pytest.mark.parametrize("path", ["/alerts", "/people", "/swaps"])
def test_an_id_past_64_bits_is_a_404_page_not_a_crash(
    client: Client, company: Company, path: str
) -> None:
    client.login("admin@test.fr")
    response = client.get(f"{path}/99999999999999999999999", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "This page does not exist." in ErrorPage(response.text).visible


def test_unknown_api_path_is_a_404_problem(client: Client) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 404
    assert body["title"] and body["detail"]


def test_htmx_request_for_a_missing_page_gets_a_partial(client: Client, company: Company) -> None:
    client.login("staff.a@test.fr")
    response = client.get("/no/such/page", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert "<html" not in response.text
    assert 'role="alert"' in response.text
    assert response.headers["hx-retarget"]
    assert "Cette page n’existe pas." in ErrorPage(response.text).visible


def test_htmx_request_refused_by_a_rule_gets_a_partial(client: Client, company: Company) -> None:
    client.login("staff.a@test.fr")
    response = client.get("/admin/teams", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert "<html" not in response.text
    assert response.headers["hx-retarget"]


# Bad input ------------------------------------------------------------------------------


def test_an_oversized_body_is_refused_and_nothing_is_written(
    client: Client, company: Company, database: Database, settings: Settings
) -> None:
    client.login("admin@test.fr")
    before = counts(database)
    name = "x" * (settings.max_body_bytes + 1)
    response = client.post_form("/admin/teams/new", {"name": name})
    assert response.status_code == 413
    assert "<html" in response.text
    assert_no_internals(response.text)
    assert counts(database) == before


def test_a_wrong_method_on_the_api_is_a_405_problem(client: Client) -> None:
    response = client.delete("/api/v1/whoami", headers={"Authorization": "Bearer ast_x_y"})
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 405


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"\xff\xfe\x00garbage", "multipart/form-data; boundary=zzz"),
        (b"--zzz\r\nContent-Disposition: form-data\r\n\r\nx\r\n", "multipart/form-data"),
    ],
)
def test_a_malformed_form_is_a_400_and_writes_nothing(
    client: Client, company: Company, database: Database, content: bytes, content_type: str
) -> None:
    client.login("admin@test.fr")
    before = counts(database)
    response = client.post(
        "/admin/teams/new",
        content=content,
        headers={"content-type": content_type, "x-csrftoken": client.csrf()},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert_no_internals(response.text)
    assert counts(database) == before


def test_a_form_with_a_wrong_type_is_a_400_naming_the_field(
    client: Client, company: Company, database: Database
) -> None:
    client.login("admin@test.fr")
    before = counts(database)
    response = client.post_form(
        f"/admin/teams/{company.team_a.id}/members",
        {"user_id": str(company.staff_b.id), "team_role": "boss"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "Please check the field “Role in the team”." in response.text
    assert counts(database) == before


# Server errors --------------------------------------------------------------------------


@pytest.fixture
def broken_team_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Team page reads the person's teams through this store function: make it crash."""

    def fail(*_args, **_kwargs):
        raise RuntimeError(SECRET_DETAIL)

    monkeypatch.setattr(server.pages.routes, "teams_of", fail)


def test_a_crash_shows_the_generic_error_page_without_internals(
    client: Client, company: Company, broken_team_page: None
) -> None:
    client.login("staff.a@test.fr")
    response = client.get("/team")
    assert response.status_code == 500
    page = ErrorPage(response.text)
    assert (
        page.h1
        == "Un problème est survenu de notre côté. Rien de ce que vous avez fait n’est perdu."
    )
    assert_no_internals(response.text)


def test_a_crash_under_htmx_is_a_partial_without_internals(
    client: Client, company: Company, broken_team_page: None
) -> None:
    client.login("staff.a@test.fr")
    response = client.get("/team", headers={"HX-Request": "true"})
    assert response.status_code == 500
    assert "<html" not in response.text
    assert response.headers["hx-retarget"]
    assert_no_internals(response.text)


def test_a_crash_under_the_api_is_a_500_problem_without_internals(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args, **_kwargs):
        raise RuntimeError(SECRET_DETAIL)

    monkeypatch.setattr(server.apikeys.store, "key_for_token", fail)
    response = client.get("/api/v1/whoami", headers={"Authorization": "Bearer ast_x_y"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 500
    assert_no_internals(response.text)
