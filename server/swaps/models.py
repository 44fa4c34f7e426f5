"""Values of swaps and covers: the request, the checks' findings, and the forms that drive them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from server.models import Base, Value

SwapKind = Literal["swap", "cover"]
SwapStatus = Literal[
    "pending", "accepted", "approved", "rejected", "declined", "cancelled", "expired", "void"
]
# A request still waiting for someone: a colleague's answer or a manager's decision.
LIVE: tuple[SwapStatus, ...] = ("pending", "accepted")
Severity = Literal["block", "warning", "info"]
FindingCode = Literal[
    "overlap",
    "max_oncall_days",
    "min_days_between",
    "rest",
    "fatigue",
    "skill",
    "qualification",
    "notice",
    "consent",
]
# A recent self-report at or above this on the Karolinska scale is a warning.
FATIGUE_WARNING = 7


class Finding(Value, kw_only=True):
    """One result of the checks, about one person taking one stretch."""

    code: FindingCode
    severity: Severity
    user_id: int
    # Values for the sentence people read (instants as ISO text, numbers, names).
    params: dict[str, str | int | float] = {}


class Taking(Value, kw_only=True):
    """One person taking one stretch of on-call time (and maybe giving one away in exchange)."""

    user_id: int
    starts_at: datetime
    ends_at: datetime
    shift_id: int | None = None
    gives_shift_id: int | None = None


class SwapRequest(Value, kw_only=True):
    id: int
    team_id: int
    kind: SwapKind
    requester_id: int
    requester_name: str
    created_by: int
    # Who typed the request: the shift's owner, or a manager on their behalf.
    created_by_name: str | None = None
    shift_id: int | None
    shift_fingerprint: str
    starts_at: datetime
    ends_at: datetime
    counter_shift_id: int | None = None
    counter_fingerprint: str | None = None
    target_id: int | None = None
    target_name: str | None = None
    taker_id: int | None = None
    taker_name: str | None = None
    status: SwapStatus
    note: str = ""
    findings: list[Finding] = []
    decision_reason: str | None = None
    decided_by: int | None = None
    decided_by_name: str | None = None
    expires_at: datetime
    created_at: datetime
    accepted_at: datetime | None = None
    decided_at: datetime | None = None
    version: int = 1

    @property
    def open_to_team(self) -> bool:
        return self.target_id is None

    @property
    def imposed(self) -> bool:
        """Typed by a manager on the person's behalf: not the person's own wish."""
        return self.created_by != self.requester_id

    def shown_status(self, now: datetime) -> SwapStatus:
        """The status a person should read: a live request past its expiry is expired, even
        before the engine writes it down."""
        if self.status in LIVE and self.expires_at <= now:
            return "expired"
        return self.status


class RequestForm(Base, kw_only=True):
    """A swap or cover request as typed on the phone (times in the team's wall clock)."""

    kind: SwapKind = "cover"
    whole: bool = False
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    # "" or "team": open to the team; otherwise a colleague's id.
    target: str = "team"
    # A swap: the id of the colleague's shift taken in exchange ("" for a cover).
    counter_shift: str = ""
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""

    def __post_init__(self) -> None:
        self.note = self.note.strip()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("the end must be after the start")


class DecisionForm(Base, kw_only=True):
    version: int
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""

    def __post_init__(self) -> None:
        self.reason = self.reason.strip()
