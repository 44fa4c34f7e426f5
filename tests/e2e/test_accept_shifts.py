"""On a phone, a person accepts her shifts (one with htmx, then all), and on another phone the
manager sees them leave her to-do list."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import LiveServer, PhoneFactory
from tests.e2e.helpers import MANAGER, login

# In the demo company Nadia leaves her coming shifts unanswered; Claire manages her team.
NADIA = "nadia.lefebvre@astreinte.test"
ACCEPT_PATH = re.compile(r"^/schedule/shifts/(\d+)/accept$")


def todo(page: Page) -> Locator:
    return page.locator("section[aria-labelledby=todo-title]")


def todo_count(page: Page) -> int:
    """The number the manager reads next to "À traiter"."""
    return int(todo(page).locator("h2 .tag").inner_text())


def test_nadia_accepts_her_shifts_and_her_manager_sees_it(
    make_phone: PhoneFactory, server: LiveServer
) -> None:
    claire = make_phone(server)
    login(claire, MANAGER)
    claire.goto("/schedule/manage")
    expect(claire.get_by_role("heading", level=1)).to_have_text("Gérer le planning")
    before = todo_count(claire)
    expect(todo(claire).locator("li")).to_have_count(before)
    nadia_runs = todo(claire).locator("li").filter(has_text="Nadia Lefebvre").count()
    assert nadia_runs > 0, todo(claire).inner_text()

    nadia = make_phone(server)
    login(nadia, NADIA)
    with nadia.expect_navigation():
        nadia.get_by_role("link", name="Mes astreintes", exact=True).first.tap()
    expect(nadia).to_have_url(server.url + "/schedule/mine")
    expect(nadia.get_by_role("heading", level=1)).to_have_text("Mes astreintes")
    rows = nadia.locator("li.my-shift")
    waiting = rows.filter(has=nadia.get_by_role("button", name="Accepter", exact=True))
    pending = waiting.count()
    assert pending >= 2, rows.all_inner_texts()
    expect(nadia.get_by_text(f"{pending} astreintes attendent votre réponse.")).to_be_visible()

    # One shift, with its own button: htmx swaps the row, the page stays.
    first = waiting.first
    row_id = first.get_attribute("id")
    shift_id = row_id.removeprefix("shift-")
    page_url = nadia.url
    nadia.evaluate("window.astreinteTestMarker = 'still the same page'")
    log_mark = len(server.log)
    first.get_by_role("button", name="Accepter", exact=True).tap()
    row = nadia.locator(f"#{row_id}")
    expect(row.locator(".tag")).to_have_text("acceptée")
    expect(row.get_by_role("button")).to_have_count(0)
    expect(row.get_by_role("link", name="Refuser")).to_have_count(0)
    assert nadia.url == page_url
    assert nadia.evaluate("window.astreinteTestMarker") == "still the same page"
    seen = server.requests(since=log_mark)
    assert ("POST", f"/schedule/shifts/{shift_id}/accept", 200) in seen, seen
    assert not any(path.startswith("/schedule/mine") for _m, path, _s in seen), seen
    expect(waiting).to_have_count(pending - 1)

    # Then all the others at once (a plain form: the page reloads with a thank-you).
    with nadia.expect_navigation():
        nadia.get_by_role("button", name="Tout accepter").tap()
    expect(nadia).to_have_url(server.url + f"/schedule/mine?done=accepted-{pending - 1}")
    expect(nadia.get_by_role("status")).to_have_text("Merci : votre réponse est enregistrée.")
    expect(nadia.get_by_role("button", name="Accepter", exact=True)).to_have_count(0)
    expect(rows.filter(has_text="acceptée")).to_have_count(rows.count())

    # Claire's to-do list no longer holds Nadia; the shift is accepted in the coming shifts.
    claire.reload()
    expect(todo(claire).locator("li").filter(has_text="Nadia Lefebvre")).to_have_count(0)
    assert todo_count(claire) == before - nadia_runs
    coming = claire.locator("section[aria-labelledby=shifts-title]")
    item = coming.locator("li").filter(
        has=claire.locator(f'a[href="/schedule/manage/shifts/{shift_id}"]')
    )
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Nadia Lefebvre")
    expect(item.locator(".tag.ok")).to_have_text("acceptée")
