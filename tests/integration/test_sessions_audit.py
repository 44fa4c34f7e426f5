"""Logging in, out and everywhere, and failed logins, each leave an audit entry without secrets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from server.accounts.store import create_invitation
from server.audit.models import Actor, AuditEntry
from server.audit.store import entries_for
from server.clock import ManualClock
from server.db import Database
from server.settings import Settings
from server.tokens import hash_token
from tests.conftest import PASSWORD, Client, Company

SESSION = "astreinte_session"
CSRF = "astreinte_csrf"
WRONG = "Tr0ub4dor&3-wrong"
NEW_PASSWORD = "a brand new passphrase"
# Litestar's test client connects from this address.
ADDRESS = "testclient"


def logged(database: Database, entity_type: str, entity_id: int | str) -> list[AuditEntry]:
    """The entity's audit entries, without the ones made when the test company was set up."""
    return [e for e in entries_for(database, entity_type, entity_id) if e.actor != "test"]


def session_ids(database: Database, user_id: int) -> list[str]:
    rows = database.query("SELECT id FROM sessions WHERE user_id = ?", (user_id,))
    return [row["id"] for row in rows]


def fail_login(browser: Client, email: str, status: int = 400):
    response = browser.post_form("/login", {"email": email, "password": WRONG})
    assert response.status_code == status, response.text[:300]
    return response


def test_login_is_audited_with_the_session_address_and_device(
    client: Client, company: Company, database: Database, clock: ManualClock
) -> None:
    client.login("staff.a@test.fr")
    [entry] = logged(database, "user", company.staff_a.id)
    [session_id] = session_ids(database, company.staff_a.id)
    assert entry.action == "session.login"
    assert (entry.actor, entry.actor_user_id) == ("staff.a@test.fr", company.staff_a.id)
    assert entry.at.startswith(clock.now().date().isoformat())
    assert entry.before is None
    assert entry.after["address"] == ADDRESS
    assert entry.after["user_agent"] == client.headers["user-agent"]
    # Named by a fingerprint: the start of the session's id, never the whole id nor the cookie.
    assert session_id.startswith(entry.after["session"])
    assert 8 <= len(entry.after["session"]) < len(session_id)


def test_logout_is_audited_with_the_session_it_ended(
    client: Client, company: Company, database: Database
) -> None:
    client.login("staff.a@test.fr")
    assert client.post_form("/logout").status_code == 303
    assert session_ids(database, company.staff_a.id) == []
    login, logout = logged(database, "user", company.staff_a.id)
    assert logout.action == "session.logout"
    assert (logout.actor, logout.actor_user_id) == ("staff.a@test.fr", company.staff_a.id)
    assert logout.before == {"session": login.after["session"]}
    assert logout.after is None


def test_logout_everywhere_is_audited_with_the_number_of_sessions_ended(
    make_client: Callable[[], Client], company: Company, database: Database
) -> None:
    phone, laptop, tablet, colleague = make_client(), make_client(), make_client(), make_client()
    for browser in (phone, laptop, tablet):
        browser.login("staff.a@test.fr")
    colleague.login("staff.a2@test.fr")
    assert phone.post_form("/logout/everywhere").status_code == 303
    entry = logged(database, "user", company.staff_a.id)[-1]
    assert entry.action == "session.logout_everywhere"
    assert entry.actor_user_id == company.staff_a.id
    assert (entry.before, entry.after) == ({"sessions": 3}, {"sessions": 0})
    # The colleague's session was not ended, nor logged as ended.
    assert [e.action for e in logged(database, "user", company.staff_a2.id)] == ["session.login"]


def test_a_failed_login_is_audited_with_the_account_and_address_but_not_the_password(
    client: Client, company: Company, database: Database
) -> None:
    fail_login(client, "Staff.A@test.fr")
    fail_login(client, "nobody@test.fr")
    for account in ("staff.a@test.fr", "nobody@test.fr"):
        [entry] = logged(database, "login", account)
        assert entry.action == "login.failed"
        assert (entry.actor, entry.actor_user_id) == ("anonymous", None)
        assert entry.after == {"account": account, "address": ADDRESS}
    assert WRONG not in str(database.query("SELECT * FROM audit_log"))
    # No session was made, so none was logged.
    assert logged(database, "user", company.staff_a.id) == []


def test_a_lockout_is_audited_once_when_it_starts(
    client: Client, company: Company, database: Database, settings: Settings, clock: ManualClock
) -> None:
    limit = settings.login_max_failures_account
    for _attempt in range(limit):
        fail_login(client, "staff.a@test.fr")
    # Hammering the locked form adds nothing: the log cannot be grown without end.
    for _attempt in range(5):
        fail_login(client, "staff.a@test.fr", status=429)
    entries = logged(database, "login", "staff.a@test.fr")
    assert [e.action for e in entries] == ["login.failed"] * limit + ["login.locked"]
    locked = entries[-1].after
    assert locked["account"] == "staff.a@test.fr" and locked["address"] == ADDRESS
    assert locked["seconds"] == settings.login_lock_minutes * 60
    clock.advance(timedelta(seconds=locked["seconds"]))
    client.login("staff.a@test.fr")


def test_no_audit_entry_holds_a_token_a_password_or_its_hash(
    make_client: Callable[[], Client],
    company: Company,
    database: Database,
    clock: ManualClock,
    settings: Settings,
) -> None:
    """Every way a session starts or ends, then the whole log searched for every secret seen."""
    secrets: set[str] = {PASSWORD, NEW_PASSWORD, WRONG}
    here, elsewhere, newcomer = make_client(), make_client(), make_client()
    fail_login(here, "staff.a@test.fr")
    for browser in (here, elsewhere):
        browser.login("staff.a@test.fr")
        secrets |= {browser.cookies[SESSION], browser.cookies[CSRF]}
    changed = here.post_form(
        "/settings/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 303
    secrets.add(here.cookies[SESSION])
    assert here.post_form("/logout").status_code == 303
    here.login("staff.a@test.fr", NEW_PASSWORD)
    secrets.add(here.cookies[SESSION])
    assert here.post_form("/logout/everywhere").status_code == 303

    invitation = create_invitation(
        database, company.staff_b.id, actor=Actor(label="test"), now=clock.now(), hours=24
    )
    accepted = newcomer.post_form(
        f"/invite/{invitation}",
        {"new_password": NEW_PASSWORD + "!", "confirm_password": NEW_PASSWORD + "!"},
    )
    assert accepted.status_code == 303, accepted.text[:300]
    secrets |= {invitation, NEW_PASSWORD + "!", newcomer.cookies[SESSION], newcomer.cookies[CSRF]}

    secrets |= {hash_token(secret) for secret in list(secrets)}
    secrets |= {
        row["password_hash"] for row in database.query("SELECT password_hash FROM users")
    } - {None}
    rows = database.query("SELECT * FROM audit_log")
    actions = {row["action"] for row in rows}
    assert {"session.login", "session.logout", "session.logout_everywhere", "login.failed"} <= (
        actions
    )
    text = "\n".join(str(row) for row in rows)
    assert [secret for secret in secrets if secret in text] == []
