"""Who may see what of the quality review, and what its pages show: the queue of a team its
managers manage, and an intervention's review for the team's managers (to write it) and for
the technician (to read and answer it). An intervention named in a path or a form is checked
like any other: another team's is refused."""

from __future__ import annotations

from dataclasses import dataclass, field

from server.accounts.models import CurrentUser
from server.db import Database
from server.errors import Forbidden, NotFound
from server.i18n import gettext as _
from server.interventions.models import Intervention
from server.interventions.store import get_intervention
from server.quality import store
from server.quality.models import ChecklistItem, QueueItem, QueueReason, Review
from server.quality.rules import response_result
from server.quality.workflow import checklist, form_items, items_signature
from server.teams.models import Team
from server.teams.store import get_team

# Reviewed interventions the queue page lists, newest first.
REVIEWED_SHOWN = 50
# Waiting ones listed, the latest work first.
TO_REVIEW_SHOWN = 200


def managed_team(database: Database, viewer: CurrentUser, team_id: int) -> Team:
    team = get_team(database, team_id)
    if not viewer.manages(team_id):
        raise Forbidden(_("Only the team's managers review its interventions."))
    return team


def reviewed_intervention(database: Database, viewer: CurrentUser, uuid: str) -> Intervention:
    """An intervention whose review the viewer may read: their own, or one of a team they
    manage; Forbidden otherwise (before saying whether it exists or was reviewed)."""
    item = get_intervention(database, uuid)
    if item.user_id != viewer.id and not (item.team_id and viewer.manages(item.team_id)):
        raise Forbidden(_("Only the technician and the team's managers read this review."))
    if item.deleted or item.team_id is None:
        raise NotFound(_("This intervention has no review: it was deleted or has no team."))
    return item


def may_review(viewer: CurrentUser, item: Intervention) -> bool:
    """The team's managers and administrators, except on their own intervention."""
    return bool(item.team_id and viewer.manages(item.team_id)) and item.user_id != viewer.id


@dataclass
class ReviewPage:
    item: Intervention
    team: Team
    review: Review | None
    reasons: list[QueueReason]
    survey_score: int | None
    items: list[ChecklistItem]
    items_sig: str
    can_review: bool
    is_owner: bool
    # What the form starts with for each item: the saved result, or a suggestion.
    preset: dict[int, str] = field(default_factory=dict)


def review_page(database: Database, viewer: CurrentUser, item: Intervention) -> ReviewPage:
    team = get_team(database, item.team_id)
    found = store.review_of(database, item.id)
    items = form_items(database, item)
    if found is not None:
        preset = {n: i.result for n, i in enumerate(found.items)}
    else:
        waited = response_result(
            store.alert_created_at(database, item.alert_id),
            item.started_at,
            team.policy.response_within_minutes,
        )
        preset = {n: waited for n, i in enumerate(items) if i.key == "response_time"}
    return ReviewPage(
        item=item,
        team=team,
        review=found,
        reasons=store.queue_entry(database, item.id),
        survey_score=store.survey_score(database, item.id),
        items=items,
        items_sig=items_signature(items),
        can_review=may_review(viewer, item),
        is_owner=item.user_id == viewer.id,
        preset=preset,
    )


@dataclass
class QueuePage:
    team: Team
    to_review: list[QueueItem]
    waiting: int  # all of them; the page lists the first TO_REVIEW_SHOWN
    follow_ups: list[QueueItem]
    reviewed: list[QueueItem]
    checklist: list[ChecklistItem]


def queue_page(database: Database, team: Team) -> QueuePage:
    return QueuePage(
        team=team,
        to_review=store.queue_of(database, team.id, reviewed=False, limit=TO_REVIEW_SHOWN),
        waiting=store.queue_count(database, team.id),
        follow_ups=store.open_follow_ups(database, team.id),
        reviewed=store.queue_of(database, team.id, reviewed=True, limit=REVIEWED_SHOWN),
        checklist=checklist(database, team.id),
    )
