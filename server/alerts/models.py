"""Alert values, escalation policies and the payloads integrations send."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from server.models import Base, Value

Severity = Literal["critical", "warning", "info"]
AlertStatus = Literal["triggered", "acknowledged", "resolved"]
TargetKind = Literal["primary", "secondary", "managers", "person", "team"]
MAX_DETAILS = 8_000


class Target(Value, kw_only=True):
    kind: TargetKind
    user_id: int | None = None

    def __post_init__(self) -> None:
        if (self.kind == "person") != (self.user_id is not None):
            raise ValueError("a 'person' target names a user_id, other targets do not")


class Step(Value, kw_only=True):
    """Who is paged, `delay_minutes` after the previous step (the first one at once)."""

    delay_minutes: Annotated[int, msgspec.Meta(ge=0, le=240)] = 0
    targets: tuple[Target, ...]

    def __post_init__(self) -> None:
        if not self.targets:
            raise ValueError("a step pages at least one target")


class EscalationPolicy(Value, kw_only=True):
    steps: tuple[Step, ...] = (
        Step(delay_minutes=0, targets=(Target(kind="primary"),)),
        Step(delay_minutes=5, targets=(Target(kind="secondary"),)),
        Step(delay_minutes=10, targets=(Target(kind="managers"),)),
    )
    repeat: Annotated[int, msgspec.Meta(ge=1, le=10)] = 2
    backup_first_when_tired: bool = False

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("a policy has at least one step")


class Link(Base, kw_only=True):
    href: Annotated[str, msgspec.Meta(max_length=2000, pattern=r"^https?://")]
    text: Annotated[str, msgspec.Meta(max_length=200)] = ""


class AlertIn(Base, kw_only=True):
    """POST /api/v1/alerts."""

    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    details: Annotated[str, msgspec.Meta(max_length=MAX_DETAILS)] = ""
    severity: Severity = "critical"
    dedup_key: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    source: Annotated[str, msgspec.Meta(max_length=100)] = ""
    links: Annotated[list[Link], msgspec.Meta(max_length=10)] = []
    # Alertmanager's labels ("service": "chaufferie"): procedures tagged with one are shown
    # first on the alert's page (server/procedures).
    labels: Annotated[
        dict[
            Annotated[str, msgspec.Meta(max_length=100)],
            Annotated[str, msgspec.Meta(max_length=200)],
        ],
        msgspec.Meta(max_length=50),
    ] = {}

    def __post_init__(self) -> None:
        # A title is one line (a notification's, an e-mail subject's): breaks become spaces.
        self.title = " ".join(self.title.split())
        if not self.title:
            raise ValueError("title must not be empty")


class AlertOut(Value, kw_only=True):
    id: int
    status: AlertStatus
    dedup_key: str | None
    team_id: int
    title: str
    severity: Severity
    created_at: datetime
    event_count: int = 1
    # The client a call came from (POST /api/v1/calls), and its site when known.
    client_id: int | None = None
    site_id: int | None = None


class Alert(Value, kw_only=True):
    id: int
    team_id: int
    title: str
    details: str
    severity: Severity
    dedup_key: str | None
    source: str
    links: list[dict]
    status: AlertStatus
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: int | None
    resolved_at: datetime | None
    resolved_by: int | None
    assigned_user_id: int | None
    policy: EscalationPolicy
    step: int
    round: int
    next_step_at: datetime | None
    event_count: int
    version: int
    client_id: int | None = None
    site_id: int | None = None
    labels: dict[str, str] = {}


class AlertEvent(Value, kw_only=True):
    id: int
    at: datetime
    kind: str
    actor: str
    detail: dict


class CallIn(Base, kw_only=True):
    """POST /api/v1/calls: a phone system tells of an incoming call."""

    caller: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    called: Annotated[str, msgspec.Meta(max_length=40)] = ""
    at: datetime | None = None


class AlertmanagerAlert(msgspec.Struct, kw_only=True):
    """One alert of Prometheus Alertmanager's webhook (unknown fields are kept out, not refused:
    Alertmanager adds fields between versions)."""

    status: Literal["firing", "resolved"]
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    fingerprint: str = ""
    generatorURL: str = ""


class AlertmanagerIn(msgspec.Struct, kw_only=True):
    alerts: Annotated[list[AlertmanagerAlert], msgspec.Meta(max_length=500)]


class AlertmanagerOut(Value, kw_only=True):
    """How many of the group's alerts were raised, added to an open one, and resolved."""

    created: int
    repeated: int
    resolved: int
