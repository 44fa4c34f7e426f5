"""A demo left running for weeks keeps a living schedule: someone is on call every coming night,
while real teams' drafts wait for their managers."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from server.audit.models import Actor
from server.clock import ManualClock
from server.db import Database
from server.demo import IT_SUPPORT, MAINTENANCE, keep_demo_schedule, seed_demo
from server.schedules.lookup import who_is_on_call
from server.schedules.models import Coverage, RotationSpec
from server.schedules.rotations import save_rotation
from server.teams.models import TeamForm
from server.teams.store import create_team, find_team, set_membership
from tests.conftest import Company
from tests.integration.schedule_helpers import PARIS, stored

LATER = timedelta(weeks=10)


@pytest.fixture
def demo(database: Database, clock: ManualClock) -> dict[str, int]:
    assert seed_demo(database, clock.now())
    return {name: find_team(database, name).id for name in (MAINTENANCE, IT_SUPPORT)}


def nights(now: datetime, count: int) -> list[datetime]:
    """23:00 in Paris on each of the `count` days from now's."""
    today = now.astimezone(PARIS).date()
    return [
        datetime.combine(today + timedelta(days=n), time(23), tzinfo=PARIS) for n in range(count)
    ]


def test_ten_weeks_on_someone_is_on_call_every_coming_night(
    database: Database, clock: ManualClock, demo: dict[str, int]
) -> None:
    clock.advance(LATER)
    now = clock.now()
    coming = nights(now, 8 * 7)
    # What the demo seeded ran out two weeks ago: the API would answer "nobody".
    assert who_is_on_call(database, demo[MAINTENANCE], coming[3]).primary is None

    published = keep_demo_schedule(database, now)

    assert published > 0
    for team_id in demo.values():
        for night in coming:
            answer = who_is_on_call(database, team_id, night)
            assert answer.primary is not None, (team_id, night)
            assert answer.secondary is not None, (team_id, night)
            assert answer.primary.phone
    # Beyond eight weeks the drafts stay drafts, as a manager publishes step by step.
    beyond = now + timedelta(weeks=8, days=1)
    rows = database.query(
        "SELECT status, published_at, starts_at FROM shifts WHERE team_id = ? AND starts_at >= ?",
        (demo[MAINTENANCE], stored(beyond)),
    )
    assert rows and {row["status"] for row in rows} == {"draft"}
    # Running again publishes nothing twice.
    assert keep_demo_schedule(database, now) == 0


def test_after_a_stop_longer_than_the_horizon_the_night_under_way_is_covered(
    database: Database, clock: ManualClock, demo: dict[str, int]
) -> None:
    # Fourteen weeks on, Monday 20:00: nothing was generated this far, the night began at 18:00.
    clock.advance(timedelta(weeks=14, hours=10))
    now = clock.now()
    assert now.astimezone(PARIS).strftime("%A %H:%M") == "Monday 20:00"
    for team_id in demo.values():
        assert who_is_on_call(database, team_id, now).primary is None
    keep_demo_schedule(database, now)
    for team_id in demo.values():
        answer = who_is_on_call(database, team_id, now)
        assert answer.primary is not None and answer.secondary is not None
        assert answer.primary.until == datetime.combine(
            now.astimezone(PARIS).date() + timedelta(days=1), time(8), tzinfo=PARIS
        )


def test_shifts_kept_alive_are_answered_like_the_demo(
    database: Database, clock: ManualClock, demo: dict[str, int]
) -> None:
    clock.advance(LATER)
    now = clock.now()
    keep_demo_schedule(database, now)
    rows = database.query(
        "SELECT u.email, s.status, s.published_at, s.starts_at FROM shifts s "
        "JOIN users u ON u.id = s.user_id WHERE s.team_id = ? AND s.starts_at > ?",
        (demo[MAINTENANCE], stored(now)),
    )
    told = [row for row in rows if row["status"] != "draft"]
    by_person = {(row["email"], row["status"]) for row in told}
    # Nadia is slow to answer; the others accepted.
    assert ("nadia.lefebvre@astreinte.test", "published") in by_person
    assert ("julien.moreau@astreinte.test", "accepted") in by_person
    assert ("julien.moreau@astreinte.test", "published") not in by_person
    # No publication time is in the future.
    assert all(row["published_at"] <= stored(now) for row in told)


def test_real_teams_are_never_published_by_the_demo(
    database: Database, clock: ManualClock, company: Company
) -> None:
    # A real team that happens to bear the demo's team name, with a rotation of drafts.
    actor = Actor(label="test")
    now = clock.now()
    namesake = create_team(database, TeamForm(name=MAINTENANCE), actor=actor, now=now)
    for user in (company.staff_a, company.staff_a2):
        set_membership(database, namesake.id, user.id, "member", actor=actor, now=now)
    for team_id in (namesake.id, company.team_a.id):
        save_rotation(
            database,
            team_id=team_id,
            name="Astreinte",
            layer="primary",
            spec=RotationSpec(
                timezone="Europe/Paris",
                participants=(company.staff_a.id, company.staff_a2.id),
                start_date=now.date(),
                handoff_time="08:00",
                coverage=Coverage(),
            ),
            horizon_weeks=12,
            actor=actor,
            now=now,
        )
    drafts = database.scalar("SELECT COUNT(*) FROM shifts WHERE status = 'draft'")
    assert drafts > 0

    assert keep_demo_schedule(database, now + LATER) == 0
    assert database.scalar("SELECT COUNT(*) FROM shifts WHERE status != 'draft'") == 0
