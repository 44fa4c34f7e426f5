"""The alerts of a period over time, for its line chart: per day in a month, per week (from
Monday) in a quarter, per month over 12 months. Counted per local day by the database, then
summed into these few buckets (at most 400 days, never alert rows)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from server.db import Database
from server.metrics.periods import Period
from server.metrics.store.volume import alerts_per_day
from server.models import Value


class Bucket(Value, kw_only=True):
    first: date  # the bucket's first day (clipped to the period)
    alerts: int


def bucket_start(kind: str, day: date) -> date:
    if kind == "year":
        return day.replace(day=1)
    if kind == "quarter":
        return day - timedelta(days=day.weekday())
    return day


def buckets(period: Period, per_day: dict[str, int], last_day: date) -> list[Bucket]:
    """Every bucket from the period's first day to `last_day` (the period's last, or today for
    one under way), with the days' alerts summed; empty buckets are zeros, not gaps."""
    counts: dict[date, int] = {}
    day = period.first
    while day <= min(last_day, period.last):
        first = max(period.first, bucket_start(period.kind, day))
        counts[first] = counts.get(first, 0) + per_day.get(day.isoformat(), 0)
        day += timedelta(days=1)
    return [Bucket(first=first, alerts=alerts) for first, alerts in counts.items()]


def timeline(
    database: Database,
    team_ids: list[int],
    period: Period,
    start: datetime,
    end: datetime,
    zone: str,
    today: date,
) -> list[Bucket]:
    """The alerts of [start, end) (the period clipped to now) in buckets of the period's kind."""
    return buckets(period, alerts_per_day(database, team_ids, start, end, zone), today)
