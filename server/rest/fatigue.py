"""Fatigue self-reports on the Karolinska Sleepiness Scale, and rest the person declares:
checked, then written through the store (server/rest/store.py) with their audit entry."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.audit.models import Actor
from server.audit.store import record
from server.db import Database
from server.errors import InvalidInput
from server.i18n import N_
from server.i18n import gettext as _
from server.rest.models import DeclaredRest, DeclaredRestIn, FatigueContext, FatigueReport
from server.rest.store import insert_declared_rest, insert_fatigue

# Åkerstedt & Gillberg (1990); the French wording follows the validated translation's sense.
KSS_LABELS: dict[int, str] = {
    1: N_("Extremely alert"),
    2: N_("Very alert"),
    3: N_("Alert"),
    4: N_("Rather alert"),
    5: N_("Neither alert nor sleepy"),
    6: N_("Some signs of sleepiness"),
    7: N_("Sleepy, no effort to stay awake"),
    8: N_("Sleepy, some effort to stay awake"),
    9: N_("Very sleepy, fighting sleep"),
}
# From this score on, the manager is warned if the person is on call now or next.
WARN_SCORE = 7
# Declared rest may reach this far back (a weekend's nights, not last month's).
MAX_DECLARED_REST_AGE = timedelta(days=7)
MAX_DECLARED_REST = timedelta(hours=48)


def record_fatigue(
    database: Database, user_id: int, score: int, *, context: FatigueContext, now: datetime
) -> FatigueReport:
    if not 1 <= score <= 9:
        raise InvalidInput(_("The score goes from 1 to 9."), field="score")
    with database.write():
        return insert_fatigue(database, user_id, score, context, now)


def declare_rest(
    database: Database, user_id: int, rest: DeclaredRestIn, *, actor: Actor, now: datetime
) -> DeclaredRest:
    """Record "I rested from … to …"; the stretch must be over, recent and believable."""
    if rest.ended_at <= rest.started_at:
        raise InvalidInput(_("The rest must end after it starts."), field="ended_at")
    if rest.ended_at > now + timedelta(minutes=1):
        raise InvalidInput(
            _("Declared rest cannot end in the future: declare it once it is over."),
            field="ended_at",
        )
    if rest.started_at < now - MAX_DECLARED_REST_AGE:
        raise InvalidInput(_("Declared rest must be within the last 7 days."), field="started_at")
    if rest.ended_at - rest.started_at > MAX_DECLARED_REST:
        raise InvalidInput(_("A declared rest lasts at most 48 hours."), field="ended_at")
    with database.write():
        declared = insert_declared_rest(
            database, user_id, rest.started_at, min(rest.ended_at, now), now
        )
        record(
            database,
            at=now,
            actor=actor,
            action="rest.declared",
            entity_type="user",
            entity_id=user_id,
            after=declared,
        )
    return declared
