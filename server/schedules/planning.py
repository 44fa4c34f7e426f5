"""What the manager's schedule page shows of a team: drafts to publish and the range offered,
overrides, the to-do list, coverage gaps, coming shifts, and the load each person would carry
(reads the stores, decides with the pure rules of load.py and publish_range.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.db import Database
from server.schedules.coming import coming_page
from server.schedules.gaps import GAP_LOOKAHEAD, coverage_gaps
from server.schedules.load import LoadWarning, ShiftLoad, load_warnings, shift_load
from server.schedules.models import Shift
from server.schedules.publish_range import snapped_range
from server.schedules.rotation import handoff_days
from server.schedules.store import list_rotations, list_shifts
from server.schedules.views import runs
from server.schedules.workflow import needs_action
from server.teams.models import Team
from server.teams.store import members

# Load warnings look this far around now.
LOAD_WINDOW = timedelta(weeks=8)
# The manage page lists drafts and overrides this far ahead.
HORIZON = timedelta(weeks=12)


def person_warnings(db: Database, team: Team, user_id: int, now: datetime) -> list[LoadWarning]:
    """What a person's shifts around now break of the team's load limits."""
    shifts = list_shifts(
        db, team_ids=[team.id], user_id=user_id, start=now - LOAD_WINDOW, end=now + LOAD_WINDOW * 2
    )
    return load_warnings(
        [(s.starts_at, s.ends_at) for s in shifts],
        team.timezone,
        max_days_per_28=team.policy.max_oncall_days_per_28,
        min_days_between=team.policy.min_days_between_oncall_weeks,
    )


def shift_warnings(db: Database, team: Team, user_id: int, shift: Shift) -> list[ShiftLoad]:
    """What giving this shift to this person would break, read around the shift itself (the
    28 days that can contain it, and the gaps on either side)."""
    around = timedelta(days=28 + team.policy.min_days_between_oncall_weeks)
    shifts = list_shifts(
        db,
        team_ids=[team.id],
        user_id=user_id,
        start=shift.starts_at - around,
        end=shift.ends_at + around,
    )
    return shift_load(
        [(s.starts_at, s.ends_at) for s in shifts if s.id != shift.id],
        (shift.starts_at, shift.ends_at),
        team.timezone,
        max_days_per_28=team.policy.max_oncall_days_per_28,
        min_days_between=team.policy.min_days_between_oncall_weeks,
    )


def planning(db: Database, team: Team, now: datetime, first: date | None = None) -> dict:
    """The team's side of the manage page (`first`: the first day of its coming shifts)."""
    zone = ZoneInfo(team.timezone)
    horizon = now + HORIZON
    shifts = list_shifts(db, team_ids=[team.id], start=now, end=horizon)
    drafts = [s for s in shifts if s.status == "draft"]
    today = now.astimezone(zone).date()
    people = [m for m in members(db, team.id) if m.active]
    warnings = {m.user_id: person_warnings(db, team, m.user_id, now) for m in people}
    earliest = min((s.starts_at for s in drafts), default=now).astimezone(zone).date()
    earliest = max(earliest, today + timedelta(days=team.policy.notice_days))
    # The default range runs hand-off to hand-off of the rotation of the first draft it can
    # publish, so nobody's turn is left half a draft.
    rotations = list_rotations(db, team.id)
    opening = next((s for s in drafts if s.starts_at.astimezone(zone).date() >= earliest), None)
    rotation = next((r for r in rotations if opening and r.id == opening.rotation_id), None)
    days = handoff_days(rotation.spec, now, horizon + timedelta(weeks=8)) if rotation else []
    publish_start, publish_end = snapped_range(earliest, days)
    return {
        "team": team,
        "rotations": rotations,
        "coming": coming_page(db, team, now, first),
        "drafts": drafts,
        "overrides": [s for s in shifts if s.kind == "override"],
        "todo": runs(needs_action(db, [team.id], now)),
        "people": people,
        "warnings": {k: v for k, v in warnings.items() if v},
        "names": {m.user_id: m.name for m in people},
        "publish_start": publish_start,
        "publish_end": publish_end,
        "today": today,
        "gaps": coverage_gaps(db, team.id, now, now + GAP_LOOKAHEAD),
    }
