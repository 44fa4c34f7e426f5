"""Three people on three phones: Julien's child is sick on the night of his next shift. He asks
his team for cover, Inès takes it, and Claire, their manager, approves from the notification on
her phone (its Approve button, the app closed); then all three see the new schedule.

Claire's phone is a normal Chromium profile whose notifications are shown and tapped through a
small notification server on a private D-Bus, and pushes reach its service worker through
DevTools, as in test_push.py (which explains why)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveServer, PhoneFactory
from tests.e2e.helpers import (
    INES,
    INES_PASSWORD,
    MAINTENANCE,
    MANAGER,
    STAFF,
    login,
    new_colleague,
    serious_violations,
    violations_text,
)
from tests.e2e.test_push import (
    Desktop,
    PushDelivery,
    PushService,
    notified_phone,
    page_notifications,
    turn_alerts_on,
    use_push_service,
    wait_for_service_worker,
    wait_until,
)

TO_APPROVE, APPROVE, OPEN, APPROVED = "Échange à approuver", "Approuver", "Ouvrir", "Approuvé"


@pytest.fixture
def pushes() -> Iterator[PushService]:
    service = PushService()
    yield service
    service.close()


@pytest.fixture
def claires_phone(browser: Browser, own_server: LiveServer) -> Iterator[Desktop]:
    with notified_phone(browser, own_server, "astreinte-e2e-swaps-") as phone:
        yield phone


def claire_with_alerts_on(
    live: LiveServer, pushes: PushService, phone: Desktop
) -> tuple[Page, PushDelivery]:
    """Claire, the manager, logged in on her phone with alerts turned on for it."""
    context = phone.context
    context.grant_permissions(["notifications"], origin=live.url)
    use_push_service(context, pushes.subscription("claire"))
    claire = context.pages[0] if context.pages else context.new_page()
    login(claire, MANAGER)
    claire.goto("/settings")
    wait_for_service_worker(claire)
    turn_alerts_on(claire, "Activer les alertes sur cet appareil")
    return claire, PushDelivery(claire, live)


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def pushed(service: PushService, kind: str) -> dict:
    """The first push of a kind the server sent (decrypted as the phone would)."""

    def find() -> dict | None:
        for push in list(service.pushes):
            message = json.loads(service.decrypt(push))
            if message["type"] == kind:
                return message
        return None

    return wait_until(find, f"a {kind} push")


def test_cover_asked_taken_and_approved_from_the_notification(
    own_server: LiveServer, make_phone: PhoneFactory, pushes: PushService, claires_phone: Desktop
) -> None:
    live = own_server
    new_colleague(live)

    # Claire, the manager, has turned alerts on for her phone.
    shown = claires_phone.notifications
    claire, delivery = claire_with_alerts_on(live, pushes, claires_phone)

    # 1. Julien asks for cover of his next night, from the shift, open to the team.
    julien = make_phone(live)
    login(julien, STAFF)
    julien.goto("/schedule/mine")
    # The first he can give away: on a Monday before 08:00 the demo's shift under way is his.
    next_shift = (
        julien.locator("li.my-shift")
        .filter(has=julien.get_by_role("link", name="Échange / remplacement"))
        .first
    )
    when = next_shift.locator("strong").first.inner_text()
    next_shift.get_by_role("link", name="Échange / remplacement").tap()
    expect(heading(julien)).to_have_text("Demander un échange ou un remplacement")
    day = julien.get_by_label("Du", exact=True).input_value()[:10]
    expect(julien.get_by_label("Remplacement : un collègue reprend mon astreinte")).to_be_checked()
    expect(julien.get_by_label("Toute l’astreinte")).to_be_checked()
    expect(julien.get_by_label("Demander à")).to_have_value("team")
    julien.get_by_label("Un mot pour vos collègues").fill("Ma fille est malade cette nuit-là.")
    with julien.expect_navigation():
        julien.get_by_role("button", name="Envoyer la demande").tap()
    expect(julien.get_by_role("status")).to_have_text("Votre demande est envoyée à vos collègues.")
    swap_id = int(re.search(r"/swaps/(\d+)", julien.url).group(1))
    expect(julien.locator(f"#swap-panel-{swap_id} h2")).to_have_text("attend un collègue")

    # 2. Inès finds it among her team's open requests, reads the checks, and takes it.
    ines = make_phone(live)
    login(ines, INES, INES_PASSWORD)
    ines.goto("/swaps")
    offered = ines.locator("section[aria-labelledby=offered-title]")
    request = offered.locator("li").filter(has_text="Julien Moreau")
    expect(request).to_have_count(1)
    expect(request).to_contain_text(when)
    with ines.expect_navigation():
        request.get_by_role("link", name="Ouvrir").tap()
    panel = ines.locator(f"#swap-panel-{swap_id}")
    expect(panel).to_contain_text("Ma fille est malade cette nuit-là.")
    expect(panel).to_contain_text("Toutes les vérifications sont passées.")
    expect(panel).to_contain_text("Entre collègues : Inès Garcia consent en demandant")
    panel.get_by_role("button", name="Je la prends").tap()
    expect(panel.get_by_role("status")).to_have_text(
        "Merci : vous la prenez. Un responsable l’approuve ensuite."
    )
    expect(panel.locator("h2")).to_have_text("attend l’accord")

    # 3. The server pushes "swap to approve" to Claire; her phone shows it with two buttons.
    message = pushed(pushes, "swap_to_approve")
    assert message["title"] == TO_APPROVE
    assert "Inès Garcia reprend l’astreinte de Julien Moreau" in message["body"]
    assert message["url"] == f"/swaps/{swap_id}"
    claire.goto("/")
    expect(claire.get_by_role("link", name="Échanges à approuver : 1")).to_be_visible()
    delivery.deliver(json.dumps(message))
    notification = shown.wait(
        claire,
        lambda items: next((i for i in items if i.summary == TO_APPROVE), None),
        "the notification to approve",
    )
    assert message["body"] in notification.body
    assert {APPROVE, OPEN} <= set(notification.actions.values()), notification

    # 4. The app closed, Claire taps Approve: the service worker approves with the token alone.
    claire.goto("about:blank")
    log_mark = len(live.log)
    shown.tap(notification, APPROVE)
    done = shown.wait(
        claire,
        lambda items: next((i for i in items if i.summary == APPROVED), None),
        "the approved notice",
    )
    assert done.body.endswith(TO_APPROVE), done
    answers = [s for _m, p, s in live.requests(since=log_mark) if p == "/api/v1/swaps/approve"]
    assert answers == [200], live.log[log_mark:]

    # 5. All three see the new schedule.
    julien.goto("/schedule/mine")
    expect(heading(julien)).to_have_text("Mes astreintes")
    expect(julien.locator("li.my-shift").filter(has_text=when)).to_have_count(0)
    ines.goto("/schedule/mine")
    taken = ines.locator("li.my-shift").filter(has_text=when)
    expect(taken).to_have_count(1)
    expect(taken.locator(".tag")).to_have_text("acceptée")
    claire.goto(f"/schedule?team={MAINTENANCE}&start={day}")
    expect(claire.locator(f"section[aria-labelledby=d-{day}]")).to_contain_text("Inès Garcia")
    claire.goto(f"/swaps/{swap_id}")
    expect(claire.locator(f"#swap-panel-{swap_id} h2")).to_have_text("approuvée")
    expect(claire.locator(f"#swap-panel-{swap_id}")).to_contain_text("Décidé par Claire Martin")
    expect(claire.get_by_role("link", name="Échanges à approuver : 0")).to_be_visible()
    # Julien and Inès were told by a notification in the app too.
    julien.goto("/notifications")
    expect(julien.locator("main")).to_contain_text("Échange approuvé")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_swap_pages_have_no_serious_accessibility_violation(
    make_phone: PhoneFactory, server: LiveServer, scheme: str
) -> None:
    # The demo holds Thomas's request for cover: Claire sees it, its shift, the form and the
    # team's qualifications.
    phone = make_phone(server, color_scheme=scheme, bypass_csp=True)
    login(phone, MANAGER)
    phone.goto("/swaps")
    request = phone.locator("section[aria-labelledby=offered-title] li").filter(
        has_text="Thomas Petit"
    )
    href = request.get_by_role("link", name="Ouvrir").get_attribute("href")
    phone.goto(href)
    shift = phone.get_by_role("link", name="Historique de l’astreinte").get_attribute("href")
    found = {}
    for path in ("/swaps", href, shift, "/swaps/inbox", f"/qualifications/team?team={MAINTENANCE}"):
        phone.goto(path)
        found[path] = serious_violations(phone)
    phone.goto("/schedule/mine")
    phone.locator("li.my-shift").last.get_by_role("link", name="Échange / remplacement").tap()
    expect(heading(phone)).to_have_text("Demander un échange ou un remplacement")
    found["the request form"] = serious_violations(phone)
    report = "\n".join(
        f"{where} ({scheme}):\n{violations_text(v)}" for where, v in found.items() if v
    )
    assert not report, report


def push_for(service: PushService, swap_id: int) -> dict:
    """The manager's "to approve" push of one request (decrypted as the phone would)."""

    def find() -> dict | None:
        for push in list(service.pushes):
            message = json.loads(service.decrypt(push))
            if message["type"] == "swap_to_approve" and message["url"] == f"/swaps/{swap_id}":
                return message
        return None

    return wait_until(find, f"the push of request {swap_id}")


