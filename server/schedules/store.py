"""Rotations and shifts in SQL: generation that never overwrites what people were told."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import msgspec

from server.audit.models import Actor
from server.audit.store import record
from server.clock import from_db, to_db
from server.db import Database
from server.errors import Conflict, NotFound
from server.i18n import gettext as _
from server.schedules.models import (
    MAX_SHIFT_DAYS,
    Layer,
    PlannedShift,
    Rotation,
    RotationSpec,
    Shift,
)
from server.schedules.rotation import plan_shifts

_SHIFT_SELECT = (
    "SELECT s.*, u.name AS user_name, u.phone AS user_phone, u.email AS user_email FROM shifts s "
    "JOIN users u ON u.id = s.user_id "
)


def _opt(value: str | None) -> datetime | None:
    return from_db(value) if value else None


def shift_from_row(row: dict) -> Shift:
    return Shift(
        id=row["id"],
        team_id=row["team_id"],
        rotation_id=row["rotation_id"],
        kind=row["kind"],
        layer=row["layer"],
        user_id=row["user_id"],
        user_name=row["user_name"],
        user_phone=row["user_phone"] or "",
        user_email=row["user_email"] or "",
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
        status=row["status"],
        published_at=_opt(row["published_at"]),
        exceptional_reason=row["exceptional_reason"],
        answered_at=_opt(row["answered_at"]),
        decline_reason=row["decline_reason"],
        edited=bool(row["edited"]),
        version=row["version"],
    )


def _rotation(row: dict) -> Rotation:
    return Rotation(
        id=row["id"],
        team_id=row["team_id"],
        name=row["name"],
        layer=row["layer"],
        spec=msgspec.json.decode(row["spec"], type=RotationSpec),
        horizon_weeks=row["horizon_weeks"],
        active=bool(row["active"]),
        version=row["version"],
    )


# Rotations ---------------------------------------------------------------------------------


def get_rotation(database: Database, rotation_id: int) -> Rotation:
    row = database.one("SELECT * FROM rotations WHERE id = ?", (rotation_id,))
    if row is None:
        raise NotFound(_("This rotation does not exist."))
    return _rotation(row)


def list_rotations(database: Database, team_id: int | None = None) -> list[Rotation]:
    if team_id is None:
        rows = database.query("SELECT * FROM rotations ORDER BY team_id, layer, name")
    else:
        rows = database.query(
            "SELECT * FROM rotations WHERE team_id = ? ORDER BY layer, name", (team_id,)
        )
    return [_rotation(row) for row in rows]


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
    encoded = msgspec.json.encode(spec).decode()
    with database.write():
        if rotation_id is None:
            rotation_id = database.insert(
                "rotations",
                {
                    "team_id": team_id,
                    "name": name,
                    "layer": layer,
                    "spec": encoded,
                    "horizon_weeks": horizon_weeks,
                    "created_at": to_db(now),
                    "updated_at": to_db(now),
                },
            )
            before = None
        else:
            before = get_rotation(database, rotation_id)
            changed = database.execute(
                "UPDATE rotations SET name = ?, layer = ?, spec = ?, horizon_weeks = ?, "
                "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                (name, layer, encoded, horizon_weeks, to_db(now), rotation_id, version),
            ).rowcount
            if changed != 1:
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
        database.execute(
            "DELETE FROM shifts WHERE rotation_id = ? AND status = 'draft' AND edited = 0 "
            "AND starts_at >= ?",
            (rotation_id, to_db(now)),
        )
        database.execute("DELETE FROM rotations WHERE id = ?", (rotation_id,))
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
        database.execute(
            "UPDATE rotations SET spec = ?, version = version + 1, updated_at = ? WHERE id = ?",
            (msgspec.json.encode(spec).decode(), to_db(now), rotation.id),
        )
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
    """Bring the rotation's future drafts in line with its plan up to its horizon.

    Drafts nobody touched are replaced freely; a shift that was published, accepted,
    declined, edited or swapped is never overwritten, and planned stretches overlapping one
    are skipped. Running it twice changes nothing. Returns the number of shifts inserted."""
    start = now
    end = now + timedelta(weeks=rotation.horizon_weeks)
    planned = plan_shifts(rotation.spec, start, end) if rotation.active else []
    existing = [
        shift_from_row(row)
        for row in database.query(
            _SHIFT_SELECT + "WHERE s.rotation_id = ? AND s.ends_at > ? ORDER BY s.starts_at",
            (rotation.id, to_db(start)),
        )
    ]
    free = {(s.starts_at, s.ends_at, s.user_id): s for s in existing if _replaceable(s, now)}
    # What people were told on this level stays theirs, whichever rotation it came from (one
    # that this rotation took over from, say): its stretches get no second regular shift.
    others = [
        shift_from_row(row)
        for row in database.query(
            _SHIFT_SELECT + "WHERE s.team_id = ? AND s.layer = ? AND s.kind = 'regular' "
            "AND s.status IN ('published', 'accepted', 'declined') "
            "AND (s.rotation_id IS NULL OR s.rotation_id != ?) AND s.ends_at > ? "
            "AND s.starts_at < ?",
            (rotation.team_id, rotation.layer, rotation.id, to_db(start), to_db(end)),
        )
    ]
    protected = [s for s in existing if not _replaceable(s, now)] + others
    keep: set[int] = set()
    inserts: list[PlannedShift] = []
    for plan in planned:
        same = free.get((plan.starts_at, plan.ends_at, plan.user_id))
        if same is not None:
            keep.add(same.id)
            continue
        if any(p.starts_at < plan.ends_at and p.ends_at > plan.starts_at for p in protected):
            continue
        inserts.append(plan)
    stale = [s.id for s in free.values() if s.id not in keep]
    if not stale and not inserts:
        return 0
    with database.write():
        for shift_id in stale:
            database.execute("DELETE FROM shifts WHERE id = ?", (shift_id,))
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


def _replaceable(shift: Shift, now: datetime) -> bool:
    return shift.status == "draft" and not shift.edited and shift.starts_at >= now


def insert_planned(
    database: Database,
    team_id: int,
    rotation_id: int | None,
    layer: Layer,
    planned: Sequence[PlannedShift],
    now: datetime,
) -> None:
    stamp = to_db(now)
    database.conn.executemany(
        "INSERT INTO shifts (team_id, rotation_id, kind, layer, user_id, starts_at, ends_at, "
        "status, created_at, updated_at) VALUES (?, ?, 'regular', ?, ?, ?, ?, 'draft', ?, ?)",
        [
            (
                team_id,
                rotation_id,
                layer,
                p.user_id,
                to_db(p.starts_at),
                to_db(p.ends_at),
                stamp,
                stamp,
            )
            for p in planned
        ],
    )


def extend_rotations(database: Database, now: datetime) -> int:
    """The engine's job: keep every active rotation generated up to its horizon."""
    return sum(sync_rotation(database, r, now) for r in list_rotations(database) if r.active)


