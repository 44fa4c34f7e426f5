"""Rotations kept: saving, ending and deleting one, and generating its drafts up to its
horizon (decided by rotation.drafts_to_sync, applied here in one transaction)."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from server.audit.models import Actor
from server.audit.store import record
from server.db import Database
from server.errors import Conflict
from server.i18n import gettext as _
from server.schedules.models import Layer, Rotation, RotationSpec
from server.schedules.rotation import drafts_to_sync, plan_shifts
from server.schedules.store.rotations import (
    delete_rotation_row,
    get_rotation,
    insert_rotation,
    list_rotations,
    set_rotation_spec,
    update_rotation,
)
from server.schedules.store.shifts import (
    delete_future_drafts,
    delete_shifts,
    insert_planned,
    rotation_shifts,
    told_regular_elsewhere,
)


def save_rotation(
    database: Database,
    *,
    team_id: int,
    name: str,
    layer: Layer,
    spec: RotationSpec,
    horizon_weeks: int,
    actor: Actor,
    now: datetime,
    rotation_id: int | None = None,
    version: int | None = None,
) -> Rotation:
    """Create or change a rotation and regenerate its drafts, in one transaction."""
    fields = {"name": name, "layer": layer, "spec": spec, "horizon_weeks": horizon_weeks}
    with database.write():
        if rotation_id is None:
            rotation_id = insert_rotation(database, team_id=team_id, now=now, **fields)
            before = None
        else:
            before = get_rotation(database, rotation_id)
            if not update_rotation(database, rotation_id, version=version, now=now, **fields):
                raise Conflict(_("This rotation was changed by someone else. Reload and retry."))
        rotation = get_rotation(database, rotation_id)
        record(
            database,
            at=now,
            actor=actor,
            action="rotation.save",
            entity_type="rotation",
            entity_id=rotation_id,
            team_id=team_id,
            before=before,
            after=rotation,
        )
        sync_rotation(database, rotation, now)
    return rotation


def delete_rotation(database: Database, rotation_id: int, *, actor: Actor, now: datetime) -> None:
    """Stop a rotation: its future drafts go; what people were told stays."""
    with database.write():
        rotation = get_rotation(database, rotation_id)
        delete_future_drafts(database, rotation_id, now)
        delete_rotation_row(database, rotation_id)
        record(
            database,
            at=now,
            actor=actor,
            action="rotation.delete",
            entity_type="rotation",
            entity_id=rotation_id,
            team_id=rotation.team_id,
            before=rotation,
        )


def end_rotation(
    database: Database, rotation: Rotation, until, *, actor: Actor, now: datetime
) -> Rotation:
    """Stop a rotation at an instant (a newer one takes over its level there): its drafts from
    then on go, what people were told stays. Part of the caller's transaction."""
    spec = msgspec.structs.replace(rotation.spec, until=until)
    with database.write():
        set_rotation_spec(database, rotation.id, spec, now)
        after = get_rotation(database, rotation.id)
        record(
            database,
            at=now,
            actor=actor,
            action="rotation.end",
            entity_type="rotation",
            entity_id=rotation.id,
            team_id=rotation.team_id,
            before=rotation,
            after=after,
        )
        sync_rotation(database, after, now)
    return after


def sync_rotation(database: Database, rotation: Rotation, now: datetime) -> int:
    """Bring the rotation's future drafts in line with its plan up to its horizon (see
    rotation.drafts_to_sync). Running it twice changes nothing. Returns the number of shifts
    inserted."""
    start = now
    end = now + timedelta(weeks=rotation.horizon_weeks)
    planned = plan_shifts(rotation.spec, start, end) if rotation.active else []
    existing = rotation_shifts(database, rotation.id, start)
    # What people were told on this level stays theirs, whichever rotation it came from (one
    # that this rotation took over from, say): its stretches get no second regular shift.
    others = told_regular_elsewhere(
        database, rotation.team_id, rotation.layer, rotation.id, start, end
    )
    stale, inserts = drafts_to_sync(planned, existing, others, now)
    if not stale and not inserts:
        return 0
    with database.write():
        delete_shifts(database, stale)
        insert_planned(database, rotation.team_id, rotation.id, rotation.layer, inserts, now)
        # Drafts nobody was told of, but a change all the same: one entry per pass says how many
        # came and went, and up to when (the rows themselves hold the rest).
        record(
            database,
            at=now,
            actor=Actor.system(),
            action="rotation.generate",
            entity_type="rotation",
            entity_id=rotation.id,
            team_id=rotation.team_id,
            after={"drafts_added": len(inserts), "drafts_removed": len(stale), "until": end},
        )
    return len(inserts)


def extend_rotations(database: Database, now: datetime) -> int:
    """The engine's job: keep every active rotation generated up to its horizon."""
    return sum(sync_rotation(database, r, now) for r in list_rotations(database) if r.active)
