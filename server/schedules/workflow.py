"""Publishing with notice, accepting and declining, reassigning and overriding shifts.

Each operation is one transaction: the change, its audit entry and the notices to the people
concerned are written together or not at all."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec

from server.accounts.models import CurrentUser
from server.audit.models import Actor
from server.audit.store import record
from server.clock import to_db
from server.db import Database
from server.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from server.i18n import format_datetime
from server.i18n import gettext as _
from server.models import Value
from server.notifications.store import notify
from server.schedules.levels import refuse_double_duty
from server.schedules.models import TOLD, Layer, Shift
from server.schedules.notice import NoticeStatus, missing_for_short_notice, notice_status
from server.schedules.oncall import effective_slots
from server.schedules.store import get_shift, list_shifts
from server.teams.models import Team
from server.teams.store import members


class PublishPreview(Value, kw_only=True):
    shifts: list[Shift]
    by_status: dict[str, int]
    too_late: list[Shift]
    exceptional: list[Shift]


def day_range(team: Team, start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the team's zone."""
    zone = ZoneInfo(team.timezone)
    return (
        datetime.combine(start, time(0), tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone),
    )


def _notice(team: Team, now: datetime, starts_at: datetime) -> NoticeStatus:
    return notice_status(
        now,
        starts_at,
        team.timezone,
        team.policy.notice_days,
        team.policy.exceptional_notice_clear_days,
    )


def preview_publish(
    database: Database, team: Team, start: date, end: date, now: datetime
) -> PublishPreview:
    first, last = day_range(team, start, end)
    drafts = [
        s
        for s in list_shifts(
            database, team_ids=[team.id], start=first, end=last, statuses=["draft"]
        )
        if s.starts_at >= first
    ]
    status = {s.id: _notice(team, now, s.starts_at) for s in drafts}
    counts: dict[str, int] = defaultdict(int)
    for value in status.values():
        counts[value] += 1
    return PublishPreview(
        shifts=drafts,
        by_status=dict(counts),
        too_late=[s for s in drafts if status[s.id] == "too_late"],
        exceptional=[s for s in drafts if status[s.id] == "exceptional"],
    )


def publish(
    database: Database,
    team: Team,
    start: date,
    end: date,
    *,
    exceptional: bool,
    reason: str,
    actor: Actor,
    now: datetime,
) -> int:
    """Publish the drafts of a range; the publication time is the proof of notice."""
    with database.write():
        preview = preview_publish(database, team, start, end, now)
        if not preview.shifts:
            raise InvalidInput(_("There is no draft shift to publish in this range."))
        if preview.too_late:
            first = min(s.starts_at for s in preview.too_late)
            raise RuleViolation(
                _(
                    "The shift starting %(start)s is too close: even in exceptional circumstances "
                    "people must be told at least one clear day ahead. Start the range later.",
                    start=format_datetime(first, "short", tz=team.timezone),
                )
            )
        missing = missing_for_short_notice(exceptional, reason) if preview.exceptional else None
        if missing == "tick":
            raise RuleViolation(
                _(
                    "%(count)s shifts start in less than %(days)s days. Tick exceptional "
                    "circumstances and give the reason, or start the range later.",
                    count=len(preview.exceptional),
                    days=team.policy.notice_days,
                ),
                field="exceptional",
            )
        if missing == "reason":
            raise RuleViolation(
                _("Exceptional circumstances are ticked: give the reason for the shorter notice."),
                field="reason",
            )
        refuse_double_duty(database, team, preview.shifts, now)
        short = {s.id for s in preview.exceptional}
        stamp = to_db(now)
        for shift in preview.shifts:
            database.execute(
                "UPDATE shifts SET status = 'published', published_at = ?, exceptional_reason = ?, "
                "version = version + 1, updated_at = ? WHERE id = ? AND status = 'draft'",
                (stamp, reason if shift.id in short else None, stamp, shift.id),
            )
        record(
            database,
            at=now,
            actor=actor,
            action="shifts.publish",
            entity_type="team",
            entity_id=team.id,
            team_id=team.id,
            after={
                "start": start.isoformat(),
                "end": end.isoformat(),
                "count": len(preview.shifts),
                "exceptional": len(short),
                "reason": reason or None,
            },
        )
        per_person: dict[int, list[Shift]] = defaultdict(list)
        for shift in preview.shifts:
            per_person[shift.user_id].append(shift)
        for user_id, shifts in per_person.items():
            notify(
                database,
                user_id,
                "shifts_published",
                {
                    "count": len(shifts),
                    "team": team.name,
                    "first": min(s.starts_at for s in shifts).isoformat(),
                },
                now=now,
                url="/schedule/mine",
            )
    return len(preview.shifts)


