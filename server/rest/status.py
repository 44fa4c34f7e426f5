"""Where a person stands on rest, from everything the app knows about them.

The pure part (`rest_status`) reads an engine report; the rest loads the person's timeline
(`timeline_of`) through the store (server/rest/store.py): regular work from their weekly
template minus days off and declared rest, their told on-call shifts, their interventions with
travel.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from server.db import Database
from server.models import Value
from server.rest.models import Interruption, Period, RestPolicy, RestReport, Violation
from server.rest.rules import check_rest, earliest_return
from server.rest.store import (
    absences_between,
    declared_rests,
    get_pattern,
    intervention_spans,
    user_timezone,
)
from server.rest.timeline import build_timeline, pattern_work
from server.schedules.rotation import is_public_holiday, localize
from server.schedules.store import list_shifts
from server.teams.models import TeamPolicy
from server.teams.store import teams_of

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


def policy_of(database: Database, user_id: int) -> PersonPolicy:
    teams = sorted(teams_of(database, user_id), key=lambda pair: pair[0].id)
    if not teams:
        zone = user_timezone(database, user_id)
        return PersonPolicy(
            rest=rest_policy(TeamPolicy(), zone or "Europe/Paris"),
            team_id=None,
            alsace_moselle=False,
        )
    team = teams[0][0]
    return PersonPolicy(
        rest=rest_policy(team.policy, team.timezone),
        team_id=team.id,
        alsace_moselle=team.policy.alsace_moselle_holidays,
    )


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


def timeline_of(
    database: Database,
    user_id: int,
    person: PersonPolicy,
    since: datetime,
    until: datetime,
) -> list[Period]:
    """The person's periods in [since, until): past `until` nothing has happened yet (regular
    work in progress at `until` counts up to it)."""
    zone = person.rest.zone
    first, last = since.astimezone(zone).date(), until.astimezone(zone).date()
    days_off = {
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if is_public_holiday(first + timedelta(days=n), person.alsace_moselle)
    }
    for absence in absences_between(database, user_id, first, last):
        day = absence.first_day
        while day <= absence.last_day:
            days_off.add(day)
            day += timedelta(days=1)
    regular = pattern_work(get_pattern(database, user_id), zone, first, last, days_off)
    rests = [(r.started_at, r.ended_at) for r in declared_rests(database, user_id, since, until)]
    shifts = list_shifts(
        database, user_id=user_id, start=since, end=until, statuses=("published", "accepted")
    )
    # An intervention that ended in the 12 hours before `since` still owes rest in it.
    spans = intervention_spans(database, user_id, since - timedelta(hours=12), until)
    return build_timeline(
        regular_work=regular,
        declared_rest=rests,
        oncall=[(s.starts_at, s.ends_at) for s in shifts],
        interventions=spans,
        since=since,
        until=until,
    )


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


def person_status(
    database: Database, user_id: int, now: datetime, person: PersonPolicy | None = None
) -> RestStatus:
    """The person's rest at `now`: regular work in progress counts up to now, not beyond.
    `person` saves reading their policy again when the caller has it already."""
    person = person or policy_of(database, user_id)
    since = window_start(person.rest, now.astimezone(person.rest.zone).date().replace(day=1))
    periods = timeline_of(database, user_id, person, since, now)
    return rest_status(person.rest, periods, check_rest(person.rest, periods), now)


def rest_owed_until(database: Database, user_id: int, at: datetime) -> datetime | None:
    """None when the person's daily rest is complete at `at`, else when it will be.

    Counts the regular work planned up to `at` and what is recorded; for checking whether
    someone may take a shift starting at `at`."""
    person = policy_of(database, user_id)
    since = at - timedelta(days=2)
    periods = timeline_of(database, user_id, person, since, at)
    if not periods:
        return None
    resume = earliest_return(person.rest, periods)
    return resume.astimezone(UTC) if resume and resume > at else None
