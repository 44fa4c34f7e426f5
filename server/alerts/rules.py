"""Pure rules of escalation: when the next step is due, who a step pages (given who is on call
and their fatigue) and what the timeline says of it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

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


# Target kinds filled from the schedule: a step of them finding nobody is a hole in coverage.
ON_CALL_TARGETS = frozenset({"primary", "secondary"})


class Firing(NamedTuple):
    """What one due firing does: the steps passed over because they found nobody, the step
    that pages (`people`, possibly empty), and whether the managers stand in for a round
    that found nobody at all."""

    passed: tuple[int, ...]
    step: int
    people: tuple[int, ...]
    managers_instead: bool


def plan_firing(
    policy: EscalationPolicy,
    step: int,
    round_: int,
    people_of: Callable[[int], list[int]],
    managers: Sequence[int],
) -> Firing:
    """Fire `step`; while a step finds nobody, the next one of the round fires at once. When
    no step of the round finds anyone, the team's managers are paged in its place (an alert
    never waits out delays that end with nobody paged). A round that paged someone earlier
    keeps its course: its people are already on it."""
    passed: list[int] = []
    whole_round = step == 0
    while True:
        people = people_of(step)
        if people:
            return Firing(tuple(passed), step, tuple(people), False)
        following = step_after(policy, step, round_)
        if following is None or following[1] != round_:
            if whole_round and managers:
                return Firing(tuple(passed), step, tuple(managers), True)
            return Firing(tuple(passed), step, (), False)
        passed.append(step)
        step = following[0]


def nobody_reason(policy: EscalationPolicy, step: int) -> str:
    """Why a step found nobody: a gap in the schedule, or targets that name nobody."""
    kinds = {t.kind for t in policy.steps[step].targets}
    return "coverage_gap" if kinds & ON_CALL_TARGETS else "nobody"


class Page(NamedTuple):
    """What one due firing of an alert does, decided before anything is written: the firing,
    the primary and backup it was planned with (swapped when the backup is paged first),
    whether that swap happened, why the managers were woken ("coverage_gap": nobody on call at
    all) and the cursor after it (None: the policy is done)."""

    firing: Firing
    primary: int | None
    secondary: int | None
    backup_first: bool
    reason: str
    following: tuple[int, int] | None


def who_to_page(
    policy: EscalationPolicy,
    step: int,
    round_: int,
    *,
    primary: int | None,
    secondary: int | None,
    primary_score: int | None,
    managers: Sequence[int],
    team: Sequence[int],
    assigned: int | None,
) -> Page:
    """Who the alert's due step pages, given who is on call, the primary's latest fatigue
    score (None: none declared lately, or the policy does not ask) and the team's active
    members and managers. Whoever the alert was given to is paged at every step; someone a
    shift or the policy still names but who left the team (or was deactivated) never is."""
    tired = backup_first(policy.backup_first_when_tired, primary, secondary, primary_score)
    if tired:
        primary, secondary = secondary, primary
    in_team = set(team)

    def people_of(index: int) -> list[int]:
        people = resolve_targets(
            policy.steps[index].targets,
            primary=primary,
            secondary=secondary,
            managers=managers,
            team=team,
        )
        if assigned and assigned not in people:
            people.insert(0, assigned)
        # A step left with nobody passes on at once.
        return [person for person in people if person in in_team]

    firing = plan_firing(policy, step, round_, people_of, managers)
    # Nobody on call at all, and the alert went past the steps that page them: the alert's
    # page and the managers' notification say why they were woken (a hole in the schedule).
    gap = primary is None and secondary is None and bool(firing.passed or firing.managers_instead)
    return Page(
        firing=firing,
        primary=primary,
        secondary=secondary,
        backup_first=tired,
        reason="coverage_gap" if gap else "",
        following=step_after(policy, firing.step, round_),
    )


def timeline_of(
    page: Page, policy: EscalationPolicy, round_: int, names: Mapping[int, str]
) -> list[tuple[str, dict]]:
    """The timeline events (kind, detail) of a firing: each step passed over for finding
    nobody, then the step that paged (or found nobody either)."""
    firing = page.firing
    events: list[tuple[str, dict]] = [
        (
            "nobody_to_page",
            {
                "step": passed + 1,
                "round": round_ + 1,
                "people": [],
                "passed_on": True,
                "reason": nobody_reason(policy, passed),
            },
        )
        for passed in firing.passed
    ]
    detail: dict = {"reason": page.reason} if page.reason else {}
    if firing.managers_instead:
        detail["managers_instead"] = True
    elif not firing.people:
        detail = {"reason": nobody_reason(policy, firing.step)}
    events.append(
        (
            "paged" if firing.people else "nobody_to_page",
            {
                "step": firing.step + 1,
                "round": round_ + 1,
                "people": [names.get(p, str(p)) for p in firing.people],
                **detail,
            },
        )
    )
    return events
