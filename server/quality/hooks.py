"""What the quality review adds to the layers below it when the app is wired: how its
notifications read, and its summary on an intervention's page."""

from __future__ import annotations

from server.db import Database
from server.interventions.models import Intervention
from server.interventions.panels import register_panel
from server.quality import store
from server.quality.texts import register_notices
from server.quality.views import may_review


def review_panel(database: Database, item: Intervention, viewer) -> tuple[str, dict] | None:
    """The review's summary for the technician (once reviewed) and the team's managers."""
    if item.deleted or item.team_id is None:
        return None
    review = store.review_of(database, item.id)
    can_review = may_review(viewer, item)
    if review is None and not can_review:
        return None
    return "quality/_panel.html", {"review": review, "can_review": can_review}


def register_quality() -> None:
    register_notices()
    register_panel("quality", review_panel)
