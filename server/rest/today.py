"""What Today shows of rest: the rest clock while rest is owed, and the fatigue question."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from server.db import Database
from server.rest.explain import rest_clock
from server.rest.fatigue import KSS_LABELS
from server.rest.people import person_status, policy_of
from server.rest.store import latest_fatigue

# After an answer, Today stops asking for this long.
ASK_AGAIN_AFTER = timedelta(hours=8)
# The clock counts minutes: a page showing it is kept no longer than that.
CLOCK_STEP = timedelta(minutes=1)


class TodayRest(NamedTuple):
    context: dict
    fresh_until: datetime


def today_rest(database: Database, user_id: int, now: datetime) -> TodayRest:
    person = policy_of(database, user_id)
    status = person_status(database, user_id, now, person)
    fatigue = latest_fatigue(database, user_id, now - ASK_AGAIN_AFTER)
    owed = status.state in ("rest_owed", "working_in_rest")
    fresh_until = now + timedelta(days=1)
    if owed:
        fresh_until = now + CLOCK_STEP
    if fatigue is not None:
        fresh_until = min(fresh_until, fatigue.reported_at + ASK_AGAIN_AFTER)
    return TodayRest(
        context={
            "rest": status if owed else None,
            "clock": rest_clock(status.rest_since, status.daily_rest_hours, now),
            "tz": person.rest.timezone,
            "ask_fatigue": fatigue is None,
            "kss": KSS_LABELS,
            "fatigue": None,
            "from_today": True,
        },
        fresh_until=fresh_until,
    )
