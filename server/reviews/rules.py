"""Pure rules of the review's actions: which month's review shows an action and how (decided
there, carried over, done there), and what a manager typed for one, checked field by field.

An action decided in a month's review is carried over to every later month's review until
it is done; it shows last in the month it was done (read in the team's zone)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from server.errors import InvalidInput
from server.i18n import gettext as _
from server.reviews.models import WHAT_MAX, ActionInput, ActionLine, ReviewAction


def local_month(moment: datetime, zone: str) -> str:
    """YYYY-MM of an instant on the team's calendar: done at 00:30 on 1 November in Paris is
    November's, though it is still October in UTC."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.year:04d}-{local.month:02d}"


def placement(action: ReviewAction, month: str, zone: str, today: date) -> ActionLine | None:
    """How `month`'s review shows the action, or None when it is not in that review (decided
    later, or done before the month began)."""
    if action.month > month:
        return None
    done_month = local_month(action.done_at, zone) if action.done_at is not None else None
    if done_month is not None and done_month < month:
        return None
    return ActionLine(
        action=action,
        carried_from=action.month if action.month < month else None,
        done_here=done_month == month,
        done_later=done_month is not None and done_month > month,
        overdue=action.done_at is None and action.due_on < today,
    )


def review_lines(
    actions: Iterable[ReviewAction], month: str, zone: str, today: date
) -> list[ActionLine]:
    """The month's actions: open ones first, by due date, then those done in the month."""
    lines = [line for a in actions if (line := placement(a, month, zone, today)) is not None]
    return sorted(lines, key=lambda line: (line.done_here, line.action.due_on, line.action.id))


def action_input(values: Mapping[str, str], members: Collection[int]) -> ActionInput:
    """The action typed in the form; InvalidInput naming the field otherwise. `members`: the
    ids a manager may put in charge (the team's members)."""
    what = " ".join(values.get("what", "").split())
    if not what:
        raise InvalidInput(
            _("“%(field)s”: say what the team will do.", field=_("Action")), field="what"
        )
    if len(what) > WHAT_MAX:
        raise InvalidInput(
            _(
                "“%(field)s”: %(max)s characters at most.",
                field=_("Action"),
                max=WHAT_MAX,
            ),
            field="what",
        )
    return ActionInput(
        what=what,
        assignee_id=_assignee(values.get("assignee_id", "").strip(), members),
        due_on=_due_on(values.get("due_on", "").strip()),
    )


def _assignee(text: str, members: Collection[int]) -> int | None:
    if not text:
        return None  # nobody in particular: the team
    try:
        assignee = int(text)
    except ValueError:
        assignee = None
    if assignee is None or assignee not in members:
        raise InvalidInput(
            _("“%(field)s”: choose a member of the team, or nobody.", field=_("Who")),
            field="assignee_id",
        )
    return assignee


def _due_on(text: str) -> date:
    try:
        due = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        due = None
    if due is None or not 2000 <= due.year <= 2199:
        raise InvalidInput(
            _("“%(field)s”: a date written YYYY-MM-DD.", field=_("By when")), field="due_on"
        )
    return due
