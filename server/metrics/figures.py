"""The one computation every output reads: a team's figures over a period and the period
before, and a person's own figures. Pages, CSV files, the API and the monthly review call
these and nothing else, so their numbers agree."""

from __future__ import annotations

from datetime import datetime

from server.accounts.models import CurrentUser
from server.db import Database
from server.metrics.alerts import alert_figures
from server.metrics.models import OwnFigures, Snapshot, TeamFigures
from server.metrics.months import tallies
from server.metrics.people import fairness_of, own_load, team_load
from server.metrics.periods import Period, clipped, is_under_way, previous
from server.metrics.tally import alert_figures_of, problems_of
from server.quality.store import quality_figures
from server.surveys.results import period_satisfaction
from server.teams.models import Team


def snapshot(database: Database, team: Team, period: Period, now: datetime) -> Snapshot:
    start, end = clipped(period, team.timezone, now)
    # People and rest health from one run of the rest engine per person.
    load = team_load(database, team, start, end, now)
    # Alert figures and problems from the months' tallies, the ended months' kept (months.py).
    counted = tallies(database, team.id, team.timezone, start, end, now)
    by_alerts, by_time = problems_of(counted)
    return Snapshot(
        period=period,
        under_way=is_under_way(period, team.timezone, now),
        alerts=alert_figures_of(counted, max(0.0, (end - start).total_seconds() / 3600)),
        people=load.people,
        fairness=fairness_of(load.people),
        rest=load.rest,
        problems=by_alerts,
        problems_by_time=by_time,
        quality=quality_figures(database, [team.id], start, end),
        satisfaction=period_satisfaction(database, [team.id], start, end),
    )


def team_figures(database: Database, team: Team, period: Period, now: datetime) -> TeamFigures:
    return TeamFigures(
        team_id=team.id,
        team_name=team.name,
        timezone=team.timezone,
        current=snapshot(database, team, period, now),
        previous=snapshot(database, team, previous(period), now),
    )


def own_figures(
    database: Database,
    user: CurrentUser,
    team_ids: list[int],
    zone: str,
    period: Period,
    now: datetime,
) -> OwnFigures:
    start, end = clipped(period, zone, now)
    before_start, before_end = clipped(previous(period), zone, now)
    return OwnFigures(
        user_id=user.id,
        name=user.name,
        period=period,
        alerts=alert_figures(database, team_ids, start, end, zone, user_id=user.id),
        previous_alerts=alert_figures(
            database, team_ids, before_start, before_end, zone, user_id=user.id
        ),
        load=own_load(database, user.id, start, end, now),
        previous_load=own_load(database, user.id, before_start, before_end, now),
        quality=quality_figures(database, team_ids, start, end, user_id=user.id),
        previous_quality=quality_figures(
            database, team_ids, before_start, before_end, user_id=user.id
        ),
    )
