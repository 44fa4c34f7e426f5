"""Values of rest: the rest-law engine's policy, a timeline's periods and the report; what a
person records (fatigue, declared rest, working hours, days off) and the forms that carry it."""

from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from server.models import Base, Value

# kw_only is repeated on each Struct: msgspec does not inherit it from the base.
# Errors raised in __post_init__ start with the offending field's name, so that a
# caller decoding a larger document can prefix it with the path it knows
# ("policy.daily_rest_hours must not be negative, got -1").

Kind = Literal["work", "oncall", "intervention"]
WORK_KINDS: frozenset[str] = frozenset({"work", "intervention"})


HOUR_FIELDS = (
    "daily_rest_hours",
    "weekly_rest_hours",
    "max_daily_work_hours",
    "max_weekly_work_hours",
    "max_avg_weekly_work_hours",
)
# The hours of a leap year: any limit beyond it is a typo (or "Infinity").
MAX_HOURS = 8784


class RestPolicy(Value, kw_only=True):
    """The numbers of the rest rules; every one is a default a team may change."""

    timezone: str = "Europe/Paris"
    daily_rest_hours: float = 11
    weekly_rest_hours: float = 35
    max_daily_work_hours: float = 10
    max_weekly_work_hours: float = 48
    max_avg_weekly_work_hours: float = 44
    avg_weeks: int = 12

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        # Odd keys fail in odd ways: a directory ("Europe"), a name too long, a NUL.
        except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
            raise ValueError(f"timezone is not a known time zone: {self.timezone!r}") from None
        for name in HOUR_FIELDS:
            hours = getattr(self, name)
            if hours < 0:
                raise ValueError(f"{name} must not be negative, got {hours}")
            # NaN fails every comparison, so the upper test is written to let only numbers pass.
            if not hours <= MAX_HOURS:
                raise ValueError(f"{name} must be at most {MAX_HOURS}, got {hours}")
        # The rule looks for the rest inside the 24 h before a start: more could never be met.
        if self.daily_rest_hours > 24:
            raise ValueError(f"daily_rest_hours must be at most 24, got {self.daily_rest_hours}")
        if self.avg_weeks < 1:
            raise ValueError(f"avg_weeks must be at least 1, got {self.avg_weeks}")

    @property
    def zone(self) -> ZoneInfo:
        """The policy's time zone (zoneinfo caches instances by key)."""
        return ZoneInfo(self.timezone)


class Period(Value, kw_only=True):
    """One stretch of a person's timeline: regular work, on-call, or work done on call."""

    kind: Kind
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None:
            raise ValueError("start must carry a UTC offset")
        if self.end.utcoffset() is None:
            raise ValueError("end must carry a UTC offset")
        if self.end <= self.start:
            raise ValueError("end must be after start")


class Violation(Value, kw_only=True, omit_defaults=True):
    """A broken rule: `at` is an instant for daily_rest, else a day or a week's Monday."""

    rule: Literal[
        "daily_rest", "weekly_rest", "max_daily_work", "max_weekly_work", "max_avg_weekly_work"
    ]
    at: str
    hours: float | None = None
    limit: float | None = None
    detail: str | None = None


class Interruption(Value, kw_only=True):
    """An intervention that cut a rest short: the full daily rest is owed from its end."""

    at: datetime
    rest_due_until: datetime


class RestReport(Value, kw_only=True):
    """What the engine finds in a timeline; instants are in the policy's time zone."""

    earliest_return: datetime | None
    interruptions: list[Interruption]
    violations: list[Violation]
    # Civil day (YYYY-MM-DD) -> hours of work time, unrounded.
    work_hours: dict[str, float]


# What a person records ----------------------------------------------------------------------

FatigueContext = Literal["today", "shift_start", "night_intervention"]
Score = Annotated[int, msgspec.Meta(ge=1, le=9)]
AbsenceKind = Literal["leave", "sick", "other"]


class FatigueReport(Value, kw_only=True):
    """A self-report on the Karolinska Sleepiness Scale (1 extremely alert … 9 fighting sleep)."""

    id: int
    user_id: int
    score: int
    reported_at: datetime
    context: FatigueContext


class FatigueIn(Base, kw_only=True):
    score: Score
    context: FatigueContext = "today"


class DeclaredRest(Value, kw_only=True):
    id: int
    started_at: datetime
    ended_at: datetime


class DeclaredRestIn(Base, kw_only=True):
    started_at: datetime
    ended_at: datetime


class Absence(Value, kw_only=True):
    id: int
    kind: AbsenceKind
    first_day: date
    last_day: date
    note: str


class AbsenceIn(Base, kw_only=True):
    kind: AbsenceKind
    first_day: date
    last_day: date
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""


class PatternForm(Base, kw_only=True):
    """One text field per weekday, e.g. "08:30-12:00, 13:30-17:30"; empty for a day off."""

    mon: str = ""
    tue: str = ""
    wed: str = ""
    thu: str = ""
    fri: str = ""
    sat: str = ""
    sun: str = ""
