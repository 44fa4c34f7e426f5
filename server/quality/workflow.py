"""The review written: a manager's review of an intervention (with the follow-up it may ask
for), the technician's answer, a follow-up marked done, and a team's checklist. Each is
checked, then written in one transaction with its audit entry and its notification."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from functools import partial

from server.accounts.models import CurrentUser
from server.audit.models import Actor
from server.audit.store import record, record_change
from server.clock import to_db
from server.db import Database
from server.errors import Conflict, Forbidden, NotFound
from server.i18n import gettext as _
from server.interventions.models import Intervention
from server.notifications.store import notify
from server.quality import store
from server.quality.models import ChecklistItem, Review
from server.quality.rules import (
    DEFAULT_CHECKLIST,
    answer_input,
    checklist_input,
    review_input,
    review_score,
)
from server.quality.texts import ANSWERED_KIND, FOLLOW_UP_KIND, REVIEWED_KIND, default_keys


def review_url(uuid: str) -> str:
    return f"/interventions/{uuid}/review"


def checklist(database: Database, team_id: int) -> list[ChecklistItem]:
    """The team's checklist now (the default one until a manager changes it)."""
    return store.checklist_of(database, team_id) or list(DEFAULT_CHECKLIST)


def form_items(database: Database, item: Intervention) -> list[ChecklistItem]:
    """The items a review of the intervention is written against: its own once saved (the
    checklist as it was), the team's current checklist before."""
    found = store.review_of(database, item.id)
    if found is not None:
        return [ChecklistItem(key=i.key, label=i.label) for i in found.items]
    return checklist(database, item.team_id)


def items_signature(items: list[ChecklistItem]) -> str:
    """What the form carries of the items it shows: a checklist changed meanwhile is noticed."""
    text = "\n".join(f"{i.key or ''}|{i.label}" for i in items)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_audit = partial(record_change, entity_type="quality_review")


def save_review(
    database: Database,
    item: Intervention,
    values: Mapping[str, str],
    *,
    reviewer: CurrentUser,
    actor: Actor,
    now: datetime,
) -> Review:
    """Write (or change) the review of an intervention of a team the reviewer manages."""
    if item.user_id == reviewer.id:
        raise Forbidden(_("Another manager reviews your own interventions."))
    with database.write():
        before = store.review_of(database, item.id)
        items = form_items(database, item)
        if values.get("items_sig") != items_signature(items):
            raise Conflict(
                _("The checklist changed since this form was opened: check the items again.")
            )
        results, comment, follow_up, note = review_input(values, items)
        passed, failed, score = review_score(results)
        fields = {
            "reviewer_id": reviewer.id,
            "items": store.encode_items(results),
            "passed": passed,
            "failed": failed,
            "score": score,
            "comment": comment,
            "follow_up": int(follow_up),
            "follow_up_note": note if follow_up else "",
        }
        if before is None:
            store.insert_review(
                database,
                {
                    "intervention_id": item.id,
                    "team_id": item.team_id,
                    "user_id": item.user_id,
                    **fields,
                    "ended_at": to_db(item.ended_at),
                    "created_at": to_db(now),
                    "updated_at": to_db(now),
                },
            )
        else:
            if not follow_up or not before.follow_up:
                # None asked any more, or a new one asked: open until done. One asked already
                # keeps whether it was done.
                fields["follow_up_done_at"] = None
                fields["follow_up_done_by"] = None
            store.update_review(database, before.id, fields, now)
        after = store.review_of(database, item.id)
        _audit(
            database,
            "quality_review.create" if before is None else "quality_review.update",
            actor,
            now,
            before=before,
            after=after,
        )
        params = {"place": item.place, "score": score, "note": note, "follow_up": follow_up}
        if before is None:
            notify(
                database, item.user_id, REVIEWED_KIND, params, now=now, url=review_url(item.uuid)
            )
        elif follow_up and not before.follow_up:
            notify(
                database, item.user_id, FOLLOW_UP_KIND, params, now=now, url=review_url(item.uuid)
            )
    return after


def answer_review(
    database: Database, item: Intervention, text: str, *, user: CurrentUser, now: datetime
) -> Review:
    """The technician's answer to the review of their intervention (a new one replaces it)."""
    if item.user_id != user.id:
        raise Forbidden(_("Only the person who did the intervention answers its review."))
    answer = answer_input(text)
    with database.write():
        before = _existing(database, item)
        store.update_review(database, before.id, {"answer": answer, "answered_at": to_db(now)}, now)
        after = store.review_of(database, item.id)
        _audit(database, "quality_review.answer", _actor(user), now, before=before, after=after)
        if before.reviewer_id is not None and before.reviewer_id != user.id:
            notify(
                database,
                before.reviewer_id,
                ANSWERED_KIND,
                {"name": user.name},
                now=now,
                url=review_url(item.uuid),
            )
    return after


def finish_follow_up(
    database: Database, item: Intervention, *, user: CurrentUser, now: datetime
) -> Review:
    """The follow-up asked for is done (said by the technician or a manager of the team)."""
    with database.write():
        before = _existing(database, item)
        if not before.follow_up:
            raise Conflict(_("This review asks for no follow-up."))
        if before.follow_up_done_at is not None:
            return before
        store.update_review(
            database,
            before.id,
            {"follow_up_done_at": to_db(now), "follow_up_done_by": user.id},
            now,
        )
        after = store.review_of(database, item.id)
        _audit(
            database, "quality_review.follow_up_done", _actor(user), now, before=before, after=after
        )
    return after


def save_checklist(
    database: Database, team_id: int, text: str, *, actor: Actor, now: datetime
) -> list[ChecklistItem]:
    """The team's new checklist (one item a line); past reviews keep the items they had."""
    items = checklist_input(text, default_keys())
    with database.write():
        before = checklist(database, team_id)
        store.set_checklist(database, team_id, items, now)
        record(
            database,
            at=now,
            actor=actor,
            action="quality_checklist.update",
            entity_type="team",
            entity_id=team_id,
            team_id=team_id,
            before={"checklist": before},
            after={"checklist": items},
        )
    return items


def _existing(database: Database, item: Intervention) -> Review:
    found = store.review_of(database, item.id)
    if found is None:
        raise NotFound(_("This intervention has not been reviewed yet."))
    return found


def _actor(user: CurrentUser) -> Actor:
    return Actor(label=user.email, user_id=user.id)
