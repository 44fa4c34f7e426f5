"""The needs analysis of one team: its history (store), its schedule ahead (the schedules'
readers) and the pure rules, gathered into the value the page and its CSV show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.db import Database
from server.metrics.zones import offsets
from server.schedules.models import LAYERS
from server.schedules.oncall import effective_slots
from server.schedules.store import list_shifts
from server.staffing import rules, store
from server.staffing.models import Needs
from server.teams.models import Team

# A declined shift still counts as on call for pay (statements) until it is reassigned, but
# the person said no: it provides nobody here.
_PROVIDING = ("published", "accepted")


def team_needs(database: Database, team: Team, now: datetime, weeks: int, volume: int) -> Needs:
    """People needed on call at once for each hour of the week, beside the schedule's."""
    first, last, start, end = rules.history_window(now, team.timezone, weeks)
    alerts = store.alerts_by_hour_of_week(
        database, team.id, start, end, offsets(team.timezone, start, end)
    )
    mean, measured = store.handle_time(database, team.id, start, end)
    # A mean of zero seconds (records of no length) would divide by zero in Erlang C.
    handle = mean if mean and mean > 0 else rules.DEFAULT_HANDLE_SECONDS
    days = rules.provision_days(now, team.timezone)
    ahead_start = datetime.combine(days[0], datetime.min.time(), tzinfo=UTC) - timedelta(days=1)
    ahead_end = datetime.combine(days[-1], datetime.min.time(), tzinfo=UTC) + timedelta(days=2)
    shifts = [
        shift
        for shift in list_shifts(database, team_ids=[team.id], start=ahead_start, end=ahead_end)
        if shift.status in _PROVIDING
    ]
    held = [
        [
            (slot.starts_at, slot.ends_at)
            for slot in effective_slots(shifts, layer, ahead_start, ahead_end)
        ]
        for layer in LAYERS
    ]
    layers = rules.held_by_hour(held, days, team.timezone)
    policy = team.policy
    hours = rules.needs_by_hour(
        alerts,
        layers,
        weeks=weeks,
        volume_percent=volume,
        handle_seconds=handle,
        within_seconds=policy.response_within_minutes * 60,
        target=policy.response_target_percent / 100,
    )
    days_bands = rules.bands(hours)
    return Needs(
        team_id=team.id,
        weeks=weeks,
        volume_percent=volume,
        history_start=first,
        history_end=last,
        alerts=sum(alerts.values()),
        handle_seconds=handle,
        handle_from_alerts=measured if mean and mean > 0 else 0,
        within_minutes=policy.response_within_minutes,
        target_percent=policy.response_target_percent,
        provision_start=days[0],
        provision_end=days[-1],
        hours=hours,
        bands=days_bands,
        under_hours=sum(h.coverage == "under" for h in hours),
        over_hours=sum(h.coverage == "over" for h in hours),
        worst=rules.worst(days_bands),
        computed_at=now,
    )
