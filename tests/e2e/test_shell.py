"""The app shell on a phone: tabs, log out, service worker, offline, accessibility, manifest."""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, PhoneFactory
from tests.e2e.helpers import (
    MANAGER,
    STAFF,
    login,
    port_refuses,
    serious_violations,
    violations_text,
    wait_for_js,
    wait_for_service_worker,
)

# The catalog writes "Aujourd’hui" with a typographic apostrophe; a person reads either.
TODAY = re.compile(r"^Aujourd['’]hui$")
TABS = [
    # (tab label, path, page heading)
    ("Planning", "/schedule", "Planning"),
    ("Interventions", "/interventions", "Interventions"),
    ("Repos", "/rest", "Repos"),
    ("Équipe", "/team", "Équipe"),
    (TODAY, "/", "Bonjour Julien"),
]
# Julien's colleagues in the demo company's maintenance team, with their phone numbers.
COLLEAGUES = {
    "Claire Martin": "tel:+33612345678",
    "Nadia Lefebvre": "tel:+33634567890",
    "Thomas Petit": "tel:+33645678901",
}


def tabbar(page: Page):
    return page.get_by_role("navigation", name="Navigation principale")


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_staff_tours_the_five_tabs_then_logs_out(phone: Page, server: LiveServer) -> None:
    login(phone, STAFF)
    expect(phone).to_have_url(server.url + "/")
    expect(heading(phone)).to_have_text("Bonjour Julien")
    nav = tabbar(phone)
    expect(nav.get_by_role("link")).to_have_count(5)
    expect(nav.get_by_role("link", name=TODAY)).to_have_attribute("aria-current", "page")

    for label, path, title in TABS:
        tab = nav.get_by_role("link", name=label)
        with phone.expect_navigation():
            tab.tap()
        expect(phone).to_have_url(server.url + path)
        expect(heading(phone)).to_have_text(title)
        expect(tab).to_have_attribute("aria-current", "page")
        # Exactly one tab says where the person is.
        expect(nav.locator("[aria-current]")).to_have_count(1)
        if path == "/team":
            team = phone.get_by_role("region", name="Maintenance des bâtiments")
            for name, tel in COLLEAGUES.items():
                row = team.get_by_role("listitem").filter(has_text=name)
                expect(row.get_by_role("link")).to_have_attribute("href", tel)

    with phone.expect_navigation():
        phone.get_by_role("link", name="Réglages", exact=True).tap()
    expect(phone).to_have_url(server.url + "/settings")
    expect(heading(phone)).to_have_text("Réglages")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Se déconnecter", exact=True).tap()
    expect(phone).to_have_url(server.url + "/login")
    expect(heading(phone)).to_have_text("Se connecter")
    expect(tabbar(phone)).to_have_count(0)

    phone.goto("/")
    expect(phone).to_have_url(re.compile(re.escape(server.url) + r"/login(\?.*)?$"))
    expect(phone.get_by_label("Mot de passe")).to_be_visible()


def test_service_worker_controls_the_page_and_caches_the_shell(
    phone: Page, server: LiveServer
) -> None:
    login(phone, STAFF)
    wait_for_service_worker(phone)
    phone.reload()
    wait_for_service_worker(phone)
    script_url = phone.evaluate("navigator.serviceWorker.controller.scriptURL")
    assert script_url.endswith("/sw.js"), script_url
    version = phone.evaluate("document.body.dataset.version")
    assert version, "the page carries no asset version"
    cache_names = phone.evaluate("caches.keys()")
    assert f"astreinte-shell-{version}" in cache_names, cache_names
    # The shell is really in it: the offline page and the versioned stylesheet.
    cached = phone.evaluate(
        """async (name) => {
            const cache = await caches.open(name);
            return (await cache.keys()).map((request) => new URL(request.url).pathname);
        }""",
        f"astreinte-shell-{version}",
    )
    assert {"/offline", "/static/app.css", "/static/app.js"} <= set(cached), cached


