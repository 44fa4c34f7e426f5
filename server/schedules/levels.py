"""One schedule per level, applied: changes that would put someone on both levels are refused,
and a rotation taking over another's level ends it (or replaces it) in the same transaction."""

from __future__ import annotations

from datetime import datetime

import msgspec

from server.audit.models import Actor
from server.audit.store import record
from server.db import Database
from server.errors import Conflict, RuleViolation
from server.i18n import format_moment
from server.i18n import gettext as _
from server.notifications.store import notify
from server.schedules.models import TOLD, Layer, Rotation, RotationSpec, Shift
from server.schedules.notice import team_notice
from server.schedules.overlap import RESOLUTIONS, Overlap, double_duty, overlaps
from server.schedules.rotation import backup_participants
from server.schedules.rotations import end_rotation, save_rotation
from server.schedules.store.rotations import list_rotations
from server.schedules.store.shifts import delete_shifts, list_shifts
from server.teams.models import Team
from server.teams.store import members


def refuse_double_duty(database: Database, team: Team, changed: list[Shift], now: datetime) -> None:
    """Refuse a change that would put someone on call and backup at the same instant.

    The schedule is judged as it would be told once the change is made: what people were told,
    with `changed` (shifts about to be published, reassigned or added) counted as told. Other
    drafts are plans still: their turn to be checked comes when they are published."""
    if not changed:
        return
    start = max(min(s.starts_at for s in changed), now)
    end = max(s.ends_at for s in changed)
    if end <= start:
        return
    by_id = {s.id: s for s in changed}
    current = list_shifts(database, team_ids=[team.id], start=start, end=end)
    plan = [by_id.pop(s.id, s) for s in current if s.id in by_id or s.told] + list(by_id.values())
    plan = [
        msgspec.structs.replace(s, status="published") if s.status == "draft" else s for s in plan
    ]
    for duty in double_duty(plan, start, end):
        if any(
            c.user_id == duty.user_id and c.starts_at < duty.ends_at and c.ends_at > duty.starts_at
            for c in changed
        ):
            names = {m.user_id: m.name for m in members(database, team.id)}
            raise RuleViolation(
                _(
                    "%(name)s would be on call and backup at the same time, from %(start)s to "
                    "%(end)s. Give one of these two shifts to someone else first.",
                    name=names.get(duty.user_id, "?"),
                    start=format_moment(duty.starts_at, team.timezone),
                    end=format_moment(duty.ends_at, team.timezone),
                )
            )


class RotationOverlap(Conflict):
    """The rotation would run alongside others on its level: the manager chooses what becomes
    of them (end or replace), nothing is written until then."""

    def __init__(self, found: list[Overlap]) -> None:
        super().__init__(
            _("This rotation overlaps another one on the same level. Choose what becomes of it.")
        )
        self.found = found


def _told_from(database: Database, team: Team, rotation: Rotation, until: datetime) -> list[Shift]:
    return [
        s
        for s in list_shifts(database, team_ids=[team.id], start=until, statuses=list(TOLD))
        if s.rotation_id == rotation.id and s.starts_at >= until and s.kind == "regular"
    ]


def _outside_notice(team: Team, now: datetime, shift: Shift) -> bool:
    return team_notice(team, now, shift.starts_at) == "ok"


def told_after(
    database: Database, team: Team, rotation: Rotation, until: datetime, now: datetime
) -> tuple[int, int]:
    """How many told shifts `rotation` has from `until` on, and how many of them a replacement
    could still withdraw (outside the notice period)."""
    told = _told_from(database, team, rotation, until)
    return len(told), sum(_outside_notice(team, now, s) for s in told)


def hand_over(
    database: Database,
    team: Team,
    rotation: Rotation,
    until: datetime,
    *,
    replace: bool,
    actor: Actor,
    now: datetime,
) -> int:
    """Stop `rotation` at `until`, where a newer rotation takes over its level.

    Its drafts from then on go. Ended, its told shifts from then on stay (the newer rotation
    fills around them). Replaced, those of them still outside the notice period are withdrawn
    and their people told, so the newer rotation's drafts take their place; those inside it
    would need exceptional circumstances and stay. Returns how many told shifts stay."""
    with database.write():
        end_rotation(database, rotation, until, actor=actor, now=now)
        told = _told_from(database, team, rotation, until)
        if not replace:
            return len(told)
        kept = 0
        for shift in told:
            if not _outside_notice(team, now, shift):
                kept += 1
                continue
            delete_shifts(database, [shift.id])
            params = {
                "start": shift.starts_at.isoformat(),
                "end": shift.ends_at.isoformat(),
                "team": team.name,
            }
            notify(database, shift.user_id, "shift_removed", params, now=now, url="/schedule/mine")
            record(
                database,
                at=now,
                actor=actor,
                action="shift.withdraw",
                entity_type="shift",
                entity_id=shift.id,
                team_id=team.id,
                before=shift,
            )
        return kept


def save_taking_over(
    database: Database,
    team: Team,
    *,
    name: str,
    layer: Layer,
    spec: RotationSpec,
    horizon_weeks: int,
    with_backup: bool,
    resolve: str,
    rotation: Rotation | None,
    version: int | None,
    actor: Actor,
    now: datetime,
) -> tuple[Rotation, set[int]]:
    """Save a rotation (a new one with its backup layer when asked: the same people in
    backup_participants' order) and what becomes of the rotations they take over from, as one
    change: all saved, or nothing. One rotation per level at a time: a rotation that would run
    alongside others is refused (RotationOverlap) until the manager has chosen to end or
    replace them (`resolve`). Returns the rotation and the ids of every rotation saved."""
    backup_spec = None
    if rotation is None and with_backup and len(spec.participants) > 1:
        backup_spec = msgspec.structs.replace(
            spec, participants=backup_participants(spec.participants)
        )
    with database.write():
        existing = list_rotations(database, team.id)
        found = overlaps(spec, layer, existing, rotation.id if rotation else None)
        if backup_spec is not None:
            found += overlaps(backup_spec, "secondary", existing)
        if found and resolve not in RESOLUTIONS:
            raise RotationOverlap(found)
        for other in found:
            hand_over(
                database,
                team,
                other.rotation,
                other.end_at,
                replace=resolve == "replace",
                actor=actor,
                now=now,
            )
        saved = save_rotation(
            database,
            team_id=team.id,
            name=name,
            layer=layer,
            spec=spec,
            horizon_weeks=horizon_weeks,
            actor=actor,
            now=now,
            rotation_id=rotation.id if rotation else None,
            version=version,
        )
        saved_ids = {saved.id}
        if backup_spec is not None:
            backup = save_rotation(
                database,
                team_id=team.id,
                name=_("%(name)s (backup)", name=name),
                layer="secondary",
                spec=backup_spec,
                horizon_weeks=horizon_weeks,
                actor=actor,
                now=now,
            )
            saved_ids.add(backup.id)
    return saved, saved_ids
