"""An administrator's first steps on a phone (issue 11, point 10): the admin home, a team and a
person created with confirmations that name them, and the invitation's link copied in one tap."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.helpers import (
    ADMIN,
    AXE_JS,
    COLOUR_RULES,
    DEMO_PASSWORD,
    TIMEOUT_MS,
    describe,
    phone_problems,
    run_axe,
)

PHONE = {"width": 390, "height": 844}
WORDS = {
    "fr": {
        "locale": "fr-FR",
        "email": "E-mail",
        "password": "Mot de passe",
        "log in": "Se connecter",
        "home": "Administration",
        "create a team": "Créer une équipe",
        "name": "Nom",
        "create": "Créer",
        "team created": "Équipe « {team} » créée.",
        "add a person": "Ajouter une nouvelle personne",
        "person created": "Compte de {name} créé dans l’équipe « {team} ».",
        "copy": "Copier le lien",
        "copied": "Lien copié.",
        "selected": "Le lien est sélectionné",
    },
    "en": {
        "locale": "en-GB",
        "email": "Email",
        "password": "Password",
        "log in": "Log in",
        "home": "Administration",
        "create a team": "Create a team",
        "name": "Name",
        "create": "Create",
        "team created": "Team “{team}” created.",
        "add a person": "Add a new person",
        "person created": "Account created for {name} in the team “{team}”.",
        "copy": "Copy the link",
        "copied": "Link copied.",
        "selected": "The link is selected",
    },
}


@pytest.fixture
def admin_phone(browser: Browser, server: LiveServer, request) -> Iterator[tuple[Page, str]]:
    """A 390×844 phone in the language asked for, and that language."""
    words = WORDS[request.param]
    context = browser.new_context(
        base_url=server.url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale=words["locale"],
        # Pages as the server sends them; the clipboard as a phone lets a tapped button use it.
        service_workers="block",
        permissions=["clipboard-read", "clipboard-write"],
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(path=str(AXE_JS))
    yield context.new_page(), request.param
    context.close()


def assert_accessible(page: Page, where: str) -> None:
    page.emulate_media(color_scheme="light")
    report = describe(f"{where}, light", run_axe(page)) + phone_problems(where, page)
    page.emulate_media(color_scheme="dark")
    report += describe(f"{where}, dark", run_axe(page, COLOUR_RULES))
    page.emulate_media(color_scheme="light")
    assert not report, "\n".join(report)


@pytest.mark.parametrize("admin_phone", ["fr", "en"], indirect=True)
def test_an_admin_sets_up_a_team_and_invites_someone_from_a_phone(
    admin_phone: tuple[Page, str],
) -> None:
    phone, language = admin_phone
    words = WORDS[language]
    team = f"Réseau {uuid.uuid4().hex[:6]}"
    person = "Inès Garcia"

    phone.goto("/login")
    phone.get_by_label(words["email"]).fill(ADMIN)
    phone.get_by_label(words["password"]).fill(DEMO_PASSWORD)
    phone.get_by_role("button", name=words["log in"]).click()
    # The admin lands on the company's home, not on a staff page.
    phone.wait_for_url(re.compile(r"/admin$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(words["home"])
    expect(phone.locator("#teams")).to_contain_text("Maintenance des bâtiments")
    assert_accessible(phone, "admin home")

    phone.get_by_role("link", name=words["create a team"]).click()
    phone.get_by_label(words["name"], exact=True).fill(team)
    phone.get_by_role("button", name=words["create"], exact=True).click()
    created = phone.locator("#created")
    expect(created).to_contain_text(words["team created"].format(team=team))
    expect(created).to_be_in_viewport()
    assert_accessible(phone, "team created")

    phone.get_by_role("link", name=words["add a person"]).click()
    # The new team is chosen already.
    expect(phone.locator("#f-team_id option:checked")).to_have_text(team)
    phone.get_by_label(words["name"], exact=True).fill(person)
    phone.get_by_label(words["email"], exact=True).fill(f"ines.{uuid.uuid4().hex[:8]}@example.fr")
    phone.get_by_role("button", name=words["create"], exact=True).click()
    expect(phone.locator("#created")).to_contain_text(
        words["person created"].format(name=person, team=team)
    )

    # The link is there in full, wrapped inside the screen.
    shown = phone.locator("#invite-link")
    link = shown.inner_text().strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/invite/[\w-]{40,}", link), link
    box = shown.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert phone.evaluate("document.documentElement.scrollWidth <= innerWidth")
    # Share only where the browser has the Web Share API.
    share = phone.get_by_role("button", name=re.compile("Partager|Share"))
    if phone.evaluate("'share' in navigator"):
        expect(share).to_be_visible()
    else:
        expect(share).to_be_hidden()
    assert_accessible(phone, "invitation")

    phone.get_by_role("button", name=words["copy"]).click()
    expect(phone.locator("#copy-status")).to_have_text(words["copied"])
    assert phone.evaluate("navigator.clipboard.readText()") == link

    # Where the clipboard cannot be used, the tap selects the whole link to copy by hand.
    phone.evaluate("Object.defineProperty(navigator, 'clipboard', { value: undefined })")
    phone.get_by_role("button", name=words["copy"]).click()
    expect(phone.locator("#copy-status")).to_contain_text(words["selected"])
    assert phone.evaluate("getSelection().toString().trim()") == link

    # The address is the person's page: a reload opens it rather than sending the form again.
    assert re.search(r"/people/\d+$", phone.url), phone.url
    response = phone.reload()
    assert response is not None and response.status == 200
    expect(phone.get_by_role("heading", level=1)).to_have_text(person)

    # The newcomer's link works.
    newcomer = phone.context.browser.new_context(base_url=phone.url, locale=words["locale"])
    try:
        welcome = newcomer.new_page()
        assert welcome.goto(link).status == 200
        expect(welcome.get_by_role("heading", level=1)).to_contain_text(person)
    finally:
        newcomer.close()
