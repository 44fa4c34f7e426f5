"""Admins run teams and memberships; managers add people to their teams and invite them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from server.clock import ManualClock
from server.db import Database
from server.settings import Settings
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import Browsers

NEW_PASSWORD = "my own passphrase"


class Page(HTMLParser):
    """What a person reads and fills in: alerts, the h1, input values, and the QR code."""

    VOID = frozenset({"input", "br", "img", "meta", "link", "hr"})

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.alerts: list[str] = []
        self.h1: list[str] = []
        self.values: dict[str, str] = {}
        self.qr_svg = False
        # Open elements: (tag, its classes, text buffer or None, where the text goes)
        self._open: list[tuple[str, list[str], list[str], str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "input" and attributes.get("id"):
            self.values[attributes["id"]] = attributes.get("value") or ""
        if tag == "svg" and any("qr" in classes for _t, classes, _b, _k in self._open):
            self.qr_svg = True
        if tag in self.VOID:
            return
        kind = "alerts" if attributes.get("role") == "alert" else "h1" if tag == "h1" else None
        self._open.append((tag, (attributes.get("class") or "").split(), [], kind))

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not any(opened == tag for opened, _c, _b, _k in self._open):
            return
        while self._open:
            opened, _classes, buffer, kind = self._open.pop()
            if kind:
                getattr(self, kind).append(" ".join("".join(buffer).split()))
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        for _tag, _classes, buffer, kind in self._open:
            if kind:
                buffer.append(data)


@pytest.fixture
def browsers(app) -> Iterator[Browsers]:
    """Open more browsers on the app, in English; closed in reverse order."""
    with Browsers(app, language="en") as open_browser:
        yield open_browser


@pytest.fixture
def admin(browsers, company: Company) -> Client:
    browser = browsers()
    browser.login("admin@test.fr")
    return browser


@pytest.fixture
def manager(browsers, company: Company) -> Client:
    browser = browsers()
    browser.login("manager.a@test.fr")
    return browser


def counts(database: Database) -> dict[str, int]:
    return {
        table: database.scalar(f"SELECT count(*) FROM {table}")
        for table in ("users", "teams", "memberships", "invitations", "audit_log")
    }


def audit(database: Database, action: str) -> list[dict]:
    rows = database.query("SELECT * FROM audit_log WHERE action = ? ORDER BY id", (action,))
    for row in rows:
        row["before"] = json.loads(row["before"]) if row["before"] else None
        row["after"] = json.loads(row["after"]) if row["after"] else None
    return rows


# Teams ----------------------------------------------------------------------------------


def test_admin_creates_a_team_and_the_audit_log_says_so(
    admin: Client, company: Company, database: Database
) -> None:
    response = admin.post_form(
        "/admin/teams/new", {"name": "  Astreinte réseau ", "timezone": "Indian/Reunion"}
    )
    assert response.status_code == 303, response.text
    team = database.one("SELECT * FROM teams WHERE name = 'Astreinte réseau'")
    assert team is not None
    assert team["timezone"] == "Indian/Reunion"
    assert response.headers["location"] == f"/admin/teams/{team['id']}?done=created"
    assert Page(admin.get(response.headers["location"]).text).h1 == ["Astreinte réseau"]
    assert "Astreinte réseau" in admin.get("/admin/teams").text
    [entry] = audit(database, "team.create")[-1:]
    assert entry["entity_id"] == str(team["id"])
    assert entry["actor_user_id"] == company.admin.id
    assert entry["after"]["name"] == "Astreinte réseau"


@pytest.mark.parametrize("name", ["Maintenance", "maintenance", " MAINTENANCE "])
def test_a_duplicate_team_name_is_refused_and_nothing_is_written(
    admin: Client, company: Company, database: Database, name: str
) -> None:
    before = counts(database)
    response = admin.post_form("/admin/teams/new", {"name": name})
    assert response.status_code in (400, 409)
    assert "A team with this name already exists." in response.text
    assert counts(database) == before


def test_an_empty_team_name_is_refused_naming_the_field(
    admin: Client, company: Company, database: Database
) -> None:
    before = counts(database)
    response = admin.post_form("/admin/teams/new", {"name": "   "})
    assert response.status_code == 400
    assert Page(response.text).alerts == ["Please check the field “Name”."]
    assert counts(database) == before


def test_admin_renames_a_team(admin: Client, company: Company, database: Database) -> None:
    team_id = company.team_a.id
    response = admin.post_form(
        f"/admin/teams/{team_id}", {"name": "Maintenance bâtiments", "timezone": "Europe/Paris"}
    )
    assert response.status_code == 303
    page = Page(admin.get(response.headers["location"]).text)
    assert page.h1 == ["Maintenance bâtiments"]
    assert database.scalar("SELECT name FROM teams WHERE id = ?", (team_id,)) == (
        "Maintenance bâtiments"
    )
    [entry] = audit(database, "team.update")
    assert (entry["before"]["name"], entry["after"]["name"]) == (
        "Maintenance",
        "Maintenance bâtiments",
    )


def test_renaming_a_team_to_another_teams_name_is_refused(
    admin: Client, company: Company, database: Database
) -> None:
    before = counts(database)
    response = admin.post_form(f"/admin/teams/{company.team_a.id}", {"name": "Informatique"})
    assert response.status_code in (400, 409)
    assert "A team with this name already exists." in response.text
    assert database.scalar("SELECT name FROM teams WHERE id = ?", (company.team_a.id,)) == (
        "Maintenance"
    )
    assert counts(database) == before


def test_admin_adds_and_removes_a_member(
    admin: Client, company: Company, database: Database
) -> None:
    team_b, staff_a = company.team_b.id, company.staff_a.id
    added = admin.post_form(
        f"/admin/teams/{team_b}/members", {"user_id": str(staff_a), "team_role": "manager"}
    )
    assert added.status_code == 303
    role = "SELECT team_role FROM memberships WHERE team_id = ? AND user_id = ?"
    assert database.scalar(role, (team_b, staff_a)) == "manager"
    assert "Sophie Staff" in admin.get(f"/admin/teams/{team_b}").text
    [entry] = audit(database, "membership.set")[-1:]
    assert entry["entity_id"] == f"{team_b}:{staff_a}"
    assert entry["after"] == {"team_role": "manager"}

    removed = admin.post_form(f"/admin/teams/{team_b}/members/{staff_a}/remove")
    assert removed.status_code == 303
    assert database.scalar(role, (team_b, staff_a)) is None
    assert database.scalar(role, (company.team_a.id, staff_a)) == "member"
    [entry] = audit(database, "membership.remove")
    assert entry["before"] == {"team_role": "manager"}


def test_a_membership_with_a_bad_person_is_refused(
    admin: Client, company: Company, database: Database
) -> None:
    before = counts(database)
    response = admin.post_form(f"/admin/teams/{company.team_b.id}/members", {"user_id": "abc"})
    assert response.status_code == 400
    assert Page(response.text).alerts == ["Please check the field “Person”."]
    missing = admin.post_form(f"/admin/teams/{company.team_b.id}/members", {"user_id": "9999"})
    assert missing.status_code == 404
    assert counts(database) == before


# People ---------------------------------------------------------------------------------


def person_form(**fields: str) -> dict[str, str]:
    return {
        "name": "Léa Nouvelle",
        "email": "lea.nouvelle@test.fr",
        "phone": "+33 6 99 99 99 99",
        "role": "staff",
        "timezone": "Europe/Paris",
        "active": "true",
        **fields,
    }


def test_manager_creates_a_person_in_their_team_in_one_step(
    manager: Client, company: Company, database: Database
) -> None:
    response = manager.post_form("/people/new", person_form(team_id=str(company.team_a.id)))
    assert response.status_code == 200, response.text
    user = database.one("SELECT * FROM users WHERE email = 'lea.nouvelle@test.fr'")
    assert user is not None
    assert (user["name"], user["role"], user["password_hash"]) == ("Léa Nouvelle", "staff", None)
    # The answer is the new person's invitation page (see test_admin_path).
    assert Page(response.text).h1 == ["Invitation for Léa Nouvelle"]
    membership = database.one("SELECT * FROM memberships WHERE user_id = ?", (user["id"],))
    assert (membership["team_id"], membership["team_role"]) == (company.team_a.id, "member")
    assert "Léa Nouvelle" in manager.get("/people").text
    created = audit(database, "user.create")[-1]
    assert created["actor_user_id"] == company.manager_a.id
    assert created["entity_id"] == str(user["id"])
    assert audit(database, "membership.set")[-1]["entity_id"] == f"{company.team_a.id}:{user['id']}"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"team_id": "TEAM_B"}, "You can only add people to the teams you manage."),
        ({"team_id": ""}, "Choose the team this person joins."),
        ({"team_id": "TEAM_A", "role": "admin"}, "Only an administrator can give this role."),
        ({"team_id": "TEAM_A", "role": "manager"}, "Only an administrator can give this role."),
    ],
)
def test_manager_cannot_add_outside_their_team_or_hand_out_roles(
    manager: Client, company: Company, database: Database, fields: dict, message: str
) -> None:
    teams = {"TEAM_A": str(company.team_a.id), "TEAM_B": str(company.team_b.id), "": ""}
    fields = {**fields, "team_id": teams[fields["team_id"]]}
    before = counts(database)
    response = manager.post_form("/people/new", person_form(**fields))
    assert response.status_code in (400, 403)
    assert message in Page(response.text).alerts
    assert counts(database) == before


def test_manager_cannot_promote_someone_of_their_team(
    manager: Client, company: Company, database: Database
) -> None:
    response = manager.post_form(
        f"/people/{company.staff_a.id}",
        person_form(name="Sophie Staff", email="staff.a@test.fr", role="admin"),
    )
    assert response.status_code in (400, 403)
    assert database.scalar("SELECT role FROM users WHERE id = ?", (company.staff_a.id,)) == "staff"


@pytest.mark.parametrize(
    ("fields", "field_word"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"phone": "call me maybe"}, "phone"),
        ({"timezone": "Mars/Olympus"}, "time zone"),
    ],
)
def test_invalid_person_is_refused_naming_the_field_and_nothing_is_written(
    admin: Client, company: Company, database: Database, fields: dict, field_word: str
) -> None:
    before = counts(database)
    response = admin.post_form("/people/new", person_form(team_id=str(company.team_a.id), **fields))
    assert response.status_code == 400
    [alert] = Page(response.text).alerts
    assert field_word in alert.lower()
    assert counts(database) == before
    # The form comes back filled in, so the person fixes one field instead of retyping all.
    if "name" not in fields:
        assert Page(response.text).values["f-name"] == "Léa Nouvelle"


def test_an_email_already_taken_is_refused(
    admin: Client, company: Company, database: Database
) -> None:
    before = counts(database)
    response = admin.post_form(
        "/people/new", person_form(email="STAFF.A@test.fr", team_id=str(company.team_a.id))
    )
    assert response.status_code in (400, 409)
    assert "Someone already has this email address." in response.text
    assert counts(database) == before


@pytest.mark.parametrize(
    "fields", [{"role": "staff"}, {"active": ""}], ids=["demote", "deactivate"]
)
def test_an_admin_cannot_demote_or_deactivate_themselves(
    admin: Client, company: Company, database: Database, fields: dict
) -> None:
    form = person_form(
        **{"name": "Alice Admin", "email": "admin@test.fr", "role": "admin", **fields}
    )
    if not form["active"]:
        del form["active"]
    response = admin.post_form(f"/people/{company.admin.id}", form)
    assert response.status_code == 400
    assert Page(response.text).alerts
    row = database.one("SELECT role, active FROM users WHERE id = ?", (company.admin.id,))
    assert row == {"role": "admin", "active": 1}
    assert admin.get("/admin/teams", follow_redirects=False).status_code == 200


def test_a_deactivated_person_cannot_be_invited(
    admin: Client, company: Company, database: Database
) -> None:
    form = person_form(name="Sophie Staff", email="staff.a@test.fr")
    del form["active"]
    assert admin.post_form(f"/people/{company.staff_a.id}", form).status_code == 303
    before = counts(database)
    response = admin.post_form(f"/people/{company.staff_a.id}/invitation")
    assert response.status_code == 400
    assert "invite-link" not in response.text
    assert counts(database) == before


# Invitations ----------------------------------------------------------------------------


def invite(browser: Client, user_id: int) -> tuple[Page, str]:
    """Create an invitation link as a manager or admin; the page and the link's path."""
    response = browser.post_form(f"/people/{user_id}/invitation")
    assert response.status_code == 200, response.text
    page = Page(response.text)
    link = urlsplit(link_of(response.text))
    assert link.path.startswith("/invite/")
    return page, link.path


