"""A session's effect, measured: each attendee's figures over the 3 months before and after
it, read by the one computation of the figures (server/metrics: the person's own alert
figures, quality reviews; server/surveys: satisfaction, as the dashboard reads them), with the
counts they rest on, the group's, and the caution when a count is too small."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from server.db import Database
from server.metrics.alerts import alert_figures
from server.metrics.periods import bounds, clipped, custom_period
from server.quality.store import quality_figures
from server.surveys.results import period_satisfaction
from server.training import store
from server.training.models import Attendee, AttendeeEffect, Comparison, Effect, TrainingSession
from server.training.rules import FIGURES, compare, pooled, windows

Side = dict[str, tuple[float | None, int]]


def _side(
    database: Database, user_id: int, team_ids: list[int], zone: str, first, last, now
) -> Side:
    """The person's figures over the civil days first..last in their zone, up to now."""
    start, end = clipped(custom_period(first, last), zone, now)
    alerts = alert_figures(database, team_ids, start, end, zone, user_id=user_id)
    quality = quality_figures(database, team_ids, start, end, user_id=user_id)
    happy = period_satisfaction(database, team_ids, start, end, user_id=user_id).overall
    ack, work = alerts.time_to_acknowledge, alerts.time_to_intervene
    return {
        "ack": (ack.mean_seconds, ack.count),
        "intervene": (work.mean_seconds, work.count),
        "satisfaction": (happy.score, happy.answers),
        "quality": (quality.mean_score, quality.reviews),
    }


def attendee_effect(
    database: Database, session: TrainingSession, attendee: Attendee, now: datetime
) -> AttendeeEffect:
    """Their alerts, interventions, answers and reviews in their teams now (the session's team
    when they are in none any more), in their own zone, as on their own figures page."""
    person = store.person_named(database, attendee.user_id)
    zone = person["timezone"] if person else "Europe/Paris"
    teams = list(attendee.team_ids) or [session.team_id]
    (b_first, b_last), (a_first, a_last) = windows(session.held_on)
    before = _side(database, attendee.user_id, teams, zone, b_first, b_last, now)
    after = _side(database, attendee.user_id, teams, zone, a_first, a_last, now)
    return AttendeeEffect(
        user_id=attendee.user_id,
        name=attendee.name,
        figures=tuple(compare(key, before[key], after[key]) for key in FIGURES),
    )


def session_effect(
    database: Database,
    session: TrainingSession,
    shown: Iterable[Attendee],
    zone: str,
    now: datetime,
) -> Effect:
    """The effect on the attendees `shown` (those whose figures the reader may see); `zone`
    (the team's) says whether the 3 months after have passed."""
    shown = list(shown)
    (b_first, b_last), (a_first, a_last) = windows(session.held_on)
    people = tuple(attendee_effect(database, session, a, now) for a in shown)
    every: list[Comparison] = [f for p in people for f in p.figures]
    after_start, after_end = bounds(custom_period(a_first, a_last), zone)
    return Effect(
        before_first=b_first,
        before_last=b_last,
        after_first=a_first,
        after_last=a_last,
        partial=now < after_end,
        not_started=now < after_start,
        people=people,
        group=tuple(pooled(key, every) for key in FIGURES),
        hidden=len(session.attendees) - len(shown),
    )
