"""The demo's schedule: seeded with past and coming weeks published and answered, then kept
alive while the demo runs (rotations generated, the coming weeks published as its managers
would, answered as its people do)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.audit.models import Actor
from server.clock import to_db
from server.db import Database
from server.demo import store as demo_store
from server.demo.people import DECLINER, IT_SUPPORT, MAINTENANCE, PEOPLE, SLOW_TO_ANSWER
from server.schedules.models import MAX_SHIFT_DAYS, Coverage, Rotation, RotationSpec
from server.schedules.rotation import plan_shifts
from server.schedules.rotations import save_rotation, sync_rotation
from server.schedules.store import insert_planned, list_rotations, list_shifts
from server.teams.store import get_team, list_teams, members


def seed_schedule(database: Database, team_id: int, now: datetime) -> None:
    """A weekly rotation covering nights, weekends and holidays, with a backup layer; the past
    two weeks and the coming eight are published (as if told 16 days before they began), most
    shifts accepted, one declined, some unanswered."""
    team = get_team(database, team_id)
    zone = ZoneInfo(team.timezone)
    today = now.astimezone(zone).date()
    start = today - timedelta(days=today.weekday() + 14)
    people = [m.user_id for m in members(database, team_id)]
    emails = {m.user_id: m.email for m in members(database, team_id)}
    actor = Actor(label="demo")
    half = len(people) // 2
    for layer, order in (("primary", people), ("secondary", people[half:] + people[:half])):
        spec = RotationSpec(
            timezone=team.timezone,
            participants=tuple(order),
            start_date=start,
            handoff_time="08:00",
            length=1,
            length_unit="weeks",
            coverage=Coverage(),
        )
        name = "Astreinte hebdomadaire" + (" (renfort)" if layer == "secondary" else "")
        rotation = save_rotation(
            database,
            team_id=team_id,
            name=name,
            layer=layer,
            spec=spec,
            horizon_weeks=12,
            actor=actor,
            now=now,
        )
        first = datetime.combine(start, time(8), tzinfo=zone)
        past = [p for p in plan_shifts(spec, first, now) if p.starts_at < now]
        insert_planned(database, team_id, rotation.id, layer, past, now)
    start_local = datetime.combine(start, time(9), tzinfo=zone)
    told_at = to_db(start_local - timedelta(days=16))
    publish_until = to_db(start_local + timedelta(weeks=10))
    demo_store.publish_told(database, team_id, told_at=told_at, before=publish_until)
    declined = False
    for row in demo_store.published_shifts(database, team_id):
        email = emails[row["user_id"]]
        future = row["starts_at"] > to_db(now)
        if email in SLOW_TO_ANSWER and future:
            continue
        if (
            email == DECLINER
            and not declined
            and row["starts_at"] > to_db(now + timedelta(days=14))
        ):
            demo_store.decline(
                database,
                row["id"],
                told_at=told_at,
                reason="Mariage de ma sœur ce week-end-là, je ne serai pas joignable.",
            )
            declined = True
            continue
        demo_store.accept(database, row["id"], told_at=told_at)


# A demo left running keeps this much of its schedule published, as its managers would.
PUBLISHED_WEEKS = 8
# Notice the demo's managers give (as in `seed_schedule`): told 16 days before a shift begins.
DEMO_NOTICE = timedelta(days=16)


def demo_team_ids(database: Database) -> list[int]:
    """The demo company's teams: the demo's team names, with demo people only. Their
    addresses are under `.test`, a domain reserved for tests, so no real team ever matches,
    even one that happens to bear the same name."""
    demo_emails = {person.email for person in PEOPLE}
    found = []
    for team in list_teams(database):
        if team.name not in (MAINTENANCE, IT_SUPPORT):
            continue
        emails = {m.email for m in members(database, team.id)}
        if emails and emails <= demo_emails:
            found.append(team.id)
    return found


def keep_demo_schedule(database: Database, now: datetime) -> int:
    """Keep the demo's schedule alive: its rotations generated, a shift under way filled in
    after a long stop, and the drafts of the coming PUBLISHED_WEEKS weeks published and
    answered the way the demo's people answer. A job for the engine (and for `serve` at
    start) outside production; it touches the demo company's teams only, tells nobody (the
    demo's people are not real) and returns the number of shifts published."""
    published = 0
    with database.write():
        for team_id in demo_team_ids(database):
            for rotation in list_rotations(database, team_id):
                if not rotation.active:
                    continue
                sync_rotation(database, rotation, now)
                _fill_under_way(database, team_id, rotation, now)
            published += _publish_coming(database, team_id, now)
    return published


def _fill_under_way(database: Database, team_id: int, rotation: Rotation, now: datetime) -> None:
    """After a stop longer than the rotation's horizon, nobody holds the stretch under way
    (generation starts at now): give it to whom the rotation gives it."""
    under_way = [
        p
        for p in plan_shifts(rotation.spec, now - timedelta(days=MAX_SHIFT_DAYS), now)
        if p.ends_at > now
    ]
    taken = list_shifts(
        database,
        team_ids=[team_id],
        start=now,
        end=now + timedelta(seconds=1),
        layer=rotation.layer,
    )
    if under_way and not taken:
        insert_planned(database, team_id, rotation.id, rotation.layer, under_way, now)


def _publish_coming(database: Database, team_id: int, now: datetime) -> int:
    emails = {m.user_id: m.email for m in members(database, team_id)}
    drafts = list_shifts(
        database,
        team_ids=[team_id],
        start=now,
        end=now + timedelta(weeks=PUBLISHED_WEEKS),
        statuses=["draft"],
    )
    for shift in drafts:
        told_at = to_db(min(now, shift.starts_at - DEMO_NOTICE))
        slow = emails.get(shift.user_id) in SLOW_TO_ANSWER
        demo_store.publish_draft(
            database,
            shift.id,
            answered=not slow,
            told_at=told_at,
            now=now,
        )
    return len(drafts)