def test_offline_shows_cached_pages_then_the_offline_page(
    make_phone: PhoneFactory, own_server: LiveServer
) -> None:
    phone = make_phone(own_server)
    login(phone, STAFF)
    wait_for_service_worker(phone)
    # This visit goes through the service worker, which keeps a copy of the page.
    phone.reload()
    version = phone.evaluate("document.body.dataset.version")
    wait_for_js(
        phone,
        "async (name) => !!(await caches.match('/', {cacheName: name}))",
        f"astreinte-pages-{version}",
        what="the copy of Today",
    )

    own_server.stop()
    assert port_refuses(own_server.port), "the server still answers after stop()"
    lines_while_down = len(own_server.log)

    phone.reload()
    expect(heading(phone)).to_have_text("Bonjour Julien")
    expect(tabbar(phone).get_by_role("link", name=TODAY)).to_have_attribute("aria-current", "page")

    # /rest was never opened on this phone: the app's own offline page, not Chromium's error.
    phone.goto("/rest")
    expect(heading(phone)).to_have_text("Pas de connexion")
    expect(phone.get_by_role("link", name="Réessayer")).to_be_visible()
    assert port_refuses(own_server.port)
    assert len(own_server.log) == lines_while_down, own_server.log[lines_while_down:]

    own_server.start()
    before_reload = len(own_server.log)
    phone.reload()
    expect(heading(phone)).to_have_text("Repos")
    assert ("GET", "/rest", 200) in own_server.requests(since=before_reload), own_server.log[
        before_reload:
    ]


def test_wrong_password_then_english(phone: Page, server: LiveServer) -> None:
    phone.goto("/login")
    expect(heading(phone)).to_have_text("Se connecter")
    # Another demo account, so the failure counts against nobody the other tests log in as.
    phone.get_by_label("E-mail").fill("nadia.lefebvre@astreinte.test")
    phone.get_by_label("Mot de passe").fill("not-her-password")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Se connecter").tap()
    expect(phone.get_by_role("alert")).to_have_text("E-mail ou mot de passe incorrect.")
    expect(phone).to_have_url(server.url + "/login")
    expect(heading(phone)).to_have_text("Se connecter")
    expect(phone.get_by_label("E-mail")).to_have_value("nadia.lefebvre@astreinte.test")
    expect(phone.get_by_label("Mot de passe")).to_have_value("")
    expect(tabbar(phone)).to_have_count(0)

    with phone.expect_navigation():
        phone.get_by_role("link", name="English").tap()
    expect(phone).to_have_url(server.url + "/login")
    expect(phone.locator("html")).to_have_attribute("lang", "en-GB")
    expect(heading(phone)).to_have_text("Log in")
    expect(phone.get_by_label("Password")).to_be_visible()
    expect(phone.get_by_role("button", name="Log in")).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violation(
    make_phone: PhoneFactory, server: LiveServer, scheme: str
) -> None:
    # The app's CSP allows only its own scripts; axe comes in as an inline script tag.
    phone = make_phone(server, color_scheme=scheme, bypass_csp=True)
    assert phone.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")
    found = {}
    phone.goto("/login")
    found["login page"] = serious_violations(phone)
    login(phone, STAFF)
    expect(heading(phone)).to_have_text("Bonjour Julien")
    found["home page"] = serious_violations(phone)
    for path in ("/rest", "/rest/pattern"):
        phone.goto(path)
        found[path] = serious_violations(phone)
    report = "\n".join(
        f"{where} ({scheme}):\n{violations_text(v)}" for where, v in found.items() if v
    )
    assert not report, report


def test_manifest_describes_an_installable_app(phone: Page, server: LiveServer) -> None:
    phone.goto("/login")
    href = phone.locator("link[rel=manifest]").get_attribute("href")
    manifest_url = urljoin(phone.url, href)
    assert manifest_url == server.url + "/manifest.webmanifest"
    response = phone.request.get(manifest_url)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.text())

    assert manifest["name"] == "Astreinte"
    assert manifest["short_name"] == "Astreinte"
    assert manifest["lang"] == "fr"
    assert manifest["display"] == "standalone"
    assert manifest["scope"] == "/"
    start = urljoin(manifest_url, manifest["start_url"])
    assert start.startswith(server.url + "/"), start

    icons = manifest["icons"]
    sizes = {icon["sizes"] for icon in icons}
    assert {"192x192", "512x512"} <= sizes, icons
    assert any("maskable" in icon.get("purpose", "").split() for icon in icons), icons
    for icon in icons:
        answer = phone.request.get(urljoin(manifest_url, icon["src"]))
        assert answer.status == 200, icon
        assert answer.headers["content-type"] == "image/png", (icon, answer.headers)
        assert answer.body().startswith(b"\x89PNG\r\n\x1a\n"), icon


def test_no_serious_accessibility_violation_on_managers_pages(
    make_phone: PhoneFactory, server: LiveServer
) -> None:
    phone = make_phone(server, bypass_csp=True)
    login(phone, MANAGER)
    found = {}
    for path in ("/rest/team", "/rest/policy", "/alerts/policy"):
        phone.goto(path)
        found[path] = serious_violations(phone)
    report = "\n".join(f"{where}:\n{violations_text(v)}" for where, v in found.items() if v)
    assert not report, report
