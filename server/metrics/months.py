"""A team's alert figures over a period as the sum of its calendar months' tallies
(tally.py): a month that has ended is tallied once and kept, per database, until a change is
counted on one of its days (schema/0026_metrics_month_marks.sql: its alerts, their escalations,
interventions linked to them or started in it, the alert after one of the same problem); the
month under way is tallied at each call. A write (an alert arriving)
then costs the 12-month view the month under way, not the year."""

from __future__ import annotations

from datetime import datetime
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from server.db import Database
from server.metrics.models import RETURN_WITHIN_DAYS
from server.metrics.periods import bounds, period_of
from server.metrics.store.alerts import alert_counts, hour_of_week_counts
from server.metrics.store.months import changes_between, durations, problem_rows
from server.metrics.store.volume import alerts_per_day as count_per_day
from server.metrics.tally import ProblemTally, Tally
from server.metrics.zones import offsets

# (team, zone, start, end) → (version when tallied, tally). Bounded by entries and by durations
# held (8 bytes each: a month of 8,000 alerts holds about 25,000, 200 kB): all are dropped
# when either is reached, to be tallied again as read.
_KEPT: WeakKeyDictionary[Database, dict[tuple, tuple[float, Tally]]] = WeakKeyDictionary()
_KEPT_LIMIT = 2_000
_KEPT_DURATIONS = 8_000_000


def spans(zone: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime, datetime]]:
    """[start, end) cut at the zone's month starts: (from, to, the month's end) per month."""
    tz = ZoneInfo(zone)
    found = []
    moment = start
    while moment < end:
        month_end = bounds(period_of("month", moment.astimezone(tz).date()), zone)[1]
        found.append((moment, min(end, month_end), month_end))
        moment = month_end
    return found


def tally(database: Database, team_id: int, zone: str, start: datetime, end: datetime) -> Tally:
    """The team's alert tally of [start, end), read now."""
    counts = alert_counts(database, [team_id], start, end)
    shifts = offsets(zone, start, end) if start < end else []
    return Tally(
        alerts=counts["alerts"],
        acknowledged=counts["acknowledged"],
        escalated=counts["escalated"],
        durations=durations(database, team_id, start, end),
        cells=hour_of_week_counts(database, [team_id], start, end, shifts),
        per_day=count_per_day(database, [team_id], start, end, zone),
        problems=[
            ProblemTally(
                source_key=row["source_key"],
                title_key=row["title_key"],
                alerts=row["alerts"],
                seconds=int(row["seconds"]),
                returns=row["returns"],
                latest=row["latest"],
                source=row["source"],
                title=row["title"],
            )
            for row in problem_rows(database, team_id, start, end, RETURN_WITHIN_DAYS)
        ],
    )


def _kept(database: Database, team_id: int, zone: str, begins: datetime, ends: datetime) -> Tally:
    """An ended month's tally, kept while no change is counted on its days."""
    kept = _KEPT.setdefault(database, {})
    key = (team_id, zone, begins, ends)
    # Read before tallying: a change committed meanwhile moves it again, so a tally that missed
    # it is never taken for the new version.
    version = changes_between(database, team_id, begins, ends)
    hit = kept.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    found = tally(database, team_id, zone, begins, ends)
    # Inside a transaction of this connection the counters may yet be rolled back, and the
    # same version reached again by other writes: nothing read there is kept.
    if database.conn.in_transaction:
        return found
    if len(kept) >= _KEPT_LIMIT or _held(kept) + _size(found) > _KEPT_DURATIONS:
        kept.clear()
    kept[key] = (version, found)
    return found


def _size(found: Tally) -> int:
    return sum(len(run) for run in found.durations.values())


def _held(kept: dict[tuple, tuple[float, Tally]]) -> int:
    # A copy of the values: a handler run in a worker thread may be adding one meanwhile.
    return sum(_size(found) for _version, found in list(kept.values()))


def tallies(
    database: Database, team_id: int, zone: str, start: datetime, end: datetime, now: datetime
) -> list[Tally]:
    """The tallies of [start, end) month by month, the ended months' kept while unchanged."""
    return [
        tally(database, team_id, zone, begins, ends)
        if month_end > now
        else _kept(database, team_id, zone, begins, ends)
        for begins, ends, month_end in spans(zone, start, end)
    ]


def alerts_per_day(
    database: Database, team_id: int, zone: str, start: datetime, end: datetime, now: datetime
) -> dict[str, int]:
    """{"YYYY-MM-DD": alerts created that local day} over [start, end): the ended months' from
    their kept tallies, the month under way counted."""
    found: dict[str, int] = {}
    for begins, ends, month_end in spans(zone, start, end):
        if month_end > now:
            found.update(count_per_day(database, [team_id], begins, ends, zone))
        else:
            found.update(_kept(database, team_id, zone, begins, ends).per_day)
    return found
