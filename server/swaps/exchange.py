"""The exchange list of the request form: the colleagues' shifts one may take in exchange,
narrowed by colleague, level and period, grouped by week. Pure: `now` and the shifts are given.

A team with daily nights offers some 75 shifts over the 26 weeks a swap can reach: the list
opens on the next 4 weeks, and "show later shifts" widens it 4 weeks at a time (or, for a
month, moves to the next one)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.errors import InvalidInput
from server.i18n import gettext as _
from server.models import Value
from server.schedules.models import Shift

HORIZON_WEEKS = 26  # how far ahead a swap can reach (the form lists no further)
DEFAULT_WEEKS = 4
STEP_WEEKS = 4
OFFERED_WEEKS = (4, 8, 12, 26)  # the choices of the period menu (besides the months)
LEVELS = ("primary", "secondary")
_WEEKS = re.compile(r"(\d{1,2})w")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class ExchangeFilter(Value, kw_only=True):
    """What the person narrowed the list to: everyone, both levels, the next 4 weeks by
    default. `month` (its first day) replaces `weeks` when set."""

    colleague: int | None = None
    level: str | None = None
    weeks: int = DEFAULT_WEEKS
    month: date | None = None

    @property
    def period(self) -> str:
        """The period as the form and the links write it: '4w' or '2027-01'."""
        return f"{self.month:%Y-%m}" if self.month else f"{self.weeks}w"

    def query(self, **changes: object) -> dict[str, str]:
        """The query string's values, with some changed (for the "later" link)."""
        values = {
            "colleague": "" if self.colleague is None else str(self.colleague),
            "level": self.level or "",
            "period": self.period,
        }
        values.update({key: str(value) for key, value in changes.items()})
        return {key: value for key, value in values.items() if value}


def months_in_reach(now: datetime, zone: ZoneInfo) -> list[date]:
    """The first days of the months the list can show, this one first."""
    first = now.astimezone(zone).date().replace(day=1)
    last = (now + timedelta(weeks=HORIZON_WEEKS)).astimezone(zone).date()
    found = []
    while first <= last:
        found.append(first)
        first = _next_month(first)
    return found


def read_filter(
    params: Mapping[str, str], colleague_ids: Iterable[int], now: datetime, zone: ZoneInfo
) -> ExchangeFilter:
    """The filter from the query string; a value the form cannot send is a 400 that says what
    to choose (an empty value means "any")."""
    colleague = None
    raw = str(params.get("colleague", "") or "").strip()
    if raw:
        if not raw.isdigit() or int(raw) not in set(colleague_ids):
            raise InvalidInput(_("Choose a colleague of this team."), field="colleague")
        colleague = int(raw)
    level = str(params.get("level", "") or "").strip() or None
    if level is not None and level not in LEVELS:
        raise InvalidInput(_("Choose a level: on call or backup."), field="level")
    period = str(params.get("period", "") or "").strip()
    if not period:
        return ExchangeFilter(colleague=colleague, level=level)
    weeks = _WEEKS.fullmatch(period)
    if weeks and 1 <= int(weeks.group(1)) <= HORIZON_WEEKS:
        return ExchangeFilter(colleague=colleague, level=level, weeks=int(weeks.group(1)))
    month = _MONTH.fullmatch(period)
    if month and 1 <= int(month.group(2)) <= 12:
        first = date(int(month.group(1)), int(month.group(2)), 1)
        if first in months_in_reach(now, zone):
            return ExchangeFilter(colleague=colleague, level=level, month=first)
    raise InvalidInput(
        _(
            "Choose a period: the next weeks (1 to %(limit)s) or a month of the next six months.",
            limit=HORIZON_WEEKS,
        ),
        field="period",
    )


def window(chosen: ExchangeFilter, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants the period covers (a month in the team's zone, from now at the earliest)."""
    if chosen.month is None:
        return now, now + timedelta(weeks=chosen.weeks)
    start = datetime.combine(chosen.month, time(), zone)
    end = datetime.combine(_next_month(chosen.month), time(), zone)
    return max(start, now), end


def narrow(
    shifts: Iterable[Shift],
    chosen: ExchangeFilter,
    now: datetime,
    zone: ZoneInfo,
    keep: int | None = None,
) -> tuple[list[Shift], int]:
    """(the shifts the filter shows, how many more it would show later on). `keep` is the
    shift already chosen, listed whatever the filter so that a choice never disappears."""
    start, end = window(chosen, now, zone)
    shown, later = [], 0
    for shift in shifts:
        if shift.id == keep:
            shown.append(shift)
            continue
        if chosen.colleague is not None and shift.user_id != chosen.colleague:
            continue
        if chosen.level is not None and shift.layer != chosen.level:
            continue
        if start <= shift.starts_at < end:
            shown.append(shift)
        elif shift.starts_at >= end:
            later += 1
    return shown, later


def later_filter(chosen: ExchangeFilter) -> ExchangeFilter:
    """What "show later shifts" opens: 4 more weeks, or the next month."""
    if chosen.month is not None:
        return ExchangeFilter(
            colleague=chosen.colleague, level=chosen.level, month=_next_month(chosen.month)
        )
    weeks = min(chosen.weeks + STEP_WEEKS, HORIZON_WEEKS)
    return ExchangeFilter(colleague=chosen.colleague, level=chosen.level, weeks=weeks)


def by_week(shifts: Iterable[Shift], zone: ZoneInfo) -> list[tuple[date, list[Shift]]]:
    """The shifts under the Monday of the week each starts in (team's zone), in order."""
    groups: dict[date, list[Shift]] = {}
    for shift in sorted(shifts, key=lambda s: (s.starts_at, s.layer, s.id)):
        day = shift.starts_at.astimezone(zone).date()
        groups.setdefault(day - timedelta(days=day.weekday()), []).append(shift)
    return list(groups.items())


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)
