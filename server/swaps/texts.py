"""Words of swaps: notifications (in the reader's language) and the checks' findings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import msgspec

from server.i18n import format_datetime, format_number
from server.i18n import gettext as _
from server.notifications.models import Notification, Rendered
from server.qualifications.gate import day_text
from server.swaps.models import Finding, SwapRequest


def _when(value: str | int | float) -> str:
    return format_datetime(datetime.fromisoformat(str(value)), "short")


def status_label(status: str) -> str:
    return {
        "pending": _("waiting for a colleague"),
        "accepted": _("waiting for approval"),
        "approved": _("approved"),
        "rejected": _("rejected"),
        "declined": _("declined"),
        "cancelled": _("cancelled"),
        "expired": _("expired"),
        "void": _("no longer valid"),
    }[status]


def kind_label(kind: str) -> str:
    return _("Swap") if kind == "swap" else _("Cover")


def who_asks(swap: SwapRequest) -> str:
    """Who asked, and for whose shift: a manager asking on someone's behalf is named as such."""
    name = swap.requester_name
    if swap.imposed:
        by = swap.created_by_name or "?"
        if swap.kind == "swap":
            return _("%(by)s (manager) proposes a swap of %(name)s’s shift", by=by, name=name)
        return _("%(by)s (manager) asks a replacement for %(name)s’s shift", by=by, name=name)
    if swap.kind == "swap":
        return _("%(name)s proposes a swap of their shift", name=name)
    return _("%(name)s asks a replacement for their shift", name=name)


# Helpers the swap templates call.
WORDS = {"kind_label": kind_label, "status_label": status_label, "who_asks": who_asks}


def describe(finding: Finding, names: Mapping[int, str], notice_days: int = 15) -> str:
    """One finding as a sentence for the person deciding."""
    p = finding.params
    name = names.get(finding.user_id, "?")
    code = finding.code
    if code == "overlap":
        return _(
            "%(name)s is already on call from %(start)s to %(end)s.",
            name=name,
            start=_when(p["start"]),
            end=_when(p["end"]),
        )
    if code == "max_oncall_days":
        return _(
            "%(name)s would be on call %(value)s days in 28 (limit %(limit)s).",
            name=name,
            value=int(p["value"]),
            limit=int(p["limit"]),
        )
    if code == "min_days_between":
        return _(
            "%(name)s would have only %(value)s days between two on-call stretches "
            "(at least %(limit)s).",
            name=name,
            value=format_number(float(p["value"])),
            limit=int(p["limit"]),
        )
    if code == "rest":
        return _(
            "%(name)s still owes daily rest until %(until)s.", name=name, until=_when(p["until"])
        )
    if code == "fatigue":
        return _(
            "%(name)s reported fatigue %(score)s out of 9 at %(at)s.",
            name=name,
            score=p["score"],
            at=_when(p["at"]),
        )
    if code == "qualification" and p.get("reason") == "expires":
        return _(
            "%(name)s's qualification “%(qualification)s” expires on %(date)s, before the shift "
            "ends (%(end)s).",
            name=name,
            qualification=p["qualification"],
            date=day_text(date.fromisoformat(str(p["expires_on"]))),
            end=_when(p["ends"]),
        )
    if code == "qualification":
        return _(
            "%(name)s does not hold the qualification “%(qualification)s” this shift requires.",
            name=name,
            qualification=p["qualification"],
        )
    if code == "skill":  # a finding recorded before skills became qualifications
        return _(
            "%(name)s does not have the skill “%(skill)s” this shift needs.",
            name=name,
            skill=p["skill"],
        )
    if code == "notice" and finding.severity == "block":
        return _(
            "Imposed on %(name)s with less than one clear day of notice: not allowed.", name=name
        )
    if code == "notice":
        return _(
            "Imposed on %(name)s with less than %(days)s days of notice: exceptional "
            "circumstances only, give the reason.",
            name=name,
            days=notice_days,
        )
    return _(
        "Agreed between colleagues: %(name)s consents by asking or by taking it (recorded), "
        "so no notice period applies.",
        name=name,
    )


