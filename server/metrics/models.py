"""The figures, as values the pages, the CSV files, the API and the monthly review all read
(one computation, so the numbers agree everywhere). Each figure's definition is in README
"Figures" and in the page's tooltips (texts.py); durations are in seconds."""

from __future__ import annotations

import msgspec

from server.metrics.periods import Period
from server.models import Value
from server.quality.models import QualityFigures
from server.surveys.results_rules import SatisfactionFigures

# The night of every night figure (sleep-hour interruptions, night interventions, weekday
# night on-call hours): 22:00 to 08:00 in the person's (or the team's) zone.
NIGHT_START_HOUR = 22
NIGHT_END_HOUR = 8
# Working hours outside of which an interruption is "off hours": Monday to Friday, 08:00 to
# 18:00, public holidays excluded.
WORK_START_HOUR = 8
WORK_END_HOUR = 18
# Notifications to one person closer together than this are one interruption.
INTERRUPTION_GAP_SECONDS = 60
# A problem (same source and title in a team) created again within this many days of the
# previous one's resolution "came back".
RETURN_WITHIN_DAYS = 7
# Fatigue reports at or above this score count in rest health.
HIGH_FATIGUE_SCORE = 7


class Durations(Value, kw_only=True):
    """A distribution of durations over `count` items; None when there are none."""

    count: int
    mean_seconds: float | None = None
    median_seconds: float | None = None
    p90_seconds: float | None = None


class AlertFigures(Value, kw_only=True):
    alerts: int
    hours: float  # length of the period read (clipped to now), in hours
    alerts_per_hour: float
    acknowledged: int
    acknowledgement_rate: float | None  # acknowledged / alerts, None without alerts
    escalated: int  # alerts paged past their first escalation step
    escalation_rate: float | None
    time_to_acknowledge: Durations  # created → first acknowledgement, alerts acknowledged
    time_to_resolve: Durations  # created → resolved, alerts resolved
    time_to_intervene: Durations  # created → start of the first linked intervention
    intervention_duration: Durations  # interventions started in the period, travel included
    interventions: int
    # heat_map[weekday][hour]: alerts created, Monday = 0, hours in the team's zone.
    heat_map: list[list[int]]


class RecurringProblem(Value, kw_only=True):
    """Alerts of one source and title in the period. Not named Problem: the API's OpenAPI
    document has a Problem already (RFC 9457 problem details, server/openapi.py)."""

    source: str
    title: str
    alerts: int
    intervention_seconds: int  # linked interventions, travel included
    returns: int  # created again within RETURN_WITHIN_DAYS of the previous one's resolution


Problem = RecurringProblem  # the name the alert figures import


class PersonFigures(Value, kw_only=True):
    """One person's load over the period, in one team (or all their teams on their own page)."""

    user_id: int
    name: str
    oncall_hours: float  # primary and backup, as held (overrides and swaps applied)
    weekday_night_hours: float  # Monday–Friday nights (NIGHT_*), public holidays excluded
    weekend_hours: float  # Saturdays and Sundays, public holidays excluded
    holiday_hours: float  # public holidays of the team's calendar
    interventions: int
    night_interventions: int  # started in the night window, person's zone
    intervention_seconds: int  # travel included
    acknowledged: int  # alerts this person acknowledged first
    interruptions: int  # push and webhook (SMS) notifications, e-mail excluded, 60 s merged
    sleep_interruptions: int  # of which in the night window, person's zone
    off_hours_interruptions: int  # of which outside working hours (WORK_*)
    violations: int  # rest-rule violations touching the period (rest engine)
    high_fatigue_reports: int  # fatigue reports scored HIGH_FATIGUE_SCORE or more
    share: float | None  # oncall_hours / the team's mean; None when the mean is 0


class Fairness(Value, kw_only=True):
    """Spread of on-call hours among the people who held on-call time in the period."""

    people: int
    mean_oncall_hours: float
    max_min_ratio: float | None  # None with fewer than two people holding on-call time
    mean_interventions: float


class RestHealth(Value, kw_only=True):
    violations: int
    people_with_violations: int
    high_fatigue_reports: int
    # (rule, count), most frequent first; rules as the rest engine names them.
    by_rule: list[tuple[str, int]]


class Snapshot(Value, kw_only=True):
    """Everything over one period."""

    period: Period
    under_way: bool  # the period has not ended: figures so far
    alerts: AlertFigures
    people: list[PersonFigures]  # by on-call hours, most first
    fairness: Fairness
    rest: RestHealth
    problems: list[Problem]  # by alerts, most first
    # by linked intervention time, most first, over the problems that took any
    problems_by_time: list[Problem] = []
    # Quality reviews of the interventions that ended in the period (server/quality).
    quality: QualityFigures = msgspec.field(default_factory=QualityFigures)
    # Clients' satisfaction answers for the interventions started in the period
    # (server/surveys/results.py: the same rule as the satisfaction pages).
    satisfaction: SatisfactionFigures = msgspec.field(default_factory=SatisfactionFigures)


class TeamFigures(Value, kw_only=True):
    team_id: int
    team_name: str
    timezone: str
    current: Snapshot
    previous: Snapshot


class OwnFigures(Value, kw_only=True):
    """A person's own figures, over all their teams: alerts are those they acknowledged or
    were paged for; load is theirs."""

    user_id: int
    name: str
    period: Period
    alerts: AlertFigures
    previous_alerts: AlertFigures
    load: PersonFigures
    previous_load: PersonFigures
    # The reviews of their interventions (server/quality), this period and the one before.
    quality: QualityFigures = msgspec.field(default_factory=QualityFigures)
    previous_quality: QualityFigures = msgspec.field(default_factory=QualityFigures)
