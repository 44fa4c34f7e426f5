"""API keys: an admin creates one for a team and sees it once; integrations use it; revoking."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from server.clock import ManualClock
from server.db import Database
from tests.conftest import Client, Company


class KeyPage(HTMLParser):
    """The API keys page: the key shown once (an input), and each listed key's visible text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.shown_key: str | None = None
        self.items: list[str] = []
        self._in_item = 0
        self._buffer: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "input" and attributes.get("id") == "new-key":
            self.shown_key = attributes.get("value")
        if tag == "li":
            self._in_item += 1
            self._buffer = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self._in_item:
            self._in_item -= 1
            self.items.append(" ".join("".join(self._buffer).split()))

    def handle_data(self, data: str) -> None:
        if self._in_item:
            self._buffer.append(data)


@pytest.fixture
def admin(client: Client, company: Company) -> Client:
    client.headers["Accept-Language"] = "en"
    client.login("admin@test.fr")
    return client


def create_key(admin: Client, team_id: int, name: str) -> str:
    response = admin.post_form("/admin/api-keys", {"team_id": str(team_id), "name": name})
    assert response.status_code in (200, 201), response.text
    key = KeyPage(response.text).shown_key
    assert key, "the new key is shown in the answer"
    return key


def whoami(client: Client, key: str | None, scheme: str = "Bearer"):
    headers = {"Authorization": f"{scheme} {key}"} if key is not None else {}
    return client.get("/api/v1/whoami", headers=headers)


def assert_problem_401(response) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 401
    assert body["detail"]
    assert "team_id" not in body


def test_a_new_key_is_shown_once_then_only_its_prefix(
    admin: Client, company: Company, database: Database
) -> None:
    key = create_key(admin, company.team_b.id, "Standard téléphonique")
    assert key.startswith("ast_")
    listing = admin.get("/admin/api-keys")
    assert key not in listing.text
    page = KeyPage(listing.text)
    assert page.shown_key is None
    [item] = [item for item in page.items if "Standard téléphonique" in item]
    prefix = "_".join(key.split("_")[:2]) + "_"
    assert prefix in item
    assert "Informatique" in item
    assert "never used" in item
    entry = database.one("SELECT * FROM audit_log WHERE action = 'apikey.create'")
    assert entry["actor_user_id"] == company.admin.id
    assert entry["team_id"] == company.team_b.id
    assert key not in str(entry)


def test_whoami_names_the_team_of_the_key(admin: Client, company: Company) -> None:
    key = create_key(admin, company.team_b.id, "Supervision")
    response = whoami(admin, key)
    assert response.status_code == 200
    body = response.json()
    assert (body["team_id"], body["team_name"]) == (company.team_b.id, "Informatique")
    other = create_key(admin, company.team_a.id, "Supervision")
    assert whoami(admin, other).json()["team_name"] == "Maintenance"


@pytest.mark.parametrize(
    ("key", "scheme"),
    [
        (None, "Bearer"),
        ("ast_00000000_not-a-real-key", "Bearer"),
        ("", "Bearer"),
        ("REAL", "Basic"),
        ("REAL_TRUNCATED", "Bearer"),
    ],
)
def test_a_wrong_or_missing_key_is_refused(
    admin: Client, company: Company, key: str | None, scheme: str
) -> None:
    real = create_key(admin, company.team_b.id, "Supervision")
    key = {"REAL": real, "REAL_TRUNCATED": real[:-1]}.get(key or "", key)
    assert_problem_401(whoami(admin, key, scheme))


def test_a_revoked_key_is_refused(admin: Client, company: Company, database: Database) -> None:
    key = create_key(admin, company.team_b.id, "Ancien standard")
    assert whoami(admin, key).status_code == 200
    key_id = database.scalar("SELECT id FROM api_keys WHERE name = 'Ancien standard'")
    response = admin.post_form(f"/admin/api-keys/{key_id}/revoke")
    assert response.status_code == 303
    assert_problem_401(whoami(admin, key))
    [item] = [i for i in KeyPage(admin.get("/admin/api-keys").text).items if "Ancien" in i]
    assert "revoked" in item
    assert database.one("SELECT * FROM audit_log WHERE action = 'apikey.revoke'") is not None


