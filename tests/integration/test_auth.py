"""Logging in and out, changing one's password, the failed-login limit, and CSRF protection."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import msgspec
import pytest

from server.app import create_app
from server.clock import ManualClock
from server.db import Database
from server.settings import Settings, load_settings
from tests.conftest import PASSWORD, Client, Company
from tests.integration.schedule_helpers import Browsers

SESSION = "astreinte_session"
NEW_PASSWORD = "a brand new passphrase"


class Alerts(HTMLParser):
    """The text of every role="alert" element of a page: the messages a person reads."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.alerts: list[str] = []
        self._depth = 0
        self._buffer: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self._depth:
            self._depth += tag not in ("input", "br", "img")
        elif ("role", "alert") in attrs:
            self._depth, self._buffer = 1, []

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1
            if not self._depth:
                self.alerts.append(" ".join("".join(self._buffer).split()))

    def handle_data(self, data: str) -> None:
        if self._depth:
            self._buffer.append(data)


def alerts(response) -> list[str]:
    return Alerts(response.text).alerts


@pytest.fixture
def browsers(app) -> Iterator[Browsers]:
    """Open more browsers on the app, in English; closed in reverse order."""
    with Browsers(app, language="en") as open_browser:
        yield open_browser


@pytest.fixture
def browser(browsers) -> Client:
    return browsers()


def is_logged_in(browser: Client) -> bool:
    response = browser.get("/settings", follow_redirects=False)
    assert response.status_code in (200, 303), response.text[:300]
    return response.status_code == 200


def session_count(database: Database, user_id: int) -> int:
    return database.scalar("SELECT count(*) FROM sessions WHERE user_id = ?", (user_id,))


def cookie_attributes(response, name: str) -> list[str]:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(name + "="):
            return [part.strip().lower() for part in header.split(";")[1:]]
    raise AssertionError(f"no {name} cookie set: {response.headers.get_list('set-cookie')}")


# Logging in -----------------------------------------------------------------------------


