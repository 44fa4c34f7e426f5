"""Each person's rest from what the app knows: the rules they fall under (their first team's),
their timeline read through the store (regular work from their weekly template minus days off
and declared rest, their told on-call shifts, their interventions with travel), where they
stand now, and until when their daily rest is owed at an instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.db import Database
from server.rest.models import Period
from server.rest.rules import check_rest, earliest_return
from server.rest.status import PersonPolicy, RestStatus, rest_policy, rest_status, window_start
from server.rest.store import (
    absences_between,
    declared_rests,
    get_pattern,
    intervention_spans,
    user_timezone,
)
from server.rest.timeline import build_timeline, pattern_work
from server.schedules.rotation import is_public_holiday
from server.schedules.store import list_shifts
from server.teams.models import TeamPolicy
from server.teams.store import teams_of

# An intervention that ended this long before a timeline's start still owes rest in it.
INTERVENTIONS_BEFORE = timedelta(hours=12)


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
    spans = intervention_spans(database, user_id, since - INTERVENTIONS_BEFORE, until)
    return build_timeline(
        regular_work=regular,
        declared_rest=rests,
        oncall=[(s.starts_at, s.ends_at) for s in shifts],
        interventions=spans,
        since=since,
        until=until,
    )


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
