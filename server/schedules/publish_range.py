"""Pure rules of publish ranges: the days a range covers, and the range offered by default,
which covers whole turns, hand-off to hand-off."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.teams.models import Team

# The range offered covers about this long; it stretches to the next hand-off.
DEFAULT_SPAN = timedelta(weeks=4)


def snapped_range(
    earliest: date, handoffs: Iterable[date], span: timedelta = DEFAULT_SPAN
) -> tuple[date, date]:
    """The default publish range: from the first hand-off day on or after `earliest` (the first
    day that can still be published with normal notice) to the day before the first hand-off at
    least `span` later. A range counts the shifts *starting* on its days, so a range that ends on
    the eve of a hand-off takes the last night of a turn and none of the next one, and nobody's
    week is left half a draft. Without hand-offs far enough ahead, `span` from `earliest`."""
    days = sorted(set(handoffs))
    start = next((d for d in days if d >= earliest), None)
    if start is None:
        return earliest, earliest + span
    end = next((d for d in days if d >= start + span), None)
    if end is None:
        return start, start + span
    return start, end - timedelta(days=1)


def day_range(team: Team, start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the team's zone."""
    zone = ZoneInfo(team.timezone)
    return (
        datetime.combine(start, time(0), tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone),
    )
