"""How procedures' notifications read, registered with the notifications package (which
imports no domain): rendered in the reader's language when shown or sent."""

from __future__ import annotations

from datetime import date

from server.i18n import format_date
from server.i18n import gettext as _
from server.notifications import kinds
from server.notifications.models import Notification, Rendered
from server.procedures.workflow import CHANGED_KIND, STALE_KIND


def render_changed(notification: Notification) -> Rendered:
    params = notification.params
    if params.get("version", 1) <= 1:
        return Rendered(
            title=_("New procedure to read"),
            body=_("%(title)s: read it and say so.", title=params["title"]),
        )
    return Rendered(
        title=_("A procedure changed: read it again"),
        body=_(
            "%(title)s, version %(version)s: read it and say so.",
            title=params["title"],
            version=params["version"],
        ),
    )


def render_stale(notification: Notification) -> Rendered:
    params = notification.params
    return Rendered(
        title=_("A procedure is due for review"),
        body=_(
            "%(title)s was to be reviewed by %(date)s: check it, then set its next review date.",
            title=params["title"],
            date=format_date(date.fromisoformat(params["review_on"]), "medium"),
        ),
    )


def register_notices() -> None:
    kinds.register(CHANGED_KIND, render=render_changed)
    kinds.register(STALE_KIND, render=render_stale)
