"""The manager's list of coming shifts, a few weeks per page, so every shift can be reached."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.db import Database
from server.models import Value
from server.schedules.models import Shift
from server.schedules.publish_range import day_range
from server.schedules.store import last_shift_start, list_shifts
from server.teams.models import Team

PAGE_WEEKS = 4


class ComingPage(Value, kw_only=True):
    first: date
    last: date
    shifts: list[Shift]
    earlier: date | None
    later: date | None


def parse_day(text: str | None) -> date | None:
    """A `from` day as typed in a link; anything else means the first page."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def coming_page(database: Database, team: Team, now: datetime, first: date | None) -> ComingPage:
    """The shifts of the team, draft or told, that start in the PAGE_WEEKS weeks from `first`
    (today when not given; never earlier, as past shifts cannot be changed). The first page
    also lists the shifts under way."""
    today = now.astimezone(ZoneInfo(team.timezone)).date()
    first = max(first or today, today)
    last = first + timedelta(weeks=PAGE_WEEKS, days=-1)
    start, end = day_range(team, first, last)
    shifts = [
        s
        for s in list_shifts(database, team_ids=[team.id], start=max(start, now), end=end)
        if s.starts_at >= start or first == today
    ]
    latest = last_shift_start(database, team.id)
    return ComingPage(
        first=first,
        last=last,
        shifts=shifts,
        earlier=max(first - timedelta(weeks=PAGE_WEEKS), today) if first > today else None,
        later=last + timedelta(days=1) if latest is not None and latest >= end else None,
    )
