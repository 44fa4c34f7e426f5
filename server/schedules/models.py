"""Values of scheduling: rotations, their coverage, shifts and the forms that change them."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Literal

import msgspec

from server.models import Base, Value
from server.teams.models import check_timezone

Layer = Literal["primary", "secondary"]
LAYERS: tuple[Layer, ...] = ("primary", "secondary")
LengthUnit = Literal["hours", "days", "weeks"]
ShiftKind = Literal["regular", "override"]
ShiftStatus = Literal["draft", "published", "accepted", "declined"]
# Shifts that people were told about: they count for who is on call, feeds and the API.
TOLD: tuple[ShiftStatus, ...] = ("published", "accepted", "declined")
# Turns and overrides are bounded, so a shift never lasts more than MAX_SHIFT_DAYS and a query
# for "shifts around an instant" can bound its index range from below too.
MAX_TURN_HOURS = 28 * 24
MAX_SHIFT_DAYS = 35
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(text: str) -> time:
    match = _HHMM.match(text.strip())
    if not match:
        raise ValueError("time must be written HH:MM")
    return time(int(match.group(1)), int(match.group(2)))


class Coverage(Value, kw_only=True):
    """On-call covers everything outside business hours (and all of a public holiday)."""

    business_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    business_start: str = "08:00"
    business_end: str = "18:00"
    holidays_off: bool = True

    def __post_init__(self) -> None:
        start, end = parse_hhmm(self.business_start), parse_hhmm(self.business_end)
        if end <= start:
            raise ValueError("business hours must end after they start")
        if any(day not in range(7) for day in self.business_days):
            raise ValueError("business days are 0 (Monday) to 6 (Sunday)")


class RotationSpec(Value, kw_only=True):
    """What a rotation generates; pure data, so the generator can be tested without a database."""

    timezone: str
    participants: tuple[int, ...]
    start_date: date
    handoff_time: str
    length: Annotated[int, msgspec.Meta(ge=1, le=366)] = 1
    length_unit: LengthUnit = "weeks"
    coverage: Coverage | None = None
    alsace_moselle: bool = False
    # When the rotation stops (an instant, UTC): set when a newer rotation takes over its layer.
    until: datetime | None = None

    def __post_init__(self) -> None:
        check_timezone(self.timezone)
        parse_hhmm(self.handoff_time)
        if not self.participants:
            raise ValueError("a rotation needs at least one participant")
        hours = {"hours": 1, "days": 24, "weeks": 168}[self.length_unit] * self.length
        if hours > MAX_TURN_HOURS:
            raise ValueError("a turn lasts at most 4 weeks")


class Rotation(Value, kw_only=True):
    id: int
    team_id: int
    name: str
    layer: Layer
    spec: RotationSpec
    horizon_weeks: int
    active: bool
    version: int


class Shift(Value, kw_only=True):
    id: int
    team_id: int
    rotation_id: int | None
    kind: ShiftKind
    layer: Layer
    user_id: int
    user_name: str
    starts_at: datetime
    ends_at: datetime
    status: ShiftStatus
    published_at: datetime | None = None
    exceptional_reason: str | None = None
    answered_at: datetime | None = None
    decline_reason: str | None = None
    edited: bool = False
    version: int = 1
    user_phone: str = ""
    user_email: str = ""

    @property
    def told(self) -> bool:
        return self.status in TOLD


class PlannedShift(Value, kw_only=True):
    """A stretch a rotation puts someone on call; the store turns it into a draft shift."""

    user_id: int
    starts_at: datetime
    ends_at: datetime


class OnCallSlot(Value, kw_only=True):
    """Who is really on call in a layer over a stretch, overrides applied."""

    user_id: int
    starts_at: datetime
    ends_at: datetime
    shift_id: int
    kind: ShiftKind


class RotationForm(Base, kw_only=True):
    """A rotation as a manager types it in."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    layer: Layer = "primary"
    start_date: date
    handoff_time: str = "08:00"
    length: Annotated[int, msgspec.Meta(ge=1, le=366)] = 1
    length_unit: LengthUnit = "weeks"
    coverage: Literal["always", "outside_business_hours"] = "outside_business_hours"
    business_start: str = "08:00"
    business_end: str = "18:00"
    horizon_weeks: Annotated[int, msgspec.Meta(ge=1, le=52)] = 12

    def __post_init__(self) -> None:
        self.name = self.name.strip()
        if not self.name:
            raise ValueError("name must not be empty")
        parse_hhmm(self.handoff_time)
        if self.coverage == "outside_business_hours":
            Coverage(business_start=self.business_start, business_end=self.business_end)


class PublishForm(Base, kw_only=True):
    start: date
    end: date
    exceptional: bool = False
    reason: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the end of the range must not be before its start")
        self.reason = self.reason.strip()[:500]


class OverrideForm(Base, kw_only=True):
    user_id: int
    layer: Layer = "primary"
    starts_at: datetime
    ends_at: datetime
    exceptional: bool = False
    reason: str = ""
    # The manager saw the qualifications warning and adds the override anyway (warn mode).
    qualifications_seen: bool = False

    def __post_init__(self) -> None:
        if self.ends_at <= self.starts_at:
            raise ValueError("the end must be after the start")
        self.reason = self.reason.strip()[:500]


class AssignForm(Base, kw_only=True):
    user_id: int
    version: int
    exceptional: bool = False
    reason: str = ""


class NoticeForm(Base, kw_only=True):
    """A change of what people were told that changes nothing else (cancelling an override)."""

    exceptional: bool = False
    reason: str = ""

    def __post_init__(self) -> None:
        self.reason = self.reason.strip()[:500]


class DeclineForm(Base, kw_only=True):
    reason: Annotated[str, msgspec.Meta(max_length=500)]

    def __post_init__(self) -> None:
        self.reason = self.reason.strip()
        if not self.reason:
            raise ValueError("reason must not be empty")
