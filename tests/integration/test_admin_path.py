"""The admin's path (issue 11, point 10): an admin home, creations that say what they made and
what comes next, the invitation made with the person, and sessions named as a person says them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from html.parser import HTMLParser

import pytest

from server.accounts.models import UserForm
from server.accounts.store import create_user
from server.audit.models import Actor
from server.clock import ManualClock
from server.db import Database
from server.teams.store import set_membership
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import add_rotation

CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.6 Mobile/15E148 Safari/604.1"
)


class Text(HTMLParser):
    """The words a person reads, in order, and those inside each element that has an id."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self.by_id: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None]] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style", "svg"):
            self._skip += 1
        if tag in ("input", "br", "img", "meta", "link", "hr", "path"):
            return
        element_id = dict(attrs).get("id")
        self._open.append((tag, element_id))
        if element_id:
            self.by_id.setdefault(element_id, [])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "svg"):
            self._skip -= 1
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.words.append(data)
        for _tag, element_id in self._open:
            if element_id:
                self.by_id[element_id].append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.words).split())

    def of(self, element_id: str) -> str:
        return " ".join(" ".join(self.by_id.get(element_id, [])).split())


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


# Creating a team says so, and what comes next ------------------------------------------------


@pytest.mark.parametrize(
    ("language", "confirmation", "next_step"),
    [
        ("en", "Team “Réseau” created.", "Next: add its people."),
        ("fr", "Équipe « Réseau » créée.", "Étape suivante : ajoutez ses membres."),
    ],
)
def test_a_new_team_is_confirmed_by_name_with_the_way_to_add_its_people(
    browsers, company: Company, database: Database, language, confirmation, next_step
) -> None:
    admin = browsers(language)
    admin.login("admin@test.fr")
    created = admin.post_form("/admin/teams/new", {"name": "Réseau", "timezone": "Europe/Paris"})
    assert created.status_code == 303
    team_id = database.scalar("SELECT id FROM teams WHERE name = 'Réseau'")
    page = admin.get(created.headers["location"])
    notice = Text(page.text).of("created")
    assert confirmation in notice
    assert next_step in notice
    assert f'href="/people/new?team={team_id}"' in page.text
    # That button opens the person form with the new team chosen.
    form = admin.get(f"/people/new?team={team_id}").text
    assert re.search(rf'<option value="{team_id}" selected>Réseau</option>', form)
    # Saving the team later says "Saved.", not "created" again.
    saved = admin.post_form(f"/admin/teams/{team_id}", {"name": "Réseau", "timezone": "UTC"})
    assert "created" not in Text(admin.get(saved.headers["location"]).text).by_id


# Creating a person creates their invitation ---------------------------------------------------


def invitations_of(database: Database, email: str) -> list[dict]:
    return database.query(
        "SELECT i.* FROM invitations i JOIN users u ON u.id = i.user_id WHERE u.email = ?",
        (email,),
    )


@pytest.mark.parametrize(
    ("language", "confirmation", "next_step"),
    [
        (
            "en",
            "Account created for Léa Nouvelle in the team “Maintenance”.",
            "Next: give them this invitation",
        ),
        (
            "fr",
            "Compte de Léa Nouvelle créé dans l’équipe « Maintenance ».",
            "Étape suivante : transmettez-lui cette invitation",
        ),
    ],
)
def test_a_new_person_lands_on_their_invitation_which_already_exists(
    browsers, company: Company, database: Database, language, confirmation, next_step
) -> None:
    admin = browsers(language)
    admin.login("admin@test.fr")
    response = admin.post_form(
        "/people/new",
        {
            "name": "Léa Nouvelle",
            "email": "lea.nouvelle@test.fr",
            "role": "staff",
            "team_id": str(company.team_a.id),
            "timezone": "Europe/Paris",
            "active": "true",
        },
    )
    assert response.status_code == 200, response.text
    page = Text(response.text)
    notice = page.of("created")
    assert confirmation in notice
    assert next_step in notice
    [invitation] = invitations_of(database, "lea.nouvelle@test.fr")
    assert invitation["used_at"] is None
    # The whole link is on the page, as text to read and select, with Copy and Share buttons.
    link = page.of("invite-link")
    assert re.fullmatch(r"http://\S+/invite/[\w-]{40,}", link), link
    assert 'data-action="copy-link"' in response.text
    assert 'data-action="share-link"' in response.text
    # It is the person's working link: the newcomer opens it and is welcomed by name.
    newcomer = browsers(language)
    assert "Léa Nouvelle" in newcomer.get(link.split("testserver.local", 1)[-1]).text


def test_a_refused_person_leaves_no_invitation_behind(
    browsers, company: Company, database: Database
) -> None:
    manager = browsers("en")
    manager.login("manager.a@test.fr")
    before = database.scalar("SELECT count(*) FROM invitations")
    refused = manager.post_form(
        "/people/new",
        {
            "name": "Sophie Bis",
            "email": "staff.a@test.fr",
            "role": "staff",
            "team_id": str(company.team_a.id),
            "active": "true",
        },
    )
    assert refused.status_code in (400, 409)
    assert "invite-link" not in refused.text
    assert database.scalar("SELECT count(*) FROM invitations") == before


