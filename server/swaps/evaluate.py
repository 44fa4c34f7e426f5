"""The checks of a request for a given taker: gathers what the pure rules need (shifts, load,
rest, fatigue, skills, notice) from the database and runs them."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.db import Database
from server.errors import NotFound
from server.rest.fatigue import latest_fatigue
from server.rest.status import rest_owed_until
from server.schedules.models import Shift
from server.schedules.notice import notice_status
from server.schedules.store import get_shift, list_shifts
from server.swaps import checks
from server.swaps.models import Finding, SwapRequest, Taking
from server.swaps.skills import held_by, required_for
from server.teams.models import Team

# Load limits look this far around the stretch taken (28 days, and a gap of weeks between).
LOAD_WINDOW = timedelta(weeks=8)
# A fatigue self-report older than this says nothing about the person now.
FATIGUE_RECENT = timedelta(hours=24)


class Stale(Exception):
    """A shift the request relies on changed or disappeared since the request was made."""


def current_shifts(database: Database, swap: SwapRequest) -> tuple[Shift, Shift | None]:
    """The request's shift and, for a swap, the colleague's; Stale when either changed."""
    try:
        if swap.shift_id is None:
            raise Stale
        shift = get_shift(database, swap.shift_id)
        counter = None
        if swap.counter_shift_id is not None:
            counter = get_shift(database, swap.counter_shift_id)
        elif swap.counter_fingerprint:
            raise Stale  # the colleague's shift was deleted
    except NotFound:
        raise Stale from None
    if print_of(shift) != swap.shift_fingerprint:
        raise Stale
    if counter is not None and print_of(counter) != swap.counter_fingerprint:
        raise Stale
    return shift, counter


def print_of(shift: Shift) -> str:
    return checks.fingerprint(shift.user_id, shift.starts_at, shift.ends_at, shift.layer)


def takings(swap: SwapRequest, taker_id: int, shift: Shift, counter: Shift | None) -> list[Taking]:
    """Who takes what if the request applies: the taker the stretch, and in a swap the
    requester the colleague's shift."""
    first = Taking(
        user_id=taker_id,
        starts_at=swap.starts_at,
        ends_at=swap.ends_at,
        shift_id=shift.id,
        gives_shift_id=counter.id if counter else None,
    )
    if counter is None:
        return [first]
    second = Taking(
        user_id=swap.requester_id,
        starts_at=counter.starts_at,
        ends_at=counter.ends_at,
        shift_id=counter.id,
        gives_shift_id=shift.id,
    )
    return [first, second]


def _findings_for(database: Database, team: Team, taking: Taking, now: datetime) -> list[Finding]:
    user_id = taking.user_id
    taken = (taking.starts_at, taking.ends_at)
    mine = list_shifts(
        database,
        user_id=user_id,
        start=taking.starts_at - LOAD_WINDOW,
        end=taking.ends_at + LOAD_WINDOW,
    )
    # The shift given away in exchange no longer counts; neither does the one being taken.
    kept = [s for s in mine if s.id not in (taking.gives_shift_id, taking.shift_id)]
    found = checks.overlap_findings(user_id, taken, [(s.id, s.starts_at, s.ends_at) for s in kept])
    in_team = [s for s in mine if s.team_id == team.id and s.id != taking.shift_id]
    before = [(s.starts_at, s.ends_at) for s in in_team]
    after = [(s.starts_at, s.ends_at) for s in in_team if s.id != taking.gives_shift_id]
    found += checks.load_findings(
        user_id,
        before,
        [*after, taken],
        team.timezone,
        max_days_per_28=team.policy.max_oncall_days_per_28,
        min_days_between=team.policy.min_days_between_oncall_weeks,
    )
    found += checks.rest_findings(
        user_id, taking.starts_at, rest_owed_until(database, user_id, taking.starts_at)
    )
    report = latest_fatigue(database, user_id, since=now - FATIGUE_RECENT)
    found += checks.fatigue_findings(
        user_id, report.score if report else None, report.reported_at if report else None
    )
    if taking.shift_id is not None:
        found += checks.skill_findings(
            user_id, required_for(database, taking.shift_id), held_by(database, user_id)
        )
    return found


def evaluate(
    database: Database, team: Team, swap: SwapRequest, taker_id: int, now: datetime
) -> list[Finding]:
    """Every finding for this taker, blocks first; raises Stale when the shifts changed."""
    shift, counter = current_shifts(database, swap)
    found: list[Finding] = []
    for taking in takings(swap, taker_id, shift, counter):
        found += _findings_for(database, team, taking, now)
    found += requester_findings(team, swap, counter, now)
    found += checks.notice_findings(taker_id, True, _notice(team, swap, counter, now))
    return _blocks_first(found)


def _notice(team: Team, swap: SwapRequest, counter: Shift | None, now: datetime):
    first_change = min(swap.starts_at, counter.starts_at if counter else swap.starts_at)
    return notice_status(
        now,
        first_change,
        team.timezone,
        team.policy.notice_days,
        team.policy.exceptional_notice_clear_days,
    )


def requester_findings(
    team: Team, swap: SwapRequest, counter: Shift | None, now: datetime
) -> list[Finding]:
    """What holds whoever takes it: the taker agrees by accepting; the requester agreed by
    asking, unless a manager asked on their behalf: then the change is imposed on them and
    the notice rule applies."""
    return checks.notice_findings(
        swap.requester_id, not swap.imposed, _notice(team, swap, counter, now)
    )


def precheck(database: Database, team: Team, draft: SwapRequest, now: datetime) -> list[Finding]:
    """The findings known before anyone answers a request not yet written: the requester's
    (the notice rule when imposed) and, when one colleague is asked, that colleague's too.
    The same rules the request runs later, so a request they block is refused up front."""
    if draft.target_id is not None:
        return evaluate(database, team, draft, draft.target_id, now)
    _shift, counter = current_shifts(database, draft)
    return _blocks_first(requester_findings(team, draft, counter, now))


def _blocks_first(found: list[Finding]) -> list[Finding]:
    order = {"block": 0, "warning": 1, "info": 2}
    return sorted(found, key=lambda f: order[f.severity])
