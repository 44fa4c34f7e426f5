"""Pure rules of escalation: when the next step is due and who a step pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from server.alerts.models import EscalationPolicy, Target


def step_after(policy: EscalationPolicy, step: int, round_: int) -> tuple[int, int] | None:
    """The step that follows (step, round), or None when the policy is exhausted."""
    if step + 1 < len(policy.steps):
        return step + 1, round_
    if round_ + 1 < policy.repeat:
        return 0, round_ + 1
    return None


# Whoever a round paged last gets at least this long before the next round starts.
MIN_ROUND_GAP_MINUTES = 5


def due_at(policy: EscalationPolicy, fired_at: datetime, step: int) -> datetime:
    """When `step` fires, counted from the moment the previous step fired.

    Step 0 is only ever due again as a new round begins: it waits as long as the policy's
    longest delay (5 minutes at least), so the last people paged (often the managers) have the
    same time to answer as anyone before the person on call is woken again."""
    delay = policy.steps[step].delay_minutes
    if step == 0:
        longest = max(s.delay_minutes for s in policy.steps)
        delay = max(delay, longest, MIN_ROUND_GAP_MINUTES)
    return fired_at + timedelta(minutes=delay)


def resolve_targets(
    targets: Iterable[Target],
    *,
    primary: int | None,
    secondary: int | None,
    managers: Iterable[int],
    team: Iterable[int],
) -> list[int]:
    """The people a step pages, in order, each once."""
    people: list[int] = []
    for target in targets:
        if target.kind == "primary":
            found = [primary] if primary else []
        elif target.kind == "secondary":
            found = [secondary] if secondary else []
        elif target.kind == "managers":
            found = list(managers)
        elif target.kind == "team":
            found = list(team)
        else:
            found = [target.user_id] if target.user_id else []
        for person in found:
            if person not in people:
                people.append(person)
    return people


# LAW-independent safety rule: someone fighting sleep should not be the first one woken.
TIRED_SCORE = 8


def backup_first(
    enabled: bool, primary: int | None, secondary: int | None, primary_score: int | None
) -> bool:
    """Page the backup in the primary's place (and the primary in the backup's) when the team
    asks for it, the primary declared fatigue TIRED_SCORE or more lately, and there is a backup
    to page."""
    return (
        enabled
        and primary is not None
        and secondary is not None
        and secondary != primary
        and primary_score is not None
        and primary_score >= TIRED_SCORE
    )
