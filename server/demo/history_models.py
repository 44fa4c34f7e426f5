"""The values a demo team's planned year is made of (history_plan.py decides them, store.py
writes them): who held which layer when, the team as the plan sees it, and each alert with its
timeline, pages, deliveries and intervention."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from server.alerts.models import EscalationPolicy
from server.demo.history_catalogue import Problem


class Schedule:
    """Who held the primary and the backup layer when, looked up by bisection."""

    def __init__(self, held: Iterable[tuple[str, int, datetime, datetime]]) -> None:
        layers: dict[str, list[tuple[datetime, datetime, int]]] = {"primary": [], "secondary": []}
        for layer, user_id, start, end in held:
            layers[layer].append((start, end, user_id))
        self._layers = {name: sorted(rows) for name, rows in layers.items()}
        self._starts = {name: [row[0] for row in rows] for name, rows in self._layers.items()}

    def holder(self, layer: str, moment: datetime) -> int | None:
        index = bisect_right(self._starts[layer], moment) - 1
        if index < 0:
            return None
        start, end, user_id = self._layers[layer][index]
        return user_id if start <= moment < end else None


class Crew(NamedTuple):
    """What the plan needs of a team."""

    zone: ZoneInfo
    policy: EscalationPolicy
    members: tuple[int, ...]
    managers: tuple[int, ...]
    names: Mapping[int, str]
    emails: Mapping[int, str]
    schedule: Schedule
    problems: tuple[Problem, ...]
    webhook: frozenset[int]  # people whose pages also went to the SMS gateway


class Delivery(NamedTuple):
    channel: str
    status: str  # sent or cancelled
    due: datetime
    sent_at: datetime | None
    code: int | None
    cancelled_by: str | None  # acknowledged or resolved


class Paging(NamedTuple):
    """One page: the person's notification and its deliveries."""

    user_id: int
    at: datetime
    reason: str
    read_at: datetime
    deliveries: tuple[Delivery, ...]


class Event(NamedTuple):
    at: datetime
    kind: str
    actor: str
    detail: dict


class Work(NamedTuple):
    """The intervention that followed an alert."""

    uuid: str
    user_id: int
    started_at: datetime
    ended_at: datetime
    travel_minutes: int
    place: str
    mode: str
    done: str
    outcome: str


@dataclass
class AlertPlan:
    source: str
    title: str
    severity: str
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: int | None
    resolved_at: datetime
    resolved_by: int | None
    step: int
    round: int
    events: list[Event]
    pages: list[Paging]
    work: Work | None
    event_count: int = 1
    dedup_key: str = field(init=False)

    def __post_init__(self) -> None:
        self.dedup_key = f"{self.source}:{self.title}"


class Fatigue(NamedTuple):
    user_id: int
    score: int
    reported_at: datetime


class History(NamedTuple):
    alerts: list[AlertPlan]
    fatigue: list[Fatigue]


Busy = dict[int, list[tuple[datetime, datetime]]]
