"""How a statement's hand-out reads, registered with the notifications package (which imports
no domain): rendered in the reader's language when shown or sent."""

from __future__ import annotations

from datetime import date

from server.i18n import format_date
from server.i18n import gettext as _
from server.notifications import kinds
from server.notifications.models import Notification, Rendered
from server.statements.closing import READY_KIND
from server.statements.models import parse_month


def month_name(month: str) -> str:
    """ "décembre 2026", "December 2026": the month as the reader says it."""
    year, number = parse_month(month)
    return format_date(date(year, number, 1), "LLLL y")


def render_statement(notification: Notification) -> Rendered:
    params = notification.params
    month = month_name(params["month"])
    if params.get("version", 1) > 1:
        return Rendered(
            title=_("Your on-call statement was corrected"),
            body=_(
                "%(month)s, %(team)s: a corrected version replaces the previous one. "
                "Open it to acknowledge receipt.",
                month=month,
                team=params["team"],
            ),
        )
    return Rendered(
        title=_("Your on-call statement is ready"),
        body=_(
            "%(month)s, %(team)s: your on-call hours and their compensation. "
            "Open it to acknowledge receipt.",
            month=month,
            team=params["team"],
        ),
    )


def register_notices() -> None:
    """Tells the notifications package how a statement's hand-out reads."""
    kinds.register(READY_KIND, render=render_statement)
