"""What the Today page says about on-call duty: mine now or next, my backup, who to call."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.accounts.models import CurrentUser
from server.db import Database
from server.models import Value
from server.schedules.lookup import OnCall, who_is_on_call
from server.schedules.models import TOLD, Shift
from server.schedules.oncall import effective_slots, on_call_at
from server.schedules.store import count_unanswered, list_shifts, next_change
from server.teams.models import Member, Team
from server.teams.store import members, teams_of

LOOK_AHEAD = timedelta(weeks=12)
# The next duty is among my first few shifts even when overrides replace some of them.
MINE_LOOK = 12
# A rendered Today page is kept at most this long even when nothing changes.
MAX_FRESH = timedelta(minutes=15)
# Enough to see the end of a week of nights and who backs it up.
DUTY_LOOK = timedelta(days=8)


class MyDuty(Value, kw_only=True):
    team: Team
    shift: Shift
    now: bool
    until: datetime
    backup: str | None
    backup_phone: str


class NextOnCall(Value, kw_only=True):
    """Who takes a layer that nobody holds now, and when."""

    name: str
    phone: str
    starts_at: datetime


class TeamNow(Value, kw_only=True):
    team: Team
    oncall: OnCall
    managers: list[Member]
    # Only for a layer nobody holds now ("nobody", then who comes, and from when). The kept
    # copy of Today expires at the team's next hand-off (`next_change`), which is when this
    # person starts at the latest, so the line is never served stale.
    next_primary: NextOnCall | None = None
    next_secondary: NextOnCall | None = None


def next_on_call(
    database: Database, team_id: int, oncall: OnCall, now: datetime
) -> dict[str, NextOnCall | None]:
    """For each layer nobody holds at `now`, the first person to take it within DUTY_LOOK."""
    empty = [layer for layer in ("primary", "secondary") if getattr(oncall, layer) is None]
    if not empty:
        return {}
    shifts = list_shifts(
        database, team_ids=[team_id], start=now, end=now + DUTY_LOOK, statuses=TOLD
    )
    by_id = {s.id: s for s in shifts}
    found: dict[str, NextOnCall | None] = {}
    for layer in empty:
        coming = next(
            (s for s in effective_slots(shifts, layer, now, now + DUTY_LOOK) if s.starts_at > now),
            None,
        )
        shift = by_id.get(coming.shift_id) if coming else None
        found[f"next_{layer}"] = (
            NextOnCall(name=shift.user_name, phone=shift.user_phone, starts_at=coming.starts_at)
            if shift and coming
            else None
        )
    return found


class TodayView(Value, kw_only=True):
    fresh_until: datetime
    duty: MyDuty | None
    teams: list[TeamNow]
    pending: int


def today_view(database: Database, user: CurrentUser, now: datetime) -> TodayView:
    my_teams = [team for team, _role in teams_of(database, user.id)]
    by_id = {team.id: team for team in my_teams}
    mine = [
        s
        for s in list_shifts(
            database,
            user_id=user.id,
            start=now,
            end=now + LOOK_AHEAD,
            statuses=TOLD,
            limit=MINE_LOOK,
        )
        if s.team_id in by_id
    ]
    duty = None
    for shift in mine:
        team = by_id[shift.team_id]
        moment = max(now, shift.starts_at)
        team_shifts = list_shifts(
            database, team_ids=[team.id], start=moment, end=moment + DUTY_LOOK, statuses=TOLD
        )
        slot = on_call_at(team_shifts, shift.layer, moment, moment + DUTY_LOOK)
        if slot is None or slot.user_id != user.id:
            continue  # replaced by an override over this stretch
        other = "secondary" if shift.layer == "primary" else "primary"
        backup = on_call_at(team_shifts, other, moment, now + LOOK_AHEAD)
        backup_shift = next((s for s in team_shifts if backup and s.id == backup.shift_id), None)
        duty = MyDuty(
            team=team,
            shift=shift,
            now=shift.starts_at <= now,
            until=slot.ends_at,
            backup=backup_shift.user_name if backup_shift else None,
            backup_phone=backup_shift.user_phone if backup_shift else "",
        )
        break
    teams = []
    for team in my_teams:
        oncall = who_is_on_call(database, team.id, now)
        teams.append(
            TeamNow(
                team=team,
                oncall=oncall,
                managers=[
                    m for m in members(database, team.id) if m.team_role == "manager" and m.active
                ],
                **next_on_call(database, team.id, oncall, now),
            )
        )
    pending = count_unanswered(database, user.id, now)
    changes = [next_change(database, team.id, now) for team in my_teams]
    zone = ZoneInfo(user.timezone)
    midnight = datetime.combine(now.astimezone(zone).date() + timedelta(days=1), time(0), zone)
    fresh_until = min([c for c in changes if c is not None] + [midnight, now + MAX_FRESH])
    return TodayView(fresh_until=fresh_until, duty=duty, teams=teams, pending=pending)
