"""The demo's monthly statements: each team's compensation and everyone's hourly wage, and the
two months before the demo's first start lived through (the rotations' shifts published and
accepted, a few night call-outs with travel) then closed as the engine would after the grace
period, so that closed statements to acknowledge and provisional ones show on the first start."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec

from server.accounts.store import current_user, user_row_by_email
from server.audit.models import Actor
from server.clock import to_db
from server.db import Database
from server.demo import store as demo_store
from server.demo.people import IT_SUPPORT
from server.interventions.models import CreateOp, InterventionData
from server.interventions.sync import apply_operation
from server.schedules.models import PlannedShift, Rotation
from server.schedules.rotation import plan_shifts
from server.schedules.store import insert_planned, list_rotations
from server.statements.closing import close_month
from server.statements.documents import closes_at, month_bounds
from server.statements.models import Compensation, DayRates, PremiumPercents
from server.statements.store import save_compensation, save_wage
from server.teams.store import get_team

# 1.00 / 1.50 / 2.00 / 2.50 € an hour by kind of day, 0.50 € more at night; interventions
# paid at the wage with premiums (the law's double pay on 1 May comes by itself). The IT desk
# also gives rest on Sundays and public holidays.
MONEY = Compensation(
    oncall_cents_per_hour=DayRates(weekday=100, saturday=150, sunday=200, holiday=250),
    oncall_night_cents_per_hour=50,
    intervention_premium_percent=PremiumPercents(saturday=25, sunday=50, holiday=100, night=25),
)
MONEY_AND_REST = msgspec.structs.replace(
    MONEY, oncall_rest_minutes_per_hour=DayRates(sunday=6, holiday=10)
)
# Hourly wages in cents (the administrator is on call nowhere).
WAGES = {
    "claire.martin@astreinte.test": 2600,
    "julien.moreau@astreinte.test": 1900,
    "nadia.lefebvre@astreinte.test": 2050,
    "thomas.petit@astreinte.test": 1800,
    "karim.benali@astreinte.test": 2700,
    "camille.roux@astreinte.test": 2100,
    "mathieu.fontaine@astreinte.test": 1950,
    "lea.dubois@astreinte.test": 2000,
}
PLACES = ("Bâtiment A, ascenseur", "Chaufferie, bâtiment C", "Salle serveurs, 2e étage")
# What the demo's call-outs found: tells its seeded records from those a person logs.
FOUND = "Alarme reçue par la supervision"


def seed_statements(database: Database, teams: dict[str, int], now: datetime) -> None:
    """Inside the demo's transaction, after the schedule: compensation, wages and the two past
    months lived (`close_past_months` closes them, once the year of history is in)."""
    actor = Actor(label="demo")
    for name, team_id in teams.items():
        compensation = MONEY_AND_REST if name == IT_SUPPORT else MONEY
        save_compensation(database, team_id, compensation, actor=actor, now=now)
    for email, cents in WAGES.items():
        save_wage(database, user_row_by_email(database, email)["id"], cents, actor=actor, now=now)
    for team_id in teams.values():
        zone = ZoneInfo(get_team(database, team_id).timezone)
        first, _end = month_bounds(past_months(now.astimezone(zone).date(), 2)[0], str(zone))
        for rotation in list_rotations(database, team_id):
            _live_before(database, team_id, rotation, first, now)


def close_past_months(database: Database, teams: dict[str, int], now: datetime) -> None:
    """The two past months closed as the engine would after the grace period. Tells nobody
    outside the app (no channel: the demo's people are not real); their in-app notifications
    say the statements are ready."""
    for team_id in teams.values():
        zone = ZoneInfo(get_team(database, team_id).timezone)
        for month in past_months(now.astimezone(zone).date(), 2):
            closed_at = min(now, closes_at(month, str(zone), MONEY.grace_days))
            close_month(database, team_id, month, now=closed_at, channels=frozenset())


def past_months(today: date, count: int) -> list[str]:
    """The `count` months before today's, oldest first, YYYY-MM."""
    found = []
    day = today.replace(day=1)
    for _ in range(count):
        day = (day - timedelta(days=1)).replace(day=1)
        found.append(f"{day.year:04d}-{day.month:02d}")
    return found[::-1]


def rotation_begins(rotation: Rotation) -> datetime:
    """Where the rotation's own (seeded) schedule begins: its first hand-off."""
    spec = rotation.spec
    return datetime.combine(
        spec.start_date, time.fromisoformat(spec.handoff_time), ZoneInfo(spec.timezone)
    )


def turns_before(rotation: Rotation, first: datetime, until: datetime) -> list[PlannedShift]:
    """The rotation's shifts from the turn under way at `first` to `until`, in the same order
    as its own schedule (its start moved back by whole cycles), pieces ending after `until`
    left out so they join what is there without overlapping it."""
    spec = rotation.spec
    cycle = timedelta(weeks=len(spec.participants) * spec.length)
    cycles = (rotation_begins(rotation) - first) // cycle + 1
    earlier = msgspec.structs.replace(spec, start_date=spec.start_date - cycles * cycle)
    return [p for p in plan_shifts(earlier, first - cycle, until) if p.ends_at <= until]


def _live_before(
    database: Database, team_id: int, rotation: Rotation, first: datetime, now: datetime
) -> None:
    """The rotation's turns from before `first` up to where its seeded schedule begins, in the
    same order (moved back by whole cycles), published and accepted; the primary's person is
    called out on the second night of each turn. Shifts of no rotation: keeping the schedule
    alive never touches them."""
    zone = ZoneInfo(rotation.spec.timezone)
    begins = rotation_begins(rotation)
    planned = turns_before(rotation, first, begins)
    insert_planned(database, team_id, None, rotation.layer, planned, now)
    told_at = to_db(first - timedelta(days=30))
    demo_store.publish_told(database, team_id, told_at=told_at, before=to_db(begins))
    for row in demo_store.published_shifts(database, team_id):
        if row["starts_at"] < to_db(begins):
            demo_store.accept(database, row["id"], told_at=told_at)
    if rotation.layer != "primary":
        return
    for index, shift in enumerate(planned):
        local = shift.starts_at.astimezone(zone)
        start = datetime.combine(
            local.date() + timedelta(days=2), time(2, 10 + index % 4 * 10), zone
        )
        if shift.ends_at <= first or not shift.starts_at <= start < shift.ends_at:
            continue
        _call_out(database, shift.user_id, start, 40 + index % 3 * 25, index)


def _call_out(database: Database, user_id: int, start: datetime, minutes: int, index: int) -> None:
    end = start + timedelta(minutes=minutes)
    synced = end + timedelta(minutes=15)
    person = current_user(database, user_id)
    assert person is not None
    apply_operation(
        database,
        person,
        CreateOp(
            op_id=str(uuid.uuid4()),
            uuid=str(uuid.uuid4()),
            changed_at=synced,
            data=InterventionData(
                started_at=start,
                ended_at=end,
                travel_minutes=30 + index % 2 * 20,
                place=PLACES[index % len(PLACES)],
                found=FOUND,
                done="Remise en service, contrôle effectué",
            ),
        ),
        synced,
    )
