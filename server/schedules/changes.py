"""Changes a manager imposes on the schedule: reassigning a shift, putting someone on call
over a stretch (an override) and taking an override back.

Each is one transaction (the change, its audit entry and the notices to the people concerned)
and follows the notice rule once people were told (notice.check_change_notice)."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from server.audit.models import Actor
from server.audit.store import record
from server.db import Database
from server.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from server.i18n import gettext as _
from server.notifications.store import notify
from server.qualifications import gate
from server.schedules.levels import refuse_double_duty
from server.schedules.models import TOLD, Layer, Shift
from server.schedules.notice import check_change_notice
from server.schedules.oncall import handed_back
from server.schedules.store.shifts import (
    delete_shifts,
    get_shift,
    insert_override,
    list_shifts,
    reassign_draft,
    reassign_told,
)
from server.teams.models import Team
from server.teams.store import members


def _refuse_outsider(database: Database, team: Team, user_id: int) -> None:
    if user_id not in {m.user_id for m in members(database, team.id) if m.active}:
        raise InvalidInput(_("This person is not in this team."), field="user_id")


def _covered(
    database: Database,
    team: Team,
    user_id: int,
    layer: Layer,
    starts_at: datetime,
    ends_at: datetime,
) -> list[gate.Planned]:
    """The regular shifts an override covers, as if the person took them up to its end."""
    return [
        (user_id, s.id, s.rotation_id, min(s.ends_at, ends_at))
        for s in list_shifts(
            database, team_ids=[team.id], start=starts_at, end=ends_at, layer=layer
        )
        if s.kind == "regular"
    ]


def reassign(
    database: Database,
    team: Team,
    shift_id: int,
    user_id: int,
    *,
    version: int,
    exceptional: bool,
    reason: str,
    actor: Actor,
    now: datetime,
) -> Shift:
    """Give a shift to someone else; the shift must still be the version the manager saw."""
    with database.write():
        shift = get_shift(database, shift_id)
        if shift.team_id != team.id:
            raise Forbidden(_("This shift belongs to another team."))
        if shift.version != version:
            raise Conflict(
                _(
                    "This shift was changed in the meantime by someone else. "
                    "Here it is as it is now."
                )
            )
        if shift.ends_at <= now:
            raise InvalidInput(_("This shift is over."))
        _refuse_outsider(database, team, user_id)
        if user_id == shift.user_id:
            return shift
        refuse_double_duty(database, team, [msgspec.structs.replace(shift, user_id=user_id)], now)
        gate.enforce(database, team, [(user_id, shift.id, shift.rotation_id, shift.ends_at)])
        if shift.told:
            kept_reason = check_change_notice(team, now, shift.starts_at, exceptional, reason)
            reassign_told(database, shift_id, version, user_id, kept_reason, now)
            params = {
                "start": shift.starts_at.isoformat(),
                "end": shift.ends_at.isoformat(),
                "team": team.name,
            }
            notify(database, user_id, "shift_assigned", params, now=now, url="/schedule/mine")
            notify(database, shift.user_id, "shift_removed", params, now=now, url="/schedule/mine")
        else:
            reassign_draft(database, shift_id, version, user_id, now)
        after = get_shift(database, shift_id)
        record(
            database,
            at=now,
            actor=actor,
            action="shift.reassign",
            entity_type="shift",
            entity_id=shift_id,
            team_id=team.id,
            before={"user_id": shift.user_id, "status": shift.status},
            after={"user_id": user_id, "status": after.status},
        )
        return after


def create_override(
    database: Database,
    team: Team,
    *,
    user_id: int,
    layer: Layer,
    starts_at: datetime,
    ends_at: datetime,
    exceptional: bool,
    reason: str,
    actor: Actor,
    now: datetime,
    qualifications_seen: bool = False,
) -> Shift:
    """Put someone on call over a stretch, above the regular shifts; told at once. A person
    lacking a qualification the covered shifts require is refused (block), or let through
    once the manager says they saw the warning (warn)."""
    if ends_at <= starts_at:
        raise InvalidInput(_("The end must be after the start."), field="ends_at")
    if starts_at < now:
        raise InvalidInput(_("An override cannot start in the past."), field="starts_at")
    if ends_at - starts_at > timedelta(days=31):
        raise InvalidInput(_("An override lasts at most 31 days."), field="ends_at")
    with database.write():
        _refuse_outsider(database, team, user_id)
        kept_reason = check_change_notice(team, now, starts_at, exceptional, reason)
        planned = Shift(
            id=0,
            team_id=team.id,
            rotation_id=None,
            kind="override",
            layer=layer,
            user_id=user_id,
            user_name="",
            starts_at=starts_at,
            ends_at=ends_at,
            status="published",
        )
        refuse_double_duty(database, team, [planned], now)
        # An override belongs to no rotation and requires nothing of its own yet: what the
        # regular shifts it covers require is what the person needs.
        gaps = gate.enforce(
            database, team, _covered(database, team, user_id, layer, starts_at, ends_at)
        )
        if gaps and not qualifications_seen:
            raise RuleViolation(
                " ".join(
                    [*gaps, _("Tick “Add it anyway” to put this person on call all the same.")]
                ),
                field="qualifications_seen",
            )
        shift_id = insert_override(
            database,
            team.id,
            user_id=user_id,
            layer=layer,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=kept_reason,
            now=now,
        )
        shift = get_shift(database, shift_id)
        record(
            database,
            at=now,
            actor=actor,
            action="override.create",
            entity_type="shift",
            entity_id=shift_id,
            team_id=team.id,
            after=shift,
        )
        params = {"start": starts_at.isoformat(), "end": ends_at.isoformat(), "team": team.name}
        notify(database, user_id, "shift_assigned", params, now=now, url="/schedule/mine")
        replaced = {
            s.user_id
            for s in list_shifts(
                database,
                team_ids=[team.id],
                start=starts_at,
                end=ends_at,
                statuses=["published", "accepted", "declined"],
                layer=layer,
            )
            if s.kind == "regular" and s.user_id != user_id
        }
        for other in replaced:
            notify(database, other, "shift_removed", params, now=now, url="/schedule/mine")
        return shift


def cancel_override(
    database: Database,
    team: Team,
    shift_id: int,
    *,
    exceptional: bool,
    reason: str,
    actor: Actor,
    now: datetime,
) -> None:
    """Take an override back: the people of the regular shifts below it are on call again,
    which is a change of what they were told, so it follows the notice rule like any other
    (an override already under way is always too close: a swap between colleagues is the way)."""
    with database.write():
        shift = get_shift(database, shift_id)
        if shift.team_id != team.id or shift.kind != "override":
            raise InvalidInput(_("This is not an override of this team."))
        if shift.ends_at <= now:
            raise InvalidInput(_("This shift is over."))
        kept_reason = check_change_notice(team, now, shift.starts_at, exceptional, reason)
        below = [
            s
            for s in list_shifts(
                database,
                team_ids=[team.id],
                start=shift.starts_at,
                end=shift.ends_at,
                statuses=TOLD,
                layer=shift.layer,
            )
            if s.id != shift.id
        ]
        delete_shifts(database, [shift_id])
        record(
            database,
            at=now,
            actor=actor,
            action="override.cancel",
            entity_type="shift",
            entity_id=shift_id,
            team_id=team.id,
            before=shift,
            after={"exceptional_reason": kept_reason} if kept_reason else None,
        )
        params = {
            "start": shift.starts_at.isoformat(),
            "end": shift.ends_at.isoformat(),
            "team": team.name,
        }
        notify(database, shift.user_id, "shift_removed", params, now=now, url="/schedule/mine")
        # Who is on call over the stretch now that the override is gone gets it back.
        back = handed_back(below, shift.layer, shift.starts_at, shift.ends_at, shift.user_id)
        for user_id, (first, last) in back.items():
            notify(
                database,
                user_id,
                "shift_assigned",
                {"start": first.isoformat(), "end": last.isoformat(), "team": team.name},
                now=now,
                url="/schedule/mine",
            )