def ask_for_cover(julien: Page, shift) -> int:
    """Julien asks his team to cover a shift of his list, whole."""
    shift.get_by_role("link", name="Échange / remplacement").tap()
    expect(heading(julien)).to_have_text("Demander un échange ou un remplacement")
    with julien.expect_navigation():
        julien.get_by_role("button", name="Envoyer la demande").tap()
    expect(julien.get_by_role("status")).to_have_text("Votre demande est envoyée à vos collègues.")
    return int(re.search(r"/swaps/(\d+)", julien.url).group(1))


def take(ines: Page, swap_id: int) -> None:
    ines.goto(f"/swaps/{swap_id}")
    panel = ines.locator(f"#swap-panel-{swap_id}")
    panel.get_by_role("button", name="Je la prends").tap()
    expect(panel.locator("h2")).to_have_text("attend l’accord")


def test_approve_is_offered_only_when_it_can_succeed_and_a_refusal_opens_the_request(
    own_server: LiveServer, make_phone: PhoneFactory, pushes: PushService, claires_phone: Desktop
) -> None:
    """Approve from the notification carries no reason: a request whose checks warn reaches
    Claire's phone without the button, saying why; and when a warning appears after the push
    (Inès reports her fatigue), the button's refusal opens the request, where the reason is
    asked. The state is built here (a report made now): nothing hangs on the wall clock."""
    live = own_server
    new_colleague(live)
    context, shown = claires_phone.context, claires_phone.notifications
    claire, delivery = claire_with_alerts_on(live, pushes, claires_phone)

    # Julien asks cover for two of his coming shifts (the third and fourth he can still give
    # away: a day or more from now, so neither starts while the test runs).
    julien = make_phone(live)
    login(julien, STAFF)
    julien.goto("/schedule/mine")
    giveable = julien.locator("li.my-shift").filter(
        has=julien.get_by_role("link", name="Échange / remplacement")
    )
    first = ask_for_cover(julien, giveable.nth(2))
    julien.goto("/schedule/mine")
    second = ask_for_cover(julien, giveable.nth(3))

    # 1. Inès takes the first with every check passed: the push has Approve.
    ines = make_phone(live)
    login(ines, INES, INES_PASSWORD)
    take(ines, first)
    message = push_for(pushes, first)
    assert message["title"] == TO_APPROVE and message["ack_token"], message
    delivery.deliver(json.dumps(message))
    notification = shown.wait(
        claire,
        lambda items: next((i for i in items if i.summary == TO_APPROVE), None),
        "the notification to approve",
    )
    assert {APPROVE, OPEN} <= set(notification.actions.values()), notification

    # 2. Before Claire taps it, Inès reports she is fighting sleep (8 out of 9).
    ines.goto("/rest")
    ines.locator("#fatigue-card button.kss-8").tap()
    expect(ines.locator("#fatigue-card").get_by_role("status")).to_contain_text("8")
    fatigue = "Inès Garcia a déclaré une fatigue de 8 sur 9"

    # 3. The app closed, Claire taps Approve: refused (a reason is needed), nothing changes,
    # and her phone opens the request, which says why and asks the reason.
    claire.goto("about:blank")
    log_mark = len(live.log)
    with context.expect_page() as opened:
        shown.tap(notification, APPROVE)
    request_page = opened.value
    expect(request_page).to_have_url(live.url + f"/swaps/{first}")
    answers = [s for _m, p, s in live.requests(since=log_mark) if p == "/api/v1/swaps/approve"]
    assert answers == [422], live.log[log_mark:]
    panel = request_page.locator(f"#swap-panel-{first}")
    expect(panel.locator("h2")).to_have_text("attend l’accord")
    expect(panel).to_contain_text(fatigue)
    expect(panel.get_by_label("Raison d’approuver malgré les avertissements")).to_be_visible()
    assert not [i for i in shown.visible() if i.summary == APPROVED]

    # 4. Inès takes the second, tired: the push has no Approve, and its text names the warning.
    take(ines, second)
    warned = push_for(pushes, second)
    assert warned["ack_token"] is None, warned
    assert warned["title"] == "Échange à examiner"
    assert fatigue in warned["body"]
    delivery.deliver(json.dumps(warned))
    review = shown.wait(
        request_page,
        lambda items: next((i for i in items if i.summary == "Échange à examiner"), None),
        "the notification to review",
    )
    assert APPROVE not in review.actions.values() and OPEN in review.actions.values(), review
    assert fatigue in review.body, review
    (as_shown,) = [
        n for n in page_notifications(request_page) if n["data"]["url"] == f"/swaps/{second}"
    ]
    assert as_shown["actions"] == [{"action": "open", "title": OPEN}]
    assert fatigue in as_shown["body"]

    # 5. Its tap opens the request, where Claire approves with a reason.
    with request_page.expect_navigation(url=f"**/swaps/{second}"):
        shown.tap(review)
    panel = request_page.locator(f"#swap-panel-{second}")
    expect(panel).to_contain_text(fatigue)
    panel.get_by_label("Raison d’approuver malgré les avertissements").fill("Elle a dormi depuis.")
    panel.get_by_role("button", name=APPROVE).tap()
    expect(panel.locator("h2")).to_have_text("approuvée")