def _to_approve(p: Mapping) -> Rendered:
    """A request waiting for a manager; with what the checks found when there is something to
    read first (then the phone offers no Approve button: the request's page asks the reason)."""
    summary = _(
        "%(taker)s takes on-call of %(name)s from %(start)s to %(end)s (%(team)s).",
        taker=p["taker"],
        name=p["name"],
        start=_when(p["start"]),
        end=_when(p["end"]),
        team=p["team"],
    )
    # Notifications stored before the findings were kept have none: nothing to say.
    found = msgspec.convert(p.get("findings", []), list[Finding])
    if not found:
        return Rendered(title=_("Swap to approve"), body=summary)
    names = {int(user_id): name for user_id, name in p.get("names", {}).items()}
    why = " ".join(describe(f, names, int(p.get("notice_days", 15))) for f in found)
    if any(f.severity == "block" for f in found):
        body = _("%(summary)s It cannot be approved as it is: %(why)s", summary=summary, why=why)
    else:
        body = _(
            "%(summary)s To approve it, open the request and give a reason: %(why)s",
            summary=summary,
            why=why,
        )
    return Rendered(title=_("Swap to review"), body=body)


def render_swap(notification: Notification) -> Rendered:
    p = notification.params
    kind = notification.kind
    if kind == "swap_offered":
        title = _("Can you take a shift?") if p["kind"] == "cover" else _("Swap proposed")
        if p.get("by") and p["kind"] == "cover":
            body = _(
                "%(by)s (manager) asks a replacement for %(name)s’s on-call from %(start)s to "
                "%(end)s (%(team)s).",
                by=p["by"],
                name=p["name"],
                start=_when(p["start"]),
                end=_when(p["end"]),
                team=p["team"],
            )
        elif p.get("by"):
            body = _(
                "%(by)s (manager) proposes %(name)s’s on-call from %(start)s for yours from "
                "%(other)s.",
                by=p["by"],
                name=p["name"],
                start=_when(p["start"]),
                other=_when(p["other"]),
            )
        elif p["kind"] == "cover":
            body = _(
                "%(name)s asks for cover from %(start)s to %(end)s (%(team)s).",
                name=p["name"],
                start=_when(p["start"]),
                end=_when(p["end"]),
                team=p["team"],
            )
        else:
            body = _(
                "%(name)s proposes their on-call from %(start)s for yours from %(other)s.",
                name=p["name"],
                start=_when(p["start"]),
                other=_when(p["other"]),
            )
        return Rendered(title=title, body=body)
    if kind == "swap_on_behalf":
        return Rendered(
            title=_("A request was made for your shift"),
            body=_(
                "%(by)s asked the team to take your on-call from %(start)s to %(end)s.",
                by=p["by"],
                start=_when(p["start"]),
                end=_when(p["end"]),
            ),
        )
    if kind == "swap_taken":
        return Rendered(
            title=_("A colleague takes your shift"),
            body=_(
                "%(name)s takes your on-call from %(start)s. Waiting for a manager's approval.",
                name=p["name"],
                start=_when(p["start"]),
            ),
        )
    if kind == "swap_declined":
        return Rendered(
            title=_("Request declined"),
            body=_(
                "%(name)s cannot take your on-call from %(start)s.",
                name=p["name"],
                start=_when(p["start"]),
            ),
        )
    if kind == "swap_to_approve":
        return _to_approve(p)
    if kind == "swap_approved":
        return Rendered(
            title=_("Swap approved"),
            body=_(
                "%(taker)s is on call instead of %(name)s from %(start)s to %(end)s.",
                taker=p["taker"],
                name=p["name"],
                start=_when(p["start"]),
                end=_when(p["end"]),
            ),
        )
    if kind == "swap_rejected":
        return Rendered(
            title=_("Swap rejected"),
            body=_(
                "The request for on-call from %(start)s was rejected: %(reason)s",
                start=_when(p["start"]),
                reason=p.get("reason") or "—",
            ),
        )
    if kind == "swap_cancelled":
        return Rendered(
            title=_("Request cancelled"),
            body=_(
                "%(name)s cancelled the request for on-call from %(start)s.",
                name=p["name"],
                start=_when(p["start"]),
            ),
        )
    if kind == "swap_expired":
        return Rendered(
            title=_("Request expired"),
            body=_(
                "Nobody took your on-call from %(start)s before it started.",
                start=_when(p["start"]),
            ),
        )
    return Rendered(
        title=_("Request no longer valid"),
        body=_(
            "The shift from %(start)s changed since the request: nothing was applied.",
            start=_when(p["start"]),
        ),
    )