def link_of(html: str) -> str:
    """The invitation link the page shows in full."""
    found = re.search(r'id="invite-link">\s*([^<\s]+)\s*<', html)
    assert found, "no invitation link on the page"
    return found.group(1)


def new_person(manager: Client, database: Database, company: Company) -> int:
    response = manager.post_form("/people/new", person_form(team_id=str(company.team_a.id)))
    assert response.status_code == 200, response.text
    return database.scalar("SELECT id FROM users WHERE email = 'lea.nouvelle@test.fr'")


def set_password(browser: Client, path: str, new: str, confirm: str | None = None):
    return browser.post_form(
        path, {"new_password": new, "confirm_password": new if confirm is None else confirm}
    )


def test_invitation_page_shows_the_link_and_a_qr_code(
    manager: Client, company: Company, database: Database, settings: Settings
) -> None:
    user_id = new_person(manager, database, company)
    response = manager.post_form(f"/people/{user_id}/invitation")
    assert Page(response.text).qr_svg
    assert link_of(response.text).startswith(settings.public_url + "/invite/")
    assert audit(database, "invitation.create")[-1]["entity_id"] == str(user_id)


def test_an_invitation_works_once(
    manager: Client, browsers, company: Company, database: Database
) -> None:
    user_id = new_person(manager, database, company)
    _page, path = invite(manager, user_id)
    phone = browsers()
    welcome = phone.get(path)
    assert welcome.status_code == 200
    assert Page(welcome.text).h1 == ["Welcome, Léa Nouvelle"]

    short = set_password(phone, path, "too short")
    assert short.status_code == 400
    assert Page(short.text).alerts == ["The password must have at least 10 characters."]
    mismatch = set_password(phone, path, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert mismatch.status_code == 400
    assert Page(mismatch.text).alerts == ["The two passwords are different."]
    assert database.scalar("SELECT password_hash FROM users WHERE id = ?", (user_id,)) is None

    accepted = set_password(phone, path, NEW_PASSWORD)
    assert accepted.status_code == 303
    assert accepted.headers["location"] == "/?welcome=1"
    assert phone.get("/settings", follow_redirects=False).status_code == 200
    browsers().login("lea.nouvelle@test.fr", NEW_PASSWORD)
    assert audit(database, "invitation.accept")[-1]["actor_user_id"] == user_id

    replay = browsers()
    again = replay.get(path)
    assert again.status_code == 404
    assert "<html" in again.text
    hijack = set_password(replay, path, "someone else's password")
    assert hijack.status_code == 404
    browsers().login("lea.nouvelle@test.fr", NEW_PASSWORD)


def test_an_expired_invitation_is_refused(
    manager: Client,
    browsers,
    company: Company,
    database: Database,
    clock: ManualClock,
    settings: Settings,
) -> None:
    user_id = new_person(manager, database, company)
    _page, path = invite(manager, user_id)
    clock.advance(timedelta(hours=settings.invitation_hours, seconds=1))
    phone = browsers()
    assert phone.get(path).status_code in (404, 410)
    assert set_password(phone, path, NEW_PASSWORD).status_code in (404, 410)
    assert database.scalar("SELECT password_hash FROM users WHERE id = ?", (user_id,)) is None


def test_an_invitation_is_still_good_just_before_it_expires(
    manager: Client,
    browsers,
    company: Company,
    database: Database,
    clock: ManualClock,
    settings: Settings,
) -> None:
    user_id = new_person(manager, database, company)
    _page, path = invite(manager, user_id)
    clock.advance(timedelta(hours=settings.invitation_hours, seconds=-1))
    assert set_password(browsers(), path, NEW_PASSWORD).status_code == 303


def test_a_new_invitation_replaces_the_older_link(
    manager: Client, browsers, company: Company, database: Database
) -> None:
    user_id = new_person(manager, database, company)
    _page, old = invite(manager, user_id)
    _page, new = invite(manager, user_id)
    assert old != new
    phone = browsers()
    assert phone.get(old).status_code in (404, 410)
    assert set_password(phone, new, NEW_PASSWORD).status_code == 303


def test_an_unknown_invitation_link_is_a_404_page(browsers, company: Company) -> None:
    response = browsers().get("/invite/not-a-real-token")
    assert response.status_code == 404
    assert "<html" in response.text
