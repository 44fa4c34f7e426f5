"""The demo's training: its sessions listed for each team's managers, the stress session's
effect read from the year of history (counts on both sides, complete), Thomas's H0V granted by
his course, and each attendee's own history."""

from __future__ import annotations

from datetime import UTC, datetime

from server.clock import ManualClock
from server.db import Database
from server.demo.company import seed_demo

# A Monday morning in December, the demo's history behind it.
START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def signed_in(make_client, email: str):
    browser = make_client()
    browser.headers["Accept-Language"] = "en"
    browser.login(email, "astreinte-demo")
    return browser


def test_the_demo_shows_training_and_its_effect(
    database: Database, clock: ManualClock, make_client
) -> None:
    clock.set(START)
    assert seed_demo(database, START)
    claire = signed_in(make_client, "claire.martin@astreinte.test")
    team = database.scalar("SELECT id FROM teams WHERE name = 'Maintenance des bâtiments'")
    listing = claire.get(f"/teams/{team}/training")
    assert "Gérer le stress des nuits d’astreinte" in listing.text
    assert "Habilitation électrique H0V, formation initiale" in listing.text
    assert "Parler au client" not in listing.text  # the IT desk's
    stress = database.scalar("SELECT id FROM training_sessions WHERE kind = 'stress'")
    page = claire.get(f"/training/{stress}")
    assert page.status_code == 200
    assert "partial" not in page.text  # held 122 days ago: the 3 months after have passed
    for name in ("Julien Moreau", "Nadia Lefebvre", "Thomas Petit"):
        assert name in page.text
    # The history gives the group alerts acknowledged on both sides.
    counts = database.query(
        "SELECT COUNT(*) AS n FROM alerts a JOIN training_attendees t ON t.user_id = "
        "a.acknowledged_by WHERE t.session_id = ?",
        (stress,),
    )
    assert counts[0]["n"] > 0
    assert "(0 alerts)" not in page.text.split("The group")[1].split("</table>")[0]
    thomas = database.scalar("SELECT id FROM users WHERE email = 'thomas.petit@astreinte.test'")
    assert database.query(
        "SELECT p.obtained_on IS NOT NULL AS dated, p.expires_on > p.obtained_on AS expires "
        "FROM person_qualifications p JOIN qualifications q ON q.id = p.qualification_id "
        "WHERE p.user_id = ? AND q.name = 'Habilitation électrique H0V'",
        (thomas,),
    ) == [{"dated": 1, "expires": 1}]
    csv = claire.get(f"/teams/{team}/training.csv")
    assert csv.headers["content-disposition"] == (
        'attachment; filename="training-maintenance-des-batiments.csv"'
    )
    assert "Gérer le stress des nuits d’astreinte" in csv.text
    julien = signed_in(make_client, "julien.moreau@astreinte.test")
    mine = julien.get("/training")
    assert "Gérer le stress des nuits d’astreinte" in mine.text
    assert "H0V" not in mine.text
