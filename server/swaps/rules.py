"""Pure rules of swaps: which stretch may be asked for, how a cover splits a shift, who takes
what when a request applies, and the checks shown before anyone commits (overlap, load, rest,
fatigue, qualifications, notice).

No database, no clock: values in, findings out. server/swaps/evaluate.py gathers the values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Literal

from server.qualifications.models import Gap
from server.schedules.load import load_warnings, oncall_days
from server.schedules.models import Shift
from server.schedules.notice import NoticeStatus, notice_status
from server.swaps.models import FATIGUE_WARNING, Finding, SwapRequest, Taking
from server.teams.models import Team

Interval = tuple[datetime, datetime]
RangeProblem = Literal["started", "outside", "empty"]


def fingerprint(user_id: int, starts_at: datetime, ends_at: datetime, layer: str) -> str:
    """What a request relies on about a shift; any change to it voids the request (the owner
    accepting or declining the shift does not)."""
    return f"{user_id}|{starts_at.timestamp():.0f}|{ends_at.timestamp():.0f}|{layer}"


def print_of(shift: Shift) -> str:
    return fingerprint(shift.user_id, shift.starts_at, shift.ends_at, shift.layer)


def range_problem(
    shift_start: datetime, shift_end: datetime, start: datetime, end: datetime, now: datetime
) -> RangeProblem | None:
    """Why a stretch of a shift cannot be asked for, or None when it can.

    A request expires when its shift starts, so a shift under way or over cannot be asked for;
    a cover's range must lie inside the shift."""
    if shift_start <= now:
        return "started"
    if end <= start:
        return "empty"
    if start < shift_start or end > shift_end:
        return "outside"
    return None


def split_cover(
    shift_start: datetime, shift_end: datetime, start: datetime, end: datetime
) -> tuple[list[Interval], Interval]:
    """(the stretches the shift's owner keeps, in order; the stretch the taker gets)."""
    kept = []
    if start > shift_start:
        kept.append((shift_start, start))
    if end < shift_end:
        kept.append((end, shift_end))
    return kept, (start, end)


def overlap_findings(
    user_id: int, taken: Interval, others: Iterable[tuple[int, datetime, datetime]]
) -> list[Finding]:
    """A hard block for each of the person's other shifts (id, start, end) the stretch meets."""
    start, end = taken
    return [
        Finding(
            code="overlap",
            severity="block",
            user_id=user_id,
            params={"shift_id": shift_id, "start": s.isoformat(), "end": e.isoformat()},
        )
        for shift_id, s, e in sorted(others, key=lambda item: item[1])
        if s < end and e > start
    ]


def _windows(days: set[date]) -> dict[date, int]:
    """For each on-call day, the on-call days in the 28 days ending on it."""
    return {d: sum(1 for back in range(28) if d - timedelta(days=back) in days) for d in days}


def load_findings(
    user_id: int,
    before: Sequence[Interval],
    after: Sequence[Interval],
    timezone: str,
    *,
    max_days_per_28: int,
    min_days_between: int,
) -> list[Finding]:
    """Warnings the change adds to the person's load: a 28-day window over the limit that
    the change fills further, and on-call stretches it brings too close together."""
    found = []
    old = _windows(oncall_days(before, timezone))
    new = _windows(oncall_days(after, timezone))
    worse = [
        (count, day)
        for day, count in new.items()
        if count > max_days_per_28 and count > old.get(day, 0)
    ]
    if worse:
        count, day = max(worse, key=lambda item: (item[0], -item[1].toordinal()))
        found.append(
            Finding(
                code="max_oncall_days",
                severity="warning",
                user_id=user_id,
                params={"at": day.isoformat(), "value": count, "limit": max_days_per_28},
            )
        )

    def gaps(intervals: Sequence[Interval]):
        return {
            (w.at, w.value)
            for w in load_warnings(
                intervals,
                timezone,
                max_days_per_28=max_days_per_28,
                min_days_between=min_days_between,
            )
            if w.rule == "min_days_between"
        }

    known = gaps(before)
    for at, value in sorted(gaps(after) - known):
        found.append(
            Finding(
                code="min_days_between",
                severity="warning",
                user_id=user_id,
                params={"at": at.isoformat(), "value": value, "limit": min_days_between},
            )
        )
    return found


def rest_findings(user_id: int, starts_at: datetime, owed_until: datetime | None) -> list[Finding]:
    """A warning when the person's daily rest is still owed when the stretch starts."""
    if owed_until is None or owed_until <= starts_at:
        return []
    return [
        Finding(
            code="rest",
            severity="warning",
            user_id=user_id,
            params={"until": owed_until.isoformat()},
        )
    ]


def fatigue_findings(
    user_id: int, score: int | None, reported_at: datetime | None
) -> list[Finding]:
    """A warning when the person's latest recent self-report is 7 or more (Karolinska)."""
    if score is None or reported_at is None or score < FATIGUE_WARNING:
        return []
    return [
        Finding(
            code="fatigue",
            severity="warning",
            user_id=user_id,
            params={"score": score, "at": reported_at.isoformat()},
        )
    ]


def qualification_findings(gaps: Iterable[Gap], gate: Literal["warn", "block"]) -> list[Finding]:
    """A finding for each required qualification the taker lacks or holds expiring before
    the stretch ends (server/qualifications/rules.py decides); a block when the team says so."""
    return [
        Finding(
            code="qualification",
            severity="block" if gate == "block" else "warning",
            user_id=gap.user_id,
            params={
                "qualification": gap.qualification,
                "reason": gap.reason,
                **({"expires_on": gap.expires_on.isoformat()} if gap.expires_on else {}),
                **({"ends": gap.shift_ends} if gap.shift_ends else {}),
            },
        )
        for gap in gaps
    ]


def notice_findings(user_id: int, consensual: bool, status: NoticeStatus) -> list[Finding]:
    """A change the people concerned asked for and agreed to is consensual: the consent is
    recorded and the notice rule does not apply. A change a manager imposes on a person
    follows the notice rule (LAW.md): too late is a hard block, short notice a warning that
    needs the exceptional circumstances as the approval's reason."""
    if consensual:
        return [Finding(code="consent", severity="info", user_id=user_id)]
    if status == "too_late":
        return [
            Finding(code="notice", severity="block", user_id=user_id, params={"status": status})
        ]
    if status == "exceptional":
        return [
            Finding(code="notice", severity="warning", user_id=user_id, params={"status": status})
        ]
    return []


def blocks(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "block"]


def warnings_of(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "warning"]


def passes(findings: Iterable[Finding]) -> bool:
    """Every check passed: nothing blocks and nothing warns (information aside)."""
    return all(f.severity == "info" for f in findings)


def blocks_first(found: Iterable[Finding]) -> list[Finding]:
    order = {"block": 0, "warning": 1, "info": 2}
    return sorted(found, key=lambda f: order[f.severity])


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


def request_notice(team: Team, swap: SwapRequest, counter: Shift | None, now: datetime):
    """How the request's first change stands against the team's notice rule."""
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
    notice = request_notice(team, swap, counter, now)
    return notice_findings(swap.requester_id, not swap.imposed, notice)
