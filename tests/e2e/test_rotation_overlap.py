"""A second rotation on a level that has one, on a phone (issue 11, point 1): the overlap card
comes in place of the form's feedback, in view and focused, with what was typed kept, and a
choice saves everything and leads to the manage page."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, PhoneFactory
from tests.e2e.helpers import MANAGER, login, wait_for_js

PHONE = {"width": 390, "height": 844}


def test_a_second_rotation_on_the_same_level_asks_what_becomes_of_the_first(
    make_phone: PhoneFactory, server: LiveServer
) -> None:
    phone = make_phone(server)
    phone.set_viewport_size(PHONE)
    login(phone, MANAGER)
    phone.goto("/schedule/manage")
    phone.locator("a[href^='/schedule/manage/rotations/new']").first.click()
    phone.locator("#f-name").fill("Nouvelle astreinte")
    orders = phone.locator("input[name^='order_']")
    orders.nth(0).fill("1")
    orders.nth(1).fill("2")
    phone.locator("form button[type=submit]:not([name])").first.click()

    card = phone.locator("#rotation-feedback section.overlap")
    card.wait_for()
    assert "chevauche une autre rotation du même niveau" in card.inner_text()
    assert "Astreinte hebdomadaire" in card.inner_text()
    wait_for_js(
        phone,
        "() => document.activeElement?.id === 'overlap-title'",
        what="the overlap card to take the focus",
    )
    title = phone.locator("#overlap-title").bounding_box()
    assert title is not None and 0 <= title["y"] <= PHONE["height"], title
    # htmx swapped the card alone: what was typed is still in the form.
    assert phone.locator("#f-name").input_value() == "Nouvelle astreinte"
    assert orders.nth(1).input_value() == "2"

    card.locator("button[value=end]").click()
    phone.wait_for_url("**/schedule/manage?team=*")
    rotations = phone.locator("#rotations-title").locator("xpath=..")
    expect(rotations).to_contain_text("Nouvelle astreinte")
    expect(rotations).to_contain_text("Astreinte hebdomadaire")
