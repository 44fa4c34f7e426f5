"""The needs analysis's values: one hour of the week, runs of equal hours, the whole page."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from server.models import Value

# What the schedule gives against the need at an hour of the week.
Coverage = Literal["under", "met", "over"]


class HourNeed(Value, kw_only=True):
    """One hour of the week (Monday = 0, local hour 0–23 in the team's zone)."""

    weekday: int
    hour: int
    alerts: int  # created in that hour over the weeks read
    calls_per_hour: float  # alerts / weeks, times the what-if volume
    traffic_erlangs: float
    needed: int  # Erlang C's agents, at least 1
    service_level: float  # reached with `needed` people (1.0 when no alert is expected)
    provided: int  # primary + backup: the people on call the coverage is decided on
    primary: int  # 1 when the primary layer is held the whole hour every week looked ahead
    backup: int  # the same for the backup layer
    coverage: Coverage


class Band(Value, kw_only=True):
    """Consecutive hours of one day with the same need and the same layers held."""

    weekday: int
    start_hour: int
    end_hour: int  # exclusive: 8 to 18 reads "08:00–18:00"
    needed: int
    provided: int
    primary: int
    backup: int
    coverage: Coverage
    calls_min: float
    calls_max: float

    @property
    def hours(self) -> int:
        return self.end_hour - self.start_hour

    @property
    def shortfall(self) -> int:
        return self.needed - self.provided


class Needs(Value, kw_only=True):
    """Everything the needs page, and its CSV, show."""

    team_id: int
    weeks: int
    volume_percent: int
    history_start: date  # first day read (a Monday, team's zone)
    history_end: date  # last day read (a Sunday)
    alerts: int
    handle_seconds: float
    handle_from_alerts: int  # alerts with interventions the handle time is the mean of; 0: default
    within_minutes: int
    target_percent: int
    provision_start: date  # first day of the schedule looked ahead
    provision_end: date  # last day
    hours: list[HourNeed]  # 168, Monday 00–01 first
    bands: list[list[Band]]  # per weekday, Monday first
    under_hours: int  # hours of the week under-covered
    over_hours: int
    worst: list[Band]  # under-covered bands, largest shortfall first
    computed_at: datetime
