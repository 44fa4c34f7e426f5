"""The on-call answer of each team, kept until the next hand-off or the next write.

The phone system asks on every incoming call; the answer changes only when a told shift starts
or ends, when the coverage window opens or closes (for the gap it reports), or when something is
written (a publication, an override, an approved swap, a deactivation, a new phone number…)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

import msgspec

from server.db import Database
from server.schedules.coverage import coverage_window
from server.schedules.store import list_rotations, next_change


class Answer(Protocol):
    """What is cached (server.schedules.lookup.OnCall): only the fields the validity reads."""

    at: datetime
    primary: object | None
    coverage_gap: bool
    gap_ends_at: datetime | None


def valid_until(db: Database, team_id: int, answer: Answer, horizon_end: datetime) -> datetime:
    """The first instant after `answer.at` at which the same question could get another answer
    (the written data unchanged). `answer.at` itself when the answer depends on the very
    instant asked (an end beyond the horizon, which moves with it)."""
    at = answer.at
    limit = next_change(db, team_id, at) or horizon_end
    if answer.primary is None:
        if answer.coverage_gap:
            if answer.gap_ends_at is None:
                return at  # the gap runs past the horizon: its end is not known yet
            limit = min(limit, answer.gap_ends_at)
        else:
            # Outside the coverage window: a gap begins when the window opens.
            window = coverage_window(list_rotations(db, team_id), at, horizon_end)
            edges = [edge for piece in window for edge in piece if edge > at]
            limit = min([limit, *edges])
    return min(limit, horizon_end)


class OnCallCache:
    """One answer per team, with the interval of time over which it holds and the database's
    write count it was computed from (so any committed write makes it unreachable)."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._entries: dict[int, tuple[tuple[int, int], datetime, datetime, Answer]] = {}

    def answer(
        self,
        db: Database,
        team_id: int,
        at: datetime,
        compute: Callable[[datetime], Answer],
        validity: Callable[[Answer], datetime],
    ):
        seen = db.seen_writes()
        hit = self._entries.get(team_id)
        if hit is not None and hit[0] == seen and hit[1] <= at < hit[2]:
            # The same answer, for the instant asked (in the offset it was asked in).
            return msgspec.structs.replace(hit[3], at=at)
        fresh = compute(at)
        until = validity(fresh)
        if until > at:
            if len(self._entries) >= self.limit:
                self._entries.clear()
            self._entries[team_id] = (seen, at, until, fresh)
        return fresh