# Shifts ------------------------------------------------------------------------------------


def get_shift(database: Database, shift_id: int) -> Shift:
    row = database.one(_SHIFT_SELECT + "WHERE s.id = ?", (shift_id,))
    if row is None:
        raise NotFound(_("This shift does not exist."))
    return shift_from_row(row)


def list_shifts(
    database: Database,
    *,
    team_ids: Sequence[int] | None = None,
    user_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: Sequence[str] | None = None,
    layer: Layer | None = None,
    limit: int | None = None,
) -> list[Shift]:
    clauses, params = [], []
    if team_ids is not None:
        clauses.append(f"s.team_id IN ({','.join('?' * len(team_ids)) or 'NULL'})")
        params += list(team_ids)
    if user_id is not None:
        clauses.append("s.user_id = ?")
        params.append(user_id)
    if start is not None:
        clauses.append("s.ends_at > ? AND s.starts_at >= ?")
        params += [to_db(start), to_db(start - timedelta(days=MAX_SHIFT_DAYS))]
    if end is not None:
        clauses.append("s.starts_at < ?")
        params.append(to_db(end))
    if statuses is not None:
        clauses.append(f"s.status IN ({','.join('?' * len(statuses)) or 'NULL'})")
        params += list(statuses)
    if layer is not None:
        clauses.append("s.layer = ?")
        params.append(layer)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    order = " ORDER BY s.starts_at, s.layer, s.id" + (f" LIMIT {int(limit)}" if limit else "")
    rows = database.query(_SHIFT_SELECT + where + order, params)
    return [shift_from_row(row) for row in rows]


def last_shift_start(database: Database, team_id: int) -> datetime | None:
    """When the team's last shift (draft or told) starts: how far its schedule reaches."""
    value = database.scalar("SELECT MAX(starts_at) FROM shifts WHERE team_id = ?", (team_id,))
    return from_db(value) if value else None


def count_unanswered(database: Database, user_id: int, now: datetime) -> int:
    """Published shifts of a person, not over yet, that wait for their answer."""
    return database.scalar(
        "SELECT COUNT(*) FROM shifts WHERE user_id = ? AND status = 'published' AND ends_at > ?",
        (user_id, to_db(now)),
    )


def next_change(database: Database, team_id: int, now: datetime) -> datetime | None:
    """The next instant a told shift of the team starts or ends: who is on call changes then."""
    stamp = to_db(now)
    value = database.scalar(
        "SELECT MIN(CASE WHEN starts_at > ? THEN starts_at ELSE ends_at END) FROM shifts "
        "WHERE team_id = ? AND ends_at > ? AND status IN ('published', 'accepted', 'declined')",
        (stamp, team_id, stamp),
    )
    return from_db(value) if value else None
