"""The monthly statement on a 390×844 phone: Julien opens his from Planning, acknowledges
receipt and reads "Reçu le …", then reads it again with the server stopped (from the phone's
saved copy, the server asked nothing); Claire closes a month in English and sees who has not
acknowledged.

The months looked at are of 2025, before any clock the suite runs at: their on-call night is
written beside the running server (as the demo writes shifts) and, for Julien's, the month is
closed by the monthly service, as the engine would after the grace period."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.sync_api import expect

from server.clock import to_db
from server.db import Database
from server.statements.closing import close_month
from tests.e2e.conftest import LiveServer, PhoneFactory
from tests.e2e.helpers import (
    AXE_JS,
    MANAGER,
    PARIS,
    STAFF,
    describe,
    login,
    phone_problems,
    port_refuses,
    read_rows,
    run_axe,
    wait_for_service_worker,
    wait_until_cached,
)

TEAM = "Maintenance des bâtiments"
TALL_PHONE = {"viewport": {"width": 390, "height": 844}}


def night_on_call(live: LiveServer, email: str, day: int, month: int, *, close: bool) -> int:
    """A night on call (18:00 to 08:00 the next day, Paris) of 2025 for `email` in the team,
    written beside the server; the month closed when asked. Returns the team's id."""
    (team,) = read_rows(live, "SELECT id FROM teams WHERE name = ?", (TEAM,))
    (person,) = read_rows(live, "SELECT id FROM users WHERE email = ?", (email,))
    start = datetime(2025, month, day, 18, tzinfo=PARIS)
    end = datetime(2025, month, day + 1, 8, tzinfo=PARIS)
    now = datetime.now(UTC)
    database = Database(live.data_dir / "astreinte.db")
    try:
        with database.write():
            database.insert(
                "shifts",
                {
                    "team_id": team["id"],
                    "kind": "regular",
                    "layer": "primary",
                    "user_id": person["id"],
                    "starts_at": to_db(start),
                    "ends_at": to_db(end),
                    "status": "accepted",
                    "published_at": to_db(start),
                    "answered_at": to_db(start),
                    "created_at": to_db(now),
                    "updated_at": to_db(now),
                },
            )
        if close:
            close_month(database, team["id"], f"2025-{month:02d}", now=now, channels=frozenset())
    finally:
        database.close()
    return team["id"]


def test_a_person_acknowledges_her_statement_and_reads_it_offline(
    make_phone: PhoneFactory, own_server: LiveServer
) -> None:
    night_on_call(own_server, STAFF, 10, 6, close=True)  # Tuesday 10 June 2025, 14 hours
    phone = make_phone(own_server, **TALL_PHONE)
    # Injected by the browser itself, so the app's CSP stays on while axe runs.
    phone.context.add_init_script(path=str(AXE_JS))
    login(phone, STAFF)
    wait_for_service_worker(phone)

    phone.goto("/schedule")
    phone.get_by_role("link", name="Mes relevés").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Mes relevés")
    phone.get_by_role("link", name="Juin 2025").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Relevé de juin 2025")
    statement = phone.locator(".statement")
    expect(statement).to_contain_text("version 1")
    expect(statement).to_contain_text("14 h")
    # The closed statement, its button and tables, as the accessibility sweep checks pages.
    problems = describe("closed statement", run_axe(phone)) + phone_problems("statement", phone)
    assert not problems, "\n".join(problems)
    phone.get_by_role("button", name="Accuser réception").tap()
    expect(phone.get_by_role("status").first).to_contain_text("Merci")
    expect(statement).to_contain_text("Reçu le ")
    expect(phone.get_by_role("button", name="Accuser réception")).to_have_count(0)
    received = statement.get_by_text(re.compile(r"^Reçu le ")).inner_text()
    (row,) = read_rows(own_server, "SELECT COUNT(*) AS n FROM statement_acknowledgements")
    assert row["n"] == 1

    phone.goto("/statements/2025-06")  # the address the list opens, kept by the phone
    expect(statement.get_by_text(received)).to_be_visible()
    wait_until_cached(phone, ["/statements/2025-06"])

    own_server.stop()
    assert port_refuses(own_server.port)
    mark = len(own_server.log)
    phone.goto("/statements/2025-06")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Relevé de juin 2025")
    expect(phone.locator(".statement").get_by_text(received)).to_be_visible()
    expect(phone.locator("#cached-banner")).to_be_visible()
    assert own_server.requests(since=mark) == []


def test_a_manager_closes_a_month_in_english_and_sees_who_has_not_acknowledged(
    make_phone: PhoneFactory, server: LiveServer
) -> None:
    team = night_on_call(server, STAFF, 12, 5, close=False)  # Monday 12 May 2025
    phone = make_phone(server, locale="en-GB", **TALL_PHONE)
    login_english(phone)
    phone.goto("/team")
    expect(phone.get_by_role("link", name="Monthly statements").first).to_be_visible()
    phone.goto(f"/teams/{team}/statements/2025-05")
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Statements of {TEAM}")
    expect(phone.get_by_role("heading", name="Provisional")).to_be_visible()
    phone.get_by_text("Close the month", exact=True).tap()
    expect(phone.get_by_text("Close May 2025 and hand out 1 statement?")).to_be_visible()
    phone.get_by_role("button", name="Confirm: close the month").tap()
    expect(phone.get_by_role("status").first).to_have_text("Month closed: 1 statement handed out.")
    expect(phone.get_by_role("heading", name="Closed")).to_be_visible()
    expect(phone.get_by_text(re.compile(r"^Closed by Claire Martin on "))).to_be_visible()
    waiting = phone.locator(
        "section", has=phone.get_by_role("heading", name="Not acknowledged yet")
    )
    expect(waiting).to_contain_text("Julien Moreau")
    people = phone.locator(".statement-people")
    expect(people).to_contain_text("Julien Moreau")
    expect(people).to_contain_text("not acknowledged")
    rows = read_rows(
        server,
        "SELECT closed_by FROM statement_closings WHERE team_id = ? AND month = ?",
        (team, "2025-05"),
    )
    assert len(rows) == 1 and rows[0]["closed_by"] is not None


def login_english(phone) -> None:
    """Claire logs in; her browser asks for English (the login form's labels are French until
    a language is chosen, so the form is filled by its fields' names)."""
    phone.goto("/login")
    phone.locator("input[name=email]").fill(MANAGER)
    phone.locator("input[name=password]").fill("astreinte-demo")
    with phone.expect_navigation():
        phone.locator("form button[type=submit]").first.tap()
    assert "/login" not in phone.url, phone.url
