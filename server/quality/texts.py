"""Words of the quality review in the reader's language: the checklist's default items, why
an intervention is in the queue, and the notifications the review sends (registered with the
notifications package, which imports no domain)."""

from __future__ import annotations

from server.i18n import N_
from server.i18n import gettext as _
from server.notifications import kinds
from server.notifications.models import Notification, Rendered
from server.quality.models import QueueReason
from server.quality.rules import DEFAULT_ITEMS, DEFAULT_LABELS

REVIEWED_KIND = "quality_reviewed"
FOLLOW_UP_KIND = "quality_follow_up"
ANSWERED_KIND = "quality_answered"

REASONS = {
    "low_score": N_("Low satisfaction score"),
    "escalated": N_("Outcome: escalated"),
    "follow_up": N_("Outcome: follow-up needed"),
    "rest_violation": N_("Rest rule broken around it"),
    "sample": N_("Drawn in the sample"),
}
RESULT_LABELS = {
    "passed": N_("Passed"),
    "failed": N_("Failed"),
    "na": N_("Not applicable"),
}
RULE_NAMES = {
    "daily_rest": N_("daily rest"),
    "weekly_rest": N_("weekly rest"),
    "max_daily_work": N_("daily work"),
    "max_weekly_work": N_("weekly work"),
    "max_avg_weekly_work": N_("average weekly work"),
}


def item_label(item) -> str:
    """A checklist or review item as the reader reads it: a default item in their language,
    one a manager typed as typed."""
    return _(DEFAULT_LABELS[item.key]) if item.key in DEFAULT_LABELS else item.label


def default_keys() -> dict[str, str]:
    """Casefolded labels of the default items (the reader's language and the source's) ->
    their keys: what a manager typing the checklist keeps as a default item."""
    found = {}
    for key, label in DEFAULT_ITEMS:
        found[label.casefold()] = key
        found[_(label).casefold()] = key
    return found


def reason_text(reason: QueueReason) -> str:
    text = _(REASONS[reason.reason])
    if reason.reason == "low_score":
        return _("%(reason)s (%(score)s/5)", reason=text, score=reason.detail)
    if reason.reason == "rest_violation" and reason.detail:
        rules = ", ".join(_(RULE_NAMES.get(r, r)) for r in reason.detail.split(","))
        return _("%(reason)s (%(rules)s)", reason=text, rules=rules)
    return text


def render_quality(notification: Notification) -> Rendered:
    p = notification.params
    if notification.kind == FOLLOW_UP_KIND:
        return Rendered(
            title=_("A follow-up intervention is asked for"),
            body=_(
                "After the review of your intervention (%(place)s): %(note)s",
                place=p.get("place") or "—",
                note=p.get("note") or "—",
            ),
        )
    if notification.kind == ANSWERED_KIND:
        return Rendered(
            title=_("An answer to your review"),
            body=_("%(name)s answered the review of their intervention.", name=p.get("name", "")),
        )
    score = p.get("score")
    body = (
        _("Score %(score)s %%. Open it to read it and answer if you wish.", score=score)
        if score is not None
        else _("Open it to read it and answer if you wish.")
    )
    if p.get("follow_up"):
        body = _("A follow-up intervention is asked for.") + " " + body
    return Rendered(title=_("Your intervention was reviewed"), body=body)


def register_notices() -> None:
    """Tells the notifications package how the review's notifications read."""
    kinds.register("quality_", render=render_quality, prefix=True)
