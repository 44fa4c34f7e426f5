"""Statements' pay settings in SQL: a team's compensation and people's hourly wages, each
change audited with the values before and after."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from server.audit.models import Actor
from server.audit.store import record
from server.clock import to_db
from server.db import Database
from server.statements.models import Compensation, DayRates, PremiumPercents

_KINDS = ("weekday", "saturday", "sunday", "holiday")


# Team compensation --------------------------------------------------------------------------


def _compensation(row: dict) -> Compensation:
    return Compensation(
        holidays=row["holidays"],
        night_start=row["night_start"],
        night_end=row["night_end"],
        oncall_cents_per_hour=DayRates(**{k: row[f"oncall_{k}_cents_per_hour"] for k in _KINDS}),
        oncall_night_cents_per_hour=row["oncall_night_cents_per_hour"],
        oncall_rest_minutes_per_hour=DayRates(
            **{k: row[f"rest_{k}_minutes_per_hour"] for k in _KINDS}
        ),
        intervention_premium_percent=PremiumPercents(
            **{k: row[f"premium_{k}_percent"] for k in (*_KINDS, "night")}
        ),
        grace_days=row["grace_days"],
    )


def _compensation_columns(compensation: Compensation) -> dict:
    columns = {
        "holidays": compensation.holidays,
        "night_start": compensation.night_start,
        "night_end": compensation.night_end,
        "oncall_night_cents_per_hour": compensation.oncall_night_cents_per_hour,
        "grace_days": compensation.grace_days,
    }
    for kind in _KINDS:
        columns[f"oncall_{kind}_cents_per_hour"] = getattr(compensation.oncall_cents_per_hour, kind)
        columns[f"rest_{kind}_minutes_per_hour"] = getattr(
            compensation.oncall_rest_minutes_per_hour, kind
        )
    for kind in (*_KINDS, "night"):
        columns[f"premium_{kind}_percent"] = getattr(
            compensation.intervention_premium_percent, kind
        )
    return columns


def get_compensation(database: Database, team_id: int) -> Compensation | None:
    """The team's compensation policy, or None when nobody has set one."""
    row = database.one("SELECT * FROM team_compensation WHERE team_id = ?", (team_id,))
    return _compensation(row) if row else None


def save_compensation(
    database: Database,
    team_id: int,
    compensation: Compensation,
    *,
    actor: Actor,
    now: datetime,
    reason: str = "",
) -> Compensation:
    """Set the team's compensation, audited with both versions (and the reason given)."""
    with database.write():
        before = get_compensation(database, team_id)
        columns = {"team_id": team_id, **_compensation_columns(compensation)}
        columns["updated_at"] = to_db(now)
        names = ", ".join(columns)
        updates = ", ".join(f"{name} = excluded.{name}" for name in columns if name != "team_id")
        database.execute(
            f"INSERT INTO team_compensation ({names}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT (team_id) DO UPDATE SET {updates}",
            tuple(columns.values()),
        )
        after = get_compensation(database, team_id)
        record(
            database,
            at=now,
            actor=actor,
            action="team.compensation",
            entity_type="team",
            entity_id=team_id,
            team_id=team_id,
            before={"compensation": before, "reason": reason} if before else None,
            after={"compensation": after, "reason": reason},
        )
    return after


# Hourly wages -------------------------------------------------------------------------------


def wages_of(database: Database, user_ids: Iterable[int]) -> dict[int, int]:
    """Hourly wage in cents of each person who has one set."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = database.query(
        f"SELECT user_id, cents FROM hourly_wages WHERE user_id IN ({','.join('?' * len(ids))})",
        ids,
    )
    return {row["user_id"]: row["cents"] for row in rows}


def save_wage(database: Database, user_id: int, cents: int, *, actor: Actor, now: datetime) -> None:
    """Set a person's hourly wage (cents), audited with the value before and after."""
    if cents < 0:
        raise ValueError("hourly_wage_cents must not be negative")
    with database.write():
        before = wages_of(database, [user_id]).get(user_id)
        database.execute(
            "INSERT INTO hourly_wages (user_id, cents, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET cents = excluded.cents, "
            "updated_at = excluded.updated_at",
            (user_id, cents, to_db(now)),
        )
        record(
            database,
            at=now,
            actor=actor,
            action="user.hourly_wage",
            entity_type="user",
            entity_id=user_id,
            before=None if before is None else {"hourly_wage_cents": before},
            after={"hourly_wage_cents": cents},
        )
