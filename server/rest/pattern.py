"""A person's regular working hours (a weekly template) and the days it does not apply:
checked, then written through the store (server/rest/store.py) with their audit entry. The
template as typed is read by server/rest/timeline.py."""

from __future__ import annotations

from datetime import datetime

import msgspec

from server.audit.models import Actor
from server.audit.store import record
from server.clock import to_db
from server.db import Database
from server.errors import InvalidInput, NotFound
from server.i18n import N_
from server.i18n import gettext as _
from server.rest.models import Absence, AbsenceIn
from server.rest.store import (
    delete_absence_row,
    get_absence,
    get_pattern,
    insert_absence,
    replace_pattern,
)
from server.rest.timeline import PatternRange

ABSENCE_LABELS = {"leave": N_("Leave"), "sick": N_("Sick day"), "other": N_("Day off")}


def set_pattern(
    database: Database,
    user_id: int,
    pattern: list[PatternRange],
    *,
    actor: Actor,
    now: datetime,
) -> None:
    with database.write():
        before = get_pattern(database, user_id)
        replace_pattern(database, user_id, pattern)
        record(
            database,
            at=now,
            actor=actor,
            action="rest.pattern_changed",
            entity_type="user",
            entity_id=user_id,
            before=before,
            after=pattern,
        )


def add_absence(
    database: Database, user_id: int, absence: AbsenceIn, *, actor: Actor, now: datetime
) -> Absence:
    if absence.last_day < absence.first_day:
        raise InvalidInput(_("The last day comes before the first."), field="last_day")
    if (absence.last_day - absence.first_day).days > 366:
        raise InvalidInput(_("An absence lasts at most a year."), field="last_day")
    with database.write():
        absence_id = insert_absence(
            database,
            {
                "user_id": user_id,
                "kind": absence.kind,
                "first_day": absence.first_day.isoformat(),
                "last_day": absence.last_day.isoformat(),
                "note": absence.note.strip(),
                "created_by": actor.user_id,
                "created_at": to_db(now),
            },
        )
        saved = Absence(id=absence_id, **msgspec.structs.asdict(absence))
        record(
            database,
            at=now,
            actor=actor,
            action="rest.absence_added",
            entity_type="user",
            entity_id=user_id,
            after=saved,
        )
    return saved


def delete_absence(
    database: Database, user_id: int, absence_id: int, *, actor: Actor, now: datetime
) -> None:
    with database.write():
        absence = get_absence(database, user_id, absence_id)
        if absence is None:
            raise NotFound(_("This absence does not exist."))
        delete_absence_row(database, absence_id)
        record(
            database,
            at=now,
            actor=actor,
            action="rest.absence_removed",
            entity_type="user",
            entity_id=user_id,
            before=absence,
        )
