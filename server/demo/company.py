"""Seeding the demo company on a first start outside production: its teams and people, their
working hours, last night's call-out and a leave, the schedule and a cover request, a year of
history and the statements of the two past months."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.accounts.models import UserForm
from server.accounts.passwords import hash_password
from server.accounts.store import create_user, current_user, user_row_by_email
from server.audit.models import Actor
from server.db import Database
from server.demo import store as demo_store
from server.demo.clients import seed_clients
from server.demo.history import seed_history
from server.demo.people import (
    CALLED_OUT,
    DECLINER,
    DEMO_PASSWORD,
    IT_SUPPORT,
    IT_WEEK,
    MAINTENANCE,
    OFFICE_WEEK,
    PEOPLE,
)
from server.demo.procedures import seed_procedures
from server.demo.qualifications import seed_qualifications
from server.demo.schedule import seed_schedule
from server.demo.statements import close_past_months, seed_statements
from server.demo.training import seed_training
from server.interventions.models import CreateOp, InterventionData
from server.interventions.sync import apply_operation
from server.rest.fatigue import record_fatigue
from server.rest.models import AbsenceIn, PatternForm
from server.rest.pattern import add_absence, set_pattern
from server.rest.timeline import parse_pattern
from server.swaps.demo import seed_cover_request
from server.teams.models import TeamForm
from server.teams.store import create_team, set_membership


def is_empty(database: Database) -> bool:
    return not demo_store.any_user(database)


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
            demo_store.give_password(database, user.id, password_hash)
            if person.team:
                set_membership(
                    database, teams[person.team], user.id, person.team_role, actor=actor, now=now
                )
        for name in (MAINTENANCE, IT_SUPPORT):
            seed_schedule(database, teams[name], now)
        seed_rest(database, now)
        seed_cover_request(database, teams[MAINTENANCE], now)
        seed_qualifications(database, teams, now)
        seed_statements(database, teams, now)
        seed_clients(database, teams, now)
        seed_procedures(database, teams, now)
        seed_history(database, teams, now)
        seed_training(database, teams, now)
        close_past_months(database, teams, now)
    return True


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
