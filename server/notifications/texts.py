"""Words of each kind of notification, rendered in the reader's language when read or sent."""

from __future__ import annotations

from datetime import datetime

from server.i18n import format_datetime, ngettext
from server.i18n import gettext as _
from server.notifications.kinds import kind_of
from server.notifications.models import Notification, Rendered


def _when(value: str) -> str:
    return format_datetime(datetime.fromisoformat(value), "short")


def render(notification: Notification) -> Rendered:
    registered = kind_of(notification.kind).render
    if registered is not None:
        # A domain's own words (swaps); the kinds below are still written here.
        return registered(notification)
    p = notification.params
    kind = notification.kind
    if kind == "alert":
        severity = {"critical": _("Critical"), "warning": _("Warning"), "info": _("Information")}
        body = _("Alert for %(team)s. Acknowledge it if you take it.", team=p["team"])
        if p.get("reason") == "coverage_gap":
            # Managers woken because nobody is on call learn why before they open the alert.
            body = _("Nobody on call: coverage gap.") + " " + body
        return Rendered(title=f"{severity.get(p['severity'], '')} · {p['title']}", body=body)
    if kind == "test":
        return Rendered(
            title=_("Test alert"),
            body=_("Alerts reach this device. You can acknowledge from the notification."),
        )
    if kind == "shifts_published":
        return Rendered(
            title=_("New on-call shifts for you"),
            body=ngettext(
                "%(num)s shift published in %(team)s, from %(start)s. Please accept it.",
                "%(num)s shifts published in %(team)s, from %(start)s. Please accept them.",
                p["count"],
                team=p["team"],
                start=_when(p["first"]),
            ),
        )
    if kind == "shift_assigned":
        return Rendered(
            title=_("A shift was given to you"),
            body=_(
                "On call from %(start)s to %(end)s (%(team)s). Please accept it.",
                start=_when(p["start"]),
                end=_when(p["end"]),
                team=p["team"],
            ),
        )
    if kind == "shift_removed":
        return Rendered(
            title=_("A shift was taken off your schedule"),
            body=_(
                "You are no longer on call from %(start)s to %(end)s (%(team)s).",
                start=_when(p["start"]),
                end=_when(p["end"]),
                team=p["team"],
            ),
        )
    if kind == "shift_reminder":
        return Rendered(
            title=_("On call soon"),
            body=_(
                "Your on-call shift starts at %(start)s (%(team)s).",
                start=_when(p["start"]),
                team=p["team"],
            ),
        )
    if kind == "shift_declined":
        return Rendered(
            title=_("A shift was declined"),
            body=_(
                "%(name)s declined the shift from %(start)s: %(reason)s",
                name=p["name"],
                start=_when(p["start"]),
                reason=p["reason"],
            ),
        )
    if kind == "fatigue_shift_start":
        return Rendered(
            title=_("Your on-call shift has started"),
            body=_("How alert are you? One tap, from 1 to 9 (%(team)s).", team=p["team"]),
        )
    if kind == "fatigue_after_night":
        return Rendered(
            title=_("After your night intervention"),
            body=_("How alert are you now? One tap, and your rest is counted."),
        )
    return Rendered(title=_("Notification"), body="")
