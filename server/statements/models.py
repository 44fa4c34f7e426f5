"""Values of the statement engine (PAY.md): the compensation policy, periods and the statement."""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Literal

import msgspec

from server.models import Value
from server.teams.models import check_timezone

# kw_only is repeated on each Struct: msgspec does not inherit it from the base. Errors
# raised in __post_init__ start with the offending field's name, so that the command can
# prefix it with the path it knows ("policy.night_start must be HH:MM, got '9pm'").

# Rates, minutes and percents are whole numbers: money stays in cents, with no drift.
Count = Annotated[int, msgspec.Meta(ge=0)]
PeriodKind = Literal["oncall", "intervention"]
DayKind = Literal["weekday", "saturday", "sunday", "holiday"]
DAY_KINDS: tuple[DayKind, ...] = ("weekday", "saturday", "sunday", "holiday")
HolidayCalendar = Literal["FR", "FR-alsace-moselle"]

_CLOCK_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
# As the rest engine's timestamps: other years are typos, and could overflow date arithmetic.
MONTH_YEARS = range(1900, 2200)


class DayRates(Value, kw_only=True):
    """One whole number per kind of day; a misspelt kind is refused, never paid 0."""

    weekday: Count = 0
    saturday: Count = 0
    sunday: Count = 0
    holiday: Count = 0


class PremiumPercents(DayRates, kw_only=True):
    """Intervention premiums in percent of the hourly wage: per kind of day, plus night."""

    night: Count = 0


class StatementPolicy(Value, kw_only=True):
    """PAY.md's policy; every field optional, with PAY.md's defaults."""

    timezone: str = "Europe/Paris"
    # "FR", "FR-alsace-moselle", or the explicit dates of an overseas department.
    holidays: HolidayCalendar | list[date] = "FR"
    night_start: str = "21:00"
    night_end: str = "06:00"
    oncall_cents_per_hour: DayRates = DayRates()
    oncall_night_cents_per_hour: Count = 0
    oncall_rest_minutes_per_hour: DayRates = DayRates()
    hourly_wage_cents: Count = 0
    intervention_premium_percent: PremiumPercents = PremiumPercents()

    def __post_init__(self) -> None:
        try:
            check_timezone(self.timezone)
        except ValueError:
            raise ValueError(f"timezone is not a known time zone: {self.timezone!r}") from None
        for name in ("night_start", "night_end"):
            if not _CLOCK_TIME.fullmatch(getattr(self, name)):
                raise ValueError(f"{name} must be a time HH:MM, got {getattr(self, name)!r}")


