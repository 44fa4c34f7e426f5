"""The demo company seeded on a first start outside production: two teams, nine people."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec

from server.accounts.models import UserForm
from server.accounts.passwords import hash_password
from server.accounts.store import create_user, current_user, user_row_by_email
from server.audit.models import Actor
from server.clock import to_db
from server.db import Database
from server.interventions.models import CreateOp, InterventionData
from server.interventions.sync import apply_operation
from server.rest.fatigue import record_fatigue
from server.rest.pattern import AbsenceIn, PatternForm, add_absence, parse_pattern, set_pattern
from server.schedules.models import MAX_SHIFT_DAYS, Coverage, Rotation, RotationSpec
from server.schedules.rotation import plan_shifts
from server.schedules.rotations import save_rotation, sync_rotation
from server.schedules.store import insert_planned, list_rotations, list_shifts
from server.swaps.demo import seed_cover_request
from server.teams.models import TeamForm
from server.teams.store import create_team, get_team, list_teams, members, set_membership

DEMO_PASSWORD = "astreinte-demo"


class DemoPerson(msgspec.Struct, frozen=True):
    email: str
    name: str
    phone: str
    role: str
    team: str | None
    team_role: str = "member"


MAINTENANCE = "Maintenance des bâtiments"
IT_SUPPORT = "Support informatique"

PEOPLE = (
    DemoPerson("admin@astreinte.test", "Hélène Garnier", "+33 6 11 22 33 44", "admin", None),
    DemoPerson(
        "claire.martin@astreinte.test",
        "Claire Martin",
        "+33 6 12 34 56 78",
        "manager",
        MAINTENANCE,
        "manager",
    ),
    DemoPerson(
        "julien.moreau@astreinte.test", "Julien Moreau", "+33 6 23 45 67 89", "staff", MAINTENANCE
    ),
    DemoPerson(
        "nadia.lefebvre@astreinte.test", "Nadia Lefebvre", "+33 6 34 56 78 90", "staff", MAINTENANCE
    ),
    DemoPerson(
        "thomas.petit@astreinte.test", "Thomas Petit", "+33 6 45 67 89 01", "staff", MAINTENANCE
    ),
    DemoPerson(
        "karim.benali@astreinte.test",
        "Karim Benali",
        "+33 6 56 78 90 12",
        "manager",
        IT_SUPPORT,
        "manager",
    ),
    DemoPerson(
        "camille.roux@astreinte.test", "Camille Roux", "+33 6 67 89 01 23", "staff", IT_SUPPORT
    ),
    DemoPerson(
        "mathieu.fontaine@astreinte.test",
        "Mathieu Fontaine",
        "+33 7 78 90 12 34",
        "staff",
        IT_SUPPORT,
    ),
    DemoPerson("lea.dubois@astreinte.test", "Léa Dubois", "+33 7 89 01 23 45", "staff", IT_SUPPORT),
)


def is_empty(database: Database) -> bool:
    return not database.scalar("SELECT COUNT(*) FROM users")


def seed_demo(database: Database, now: datetime) -> bool:
    """Create the demo company in one transaction; False when it is already there."""
    if user_row_by_email(database, PEOPLE[0].email):
        return False
    actor = Actor(label="demo")
    password_hash = hash_password(DEMO_PASSWORD)
    with database.write():
        teams = {
            name: create_team(database, TeamForm(name=name), actor=actor, now=now).id
            for name in (MAINTENANCE, IT_SUPPORT)
        }
        for person in PEOPLE:
            form = UserForm(
                email=person.email, name=person.name, phone=person.phone, role=person.role
            )
            user = create_user(database, form, actor=actor, now=now)
            database.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user.id)
            )
            if person.team:
                set_membership(
                    database, teams[person.team], user.id, person.team_role, actor=actor, now=now
                )
        for name in (MAINTENANCE, IT_SUPPORT):
            seed_schedule(database, teams[name], now)
        seed_rest(database, now)
        seed_cover_request(database, teams[MAINTENANCE], now)
    return True


# Working hours of the demo: the office's, and the IT desk's later ones.
OFFICE_WEEK = "08:30-12:00, 13:30-17:30"
IT_WEEK = "09:00-12:30, 14:00-18:00"
# Who was called out last night, and how tired they said they were afterwards.
CALLED_OUT = "nadia.lefebvre@astreinte.test"


def seed_rest(database: Database, now: datetime) -> None:
    """Everyone's working hours; last night, Nadia was called out at 02:10 after a day of
    work (her rest was cut short) and said she felt sleepy; Thomas is on leave next week."""
    actor = Actor(label="demo")
    for person in PEOPLE:
        if person.team is None:
            continue
        week = IT_WEEK if person.team == IT_SUPPORT else OFFICE_WEEK
        form = PatternForm(mon=week, tue=week, wed=week, thu=week, fri=week)
        user_id = user_row_by_email(database, person.email)["id"]
        set_pattern(database, user_id, parse_pattern(form), actor=actor, now=now)
    zone = ZoneInfo("Europe/Paris")
    local = now.astimezone(zone)
    night = local.date() if local.hour >= 4 else local.date() - timedelta(days=1)
    start = datetime.combine(night, time(2, 10), zone)
    end = datetime.combine(night, time(3, 20), zone)
    nadia = current_user(database, user_row_by_email(database, CALLED_OUT)["id"])
    assert nadia is not None
    apply_operation(
        database,
        nadia,
        CreateOp(
            op_id=str(uuid.uuid4()),
            uuid=str(uuid.uuid4()),
            changed_at=end + timedelta(minutes=10),
            data=InterventionData(
                started_at=start,
                ended_at=end,
                travel_minutes=30,
                place="Bâtiment C, chaufferie",
                found="Brûleur en sécurité, pression basse",
                done="Réarmement, purge du circuit",
            ),
        ),
        now,
    )
    record_fatigue(
        database, nadia.id, 7, context="night_intervention", now=end + timedelta(minutes=20)
    )
    thomas = user_row_by_email(database, DECLINER)["id"]
    next_monday = local.date() + timedelta(days=7 - local.weekday())
    add_absence(
        database,
        thomas,
        AbsenceIn(kind="leave", first_day=next_monday, last_day=next_monday + timedelta(days=4)),
        actor=actor,
        now=now,
    )


# The demo's decline, so a manager sees a shift that needs action.
DECLINER = "thomas.petit@astreinte.test"
# People whose coming shifts stay unanswered in the demo.
SLOW_TO_ANSWER = ("nadia.lefebvre@astreinte.test", "lea.dubois@astreinte.test")


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
    database.execute(
        "UPDATE shifts SET status = 'published', published_at = ? "
        "WHERE team_id = ? AND starts_at < ?",
        (told_at, team_id, publish_until),
    )
    declined = False
    rows = database.query(
        "SELECT id, user_id, starts_at FROM shifts WHERE team_id = ? AND status = 'published' "
        "ORDER BY starts_at",
        (team_id,),
    )
    for row in rows:
        email = emails[row["user_id"]]
        future = row["starts_at"] > to_db(now)
        if email in SLOW_TO_ANSWER and future:
            continue
        if (
            email == DECLINER
            and not declined
            and row["starts_at"] > to_db(now + timedelta(days=14))
        ):
            database.execute(
                "UPDATE shifts SET status = 'declined', answered_at = ?, decline_reason = ? "
                "WHERE id = ?",
                (
                    told_at,
                    "Mariage de ma sœur ce week-end-là, je ne serai pas joignable.",
                    row["id"],
                ),
            )
            declined = True
            continue
        database.execute(
            "UPDATE shifts SET status = 'accepted', answered_at = ? WHERE id = ?",
            (told_at, row["id"]),
        )


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
        database.execute(
            "UPDATE shifts SET status = ?, published_at = ?, answered_at = ?, "
            "version = version + 1, updated_at = ? WHERE id = ? AND status = 'draft'",
            (
                "published" if slow else "accepted",
                told_at,
                None if slow else told_at,
                to_db(now),
                shift.id,
            ),
        )
    return len(drafts)


def logins_text(base_url: str) -> str:
    lines = [f"Astreinte demo on {base_url} (password for everyone: {DEMO_PASSWORD})"]
    for person in PEOPLE:
        where = f" — {person.team}" if person.team else ""
        lines.append(f"  {person.role:<8} {person.email:<34} {person.name}{where}")
    return "\n".join(lines)
