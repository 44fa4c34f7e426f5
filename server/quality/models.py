"""Values of the quality review: checklist items, a review and its items, a queued
intervention with why it is there, and the quality figures the dashboard shows."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from server.models import Value

Result = Literal["passed", "failed", "na"]
RESULTS: tuple[Result, ...] = ("passed", "failed", "na")
Reason = Literal["low_score", "escalated", "follow_up", "rest_violation", "sample"]


class ChecklistItem(Value, kw_only=True):
    """An item of a team's checklist: `key` names a default item (its label is then shown in
    the reader's language), None an item a manager typed (shown as typed)."""

    key: str | None = None
    label: str


class ReviewItem(Value, kw_only=True):
    key: str | None = None
    label: str
    result: Result


class QueueReason(Value, kw_only=True, omit_defaults=True):
    """Why an intervention is in the queue; `detail` is the survey's score or the rules
    broken (as the rest engine names them)."""

    reason: Reason
    detail: str = ""


class Review(Value, kw_only=True):
    id: int
    intervention_id: int
    intervention_uuid: str
    team_id: int
    user_id: int  # the technician
    reviewer_id: int | None
    reviewer_name: str
    items: list[ReviewItem]
    passed: int
    failed: int
    score: int | None  # passed among applicable items, in %; None when none applied
    comment: str
    follow_up: bool
    follow_up_note: str
    follow_up_done_at: datetime | None
    answer: str
    answered_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class QueueItem(Value, kw_only=True):
    """An intervention in a team's queue, as the queue page lists it."""

    intervention_id: int
    uuid: str
    user_id: int
    user_name: str
    started_at: datetime
    ended_at: datetime
    place: str
    outcome: str
    reasons: list[QueueReason]
    review_score: int | None
    reviewed: bool
    follow_up_open: bool


class PersonQuality(Value, kw_only=True):
    user_id: int
    name: str
    reviews: int
    mean_score: float | None  # mean of the reviews' scores, in %


class QualityFigures(Value, kw_only=True):
    """Reviews of the interventions that ended in a period: how many, their mean score, the
    follow-ups asked for, per person (one computation for the page, the CSV and the API)."""

    reviews: int = 0
    mean_score: float | None = None
    follow_ups: int = 0
    people: list[PersonQuality] = []