def test_last_use_is_recorded_and_shown(
    admin: Client, company: Company, database: Database, clock: ManualClock
) -> None:
    key = create_key(admin, company.team_a.id, "Supervision")
    last_used = "SELECT last_used_at FROM api_keys WHERE name = 'Supervision'"
    assert database.scalar(last_used) is None
    clock.advance(timedelta(hours=3))  # 12:00 UTC, 13:00 in Paris
    whoami(admin, key)
    assert database.scalar(last_used) == "2026-11-30T12:00:00Z"
    [item] = KeyPage(admin.get("/admin/api-keys").text).items
    assert "last used" in item
    assert "13:00" in item  # the admin's Paris time, on a 24-hour clock
    clock.advance(timedelta(days=2))
    whoami(admin, key)
    assert database.scalar(last_used) == "2026-12-02T12:00:00Z"


def test_the_key_is_stored_only_as_a_hash(
    admin: Client, company: Company, database: Database
) -> None:
    key = create_key(admin, company.team_b.id, "Supervision")
    secret = key.rsplit("_", 1)[1]
    # Read the file with a fresh connection: every table, every column, every row.
    copy = sqlite3.connect(f"file:{Path(database.path)}?mode=ro", uri=True)
    try:
        tables = [
            row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for table in tables:
            for row in copy.execute(f'SELECT * FROM "{table}"'):
                text = " ".join(str(value) for value in row)
                assert key not in text, table
                assert secret not in text, table
    finally:
        copy.close()


def test_a_key_needs_a_name_and_a_real_team(
    admin: Client, company: Company, database: Database
) -> None:
    empty = admin.post_form("/admin/api-keys", {"team_id": str(company.team_a.id), "name": " "})
    assert empty.status_code == 400
    assert KeyPage(empty.text).shown_key is None
    missing = admin.post_form("/admin/api-keys", {"team_id": "9999", "name": "Supervision"})
    assert missing.status_code == 404
    assert database.scalar("SELECT count(*) FROM api_keys") == 0


def test_openapi_lists_the_api_and_no_html_page(client: Client) -> None:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/whoami" in paths
    assert all(path.startswith("/api/") for path in paths), sorted(paths)
    assert "security" in response.json() or "security" in paths["/api/v1/whoami"]["get"]


def test_the_api_docs_page_works_without_internet(client: Client) -> None:
    """The viewer's scripts and styles come from this server (installed from npm at set-up),
    so a company network with no way out still shows its API documentation."""
    page = client.get("/schema")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assets = [s for s in sources if s.endswith((".js", ".css"))]
    assert len(assets) == 3, sources
    for asset in assets:
        assert asset.startswith("/schema/assets/"), asset
        answer = client.get(asset)
        assert answer.status_code == 200 and len(answer.content) > 10_000, asset


def test_the_api_docs_page_makes_no_request_outside_this_server(client: Client) -> None:
    """No CDN badge or favicon, no online validator: a company network with no way out, or a
    company that does not want a third party to see who reads its API docs."""
    page = client.get("/schema")
    assert page.status_code == 200
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page.text)
    assert references, page.text[:500]
    assert all(ref.startswith("/") and not ref.startswith("//") for ref in references), references
    assert "icon" in page.text and "/static/icons/" in page.text
    # Swagger UI would send the document to validator.swagger.io for its "valid" badge.
    assert "validatorUrl: null" in page.text
    for origin in re.findall(r"https?://[^\s\"'<>)]+", page.text):
        # Only the spec's own text may name other addresses (none that the page loads).
        assert "jsdelivr" not in origin and "swagger.io" not in origin, origin


DOCS_LINK = r'<a class="button" href="(/schema)">([^<]+)</a>'


def test_the_api_keys_page_links_to_the_api_docs(admin: Client) -> None:
    page = admin.get("/admin/api-keys")
    links = re.findall(DOCS_LINK, page.text)
    assert ("/schema", "API documentation: every route, what it takes and what it answers") in links
    admin.headers["Accept-Language"] = "fr"
    links = re.findall(DOCS_LINK, admin.get("/admin/api-keys").text)
    french = "Documentation de l’API : chaque route, ce qu’elle reçoit et ce qu’elle répond"
    assert ("/schema", french) in links