def clock_minutes(text: str) -> int:
    """Minutes after midnight of a validated HH:MM time."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def parse_month(text: str) -> tuple[int, int]:
    """(year, month) of a YYYY-MM text; ValueError naming `month` otherwise."""
    found = _MONTH.fullmatch(text)
    if not found or int(found[1]) not in MONTH_YEARS:
        raise ValueError(f"month must be YYYY-MM (years 1900–2199), got {text!r}")
    return int(found[1]), int(found[2])


class Period(Value, kw_only=True):
    """On-call time, or an intervention with the travel it took (half before, half after)."""

    kind: PeriodKind
    start: datetime
    end: datetime
    # Ignored for on-call periods: travel belongs to an intervention.
    travel_minutes: Count = 0

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None:
            raise ValueError("start must carry a UTC offset")
        if self.end.utcoffset() is None:
            raise ValueError("end must carry a UTC offset")
        # As instants: times of one zone compare by their wall clocks, the fold aside.
        if self.end.astimezone(UTC) <= self.start.astimezone(UTC):
            raise ValueError("end must be after start")


class Minutes(Value, kw_only=True):
    """Minutes by kind of day, at night, and in all; each rounded on its own."""

    weekday: int
    saturday: int
    sunday: int
    holiday: int
    night: int
    total: int


class DayLine(Value, kw_only=True):
    """A local date of the month with on-call or intervention time."""

    date: date
    oncall_minutes: int
    intervention_minutes: int


class Statement(Value, kw_only=True):
    """The month's figures, as PAY.md's output (encode with order="sorted")."""

    month: str
    days: list[DayLine]
    oncall_minutes: Minutes
    oncall_pay_cents: int
    oncall_rest_minutes: int
    intervention_count: int
    intervention_minutes: Minutes
    intervention_pay_cents: int


# The app's side of statements: a team's compensation as stored, and the stored document.

# Overseas departments: FR's list plus the department's own day (computed by the app, see
# server/statements/compensation.py).
HolidayCode = Literal[
    "FR",
    "FR-alsace-moselle",
    "FR-guadeloupe",
    "FR-martinique",
    "FR-guyane",
    "FR-reunion",
    "FR-mayotte",
]
HOLIDAY_CODES: tuple[HolidayCode, ...] = (
    "FR",
    "FR-alsace-moselle",
    "FR-guadeloupe",
    "FR-martinique",
    "FR-guyane",
    "FR-reunion",
    "FR-mayotte",
)
GraceDays = Annotated[int, msgspec.Meta(ge=0, le=31)]


class Compensation(Value, kw_only=True):
    """A team's compensation policy: PAY.md's fields but the wage (per person) and the time
    zone (the team's); plus the grace period before the engine closes a month."""

    holidays: HolidayCode = "FR"
    night_start: str = "21:00"
    night_end: str = "06:00"
    oncall_cents_per_hour: DayRates = DayRates()
    oncall_night_cents_per_hour: Count = 0
    oncall_rest_minutes_per_hour: DayRates = DayRates()
    intervention_premium_percent: PremiumPercents = PremiumPercents()
    grace_days: GraceDays = 3

    def __post_init__(self) -> None:
        for name in ("night_start", "night_end"):
            if not _CLOCK_TIME.fullmatch(getattr(self, name)):
                raise ValueError(f"{name} must be a time HH:MM, got {getattr(self, name)!r}")


class OnCallLine(Value, kw_only=True):
    """A stretch of the month the person was on call (overrides and swaps applied)."""

    start: datetime
    end: datetime
    layer: Literal["primary", "secondary"]


class InterventionLine(Value, kw_only=True):
    """An intervention as the document lists it."""

    uuid: str
    start: datetime
    end: datetime
    travel_minutes: int
    mode: str
    place: str
    outcome: str


class Difference(Value, kw_only=True):
    """What a rectifying version changes from the previous one: each figure that moved (new
    minus old, by its path in the statement, e.g. "oncall_minutes.total") and the
    interventions added or removed."""

    previous_version: int
    previous_sha256: str
    figures: dict[str, int]
    interventions_added: list[str] = []
    interventions_removed: list[str] = []


class StatementContent(Value, kw_only=True):
    """The document of one person's month in one team: the engine's output plus what the
    document shows. Stored as JSON with sorted keys; its SHA-256 is of those bytes."""

    month: str
    version: int
    provisional: bool
    team_id: int
    team_name: str
    user_id: int
    person_name: str
    # Whether the team had a compensation policy; without one every amount is 0.
    compensation_set: bool
    holidays: HolidayCode
    policy: StatementPolicy
    oncall: list[OnCallLine]
    interventions: list[InterventionLine]
    statement: Statement
    difference: Difference | None = None


class StoredStatement(Value, kw_only=True):
    """A closed statement's version as stored."""

    id: int
    closing_id: int
    team_id: int
    user_id: int
    month: str
    version: int
    content: StatementContent
    content_json: str
    sha256: str
    created_at: datetime
    acknowledged_at: datetime | None = None


class Closing(Value, kw_only=True):
    """A team's month, closed (by a manager, or by the engine when closed_by is None)."""

    id: int
    team_id: int
    month: str
    starts_at: datetime
    ends_at: datetime
    closed_at: datetime
    closed_by: int | None
    checked_at: datetime


class Acknowledgement(Value, kw_only=True):
    statement_id: int
    user_id: int
    acknowledged_at: datetime


class ClosingResult(Value, kw_only=True):
    """What closing a month did: `created` is False when it was closed already (by another
    manager at the same moment, or the engine), and then nothing was written."""

    closing: Closing
    created: bool
    statements: int


WarningCode = Literal[
    "no_compensation",  # the team has no compensation set: the law requires a contrepartie
    "no_wage",  # interventions paid 0: the person has no hourly wage set
    "declined_shifts",  # shifts of the month still declined (counted as on call)
    "unanswered_shifts",  # shifts of the month published but never accepted
    "not_synced",  # no contact since the month ended: interventions may still arrive
]


class MonthWarning(Value, kw_only=True):
    code: WarningCode
    user_ids: list[int] = []


class TeamMonthLine(Value, kw_only=True):
    """One person's month in the manager's view: the document handed out (closed month) or
    the provisional one, with its version and receipt."""

    user_id: int
    person_name: str
    content: StatementContent
    statement_id: int | None = None
    version: int | None = None
    sha256: str | None = None
    acknowledged_at: datetime | None = None


class TeamMonth(Value, kw_only=True):
    team_id: int
    team_name: str
    month: str
    # The month has ended (in the team's zone): it may be closed.
    ended: bool
    closing: Closing | None
    lines: list[TeamMonthLine]
    # Each figure of the engine's output summed over the lines ("oncall_pay_cents", …).
    totals: dict[str, int]
    warnings: list[MonthWarning]
