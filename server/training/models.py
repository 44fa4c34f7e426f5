"""Training values: a session (what, when, who trained, who attended, what it grants), what a
manager types for one, and its measured effect (each attendee's figures before and after)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from server.models import Value

Kind = Literal["technical", "communication", "stress", "other"]
KINDS: tuple[Kind, ...] = ("technical", "communication", "stress", "other")
TOPIC_MAX = 200
TRAINER_MAX = 120
NOTES_MAX = 2000


class Attendee(Value, kw_only=True):
    user_id: int
    name: str
    team_ids: tuple[int, ...] = ()  # the teams they are in now


class TrainingSession(Value, kw_only=True):
    id: int
    team_id: int
    team_name: str
    topic: str
    kind: Kind
    held_on: date
    trainer_id: int | None = None
    trainer_name: str = ""  # the person's name when trainer_id is set, else as typed
    qualification_id: int | None = None
    qualification_name: str | None = None
    notes: str = ""
    attendees: tuple[Attendee, ...] = ()
    created_at: datetime
    updated_at: datetime


class SessionInput(Value, kw_only=True):
    """A session as a manager typed it, checked (rules.session_input)."""

    topic: str
    kind: Kind
    held_on: date
    trainer_id: int | None = None
    trainer_name: str = ""
    qualification_id: int | None = None
    notes: str = ""
    attendee_ids: tuple[int, ...] = ()


class Holding(Value, kw_only=True):
    """A person's holding of a qualification (person_qualifications), its dates."""

    obtained_on: date | None = None
    expires_on: date | None = None


class Comparison(Value, kw_only=True):
    """One figure before and after: its value on each side and the count it rests on."""

    key: str  # ack, intervene, satisfaction, quality
    before: float | None
    before_count: int
    after: float | None
    after_count: int
    few: bool  # a side rests on fewer than MIN_COUNT items: read with caution

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


class AttendeeEffect(Value, kw_only=True):
    user_id: int
    name: str
    figures: tuple[Comparison, ...]


class Effect(Value, kw_only=True):
    """The session's effect on the attendees the reader may see."""

    before_first: date
    before_last: date
    after_first: date
    after_last: date
    partial: bool  # the 3 months after have not all passed: figures so far
    not_started: bool  # the day after the session has not come yet: nothing after
    people: tuple[AttendeeEffect, ...]
    group: tuple[Comparison, ...]
    hidden: int  # attendees whose figures the reader may not see
