"""How the review's actions read, on the page and in the PDF alike: who is in charge, by
when, carried over from which month, done or not."""

from __future__ import annotations

from server.i18n import format_date
from server.i18n import gettext as _
from server.metrics import texts as figure_texts
from server.reviews.models import ActionLine
from server.statements.texts import month_label


def month_title(month: str) -> str:
    """ "Décembre 2026", "December 2026": a title's capital."""
    label = month_label(month)
    return label[:1].upper() + label[1:]


def who(line: ActionLine) -> str:
    return line.action.assignee_name or _("The whole team")


def due(line: ActionLine) -> str:
    return format_date(line.action.due_on, "medium")


def carried(line: ActionLine) -> str:
    """ "Carried over from October 2026", or "" for an action decided this month."""
    if line.carried_from is None:
        return ""
    return _("Carried over from %(month)s", month=month_label(line.carried_from))


def status(line: ActionLine, zone: str) -> str:
    done_at = line.action.done_at
    if line.done_here and done_at is not None:
        return _("Done on %(date)s", date=format_date(done_at, "medium", tz=zone))
    if line.done_later and done_at is not None:
        return _(
            "Not done at the month's end; done on %(date)s",
            date=format_date(done_at, "medium", tz=zone),
        )
    if line.overdue:
        return _("Not done, overdue")
    return _("Not done yet")


def page_helpers() -> dict:
    """The helpers the review's templates call."""
    return {
        "month_title": month_title,
        "month_label": month_label,
        "who": who,
        "due": due,
        "carried": carried,
        "status": status,
        "definition": figure_texts.definition,
    }
