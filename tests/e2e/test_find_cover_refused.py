"""On a phone, a manager taps "Trouver un remplaçant" for a tired colleague whose shift starts
within the hour: no request is sent, she reads why and the ways that work instead (issue 11,
point 3), in French and in English.

The live server runs on the real clock: the shifts and the fatigue report are written beside
it relative to now, as `put_on_call` does, so the test holds whatever the hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, Page, expect

from server.clock import to_db
from server.db import Database
from tests.e2e.conftest import LiveServer, PhoneFactory
from tests.e2e.helpers import DEMO_PASSWORD, MANAGER, STAFF, login

PHONE = {"width": 390, "height": 844}
MAINTENANCE = 1
NADIA, THOMAS = "nadia.lefebvre@astreinte.test", "thomas.petit@astreinte.test"


def tired_and_on_call_soon(live: LiveServer) -> None:
    """Nadia is on call from ten minutes from now (Thomas her backup) and declared fatigue 8.
    Until then Thomas and Julien hold the two levels, so whatever the demo planned for now,
    Nadia's next shift is the one the team rest page warns about."""
    now = datetime.now(UTC).replace(microsecond=0)
    soon, ends = now + timedelta(minutes=10), now + timedelta(hours=8)
    told = now - timedelta(days=20)
    database = Database(live.data_dir / "astreinte.db")
    try:
        with database.write():
            ids = {
                email: database.scalar("SELECT id FROM users WHERE email = ?", (email,))
                for email in (NADIA, THOMAS, STAFF)
            }
            for email, layer, starts_at, ends_at in (
                (THOMAS, "primary", now - timedelta(minutes=1), soon),
                (STAFF, "secondary", now - timedelta(minutes=1), soon),
                (NADIA, "primary", soon, ends),
                (THOMAS, "secondary", soon, ends),
            ):
                database.insert(
                    "shifts",
                    {
                        "team_id": MAINTENANCE,
                        "rotation_id": None,
                        # Overrides, so they are who is on call whatever the demo planned.
                        "kind": "override",
                        "layer": layer,
                        "user_id": ids[email],
                        "starts_at": to_db(starts_at),
                        "ends_at": to_db(ends_at),
                        "status": "accepted",
                        "published_at": to_db(told),
                        "answered_at": to_db(told),
                        "edited": 1,
                        "created_at": to_db(told),
                        "updated_at": to_db(told),
                    },
                )
            database.insert(
                "fatigue_reports",
                {
                    "user_id": ids[NADIA],
                    "score": 8,
                    "reported_at": to_db(now - timedelta(minutes=5)),
                    "context": "today",
                    "created_at": to_db(now - timedelta(minutes=5)),
                },
            )
    finally:
        database.close()


def requests_written(live: LiveServer) -> int:
    database = Database(live.data_dir / "astreinte.db")
    try:
        return database.scalar("SELECT COUNT(*) FROM swap_requests")
    finally:
        database.close()


def tap_find_a_cover(phone: Page, label: str) -> None:
    phone.goto("/rest/team")
    warning = phone.locator("section.rest-owed").filter(has_text="Nadia Lefebvre")
    with phone.expect_navigation():
        warning.get_by_role("link", name=label).tap()


def test_a_cover_within_the_hour_is_refused_with_the_ways_that_work(
    make_phone: PhoneFactory, server: LiveServer, browser: Browser
) -> None:
    tired_and_on_call_soon(server)
    before = requests_written(server)
    phone = make_phone(server)
    phone.set_viewport_size(PHONE)
    login(phone, MANAGER)
    tap_find_a_cover(phone, "Trouver un remplaçant")

    card = phone.locator("#cannot-card")
    expect(card).to_be_visible()
    expect(card.get_by_role("alert")).to_contain_text(
        "Imposé à Nadia Lefebvre avec moins d’un jour franc de délai : interdit."
    )
    box = card.get_by_role("alert").bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    expect(card).to_contain_text("Thomas Petit est en renfort pendant cette astreinte")
    expect(card).to_contain_text(
        "Demander à Nadia Lefebvre de faire la demande depuis son téléphone"
    )
    expect(card).to_contain_text("Un remplacement imposé n’est pas possible non plus")
    # Nothing to send that could not succeed, and nothing was sent.
    expect(phone.get_by_role("button", name="Envoyer la demande")).to_have_count(0)
    assert requests_written(server) == before
    # The way to page the backup leads to the escalation policy, where it is set.
    with phone.expect_navigation():
        card.get_by_role("link", name="Alerter d’abord le renfort").tap()
    assert phone.url.endswith(f"/alerts/policy?team={MAINTENANCE}")
    expect(phone.locator("input[name=backup_first_when_tired]")).to_be_attached()

    # The same in English, on a phone set to British English.
    context = browser.new_context(
        base_url=server.url, viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB"
    )
    english = context.new_page()
    english.goto("/login")
    english.locator("input[name=email]").fill(MANAGER)
    english.locator("input[name=password]").fill(DEMO_PASSWORD)
    with english.expect_navigation():
        english.get_by_role("button", name="Log in").tap()
    tap_find_a_cover(english, "Find a cover")
    try:
        expect(english.locator("#cannot-card")).to_contain_text(
            "Ask Nadia Lefebvre to make the request from their own phone"
        )
    finally:
        context.close()
