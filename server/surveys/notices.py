"""How the surveys' notifications read (registered with the notifications package, which
imports no domain): a low score for the team's managers, a client's thanks for the
technician; in the reader's language when shown or sent."""

from __future__ import annotations

from datetime import datetime

from server.i18n import format_date
from server.i18n import gettext as _
from server.notifications import kinds
from server.notifications.models import Notification, Rendered
from server.surveys.answers import LOW_SCORE_KIND, PRAISE_KIND


def _day(value: str) -> str:
    return format_date(datetime.fromisoformat(value), "medium") if value else ""


def render_low_score(notification: Notification) -> Rendered:
    p = notification.params
    values = {
        "score": p["score"],
        "client": p["client"],
        "technician": p["technician"],
        "date": _day(p["date"]),
    }
    title = _("Satisfaction %(score)s/5: please follow up", score=p["score"])
    if p.get("comment"):
        body = _(
            "%(client)s, intervention of %(date)s by %(technician)s: “%(comment)s”",
            **values,
            comment=p["comment"],
        )
    else:
        body = _("%(client)s, intervention of %(date)s by %(technician)s. No comment.", **values)
    return Rendered(title=title, body=body)


def render_praise(notification: Notification) -> Rendered:
    p = notification.params
    return Rendered(
        title=_("A client thanks you"),
        body=_(
            "5/5 from %(client)s for %(date)s: “%(comment)s”",
            client=p["client"],
            date=_day(p["date"]),
            comment=p["comment"],
        ),
    )


def register_notices() -> None:
    kinds.register(LOW_SCORE_KIND, render=render_low_score)
    kinds.register(PRAISE_KIND, render=render_praise)