def _own_shift(database: Database, shift_id: int, user: CurrentUser) -> Shift:
    shift = get_shift(database, shift_id)
    if shift.user_id != user.id:
        raise Forbidden(_("This shift is not yours."))
    if shift.status == "draft":
        raise InvalidInput(_("This shift is not published yet."))
    return shift


def accept(database: Database, shift_id: int, user: CurrentUser, now: datetime) -> Shift:
    with database.write():
        shift = _own_shift(database, shift_id, user)
        if shift.status != "accepted":
            database.execute(
                "UPDATE shifts SET status = 'accepted', answered_at = ?, decline_reason = NULL, "
                "version = version + 1, updated_at = ? WHERE id = ?",
                (to_db(now), to_db(now), shift_id),
            )
            record(
                database,
                at=now,
                actor=Actor(label=user.email, user_id=user.id),
                action="shift.accept",
                entity_type="shift",
                entity_id=shift_id,
                team_id=shift.team_id,
                before={"status": shift.status},
                after={"status": "accepted"},
            )
        return get_shift(database, shift_id)


def accept_all(database: Database, user: CurrentUser, now: datetime) -> int:
    with database.write():
        pending = list_shifts(database, user_id=user.id, start=now, statuses=["published"])
        for shift in pending:
            accept(database, shift.id, user, now)
    return len(pending)


def decline(
    database: Database, shift_id: int, user: CurrentUser, reason: str, now: datetime
) -> Shift:
    with database.write():
        shift = _own_shift(database, shift_id, user)
        if shift.ends_at <= now:
            raise InvalidInput(_("This shift is over."))
        database.execute(
            "UPDATE shifts SET status = 'declined', answered_at = ?, decline_reason = ?, "
            "version = version + 1, updated_at = ? WHERE id = ?",
            (to_db(now), reason, to_db(now), shift_id),
        )
        record(
            database,
            at=now,
            actor=Actor(label=user.email, user_id=user.id),
            action="shift.decline",
            entity_type="shift",
            entity_id=shift_id,
            team_id=shift.team_id,
            before={"status": shift.status},
            after={"status": "declined", "reason": reason},
        )
        for manager in members(database, shift.team_id):
            if manager.team_role == "manager" and manager.user_id != user.id:
                notify(
                    database,
                    manager.user_id,
                    "shift_declined",
                    {"name": user.name, "start": shift.starts_at.isoformat(), "reason": reason},
                    now=now,
                    url=f"/schedule/manage?team={shift.team_id}",
                )
        return get_shift(database, shift_id)


