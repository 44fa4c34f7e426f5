"""The API docs, reached from the API keys page: the viewer shows the routes and the browser asks
nothing of any server but ours (no CDN badge, no online validator, no policy violation)."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.helpers import ADMIN, login


def test_the_api_docs_load_everything_from_this_server(phone: Page, server: LiveServer) -> None:
    login(phone, ADMIN)
    phone.goto("/admin/api-keys")
    requested: list[str] = []
    phone.on("request", lambda request: requested.append(request.url))
    refused: list[str] = []
    phone.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    phone.get_by_role("link", name="Documentation de l’API").tap()
    expect(phone).to_have_url(server.url + "/schema")
    expect(phone.get_by_role("heading", name="Astreinte API")).to_be_visible()
    expect(phone.get_by_text("/api/v1/whoami").first).to_be_visible()
    ours = urlsplit(server.url).netloc
    outside = [
        url for url in requested if not url.startswith("data:") and urlsplit(url).netloc != ours
    ]
    assert outside == [], outside
    assert any(url.endswith("/schema/assets/swagger-ui-bundle.js") for url in requested)
    assert refused == [], refused
