"""Team, its policy and the shapes used to create and change them."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import available_timezones

import msgspec

from server.models import Base, Value

TeamRole = Literal["member", "manager"]
Hours = Annotated[float, msgspec.Meta(ge=0, le=168)]
# Daily numbers live inside a day: the rest engine looks for the daily rest in the 24 h
# before a start, so more could never be met.
DailyHours = Annotated[float, msgspec.Meta(ge=0, le=24)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]


def check_timezone(name: str) -> None:
    if name not in _zones():
        raise ValueError(f"unknown time zone: {name}")


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


class TeamPolicy(Value):
    """Numbers a collective agreement may change; Code du travail defaults (LAW.md)."""

    notice_days: Annotated[int, msgspec.Meta(ge=1, le=90)] = 15
    exceptional_notice_clear_days: Annotated[int, msgspec.Meta(ge=1, le=15)] = 1
    daily_rest_hours: DailyHours = 11
    weekly_rest_hours: Hours = 35
    max_daily_work_hours: DailyHours = 10
    max_weekly_work_hours: Hours = 48
    max_avg_weekly_work_hours: Hours = 44
    avg_weeks: Annotated[int, msgspec.Meta(ge=1, le=52)] = 12
    max_oncall_days_per_28: Annotated[int, msgspec.Meta(ge=1, le=28)] = 16
    min_days_between_oncall_weeks: Annotated[int, msgspec.Meta(ge=0, le=60)] = 7
    # Compensation is the statements' (server/statements, table team_compensation).
    alsace_moselle_holidays: bool = False
    # Resolving an alert needs an intervention report linked to it (interventions issue).
    require_intervention_report: bool = False
    # Swaps that pass every check are applied without waiting for a manager.
    auto_approve_swaps: bool = False
    # The response objective of the needs analysis (server/staffing): answer (start working
    # on) response_target_percent % of alerts within response_within_minutes.
    response_within_minutes: Annotated[int, msgspec.Meta(ge=0, le=1440)] = 15
    response_target_percent: Annotated[int, msgspec.Meta(ge=1, le=99)] = 90
    # Satisfaction (server/surveys): the client is asked this long after the intervention
    # reaches the server (never at night in the client's zone).
    survey_delay_minutes: Annotated[int, msgspec.Meta(ge=0, le=1440)] = 30
    # Quality review (server/quality): the share of interventions drawn for review.
    review_sample_percent: Annotated[int, msgspec.Meta(ge=0, le=100)] = 10
    # Qualifications (server/qualifications): a shift whose person lacks a required one, or
    # holds one expiring before the shift ends, is warned about or refused.
    qualification_gate: Literal["warn", "block"] = "warn"
    # Procedures (server/procedures): a new or changed one is due for review this much later.
    procedure_review_months: Annotated[int, msgspec.Meta(ge=1, le=36)] = 6


class Team(Value):
    id: int
    name: str
    timezone: str
    policy: TeamPolicy
    created_at: str


class Member(Value):
    user_id: int
    name: str
    email: str
    phone: str
    role: str
    team_role: TeamRole
    active: bool


class TeamForm(Base):
    """A team as an admin types it in the form (strings from the browser)."""

    name: Name
    timezone: str = "Europe/Paris"

    def __post_init__(self) -> None:
        self.name = self.name.strip()
        if not self.name:
            raise ValueError("name must not be empty")
        check_timezone(self.timezone)


class MembershipForm(Base):
    user_id: int
    team_role: TeamRole = "member"
