"""A new release reaches the phone: the waiting worker offers "reload to update", and one tap
brings the new shell, its old caches gone."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, PhoneFactory
from tests.e2e.helpers import STAFF, login, wait_for_js, wait_for_service_worker


def test_a_new_version_offers_a_reload_and_takes_over(
    make_phone: PhoneFactory, own_server: LiveServer
) -> None:
    own_server.stop()
    own_server.extra_env = {"ASTREINTE_RELEASE": "one"}
    own_server.start()
    phone = make_phone(own_server)
    login(phone, STAFF)
    wait_for_service_worker(phone)
    phone.reload()
    old_version = phone.evaluate("document.body.dataset.version")
    banner = phone.locator("#update-banner")
    expect(banner).to_be_hidden()

    own_server.stop()
    own_server.extra_env = {"ASTREINTE_RELEASE": "two"}
    own_server.start()
    # The next visit finds a new worker: it installs and waits while the old one serves.
    phone.reload()
    expect(banner).to_be_visible(timeout=15_000)
    expect(banner).to_contain_text("Une nouvelle version d’Astreinte est prête.")

    with phone.expect_navigation():
        banner.get_by_role("button", name="Recharger").tap()
    new_version = phone.evaluate("document.body.dataset.version")
    assert new_version != old_version
    wait_for_js(
        phone,
        "async (name) => (await caches.keys()).includes(name)",
        f"astreinte-shell-{new_version}",
        what="the new version's cache",
    )
    names = phone.evaluate("caches.keys()")
    assert f"astreinte-shell-{old_version}" not in names, names
    controller = phone.evaluate("navigator.serviceWorker.controller.scriptURL")
    assert controller.endswith("/sw.js")
    expect(phone.locator("#update-banner")).to_be_hidden()
