"""The navigation's counts come from the domain that registered them, never from SQL in the
shared HTML layer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from server import badges
from server.web import template_config

NOW = datetime(2026, 12, 7, 21, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(badges, "_COUNTERS", {})
    monkeypatch.setattr(badges, "_CHANGES", {})


def request_of(user: object) -> SimpleNamespace:
    state = SimpleNamespace(database="db", clock=SimpleNamespace(now=lambda: NOW))
    return SimpleNamespace(scope={"user": user}, app=SimpleNamespace(state=state))


def test_the_page_frame_shows_what_the_domain_counts_for_the_person() -> None:
    seen = []

    def open_alerts(database: object, user: SimpleNamespace, now: datetime) -> int:
        seen.append((database, user.id, now))
        return 4

    badges.register_badge("open_alerts", open_alerts)
    engine = template_config("v1").engine_instance.engine
    shown = engine.from_string("{{ open_alert_count(request) }}/{{ unread_count(request) }}")
    # Nothing registered the unread count: the frame shows 0, it does not fail.
    assert shown.render(request=request_of(SimpleNamespace(id=7))) == "4/0"
    assert seen == [("db", 7, NOW)]
    # A visitor who is not logged in costs no count.
    assert shown.render(request=request_of(None)) == "0/0"
    assert len(seen) == 1


def test_a_kept_page_holds_until_the_first_count_changes_on_its_own() -> None:
    """A count that drops with no write (a swap request expiring) says when; the kept pages'
    frame (server/page_cache.py) holds until the earliest, and for ever as far as counts go
    when none will."""
    person = SimpleNamespace(id=7)
    badges.register_badge("unread_notifications", lambda db, user, now: 2)
    assert badges.badges_change_at("db", person, NOW) is None
    expiry = NOW + timedelta(minutes=40)
    badges.register_badge("swaps_to_approve", lambda db, user, now: 1, lambda db, user, now: expiry)
    badges.register_badge("open_alerts", lambda db, user, now: 0, lambda db, user, now: None)
    assert badges.badges_change_at("db", person, NOW) == expiry
    # Registered again without a time: that count no longer turns the page.
    badges.register_badge("swaps_to_approve", lambda db, user, now: 1)
    assert badges.badges_change_at("db", person, NOW) is None