# The admin home -----------------------------------------------------------------------------


def admin_home_company(
    browsers, company: Company, database: Database, clock: ManualClock
) -> Client:
    """Team A with a rotation whose drafts are unpublished, a newcomer invited by the form and
    one added from the command line (no link yet), and the admin logged in on a phone."""
    manager = browsers("en")
    manager.login("manager.a@test.fr")
    people = [company.staff_a.id, company.staff_a2.id]
    add_rotation(manager, company.team_a.id, people, coverage="always", horizon_weeks=4)
    invited = manager.post_form(
        "/people/new",
        {
            "name": "Léa Nouvelle",
            "email": "lea.nouvelle@test.fr",
            "role": "staff",
            "team_id": str(company.team_a.id),
            "active": "true",
        },
    )
    assert invited.status_code == 200

    create_user(
        database,
        UserForm(email="paul.cli@test.fr", name="Paul Ligne"),
        actor=Actor(label="cli"),
        now=clock.now(),
    )
    return manager


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            {
                "managed": "managed by Marc Manager",
                "people": "4 people",
                "drafts": "held only by unpublished drafts in the next 4 weeks",
                "no rotation": "no rotation yet: nobody is on call",
                "invited": "Léa Nouvelle invitation valid until",
                "not invited": "Paul Ligne no valid invitation: open their page for a new link",
                "sign-in": "Alice Admin Chrome on Android",
            },
        ),
        (
            "fr",
            {
                "managed": "responsable : Marc Manager",
                "people": "4 personnes",
                "drafts": "seulement par des brouillons non publiés dans les 4 semaines",
                "no rotation": "pas encore de roulement : personne n’est d’astreinte",
                "invited": "Léa Nouvelle invitation valable jusqu’au",
                "not invited": "Paul Ligne aucune invitation valable",
                "sign-in": "Alice Admin Chrome sur Android",
            },
        ),
    ],
)
def test_an_admin_lands_on_the_company_at_a_glance(
    browsers, company: Company, database: Database, clock, language: str, words: dict
) -> None:
    admin_home_company(browsers, company, database, clock)
    admin = browsers(language, CHROME_ANDROID)
    admin.login("admin@test.fr")
    landing = admin.get("/", follow_redirects=False)
    assert (landing.status_code, landing.headers["location"]) == (303, "/admin")
    page = Text(admin.get("/admin").text)
    teams, newcomers, sign_ins = page.of("teams"), page.of("newcomers"), page.of("sign-ins")
    # Teams by name: Informatique (no rotation) then Maintenance (drafts not published yet).
    informatique, maintenance = teams.split("Maintenance", 1)
    assert "Informatique" in informatique
    assert words["no rotation"] in informatique
    assert words["managed"] in maintenance
    assert words["people"] in maintenance
    assert words["drafts"] in maintenance
    assert words["invited"] in newcomers
    assert words["not invited"] in newcomers
    assert "Sophie Staff" not in newcomers  # she has a password
    assert sign_ins.startswith(page.of("sign-ins-title") + " " + words["sign-in"])
    html = admin.get("/admin").text
    for action in ("/admin/teams/new", "/people/new", "/admin/api-keys", "/settings"):
        assert f'href="{action}"' in html
    # Not on any roster: no link to a staff page of their own; the first tab is this page.
    assert 'href="/today"' not in html
    assert re.search(r'<a href="/admin" aria-current="page">', html)


@pytest.mark.parametrize("email", ["manager.a@test.fr", "staff.a@test.fr"])
def test_only_an_admin_reaches_the_admin_home(
    browsers, company: Company, database: Database, clock, email: str
) -> None:
    admin_home_company(browsers, company, database, clock)
    person = browsers("en")
    person.login(email)
    refused = person.get("/admin", follow_redirects=False)
    assert refused.status_code == 403
    assert "Waiting for their first login" not in refused.text
    assert "Léa Nouvelle" not in refused.text
    # Their home is still their day on call, and their first tab still says Today.
    home = person.get("/", follow_redirects=False)
    assert home.status_code == 200
    assert "My on-call duty" in Text(home.text).text
    assert 'href="/admin"' not in home.text
    assert re.search(r'<a href="/" aria-current="page">', home.text)


def test_an_admin_on_a_roster_reaches_their_own_on_call_day(
    browsers, company: Company, database: Database, clock
) -> None:
    set_membership(
        database,
        company.team_b.id,
        company.admin.id,
        "member",
        actor=Actor(label="t"),
        now=clock.now(),
    )
    admin = browsers("fr")
    admin.login("admin@test.fr")
    home = admin.get("/admin").text
    assert re.search(r'<a class="button" href="/today">Mon astreinte</a>', home)
    today = admin.get("/today", follow_redirects=False)
    assert today.status_code == 200
    assert "Mon astreinte" in Text(today.text).text
    assert "Informatique" in Text(today.text).text
    # The invitation's welcome follows an admin to their home.
    welcome = admin.get("/?welcome=1", follow_redirects=False)
    assert welcome.headers["location"] == "/admin?welcome=1"
    assert "Votre compte est prêt" in admin.get("/admin?welcome=1").text