def _check_change_notice(
    team: Team, now: datetime, starts_at: datetime, exceptional: bool, reason: str
) -> str | None:
    """A change imposed by a manager on what people were told follows the notice rule."""
    status = _notice(team, now, starts_at)
    if status == "too_late":
        raise RuleViolation(
            _(
                "This change is too close to the shift: people must be told at least one clear "
                "day ahead. Ask for a swap between colleagues instead."
            )
        )
    if status == "exceptional":
        missing = missing_for_short_notice(exceptional, reason)
        if missing == "tick":
            raise RuleViolation(
                _(
                    "This shift starts in less than %(days)s days: tick exceptional circumstances "
                    "and give the reason.",
                    days=team.policy.notice_days,
                ),
                field="exceptional",
            )
        if missing == "reason":
            raise RuleViolation(
                _("Exceptional circumstances are ticked: give the reason for the shorter notice."),
                field="reason",
            )
        return reason
    return None


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
        if user_id not in {m.user_id for m in members(database, team.id) if m.active}:
            raise InvalidInput(_("This person is not in this team."), field="user_id")
        if user_id == shift.user_id:
            return shift
        refuse_double_duty(database, team, [msgspec.structs.replace(shift, user_id=user_id)], now)
        if shift.told:
            kept_reason = _check_change_notice(team, now, shift.starts_at, exceptional, reason)
            database.execute(
                "UPDATE shifts SET user_id = ?, status = 'published', published_at = ?, "
                "exceptional_reason = ?, answered_at = NULL, decline_reason = NULL, edited = 1, "
                "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                (user_id, to_db(now), kept_reason, to_db(now), shift_id, version),
            )
            params = {
                "start": shift.starts_at.isoformat(),
                "end": shift.ends_at.isoformat(),
                "team": team.name,
            }
            notify(database, user_id, "shift_assigned", params, now=now, url="/schedule/mine")
            notify(database, shift.user_id, "shift_removed", params, now=now, url="/schedule/mine")
        else:
            database.execute(
                "UPDATE shifts SET user_id = ?, edited = 1, version = version + 1, updated_at = ? "
                "WHERE id = ? AND version = ?",
                (user_id, to_db(now), shift_id, version),
            )
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
) -> Shift:
    """Put someone on call over a stretch, above the regular shifts; told at once."""
    if ends_at <= starts_at:
        raise InvalidInput(_("The end must be after the start."), field="ends_at")
    if starts_at < now:
        raise InvalidInput(_("An override cannot start in the past."), field="starts_at")
    if ends_at - starts_at > timedelta(days=31):
        raise InvalidInput(_("An override lasts at most 31 days."), field="ends_at")
    with database.write():
        if user_id not in {m.user_id for m in members(database, team.id) if m.active}:
            raise InvalidInput(_("This person is not in this team."), field="user_id")
        kept_reason = _check_change_notice(team, now, starts_at, exceptional, reason)
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
        shift_id = database.insert(
            "shifts",
            {
                "team_id": team.id,
                "rotation_id": None,
                "kind": "override",
                "layer": layer,
                "user_id": user_id,
                "starts_at": to_db(starts_at),
                "ends_at": to_db(ends_at),
                "status": "published",
                "published_at": to_db(now),
                "exceptional_reason": kept_reason,
                "edited": 1,
                "created_at": to_db(now),
                "updated_at": to_db(now),
            },
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
        kept_reason = _check_change_notice(team, now, shift.starts_at, exceptional, reason)
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
        database.execute("DELETE FROM shifts WHERE id = ?", (shift_id,))
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
        back: dict[int, tuple[datetime, datetime]] = {}
        for slot in effective_slots(below, shift.layer, shift.starts_at, shift.ends_at):
            if slot.user_id == shift.user_id:
                continue
            first, last = back.get(slot.user_id, (slot.starts_at, slot.ends_at))
            back[slot.user_id] = (min(first, slot.starts_at), max(last, slot.ends_at))
        for user_id, (first, last) in back.items():
            notify(
                database,
                user_id,
                "shift_assigned",
                {"start": first.isoformat(), "end": last.isoformat(), "team": team.name},
                now=now,
                url="/schedule/mine",
            )


def needs_action(database: Database, team_ids: list[int], now: datetime) -> list[Shift]:
    """Future shifts declined, or published and not answered: the manager's to-do list."""
    return list_shifts(database, team_ids=team_ids, start=now, statuses=["declined", "published"])
