"""Every page a person can open, on a 360×640 phone: no serious or critical axe-core violation
(light, and dark for colour contrast), nothing wider than the screen, touch targets of 44 px,
a visible focus ring.

One browser; one logged-in phone per role, kept for the whole module; ids come from the demo
company by following the links a person would tap, never hard-coded.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.helpers import (
    ADMIN,
    AXE_JS,
    COLOUR_RULES,
    MANAGER,
    PHONE,
    TIMEOUT_MS,
    describe,
    login,
    phone_problems,
    run_axe,
)

# Nadia rather than Julien: she has an intervention, unanswered shifts and a sleepy night,
# so her pages show the most (decline buttons, fatigue, a report).
STAFF = "nadia.lefebvre@astreinte.test"
LOGINS = {"staff": STAFF, "manager": MANAGER, "admin": ADMIN, "visitor": None}


class RolePhones:
    """One phone (context and page) per role, logged in on first use."""

    def __init__(self, browser: Browser, live: LiveServer) -> None:
        self.browser = browser
        self.live = live
        self._contexts: dict[str, BrowserContext] = {}

    def page(self, role: str) -> Page:
        if role not in self._contexts:
            context = self.browser.new_context(
                base_url=self.live.url,
                **PHONE,
                # Pages as the server sends them, not answers from the service worker's cache.
                service_workers="block",
            )
            context.set_default_timeout(TIMEOUT_MS)
            # Injected by the browser itself, so the app's CSP stays on while axe runs.
            context.add_init_script(path=str(AXE_JS))
            page = context.new_page()
            if LOGINS[role]:
                login(page, LOGINS[role])
            self._contexts[role] = context
        return self._contexts[role].pages[0]

    def close(self) -> None:
        for context in self._contexts.values():
            with contextlib.suppress(Exception):
                context.close()


@pytest.fixture(scope="module")
def role_phones(browser: Browser, server: LiveServer) -> Iterator[RolePhones]:
    found = RolePhones(browser, server)
    yield found
    found.close()


# How a page is reached: it leaves `page` on it and returns the HTTP status.
Opener = Callable[[Page, RolePhones], int]


def path(where: str) -> Opener:
    def open_(page: Page, _phones: RolePhones) -> int:
        return page.goto(where).status

    return open_


def link(start: str, *patterns: str) -> Opener:
    """Open `start`, then in turn the first link of the page (in <main>) whose address matches
    each pattern: the ids are the demo's real ones, found as a person would."""

    def open_(page: Page, _phones: RolePhones) -> int:
        status = page.goto(start).status
        for pattern in patterns:
            hrefs = page.locator("main a[href]").evaluate_all(
                "links => links.map(a => a.getAttribute('href'))"
            )
            href = next((h for h in hrefs if re.fullmatch(pattern, h)), None)
            assert href, f"no link matching {pattern} on {page.url}: {hrefs}"
            status = page.goto(href).status
        return status

    return open_


def failed_login(page: Page, _phones: RolePhones) -> int:
    """The login page saying the e-mail or password is wrong (an unknown address: no lock-out)."""
    page.goto("/login")
    page.get_by_label("E-mail").fill("nobody@astreinte.test")
    page.get_by_label("Mot de passe").fill("not-the-password")
    with page.expect_navigation() as answer:
        page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("alert").wait_for()
    return answer.value.status


def raise_alert(page: Page, _phones: RolePhones) -> int:
    """The page of a new alert, raised through the form as a dispatcher would."""
    page.goto("/alerts/new")
    page.get_by_label("Que se passe-t-il").fill("Fuite d'eau au 2e étage")
    with page.expect_navigation() as answer:
        page.get_by_role("button", name="Alerter la personne d’astreinte").click()
    assert re.search(r"/alerts/\d+$", page.url), page.url
    return answer.value.status


def invitation_link(page: Page, _phones: RolePhones) -> int:
    """The QR code and link a manager shows a new colleague: creating the person shows it."""
    page.goto("/people/new")
    page.get_by_label("Nom").fill("Inès Garcia")
    page.get_by_label("E-mail").fill(f"ines.{uuid.uuid4().hex[:8]}@astreinte.test")
    with page.expect_navigation() as answer:
        page.get_by_role("button", name="Créer").click()
    expect(page.locator("#invite-link")).to_contain_text("/invite/")
    return answer.value.status


def invitation(page: Page, phones: RolePhones) -> int:
    """The page an invited person opens, logged out."""
    manager = phones.page("manager")
    invitation_link(manager, phones)
    href = manager.locator("#invite-link").inner_text().strip()
    return page.goto(href).status


@dataclass(frozen=True)
class Target:
    role: str
    name: str
    open: Opener
    status: int = 200

    def __str__(self) -> str:
        return f"{self.role}: {self.name}"


