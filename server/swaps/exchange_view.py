"""What the request form's exchange list shows: the colleagues' told shifts of the team, read
from the store and narrowed by server/swaps/exchange.py; no HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.db import Database
from server.i18n import format_date, sentence_start
from server.schedules.models import TOLD, Shift
from server.schedules.store import list_shifts
from server.swaps.exchange import (
    HORIZON_WEEKS,
    OFFERED_WEEKS,
    ExchangeFilter,
    by_week,
    later_filter,
    months_in_reach,
    narrow,
    read_filter,
)
from server.teams.models import Member, Team
from server.teams.store import memberships_by_user


def colleagues_of(people: list[Member], shift: Shift) -> list[Member]:
    """Who may be asked: the team's active people but the shift's owner."""
    return [m for m in people if m.active and m.user_id != shift.user_id]


def exchange_filter(
    params: Mapping[str, str], colleagues: list[Member], team: Team, now: datetime
) -> ExchangeFilter:
    """The filter a query string asks for (InvalidInput when it names nothing offered)."""
    return read_filter(params, [m.user_id for m in colleagues], now, ZoneInfo(team.timezone))


def exchange_context(
    database: Database,
    shift: Shift,
    team: Team,
    colleagues: list[Member],
    chosen: ExchangeFilter,
    now: datetime,
    keep: int | None = None,
) -> dict:
    """The list, its groups, the count, the "later" link and the menus' choices."""
    zone = ZoneInfo(team.timezone)
    ids = {m.user_id for m in colleagues}
    theirs = [
        s
        for s in list_shifts(
            database,
            team_ids=[team.id],
            start=now,
            end=now + timedelta(weeks=HORIZON_WEEKS),
            statuses=TOLD,
        )
        if s.user_id in ids and s.starts_at > now
    ]
    shown, later = narrow(theirs, chosen, now, zone, keep=keep)
    teams = memberships_by_user(database, sorted(ids))
    weeks = sorted({*OFFERED_WEEKS, chosen.weeks})
    return {
        "exchange": chosen,
        "exchange_groups": by_week(shown, zone),
        "exchange_count": len(shown),
        "exchange_later": later,
        "exchange_later_query": later_filter(chosen).query() if later else None,
        # A colleague in several teams: each line names this team, so nobody takes the shift
        # for one of their other team.
        "exchange_several_teams": {u for u, rows in teams.items() if len(rows) > 1},
        "exchange_weeks": weeks,
        "exchange_months": [(f"{m:%Y-%m}", month_name(m)) for m in months_in_reach(now, zone)],
    }


def month_name(first: date) -> str:
    """'Décembre 2026' / 'December 2026': a month as the period menu names it."""
    return sentence_start(format_date(first, "LLLL y"))
