"""The admin's path (issue 11, point 10): an admin home, creations that say what they made and
what comes next, the invitation made with the person, and sessions named as a person says them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from html.parser import HTMLParser

import pytest

from server.db import Database
from tests.conftest import Client, Company

CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.6 Mobile/15E148 Safari/604.1"
)


class Text(HTMLParser):
    """The words a person reads, in order, with the elements' ids and what `role=status` says."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self.by_id: dict[str, list[str]] = {}
        self.status: list[str] = []
        self._open: list[tuple[str, str | None, bool]] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style", "svg"):
            self._skip += 1
        if tag in ("input", "br", "img", "meta", "link", "hr", "path"):
            return
        attributes = dict(attrs)
        self._open.append((tag, attributes.get("id"), attributes.get("role") == "status"))
        if attributes.get("id"):
            self.by_id.setdefault(attributes["id"], [])
        if attributes.get("role") == "status":
            self.status.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "svg"):
            self._skip -= 1
        while self._open:
            opened, _id, _status = self._open.pop()
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.words.append(data)
        for _tag, element_id, status in self._open:
            if element_id:
                self.by_id[element_id].append(data)
        if any(status for _t, _i, status in self._open):
            self.status[-1] += data

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.words).split())

    def of(self, element_id: str) -> str:
        return " ".join(" ".join(self.by_id.get(element_id, [])).split())

    @property
    def notices(self) -> list[str]:
        return [" ".join(s.split()) for s in self.status if s.strip()]


@pytest.fixture
def browsers(app) -> Iterator[Callable[..., Client]]:
    """Browsers on the app in a language, with a user agent; closed in reverse order."""
    with ExitStack() as stack:

        def open_browser(language: str = "en", user_agent: str = CHROME_ANDROID) -> Client:
            browser = stack.enter_context(Client(app=app, base_url="http://testserver.local"))
            browser.headers["Accept-Language"] = language
            browser.headers["User-Agent"] = user_agent
            return browser

        yield open_browser


# Settings: sessions named as a person says them ---------------------------------------------


@pytest.mark.parametrize(
    ("language", "this_phone", "other_phone", "this_device"),
    [
        ("en", "Chrome on Android", "Safari on iPhone", "this device"),
        ("fr", "Chrome sur Android", "Safari sur iPhone", "cet appareil"),
    ],
)
def test_settings_name_each_session_by_browser_and_system_and_mark_this_one(
    browsers, company: Company, language: str, this_phone: str, other_phone: str, this_device: str
) -> None:
    browsers(language, SAFARI_IPHONE).login("staff.a@test.fr")
    phone = browsers(language, CHROME_ANDROID)
    phone.login("staff.a@test.fr")
    page = Text(phone.get("/settings").text)
    sessions = page.of("sessions")
    assert f"{this_phone} {this_device}" in sessions
    assert other_phone in sessions
    assert f"{other_phone} {this_device}" not in sessions
    assert "Mozilla" not in page.text
