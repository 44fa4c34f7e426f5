"""The checks of a request for a given taker: gathers what the pure rules need (shifts, load,
rest, fatigue, qualifications, notice) from the stores, runs them (server/swaps/rules.py), and says
what they found in words."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from server.db import Database
from server.errors import NotFound
from server.qualifications.gate import gaps
from server.rest.people import rest_owed_until
from server.rest.store import latest_fatigue
from server.schedules.models import Shift
from server.schedules.store import get_shift, list_shifts
from server.swaps import rules
from server.swaps.models import Finding, SwapRequest, Taking
from server.swaps.store.requests import names_of
from server.swaps.texts import describe
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
    if rules.print_of(shift) != swap.shift_fingerprint:
        raise Stale
    if counter is not None and rules.print_of(counter) != swap.counter_fingerprint:
        raise Stale
    return shift, counter


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
    found = rules.overlap_findings(user_id, taken, [(s.id, s.starts_at, s.ends_at) for s in kept])
    in_team = [s for s in mine if s.team_id == team.id and s.id != taking.shift_id]
    before = [(s.starts_at, s.ends_at) for s in in_team]
    after = [(s.starts_at, s.ends_at) for s in in_team if s.id != taking.gives_shift_id]
    found += rules.load_findings(
        user_id,
        before,
        [*after, taken],
        team.timezone,
        max_days_per_28=team.policy.max_oncall_days_per_28,
        min_days_between=team.policy.min_days_between_oncall_weeks,
    )
    found += rules.rest_findings(
        user_id, taking.starts_at, rest_owed_until(database, user_id, taking.starts_at)
    )
    report = latest_fatigue(database, user_id, since=now - FATIGUE_RECENT)
    found += rules.fatigue_findings(
        user_id, report.score if report else None, report.reported_at if report else None
    )
    if taking.shift_id is not None:
        planned = [(user_id, taking.shift_id, None, taking.ends_at)]
        found += rules.qualification_findings(
            gaps(database, team, planned), team.policy.qualification_gate
        )
    return found


def evaluate(
    database: Database, team: Team, swap: SwapRequest, taker_id: int, now: datetime
) -> list[Finding]:
    """Every finding for this taker, blocks first; raises Stale when the shifts changed."""
    shift, counter = current_shifts(database, swap)
    found: list[Finding] = []
    for taking in rules.takings(swap, taker_id, shift, counter):
        found += _findings_for(database, team, taking, now)
    found += rules.requester_findings(team, swap, counter, now)
    notice = rules.request_notice(team, swap, counter, now)
    found += rules.notice_findings(taker_id, True, notice)
    return rules.blocks_first(found)


def precheck(database: Database, team: Team, draft: SwapRequest, now: datetime) -> list[Finding]:
    """The findings known before anyone answers a request not yet written: the requester's
    (the notice rule when imposed) and, when one colleague is asked, that colleague's too.
    The same rules the request runs later, so a request they block is refused up front."""
    if draft.target_id is not None:
        return evaluate(database, team, draft, draft.target_id, now)
    _shift, counter = current_shifts(database, draft)
    return rules.blocks_first(rules.requester_findings(team, draft, counter, now))


def explain(database: Database, team: Team, findings: Iterable[Finding]) -> str:
    """The findings as sentences, with the names of the people they are about."""
    findings = list(findings)
    names = names_of(database, [f.user_id for f in findings])
    return " ".join(describe(f, names, team.policy.notice_days) for f in findings)
