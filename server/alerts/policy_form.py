"""The escalation policy form, read and shown (pure): ordered steps, each paging one or more
targets after a delay, and repetitions; a refused form comes back as the manager left it."""

from __future__ import annotations

from server.alerts.models import EscalationPolicy, Step, Target
from server.errors import InvalidInput
from server.i18n import gettext as _

MAX_STEPS = 5
DELAYS = (0, 1, 2, 3, 5, 10, 15, 20, 30, 45, 60)
# The roles a step may page, in the order they are paged (a named person comes after them).
ROLES = ("primary", "secondary", "managers", "team")

Form = dict[str, list[str]]


def role_labels() -> list[tuple[str, str]]:
    return [
        ("primary", _("The person on call")),
        ("secondary", _("The backup")),
        ("managers", _("The team's managers")),
        ("team", _("Everyone in the team")),
    ]


def _step_values(form: Form, index: int) -> tuple[list[str], list[str]]:
    """A step's ticked roles and named people as posted. `target_N=person:ID` is what the
    one-target form sent; it still names a person."""
    roles, people = [], [v for v in form.get(f"person_{index}", []) if v]
    for value in form.get(f"target_{index}", []):
        if value.startswith("person:"):
            people.append(value.split(":", 1)[1])
        elif value:
            roles.append(value)
    return roles, people


def parse_policy(form: Form, allowed_people: set[int]) -> EscalationPolicy:
    steps = []
    for index in range(MAX_STEPS):
        roles, people = _step_values(form, index)
        if not roles and not people:
            continue  # an empty step is no step
        delay_raw = (form.get(f"delay_{index}") or ["0"])[-1]
        if not delay_raw.isdigit() or int(delay_raw) > 240:
            raise InvalidInput(_("Choose a delay between 0 and 240 minutes."))
        if any(role not in ROLES for role in roles):
            raise InvalidInput(_("Please check the steps."))
        targets = [Target(kind=role) for role in ROLES if role in roles]
        for raw in people:
            user_id = int(raw) if raw.isdigit() else 0
            if user_id not in allowed_people:
                raise InvalidInput(_("This person is not in this team."))
            target = Target(kind="person", user_id=user_id)
            if target not in targets:
                targets.append(target)
        delay = int(delay_raw) if steps else 0
        steps.append(Step(delay_minutes=delay, targets=tuple(targets)))
    if not steps:
        raise InvalidInput(_("A policy needs at least one step."))
    repeat = (form.get("repeat") or ["1"])[-1]
    if not repeat.isdigit() or not 1 <= int(repeat) <= 10:
        raise InvalidInput(_("Repeat the steps between 1 and 10 times."))
    return EscalationPolicy(
        steps=tuple(steps),
        repeat=int(repeat),
        backup_first_when_tired="on" in form.get("backup_first_when_tired", []),
    )


def rows_of_policy(policy: EscalationPolicy) -> list[dict]:
    """What each of the form's steps shows: delay, ticked roles, named person (or none)."""
    rows = [
        {
            "delay": step.delay_minutes,
            "roles": {t.kind for t in step.targets if t.kind != "person"},
            "person": next((t.user_id for t in step.targets if t.kind == "person"), None),
        }
        for step in policy.steps
    ]
    return _padded(rows)


def rows_of_form(form: Form) -> list[dict]:
    """The steps as posted, so a refused form comes back as the manager left it."""
    rows = []
    for index in range(MAX_STEPS):
        roles, people = _step_values(form, index)
        delay = (form.get(f"delay_{index}") or ["0"])[-1]
        rows.append(
            {
                "delay": int(delay) if delay.isdigit() else 0,
                "roles": set(roles),
                "person": int(people[0]) if people and people[0].isdigit() else None,
            }
        )
    return rows


def _padded(rows: list[dict]) -> list[dict]:
    empty = [{"delay": 0, "roles": set(), "person": None}] * (MAX_STEPS - len(rows))
    return (rows + empty)[:MAX_STEPS]
