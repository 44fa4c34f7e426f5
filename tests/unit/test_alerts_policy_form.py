"""The escalation form read into a policy: several targets per step, in paging order, each once;
empty steps skipped; the first step kept starts at once."""

from __future__ import annotations

import pytest

from server.alerts.models import Target
from server.alerts.policy_form import parse_policy, rows_of_policy
from server.errors import InvalidInput

TEAM = {3, 4}
PRIMARY, SECONDARY = Target(kind="primary"), Target(kind="secondary")
MANAGERS, EVERYONE = Target(kind="managers"), Target(kind="team")


@pytest.mark.parametrize(
    ("form", "steps"),
    [
        ({"target_0": ["managers", "primary"]}, [(0, (PRIMARY, MANAGERS))]),
        (
            {"target_0": ["primary"], "person_0": ["4"], "target_1": ["team"], "delay_1": ["5"]},
            [(0, (PRIMARY, Target(kind="person", user_id=4))), (5, (EVERYONE,))],
        ),
        # The one-target form's value still names a person, and a person is paged once.
        (
            {"target_0": ["person:3", "secondary"], "person_0": ["3"]},
            [(0, (SECONDARY, Target(kind="person", user_id=3)))],
        ),
        # Empty steps are no steps; the first one kept is paged at once.
        (
            {"target_0": [""], "person_0": [""], "delay_2": ["10"], "target_2": ["managers"]},
            [(0, (MANAGERS,))],
        ),
        ({"target_0": ["primary", "primary"]}, [(0, (PRIMARY,))]),
    ],
    ids=["two roles", "a role and a person", "old form", "empty steps", "ticked twice"],
)
def test_steps_read_from_the_form(form: dict, steps: list) -> None:
    policy = parse_policy(form, TEAM)
    assert [(s.delay_minutes, s.targets) for s in policy.steps] == steps
    # What the page shows again is what was saved.
    again = parse_policy(
        {
            key: value
            for index, row in enumerate(rows_of_policy(policy))
            for key, value in (
                (f"target_{index}", sorted(row["roles"])),
                (f"person_{index}", [str(row["person"] or "")]),
                (f"delay_{index}", [str(row["delay"])]),
            )
        },
        TEAM,
    )
    assert {s.targets for s in again.steps} == {s.targets for s in policy.steps}
    assert [s.delay_minutes for s in again.steps] == [s.delay_minutes for s in policy.steps]


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"target_0": [""]},
        {"target_0": ["primary"], "person_0": ["9"]},
        {"target_0": ["primary"], "person_0": ["x"]},
        {"target_0": ["nobody"]},
        {"target_0": ["primary"], "target_1": ["team"], "delay_1": ["241"]},
        {"target_0": ["primary"], "repeat": ["11"]},
    ],
    ids=["nothing", "no step", "outsider", "not a person", "unknown role", "delay", "repeat"],
)
def test_bad_forms_are_refused(form: dict) -> None:
    with pytest.raises(InvalidInput):
        parse_policy(form, TEAM)
