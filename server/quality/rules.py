"""Pure rules of the quality review: who is drawn for the sample, why an intervention is in
the queue, a review's score, and what a manager or a technician typed, checked.

The sample: an intervention is drawn when HMAC-SHA256(team salt, its uuid), read as a number
in [0, 1), is below the team's percentage. The same record is always drawn or not (computing
again changes nothing), each record has the percentage's chance whoever logged it, and the salt
is a secret of the server, so nobody can choose a uuid to avoid the draw."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime

from server.errors import InvalidInput
from server.i18n import N_
from server.i18n import gettext as _
from server.quality.models import RESULTS, ChecklistItem, QueueReason, ReviewItem

# The default checklist (issue 15); labels are translated when shown.
DEFAULT_ITEMS: tuple[tuple[str, str], ...] = (
    ("procedure", N_("Procedure followed")),
    ("report", N_("Report complete")),
    ("client_informed", N_("Client informed")),
    ("safety", N_("Safety respected")),
    ("response_time", N_("Response within the team's objective")),
)
DEFAULT_LABELS = dict(DEFAULT_ITEMS)
DEFAULT_CHECKLIST = tuple(ChecklistItem(key=key, label=label) for key, label in DEFAULT_ITEMS)
# A survey's score this low puts the intervention in the queue.
LOW_SCORE = 2
OUTCOMES_TO_REVIEW = ("escalated", "follow_up")
MAX_ITEMS = 20
LABEL_MAX = 120
COMMENT_MAX = 2000
NOTE_MAX = 500
ANSWER_MAX = 2000
_SCALE = 2**64


def drawn(salt: str, uuid: str, percent: int) -> bool:
    """Whether the record is in the team's sample of `percent` %."""
    digest = hmac.new(salt.encode(), uuid.strip().lower().encode(), hashlib.sha256).digest()
    # Integers only: 10 % draws exactly the values below 0.1 * 2^64, no float rounding.
    return int.from_bytes(digest[:8], "big") * 100 < percent * _SCALE


def queue_reasons(
    *,
    sampled: bool,
    outcome: str,
    survey_score: int | None,
    broken_rules: Sequence[str],
) -> list[QueueReason]:
    """Why an intervention should be reviewed (most pressing first); [] when it should not."""
    found = []
    if survey_score is not None and survey_score <= LOW_SCORE:
        found.append(QueueReason(reason="low_score", detail=str(survey_score)))
    if outcome in OUTCOMES_TO_REVIEW:
        found.append(QueueReason(reason=outcome))
    if broken_rules:
        found.append(QueueReason(reason="rest_violation", detail=",".join(sorted(broken_rules))))
    if sampled:
        found.append(QueueReason(reason="sample"))
    return found


def review_score(items: Sequence[ReviewItem]) -> tuple[int, int, int | None]:
    """(passed, failed, score): the score is the share of passed items among the applicable
    ones (passed or failed), in whole %, half up; None when no item applied."""
    passed = sum(1 for item in items if item.result == "passed")
    failed = sum(1 for item in items if item.result == "failed")
    applicable = passed + failed
    if not applicable:
        return passed, failed, None
    return passed, failed, (200 * passed + applicable) // (2 * applicable)


def response_result(
    alert_created_at: datetime | None, started_at: datetime, within_minutes: int
) -> str:
    """What the form suggests for the response-time item: passed when the work started within
    the team's objective after the alert, failed after it, not applicable without an alert."""
    if alert_created_at is None:
        return "na"
    waited = (started_at - alert_created_at).total_seconds()
    return "passed" if waited <= within_minutes * 60 else "failed"


def checklist_input(text: str, defaults: Mapping[str, str]) -> list[ChecklistItem]:
    """The checklist typed one item a line; a line reading like a default item (in the
    manager's language, `defaults`: label -> key) stays that item, shown in each reader's."""
    items: list[ChecklistItem] = []
    seen: set[str] = set()
    for line in text.splitlines():
        label = " ".join(line.split())
        if not label:
            continue
        if len(label) > LABEL_MAX:
            raise InvalidInput(
                _("Each item is %(num)s characters at most.", num=LABEL_MAX), field="items"
            )
        if label.casefold() in seen:
            raise InvalidInput(_("“%(item)s” is there twice.", item=label), field="items")
        seen.add(label.casefold())
        key = defaults.get(label.casefold())
        items.append(ChecklistItem(key=key, label=DEFAULT_LABELS[key] if key else label))
    if not items:
        raise InvalidInput(_("The checklist needs at least one item."), field="items")
    if len(items) > MAX_ITEMS:
        raise InvalidInput(
            _("The checklist has %(num)s items at most.", num=MAX_ITEMS), field="items"
        )
    return items


def review_input(
    values: Mapping[str, str], items: Sequence[ChecklistItem]
) -> tuple[list[ReviewItem], str, bool, str]:
    """(items with their results, comment, follow-up asked, its note) from the review form;
    InvalidInput naming the first item without a result, or a text too long."""
    results = []
    for number, item in enumerate(items):
        result = values.get(f"item-{number}", "")
        if result not in RESULTS:
            raise InvalidInput(
                _("Choose passed, failed or not applicable for every item."),
                field=f"item-{number}",
            )
        results.append(ReviewItem(key=item.key, label=item.label, result=result))
    comment = values.get("comment", "").strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidInput(
            _("The comment is %(num)s characters at most.", num=COMMENT_MAX), field="comment"
        )
    follow_up = values.get("follow_up") in ("on", "1", "true")
    note = " ".join(values.get("follow_up_note", "").split())
    if len(note) > NOTE_MAX:
        raise InvalidInput(
            _("The follow-up note is %(num)s characters at most.", num=NOTE_MAX),
            field="follow_up_note",
        )
    if note and not follow_up:
        follow_up = True  # a note about a follow-up asks for one
    return results, comment, follow_up, note


def answer_input(text: str) -> str:
    answer = text.strip()
    if not answer:
        raise InvalidInput(_("Write your answer first."), field="answer")
    if len(answer) > ANSWER_MAX:
        raise InvalidInput(
            _("The answer is %(num)s characters at most.", num=ANSWER_MAX), field="answer"
        )
    return answer