INTERVENTION = r"/interventions/[0-9a-f-]{36}"
SWAP = r"/swaps/\d+"
TARGETS = [
    # Logged out.
    Target("visitor", "login", path("/login")),
    Target("visitor", "wrong password", failed_login, 400),
    Target("visitor", "offline", path("/offline")),
    Target("visitor", "invitation", invitation),
    Target("visitor", "not found", path("/invite/no-such-token"), 404),
    # Staff.
    Target("staff", "today", path("/")),
    Target("staff", "schedule agenda", path("/schedule")),
    Target("staff", "schedule week", link("/schedule", r"/schedule\?.*view=week.*")),
    Target("staff", "schedule month", link("/schedule", r"/schedule\?.*view=month.*")),
    Target("staff", "my shifts", path("/schedule/mine")),
    Target("staff", "my qualifications", link("/team", r"/qualifications/people/\d+")),
    Target("staff", "decline a shift", link("/schedule/mine", r"/schedule/shifts/\d+/decline")),
    Target("staff", "calendar feeds", path("/schedule/feeds")),
    Target("staff", "interventions", path("/interventions")),
    Target("staff", "new intervention", path("/interventions/new")),
    Target("staff", "an intervention", link("/interventions", INTERVENTION)),
    Target("staff", "alerts", path("/alerts")),
    Target("staff", "raise an alert", path("/alerts/new")),
    Target("staff", "an alert", raise_alert),
    Target("staff", "rest", path("/rest")),
    Target("staff", "working pattern", path("/rest/pattern")),
    Target("staff", "swaps", path("/swaps")),
    Target("staff", "a swap request", link("/swaps", SWAP)),
    Target("staff", "ask for a swap", link("/schedule/mine", r"/swaps/shifts/\d+/new")),
    Target("staff", "history of a shift", link("/swaps", SWAP, r"/swaps/shifts/\d+")),
    Target("staff", "team", path("/team")),
    Target("staff", "my statements", link("/schedule", r"/statements")),
    Target("staff", "a month's statement", link("/statements", r"/statements/\d{4}-\d\d#.*")),
    Target("staff", "my figures", link("/schedule", r"/figures")),
    Target("staff", "settings", path("/settings")),
    Target("staff", "notifications", path("/notifications")),
    Target("staff", "forbidden", path("/people"), 403),
    Target("staff", "not found", path("/no-such-page"), 404),
    # Manager.
    Target("manager", "today", path("/")),
    Target("manager", "schedule", path("/schedule")),
    Target("manager", "manage the schedule", path("/schedule/manage")),
    Target("manager", "manage a shift", link("/schedule/manage", r"/schedule/manage/shifts/\d+")),
    Target(
        "manager", "new rotation", link("/schedule/manage", r"/schedule/manage/rotations/new\?.*")
    ),
    Target(
        "manager",
        "edit a rotation",
        link("/schedule/manage", r"/schedule/manage/rotations/\d+"),
    ),
    Target("manager", "team qualifications", link("/schedule/manage", r"/qualifications/team\?.*")),
    Target("manager", "qualifications catalogue", path("/qualifications")),
    Target("manager", "team interventions", path("/interventions/team")),
    Target(
        "manager",
        "a team member's intervention",
        link("/interventions/team", INTERVENTION),
    ),
    Target("manager", "alerts", path("/alerts")),
    Target("manager", "an alert", raise_alert),
    Target("manager", "escalation policy", path("/alerts/policy")),
    Target("manager", "swaps", path("/swaps")),
    Target("manager", "swaps to approve", path("/swaps/inbox")),
    Target("manager", "a swap request", link("/swaps", SWAP)),
    Target("manager", "history of a shift", link("/swaps", SWAP, r"/swaps/shifts/\d+")),
    Target("manager", "notifications", path("/notifications")),
    Target("manager", "team", path("/team")),
    Target("manager", "team rest", path("/rest/team")),
    Target("manager", "team statements", link("/team", r"/teams/\d+/statements")),
    Target("manager", "team figures", link("/team", r"/teams/\d+/figures")),
    Target("manager", "my figures", link("/schedule", r"/figures")),
    Target("manager", "compensation", link("/team", r"/teams/\d+/compensation")),
    Target("manager", "rest policy", path("/rest/policy")),
    Target("manager", "quality review queue", link("/team", r"/teams/\d+/quality")),
    Target(
        "manager",
        "review checklist",
        link("/team", r"/teams/\d+/quality", r"/teams/\d+/quality/checklist"),
    ),
    Target(
        "manager",
        "an intervention's review",
        link("/team", r"/teams/\d+/quality", INTERVENTION + "/review"),
    ),
    Target(
        "manager", "a colleague's working hours", link("/rest/team", r"/rest/pattern\?person=\d+")
    ),
    Target("manager", "people", path("/people")),
    Target("manager", "add a person", path("/people/new")),
    Target("manager", "a person", link("/people", r"/people/\d+")),
    Target("manager", "invitation link", invitation_link),
    Target("manager", "forbidden", path("/admin/teams"), 403),
    # Admin.
    Target("admin", "home", path("/")),  # sent on to /admin
    Target("admin", "own on-call day", path("/today")),
    Target("admin", "invitation link", invitation_link),
    Target("admin", "team", path("/team")),
    Target("admin", "teams", path("/admin/teams")),
    Target("admin", "create a team", path("/admin/teams/new")),
    Target("admin", "a team", link("/admin/teams", r"/admin/teams/\d+")),
    Target("admin", "API keys", path("/admin/api-keys")),
    Target("admin", "people", path("/people")),
    Target("admin", "a person", link("/people", r"/people/\d+")),
    Target("admin", "settings", path("/settings")),
]


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_page_is_accessible_on_a_phone(role_phones: RolePhones, target: Target) -> None:
    page = role_phones.page(target.role)
    page.emulate_media(color_scheme="light")
    status = target.open(page, role_phones)
    assert status == target.status, f"{target} answered {status} at {page.url}"
    where = f"{target} ({page.url.removeprefix(role_phones.live.url)})"
    report = describe(f"{where}, light", run_axe(page))
    report += phone_problems(where, page)
    page.emulate_media(color_scheme="dark")
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    report += describe(f"{where}, dark", run_axe(page, COLOUR_RULES))
    assert not report, "\n".join(report)