def test_login_sets_an_httponly_lax_session_cookie(browser: Client, company: Company) -> None:
    response = browser.post_form("/login", {"email": "staff.a@test.fr", "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    attributes = cookie_attributes(response, SESSION)
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "secure" not in attributes  # plain http: a Secure cookie would never come back
    assert is_logged_in(browser)


def test_login_ignores_the_case_and_spaces_of_the_email(browser: Client, company: Company) -> None:
    response = browser.post_form("/login", {"email": "  Staff.A@Test.FR ", "password": PASSWORD})
    assert response.status_code == 303
    assert is_logged_in(browser)


def test_under_https_the_session_cookie_is_secure(
    tmp_path: Path, clock: ManualClock, database: Database, company: Company
) -> None:
    settings = load_settings(
        {}, data_dir=str(tmp_path / "https"), base_url="https://astreinte.example"
    )
    app = create_app(settings, clock=clock, database=database)
    with Client(app=app, base_url="https://astreinte.example") as browser:
        response = browser.login("staff.a@test.fr")
        attributes = cookie_attributes(response, SESSION)
        assert {"secure", "httponly", "samesite=lax"} <= set(attributes)
        assert "max-age=31536000" in response.headers["strict-transport-security"]
        assert browser.get("/settings", follow_redirects=False).status_code == 200


def test_wrong_password_is_refused_with_a_message(
    browser: Client, company: Company, database: Database
) -> None:
    response = browser.post_form("/login", {"email": "staff.a@test.fr", "password": "wrong one!"})
    assert response.status_code == 400
    assert alerts(response) == ["Wrong email or password."]
    assert SESSION not in browser.cookies
    assert session_count(database, company.staff_a.id) == 0
    assert not is_logged_in(browser)


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(
    browser: Client, company: Company
) -> None:
    response = browser.post_form("/login", {"email": "nobody@test.fr", "password": PASSWORD})
    assert response.status_code == 400
    assert alerts(response) == ["Wrong email or password."]


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "http://evil.example/",
        "/\\evil.example",
        "evil.example",
        "//evil.example/%2F..",
    ],
)
def test_next_never_leaves_the_site(browser: Client, company: Company, target: str) -> None:
    response = browser.post_form(
        "/login", {"email": "staff.a@test.fr", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    # Already logged in, the login page sends the person on, still only within the site.
    again = browser.get("/login", params={"next": target}, follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == "/"


def test_next_leads_back_to_the_page_asked_for(browser: Client, company: Company) -> None:
    first = browser.get("/team", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=/team"
    response = browser.post_form(
        "/login", {"email": "staff.a@test.fr", "password": PASSWORD, "next": "/team"}
    )
    assert response.headers["location"] == "/team"


def test_a_deactivated_person_cannot_log_in(browsers, company: Company, database: Database) -> None:
    staff, admin = browsers(), browsers()
    staff.login("staff.a@test.fr")
    admin.login("admin@test.fr")
    response = admin.post_form(
        f"/people/{company.staff_a.id}",
        {"name": "Sophie Staff", "email": "staff.a@test.fr", "role": "staff"},
    )  # the "active" box left unticked
    assert response.status_code == 303, response.text
    assert database.scalar("SELECT active FROM users WHERE id = ?", (company.staff_a.id,)) == 0
    assert not is_logged_in(staff)
    refused = browsers().post_form("/login", {"email": "staff.a@test.fr", "password": PASSWORD})
    assert refused.status_code == 400
    assert alerts(refused) == ["Wrong email or password."]
    assert session_count(database, company.staff_a.id) == 0


# Logging out ----------------------------------------------------------------------------


def test_logout_ends_the_session_on_the_server(
    browser: Client, browsers, company: Company, database: Database
) -> None:
    browser.login("staff.a@test.fr")
    stolen = browser.cookies[SESSION]
    response = browser.post_form("/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert not is_logged_in(browser)
    assert session_count(database, company.staff_a.id) == 0
    # Someone who copied the cookie before the logout gets nothing from it.
    replay = browsers()
    replay.cookies.set(SESSION, stolen, domain="testserver.local")
    assert not is_logged_in(replay)


def test_logout_everywhere_ends_every_session_of_the_person(
    browsers, company: Company, database: Database
) -> None:
    phone, laptop, colleague = browsers(), browsers(), browsers()
    phone.login("staff.a@test.fr")
    laptop.login("staff.a@test.fr")
    colleague.login("staff.a2@test.fr")
    assert session_count(database, company.staff_a.id) == 2
    response = phone.post_form("/logout/everywhere")
    assert response.status_code == 303
    assert not is_logged_in(phone)
    assert not is_logged_in(laptop)
    assert session_count(database, company.staff_a.id) == 0
    assert is_logged_in(colleague)


def test_an_expired_session_is_refused(
    browser: Client, company: Company, clock: ManualClock, settings: Settings
) -> None:
    browser.login("staff.a@test.fr")
    clock.advance(timedelta(days=settings.session_days, minutes=1))
    assert not is_logged_in(browser)


# Changing one's password ----------------------------------------------------------------


def change_password(browser: Client, current: str, new: str, confirm: str | None = None):
    return browser.post_form(
        "/settings/password",
        {
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


def test_password_change_with_a_wrong_current_password_is_refused(
    browser: Client, browsers, company: Company, database: Database
) -> None:
    browser.login("staff.a@test.fr")
    before = database.scalar("SELECT password_hash FROM users WHERE id = ?", (company.staff_a.id,))
    response = change_password(browser, "not my password", NEW_PASSWORD)
    assert response.status_code == 400
    assert alerts(response) == ["The current password is wrong."]
    after = database.scalar("SELECT password_hash FROM users WHERE id = ?", (company.staff_a.id,))
    assert after == before
    browsers().login("staff.a@test.fr", PASSWORD)


@pytest.mark.parametrize(
    ("new", "confirm", "message"),
    [
        ("short", "short", "The password must have at least 10 characters."),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "The two passwords are different."),
    ],
)
def test_password_change_refuses_a_weak_or_mistyped_password(
    browser: Client, browsers, company: Company, new: str, confirm: str, message: str
) -> None:
    browser.login("staff.a@test.fr")
    response = change_password(browser, PASSWORD, new, confirm)
    assert response.status_code == 400
    assert alerts(response) == [message]
    browsers().login("staff.a@test.fr", PASSWORD)


def test_password_change_closes_the_other_sessions_but_keeps_this_one(
    browsers, company: Company, database: Database
) -> None:
    here, elsewhere = browsers(), browsers()
    here.login("staff.a@test.fr")
    elsewhere.login("staff.a@test.fr")
    response = change_password(here, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/settings?done=password"
    assert is_logged_in(here)
    assert not is_logged_in(elsewhere)
    assert session_count(database, company.staff_a.id) == 1
    old = browsers().post_form("/login", {"email": "staff.a@test.fr", "password": PASSWORD})
    assert old.status_code == 400
    browsers().login("staff.a@test.fr", NEW_PASSWORD)
    entry = database.one(
        "SELECT actor_user_id, before, after FROM audit_log WHERE action = 'user.password'"
    )
    assert entry is not None
    assert entry["actor_user_id"] == company.staff_a.id
    assert PASSWORD not in str(entry) and NEW_PASSWORD not in str(entry)


# The failed-login limit -----------------------------------------------------------------


def fail_login(browser: Client, email: str):
    return browser.post_form("/login", {"email": email, "password": "not the password"})


def test_an_account_is_locked_after_too_many_failures_then_unlocked(
    browser: Client, company: Company, settings: Settings, clock: ManualClock
) -> None:
    for _attempt in range(settings.login_max_failures_account):
        assert fail_login(browser, "staff.a@test.fr").status_code == 400
    locked = browser.post_form("/login", {"email": "staff.a@test.fr", "password": PASSWORD})
    assert locked.status_code == 429
    wait = int(locked.headers["retry-after"])
    assert 0 < wait <= settings.login_lock_minutes * 60
    assert alerts(locked) and "Too many failed attempts" in alerts(locked)[0]
    assert SESSION not in browser.cookies
    # Other people are not locked out by someone hammering one account.
    other = browser.post_form("/login", {"email": "staff.a2@test.fr", "password": PASSWORD})
    assert other.status_code == 303

    clock.advance(timedelta(seconds=wait - 1))
    still = browser.post_form("/login", {"email": "staff.a@test.fr", "password": PASSWORD})
    assert still.status_code == 429
    clock.advance(timedelta(seconds=1))
    browser.login("staff.a@test.fr")


def test_one_address_is_limited_across_accounts(
    browser: Client, company: Company, settings: Settings, clock: ManualClock
) -> None:
    for attempt in range(settings.login_max_failures_address):
        assert fail_login(browser, f"guess{attempt}@test.fr").status_code == 400
    locked = browser.post_form("/login", {"email": "staff.b@test.fr", "password": PASSWORD})
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= settings.login_lock_minutes * 60
    clock.advance(timedelta(minutes=settings.login_lock_minutes))
    browser.login("staff.b@test.fr")


def test_a_forged_forwarded_for_header_does_not_escape_the_address_limit(
    browser: Client, company: Company, settings: Settings
) -> None:
    assert not settings.trust_proxy
    for attempt in range(settings.login_max_failures_address):
        response = browser.post_form(
            "/login",
            {"email": f"guess{attempt}@test.fr", "password": "not the password"},
            headers={"X-Forwarded-For": f"203.0.113.{attempt}"},
        )
        assert response.status_code == 400
    locked = browser.post_form(
        "/login",
        {"email": "staff.b@test.fr", "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    assert locked.status_code == 429


# CSRF -----------------------------------------------------------------------------------


def team_count(database: Database) -> int:
    return database.scalar("SELECT count(*) FROM teams")


@pytest.mark.parametrize("token", [None, "forged-token", ""])
def test_a_form_without_the_right_csrf_token_is_refused(
    browser: Client, company: Company, database: Database, token: str | None
) -> None:
    browser.login("admin@test.fr")
    before = (team_count(database), database.scalar("SELECT count(*) FROM audit_log"))
    data = {"name": "Forged team"}
    if token is not None:
        data["_csrf_token"] = token
    response = browser.post("/admin/teams/new", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert (team_count(database), database.scalar("SELECT count(*) FROM audit_log")) == before


def test_the_csrf_token_of_another_browser_is_refused(
    browsers, company: Company, database: Database
) -> None:
    victim, attacker = browsers(), browsers()
    victim.login("admin@test.fr")
    response = victim.post(
        "/admin/teams/new",
        data={"name": "Forged team", "_csrf_token": attacker.csrf()},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert team_count(database) == 2


def test_an_htmx_request_with_the_csrf_header_is_accepted(
    browser: Client, company: Company, database: Database
) -> None:
    browser.login("admin@test.fr")
    response = browser.post(
        "/admin/teams/new",
        data={"name": "Astreinte réseau"},
        headers={"HX-Request": "true", "x-csrftoken": browser.csrf()},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert database.one("SELECT name FROM teams WHERE name = 'Astreinte réseau'")


def test_logging_in_needs_the_csrf_token_too(browser: Client, company: Company) -> None:
    browser.get("/login")
    response = browser.post(
        "/login",
        data={"email": "staff.a@test.fr", "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert SESSION not in browser.cookies


def test_behind_the_proxy_the_address_it_appended_is_limited(
    settings: Settings, clock: ManualClock, database: Database, company: Company
) -> None:
    """nginx's `$proxy_add_x_forwarded_for` appends the client's real address to whatever the
    client wrote: a different forged entry on the left each time must not escape the limit."""
    behind_proxy = msgspec.structs.replace(settings, trust_proxy=True)
    app = create_app(behind_proxy, clock=clock, database=database)
    with Client(app=app, base_url="http://testserver.local") as browser:
        limit = behind_proxy.login_max_failures_address
        for attempt in range(limit + 5):
            response = browser.post_form(
                "/login",
                {"email": f"guess{attempt}@test.fr", "password": "not the password"},
                headers={"X-Forwarded-For": f"198.51.100.{attempt}, 203.0.113.7"},
            )
            assert response.status_code == (400 if attempt < limit else 429), attempt
        # Another client behind the same proxy is not locked out by that one.
        other = browser.post_form(
            "/login",
            {"email": "staff.b@test.fr", "password": PASSWORD},
            headers={"X-Forwarded-For": "203.0.113.7, 203.0.113.8"},
        )
        assert other.status_code == 303
