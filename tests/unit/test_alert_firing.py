"""Pure rule of one due firing: steps that find nobody pass on at once, and a round that finds
nobody at all pages the team's managers instead."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.alerts.models import EscalationPolicy, Step, Target
from server.alerts.rules import nobody_reason, plan_firing, timeline_of, who_to_page

PRIMARY, SECONDARY, MARC = 1, 2, 9

DEFAULT = EscalationPolicy()  # primary, then backup 5 min later, then managers 10 min later
NO_MANAGERS_STEP = EscalationPolicy(
    steps=(
        Step(delay_minutes=0, targets=(Target(kind="primary"),)),
        Step(delay_minutes=5, targets=(Target(kind="secondary"),)),
    )
)


def finder(policy: EscalationPolicy, primary: int | None, secondary: int | None):
    def people_of(step: int) -> list[int]:
        found = []
        for target in policy.steps[step].targets:
            if target.kind == "primary" and primary:
                found.append(primary)
            if target.kind == "secondary" and secondary:
                found.append(secondary)
            if target.kind == "managers":
                found.append(MARC)
        return found

    return people_of


@pytest.mark.parametrize(
    ("policy", "step", "primary", "secondary", "expected"),
    [
        # Someone on call: the step pages them, nothing is passed over.
        (DEFAULT, 0, PRIMARY, SECONDARY, ((), 0, (PRIMARY,), False)),
        # No primary: the backup's step fires at once.
        (DEFAULT, 0, None, SECONDARY, ((0,), 1, (SECONDARY,), False)),
        # Nobody on call: straight to the managers' own step.
        (DEFAULT, 0, None, None, ((0, 1), 2, (MARC,), False)),
        # At the backup's step with no backup: the managers' step at once.
        (DEFAULT, 1, PRIMARY, None, ((1,), 2, (MARC,), False)),
        # A policy without a managers step: the managers stand in for a round of nobody.
        (NO_MANAGERS_STEP, 0, None, None, ((0,), 1, (MARC,), True)),
        # ... but not for the end of a round that already paged the primary.
        (NO_MANAGERS_STEP, 1, PRIMARY, None, ((), 1, (), False)),
    ],
)
def test_a_firing_passes_over_steps_that_find_nobody(
    policy, step, primary, secondary, expected
) -> None:
    firing = plan_firing(policy, step, 0, finder(policy, primary, secondary), [MARC])
    assert tuple(firing) == expected


def test_a_round_of_nobody_in_a_team_without_managers_pages_nobody() -> None:
    firing = plan_firing(NO_MANAGERS_STEP, 0, 0, lambda step: [], [])
    assert (firing.passed, firing.step, firing.people, firing.managers_instead) == (
        (0,),
        1,
        (),
        False,
    )


def test_a_firing_never_crosses_into_the_next_round() -> None:
    # The last round's last step finds nobody: the policy is over, nobody is paged twice.
    firing = plan_firing(DEFAULT, 2, 1, lambda step: [], [])
    assert firing.step == 2 and firing.people == ()


@pytest.mark.parametrize(
    ("kinds", "reason"),
    [
        (("primary",), "coverage_gap"),
        (("secondary", "managers"), "coverage_gap"),
        (("team",), "nobody"),
    ],
)
def test_why_a_step_found_nobody(kinds, reason) -> None:
    policy = EscalationPolicy(steps=(Step(targets=tuple(Target(kind=k) for k in kinds)),))
    assert nobody_reason(policy, 0) == reason


@given(
    found=st.lists(st.booleans(), min_size=1, max_size=5),
    start=st.integers(min_value=0, max_value=4),
    round_=st.integers(min_value=0, max_value=1),
)
def test_the_firing_pages_the_first_step_of_the_round_that_finds_someone(
    found: list[bool], start: int, round_: int
) -> None:
    policy = EscalationPolicy(
        steps=tuple(Step(targets=(Target(kind="team"),)) for _ in found), repeat=2
    )
    start = start % len(found)
    firing = plan_firing(
        policy, start, round_, lambda step: [step + 100] if found[step] else [], [MARC]
    )
    later = [i for i in range(start, len(found)) if found[i]]
    if later:
        assert firing.step == later[0] and firing.people == (later[0] + 100,)
        assert firing.passed == tuple(range(start, later[0]))
    else:
        # Nobody left in the round: the last step is where the cursor stands; the managers
        # stand in only when the whole round was walked.
        assert firing.step == len(found) - 1
        assert firing.managers_instead is (start == 0)
        assert firing.people == ((MARC,) if start == 0 else ())


# who_to_page: the whole decision of a due step, from who is on call and the primary's fatigue,
# before anything is written (alerts/escalation.py applies it).
SOPHIE, SAMUEL, LEFT = 1, 2, 7
TEAM = [SOPHIE, SAMUEL, MARC]
TIRED_TEAM = EscalationPolicy(backup_first_when_tired=True)


def decide(policy=DEFAULT, step=0, round_=0, *, primary=SOPHIE, secondary=SAMUEL, **given):
    values = {"primary_score": None, "managers": [MARC], "team": TEAM, "assigned": None}
    values.update(given)
    return who_to_page(policy, step, round_, primary=primary, secondary=secondary, **values)


def test_the_person_on_call_is_woken_first_and_the_cursor_moves_to_the_backup() -> None:
    page = decide()
    assert page.firing.people == (SOPHIE,)
    assert (page.backup_first, page.reason, page.following) == (False, "", (1, 0))


@pytest.mark.parametrize(("enabled", "score", "first"), [(True, 8, SAMUEL), (True, 7, SOPHIE)])
def test_a_tired_primary_sends_the_alert_to_the_backup_first(enabled, score, first) -> None:
    page = decide(TIRED_TEAM, primary_score=score)
    assert page.firing.people == (first,)
    assert page.backup_first is (first == SAMUEL)
    # The next step pages the other one of the two.
    assert decide(TIRED_TEAM, step=1, primary_score=score).firing.people == (
        SOPHIE if first == SAMUEL else SAMUEL,
    )


def test_fatigue_changes_nothing_when_the_team_does_not_ask() -> None:
    assert decide(primary_score=9).firing.people == (SOPHIE,)


def test_someone_who_left_the_team_is_never_woken_and_the_step_passes_on() -> None:
    page = decide(primary=LEFT)
    assert page.firing.passed == (0,)
    assert page.firing.people == (SAMUEL,)


def test_whoever_the_alert_was_given_to_is_paged_at_every_step() -> None:
    assert decide(step=1, assigned=MARC).firing.people == (MARC, SAMUEL)


def test_nobody_on_call_wakes_the_managers_and_says_it_is_a_coverage_gap() -> None:
    page = decide(primary=None, secondary=None)
    assert page.firing == (
        (0, 1),
        2,
        (MARC,),
        False,
    )
    assert page.reason == "coverage_gap"
    events = timeline_of(page, DEFAULT, 0, {MARC: "Marc"})
    assert [(kind, detail["step"], detail.get("passed_on")) for kind, detail in events] == [
        ("nobody_to_page", 1, True),
        ("nobody_to_page", 2, True),
        ("paged", 3, None),
    ]
    assert events[-1][1] == {"step": 3, "round": 1, "people": ["Marc"], "reason": "coverage_gap"}


def test_a_step_naming_nobody_says_so_on_the_timeline() -> None:
    policy = EscalationPolicy(steps=(Step(targets=(Target(kind="managers"),)),), repeat=1)
    page = decide(policy, managers=[])
    assert (page.firing.people, page.following) == ((), None)
    assert timeline_of(page, policy, 0, {}) == [
        ("nobody_to_page", {"step": 1, "round": 1, "people": [], "reason": "nobody"})
    ]
