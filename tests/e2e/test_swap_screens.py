"""Swap screens on a 390 × 844 phone (issue 11, point 9): after Approve or Reject the outcome is
in view and focused, at an address that reloads; the exchange list says each shift's level and
narrows as the person chooses a level or a colleague.

Built from the demo, whatever the hour: Thomas's request for cover of a night at least two days
ahead, which Inès (new, on call nowhere, so every check passes) takes first."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, PhoneFactory
from tests.e2e.helpers import (
    INES,
    INES_PASSWORD,
    MANAGER,
    STAFF,
    login,
    new_colleague,
    wait_for_js,
)

PHONE = {"width": 390, "height": 844}


def in_view(page: Page, selector: str) -> None:
    """The element is focused, and wholly inside the phone's screen."""
    wait_for_js(
        page,
        f"() => document.activeElement?.matches({selector!r})",
        what=f"{selector} to take the focus",
    )
    box = page.locator(selector).bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box


def ines_takes_thomass_request(live: LiveServer, make_phone: PhoneFactory) -> int:
    new_colleague(live)
    ines = make_phone(live)
    ines.set_viewport_size(PHONE)
    login(ines, INES, INES_PASSWORD)
    ines.goto("/swaps")
    request = ines.locator("section[aria-labelledby=offered-title] li").filter(
        has_text="Thomas Petit"
    )
    with ines.expect_navigation():
        request.get_by_role("link", name="Ouvrir").tap()
    swap_id = int(re.search(r"/swaps/(\d+)", ines.url).group(1))
    panel = ines.locator(f"#swap-panel-{swap_id}")
    ines.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    panel.get_by_role("button", name="Je la prends").tap()
    expect(panel.get_by_role("status")).to_have_text(
        "Merci : vous la prenez. Un responsable l’approuve ensuite."
    )
    # Her own step's outcome is where her eye is too.
    in_view(ines, f"#swap-panel-{swap_id} [role=status]")
    return swap_id


@pytest.mark.parametrize(
    ("button", "said", "state"),
    [
        ("Approuver", "Approuvé : le planning est modifié.", "approuvée"),
        ("Refuser", "La demande est refusée.", "refusée"),
    ],
)
def test_after_a_decision_the_outcome_is_in_view_and_focused(
    own_server: LiveServer, make_phone: PhoneFactory, button: str, said: str, state: str
) -> None:
    swap_id = ines_takes_thomass_request(own_server, make_phone)
    claire = make_phone(own_server)
    claire.set_viewport_size(PHONE)
    login(claire, MANAGER)
    claire.goto("/swaps/inbox")
    panel = claire.locator(f"#swap-panel-{swap_id}")
    expect(panel.locator("h2")).to_have_text("attend l’accord")
    # The buttons are at the bottom of a long card: the manager scrolls down to them.
    claire.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    panel.get_by_role("button", name=button, exact=True).tap()
    expect(panel.get_by_role("status")).to_have_text(said)
    expect(panel.locator("h2")).to_have_text(state)
    in_view(claire, f"#swap-panel-{swap_id} [role=status]")
    # The address is a page's: reloading it shows the inbox, not a POST address.
    assert claire.url.endswith("/swaps/inbox"), claire.url
    response = claire.reload()
    assert response is not None and response.status == 200


def test_the_exchange_list_says_levels_and_narrows(
    make_phone: PhoneFactory, server: LiveServer
) -> None:
    julien = make_phone(server)
    julien.set_viewport_size(PHONE)
    login(julien, STAFF)
    julien.goto("/schedule/mine")
    giveable = julien.locator("li.my-shift").filter(
        has=julien.get_by_role("link", name="Échange / remplacement")
    )
    with julien.expect_navigation():
        giveable.last.get_by_role("link", name="Échange / remplacement").tap()
    julien.get_by_label("Échange : je prends en échange une astreinte d’un collègue").check()

    lines = julien.locator("li.exchange-shift")
    count = julien.locator("#exchange-count")
    first = lines.count()
    assert first > 0
    # Not the 26 weeks at once: the next 4, with the way to see later ones.
    expect(julien.locator("#f-x-period")).to_have_value("4w")
    expect(count).to_have_text(f"{first} astreintes correspondent.")
    tags = set(lines.locator(".tag").all_inner_texts())
    assert tags and tags <= {"Astreinte", "Renfort"}, tags
    assert julien.locator("#exchange-list h3").first.inner_text().startswith("Semaine du ")

    # Only backup shifts: htmx narrows the list in place, and the address says so.
    julien.locator("#f-x-level").select_option("secondary")
    expect(lines.locator(".tag").filter(has_text="Astreinte")).to_have_count(0)
    backup = lines.count()
    assert backup < first
    expect(count).to_contain_text(str(backup))
    assert "level=secondary" in julien.url

    # Both levels, one colleague: every line is theirs.
    julien.locator("#f-x-level").select_option("")
    expect(lines).to_have_count(first)
    colleague = julien.locator("#f-x-colleague option").nth(1)
    name = colleague.inner_text()
    julien.locator("#f-x-colleague").select_option(colleague.get_attribute("value"))
    expect(lines.filter(has_not_text=name)).to_have_count(0)
    assert lines.count() < first

    # Later shifts, 4 weeks more.
    later = julien.get_by_role("link", name=re.compile("Voir les astreintes suivantes"))
    if later.count():
        shown = lines.count()
        later.tap()
        expect(julien.locator("#f-x-period")).to_have_value("8w")
        assert lines.count() > shown
