"""A refused override on a phone: the error shows in its card, in view and focused, with what
the manager typed (issue 11, point 2)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, PhoneFactory
from tests.e2e.helpers import MANAGER, login, wait_for_js

PHONE = {"width": 390, "height": 844}


def test_a_refused_override_shows_its_error_in_view_with_what_was_typed(
    make_phone: PhoneFactory, server: LiveServer
) -> None:
    phone = make_phone(server)
    phone.set_viewport_size(PHONE)
    login(phone, MANAGER)
    phone.goto("/schedule/manage")
    # The publish card's live preview still loads (its request moved off the form htmx posts).
    expect(phone.locator("#publish-preview .notice").first).to_be_visible()
    card = phone.locator("#override-card")
    # Three days ahead, whatever today is: shorter notice than the rule, and the box is left
    # unticked, so the override is refused.
    day = datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=3)
    starts, ends = f"{day.isoformat()}T20:00", f"{day.isoformat()}T23:00"
    person = card.locator("#f-user_id")
    chosen = person.locator("option").nth(1).get_attribute("value")
    person.select_option(chosen)
    card.locator("#f-layer").select_option("secondary")
    card.locator("#f-starts_at").fill(starts)
    card.locator("#f-ends_at").fill(ends)
    card.locator("#f-o-reason").fill("Formation")
    card.locator("form").first.locator("button[type=submit]").click()

    alert = phone.locator("#override-card [role=alert]")
    alert.wait_for()
    assert "circonstances exceptionnelles" in alert.inner_text()
    wait_for_js(
        phone,
        "() => document.activeElement?.matches('#override-card [role=alert]')",
        what="the error to take the focus",
    )
    box = alert.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    # What was typed is still there.
    assert card.locator("#f-user_id").input_value() == chosen
    assert card.locator("#f-layer").input_value() == "secondary"
    assert card.locator("#f-starts_at").input_value() == starts
    assert card.locator("#f-ends_at").input_value() == ends
    assert card.locator("#f-o-reason").input_value() == "Formation"
    # The address still reloads to the page.
    assert phone.url.endswith("/schedule/manage")
    response = phone.reload()
    assert response is not None and response.status == 200
