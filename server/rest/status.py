"""Where a person stands on rest at an instant, from their timeline and the engine's report
(pure: no database, no clock). server/rest/people.py reads the timeline through the store."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal

from server.models import Value
from server.rest.models import Interruption, Period, RestPolicy, RestReport, Violation
from server.rest.rules import earliest_return
from server.schedules.rotation import localize
from server.teams.models import TeamPolicy

RestState = Literal["resting", "rest_owed", "working", "working_in_rest"]
WEEK_RULES = frozenset({"weekly_rest", "max_weekly_work"})


class PersonPolicy(Value, kw_only=True):
    """The rules a person's rest is checked against: those of their first team."""

    rest: RestPolicy
    team_id: int | None
    alsace_moselle: bool


class RestStatus(Value, kw_only=True):
    state: RestState
    # End of the last work time before now (None: none in the weeks looked at).
    rest_since: datetime | None
    # When work may resume without breaking the daily rest (state rest_owed or
    # working_in_rest); None when nothing is owed.
    resume_at: datetime | None
    daily_rest_hours: float
    today_hours: float
    week_hours: float
    interruptions: list[Interruption]
    violations: list[Violation]


def rest_policy(policy: TeamPolicy, timezone: str) -> RestPolicy:
    return RestPolicy(
        timezone=timezone,
        daily_rest_hours=policy.daily_rest_hours,
        weekly_rest_hours=policy.weekly_rest_hours,
        max_daily_work_hours=policy.max_daily_work_hours,
        max_weekly_work_hours=policy.max_weekly_work_hours,
        max_avg_weekly_work_hours=policy.max_avg_weekly_work_hours,
        avg_weeks=policy.avg_weeks,
    )


def window_start(policy: RestPolicy, first_day: date) -> datetime:
    """Far enough back for the rules to see all of `first_day`'s month: the 12-week average
    (and a week more for the rest owed on the first day), from a Monday."""
    start = first_day - timedelta(weeks=policy.avg_weeks + 1)
    start -= timedelta(days=start.weekday())
    return localize(datetime.combine(start, time()), policy.zone)


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def touches(violation: Violation, first: date, last: date, avg_weeks: int) -> bool:
    """Whether the stretch a violation is about (its day, week or weeks) meets first..last."""
    start = date.fromisoformat(violation.at[:10])
    if violation.rule in WEEK_RULES:
        end = start + timedelta(days=6)
    elif violation.rule == "max_avg_weekly_work":
        end = start + timedelta(weeks=avg_weeks) - timedelta(days=1)
    else:
        end = start
    return start <= last and end >= first


def rest_status(
    policy: RestPolicy, periods: list[Period], report: RestReport, now: datetime
) -> RestStatus:
    """The person's state at `now`, from their timeline up to now and its report."""
    zone = policy.zone
    local_today = now.astimezone(zone).date()
    monday = local_today - timedelta(days=local_today.weekday())
    month_first, month_last = month_bounds(local_today)
    work = [p for p in periods if p.kind != "oncall"]
    current = [p for p in work if p.start <= now < p.end or p.end == now]
    working = bool(current)
    rest_since = max((p.end for p in work if p.end <= now), default=None)
    resume_at = None
    if working:
        started = min(p.start for p in current)
        before = [p for p in periods if p.start < started]
        before = [p if p.end <= started else _clip(p, started) for p in before]
        owed = earliest_return(policy, before) if before else None
        state: RestState = "working_in_rest" if owed and owed > started else "working"
        resume_at = owed if state == "working_in_rest" else None
        rest_since = max((p.end for p in before if p.kind != "oncall"), default=None)
    elif report.earliest_return is not None and report.earliest_return > now:
        state, resume_at = "rest_owed", report.earliest_return
    else:
        state = "resting"
    return RestStatus(
        state=state,
        rest_since=rest_since.astimezone(zone) if rest_since else None,
        resume_at=resume_at.astimezone(zone) if resume_at else None,
        daily_rest_hours=policy.daily_rest_hours,
        today_hours=report.work_hours.get(local_today.isoformat(), 0.0),
        week_hours=sum(
            report.work_hours.get((monday + timedelta(days=n)).isoformat(), 0.0) for n in range(7)
        ),
        interruptions=[
            i for i in report.interruptions if month_first <= i.at.astimezone(zone).date()
        ],
        violations=[
            v for v in report.violations if touches(v, month_first, month_last, policy.avg_weeks)
        ],
    )


def _clip(period: Period, end: datetime) -> Period:
    return Period(kind=period.kind, start=period.start, end=end)
