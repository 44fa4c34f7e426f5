"""Every page the service worker serves from its cache says it is a saved copy, and from when:
"Copie enregistrée à 03:12 — hors ligne". Online, pages come from the server and say nothing.

"Offline" is the real server stopped: its port refuses connections and its access log stays
still, so each page shown really came from the phone's cache."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, PhoneFactory
from tests.e2e.helpers import (
    STAFF,
    login,
    port_refuses,
    raise_alert,
    wait_for_service_worker,
    wait_until_cached,
)

PARIS = ZoneInfo("Europe/Paris")
SAVED_TODAY = re.compile(r"^Copie enregistrée à (\d\d:\d\d) — hors ligne$")
# An older copy names its day: "Copie enregistrée le mar. 1 déc. à 03:12 — hors ligne".
SAVED_EARLIER = re.compile(r"^Copie enregistrée le (\S+ \d+ \S+) à (\d\d:\d\d) — hors ligne$")


def minutes_between(start: datetime, end: datetime) -> set[str]:
    """Each wall-clock minute in Paris from start to end, as the banner writes it. Counted in
    UTC: Paris's own arithmetic and comparisons go by the wall clock, which runs back an hour
    on the night the clocks go back."""
    moment = start.astimezone(UTC).replace(second=0, microsecond=0)
    found = set()
    while moment <= end:
        found.add(moment.astimezone(PARIS).strftime("%H:%M"))
        moment += timedelta(minutes=1)
    return found


def test_every_page_from_the_cache_says_it_is_a_saved_copy_and_from_when(
    make_phone: PhoneFactory, own_server: LiveServer
) -> None:
    phone = make_phone(own_server, timezone_id="Europe/Paris")
    login(phone, STAFF)
    wait_for_service_worker(phone)
    alert = raise_alert(phone, "Porte du parking bloquée")
    pages = {"/": "Bonjour Julien", "/schedule": "Planning", alert: "Porte du parking bloquée"}

    banner = phone.locator("#cached-banner")
    visited_from = datetime.now(PARIS)
    for path, heading in pages.items():
        phone.goto(path)
        expect(phone.get_by_role("heading", level=1)).to_have_text(heading)
        expect(banner).to_be_hidden()  # fresh from the server: nothing to say
    wait_until_cached(phone, list(pages))
    visited_until = datetime.now(PARIS)
    saved_at = minutes_between(visited_from, visited_until)

    own_server.stop()
    assert port_refuses(own_server.port), "the server still answers after stop()"
    mark = len(own_server.log)
    for path, heading in pages.items():
        phone.goto(path)
        expect(phone.get_by_role("heading", level=1)).to_have_text(heading)
        expect(banner).to_be_visible()
        match = SAVED_TODAY.match(banner.inner_text())
        assert match, banner.inner_text()
        assert match[1] in saved_at, (match[1], saved_at)
        expect(phone.locator("#offline-banner")).to_be_hidden()  # one banner says it
        # Pulled down again, still offline: the same copy, the same words.
        phone.reload()
        expect(banner).to_have_text(match[0])
    assert port_refuses(own_server.port)
    assert len(own_server.log) == mark, own_server.log[mark:]

    # Two days later, still without a network: the copy names its day too.
    phone.clock.install(time=datetime.now(PARIS) + timedelta(days=2))
    phone.goto("/schedule")
    expect(banner).to_have_text(SAVED_EARLIER)
    day, time = SAVED_EARLIER.match(banner.inner_text()).groups()
    assert time in saved_at, (time, saved_at)
    assert day.startswith(("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")), day

    own_server.start()
    for path, heading in pages.items():
        phone.goto(path)
        expect(phone.get_by_role("heading", level=1)).to_have_text(heading)
        expect(banner).to_be_hidden()
    assert ("GET", alert, 200) in own_server.requests(since=mark)
