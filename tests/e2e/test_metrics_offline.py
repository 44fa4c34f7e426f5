"""The figures on a 390×844 phone: Claire opens her team's dashboard for March 2024, reads its
figures and charts (no console error: the inline SVG breaks no Content-Security-Policy rule,
nothing wider than the screen, touch targets full size), then reads it again with the server
stopped, from the copy the service worker kept; the server was asked nothing.

March 2024 is before any clock the suite runs at and before the demo's year of history: its
alerts and Julien's night on call are written beside the running server (as the demo writes
its history), so the numbers are known whatever the day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from server.clock import to_db
from server.db import Database
from tests.e2e.conftest import LiveServer, PhoneFactory
from tests.e2e.helpers import (
    MANAGER,
    PARIS,
    STAFF,
    login,
    phone_problems,
    port_refuses,
    read_rows,
    wait_for_service_worker,
    wait_until_cached,
)

TEAM = "Maintenance des bâtiments"
TALL_PHONE = {"viewport": {"width": 390, "height": 844}}
# Acknowledged after 90 and 150 s: a nearest-rank median of 90 s, a 90th percentile of 150 s.
ALERTS = [
    (datetime(2024, 3, 11, 9, tzinfo=PARIS), 90),
    (datetime(2024, 3, 12, 23, tzinfo=PARIS), 150),
]


def march_history(live: LiveServer) -> int:
    """Two alerts and a night on call of Julien's in March 2024; returns the team's id."""
    (team,) = read_rows(live, "SELECT id FROM teams WHERE name = ?", (TEAM,))
    (julien,) = read_rows(live, "SELECT id FROM users WHERE email = ?", (STAFF,))
    now = to_db(datetime.now(UTC))
    database = Database(live.data_dir / "astreinte.db")
    try:
        with database.write():
            for created, seconds in ALERTS:
                acknowledged = created + timedelta(seconds=seconds)
                database.insert(
                    "alerts",
                    {
                        "team_id": team["id"],
                        "title": "Chaudière en panne",
                        "source": "GTC",
                        "severity": "critical",
                        "status": "resolved",
                        "created_at": to_db(created),
                        "acknowledged_at": to_db(acknowledged),
                        "resolved_at": to_db(acknowledged + timedelta(minutes=40)),
                        "policy": "{}",
                    },
                )
            database.insert(
                "shifts",
                {
                    "team_id": team["id"],
                    "kind": "regular",
                    "layer": "primary",
                    "user_id": julien["id"],
                    "starts_at": to_db(datetime(2024, 3, 11, 18, tzinfo=PARIS)),
                    "ends_at": to_db(datetime(2024, 3, 12, 8, tzinfo=PARIS)),
                    "status": "accepted",
                    "created_at": now,
                    "updated_at": now,
                },
            )
    finally:
        database.close()
    return team["id"]


def test_a_manager_reads_the_dashboard_on_her_phone_then_offline(
    make_phone: PhoneFactory, own_server: LiveServer
) -> None:
    team = march_history(own_server)
    phone = make_phone(own_server, **TALL_PHONE)
    errors: list[str] = []
    phone.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    login(phone, MANAGER)
    wait_for_service_worker(phone)

    phone.goto("/team")
    section = phone.locator("section", has=phone.get_by_role("heading", name=TEAM, exact=True))
    section.get_by_role("link", name="Chiffres", exact=True).tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Chiffres de {TEAM}")
    address = f"/teams/{team}/figures?period=month&month=2024-03"
    phone.goto(address)
    median = phone.locator('tr[data-figure="time_to_acknowledge.median"] td.now')
    expect(median).to_have_text("1 min 30 s")
    expect(phone.locator('tr[data-figure="alerts"] td.now')).to_have_text("2")
    charts = phone.locator("figure.chart svg[role=img]")
    expect(charts).to_have_count(3)
    expect(charts.first).to_be_visible()
    load = phone.locator("#figure-load")
    expect(load.locator("svg")).to_contain_text("Julien Moreau")
    # A definition opens with a tap; a chart's numbers are a table under "Les chiffres".
    phone.get_by_label("Qu’est-ce que « Délai d’acquittement » ?").tap()
    expect(phone.locator("#define-time_to_acknowledge")).to_be_visible()
    load.get_by_text("Les chiffres").tap()
    expect(load.get_by_role("row", name="Julien Moreau")).to_contain_text("14 h")
    problems = phone_problems("dashboard", phone)
    assert not problems, "\n".join(problems)
    assert errors == [], errors
    wait_until_cached(phone, [address])

    own_server.stop()
    assert port_refuses(own_server.port)
    mark = len(own_server.log)
    phone.reload()
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Chiffres de {TEAM}")
    expect(phone.locator("#cached-banner")).to_be_visible()
    expect(median).to_have_text("1 min 30 s")
    expect(charts).to_have_count(3)
    expect(load.locator("svg")).to_be_visible()
    expect(load.locator("svg")).to_contain_text("Julien Moreau")
    assert own_server.requests(since=mark) == []
