"""What the client reads in the SMS and e-mail that ask them, in their own language."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from server.i18n import current_locale, format_date
from server.i18n import gettext as _
from server.surveys.rules import first_name


class Ask(NamedTuple):
    subject: str  # e-mail only
    body: str


def ask(
    *,
    kind: str,
    channel: str,
    locale: str,
    timezone: str,
    team: str,
    technician: str,
    day: datetime,
    url: str,
) -> Ask:
    """The first message or the reminder, by SMS (one short text) or e-mail. It names the
    team, the day and the technician's first name: nothing of the site or its access."""
    token = current_locale.set(locale)
    try:
        date = format_date(day, "long", tz=timezone)
        values = {"team": team, "date": date, "url": url, "technician": first_name(technician)}
        if channel == "sms":
            if kind == "reminder":
                body = _("Reminder from %(team)s: your opinion on our visit of %(date)s? %(url)s")
            else:
                body = _("%(team)s: how did our visit of %(date)s go? One minute: %(url)s")
            return Ask(subject="", body=body % values)
        if kind == "reminder":
            subject = _("Reminder: your opinion on our visit of %(date)s")
            body = _(
                "Hello,\n\nWe have not heard from you about our visit of %(date)s. If you have a "
                "minute:\n\n%(url)s\n\nThis is our only reminder.\n%(team)s"
            )
        else:
            subject = _("Your opinion on our visit of %(date)s")
            body = _(
                "Hello,\n\n%(technician)s of %(team)s worked for you on %(date)s. How did it go? "
                "Answering takes one minute:\n\n%(url)s\n\nThe link works for 14 days. If you "
                "would rather not be asked again, the same page lets you say so.\n%(team)s"
            )
        return Ask(subject=subject % values, body=body % values)
    finally:
        current_locale.reset(token)
