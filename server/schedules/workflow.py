"""Publishing with notice, then each person's answer: accepting and declining their shifts.

Each operation is one transaction: the change, its audit entry and the notices to the people
concerned are written together or not at all. Decisions are the pure rules' (notice.py)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from server.accounts.models import CurrentUser
from server.audit.models import Actor
from server.audit.store import record
from server.db import Database
from server.errors import Forbidden, InvalidInput, RuleViolation
from server.i18n import gettext as _
from server.models import Value
from server.notifications.store import notify
from server.qualifications import gate
from server.schedules.levels import refuse_double_duty
from server.schedules.models import Shift
from server.schedules.notice import check_publication, team_notice
from server.schedules.publish_range import day_range
from server.schedules.store.shifts import (
    get_shift,
    list_shifts,
    mark_accepted,
    mark_declined,
    mark_published,
)
from server.teams.models import Team
from server.teams.store import members


class PublishPreview(Value, kw_only=True):
    shifts: list[Shift]
    by_status: dict[str, int]
    too_late: list[Shift]
    exceptional: list[Shift]
    # Who would be on call without a required qualification, or with one expiring before the
    # shift ends, in words (a block refuses the publication: server/qualifications/gate.py).
    qualification_gaps: list[str] = []


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
    status = {s.id: team_notice(team, now, s.starts_at) for s in drafts}
    counts: dict[str, int] = defaultdict(int)
    for value in status.values():
        counts[value] += 1
    return PublishPreview(
        shifts=drafts,
        by_status=dict(counts),
        too_late=[s for s in drafts if status[s.id] == "too_late"],
        exceptional=[s for s in drafts if status[s.id] == "exceptional"],
        qualification_gaps=gate.messages(
            database, team, gate.gaps(database, team, planned(drafts))
        ),
    )


def planned(shifts: list[Shift]) -> list[gate.Planned]:
    """Shifts as the qualification gate reads them."""
    return [(s.user_id, s.id, s.rotation_id, s.ends_at) for s in shifts]


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
        check_publication(team, preview.too_late, preview.exceptional, exceptional, reason)
        refuse_double_duty(database, team, preview.shifts, now)
        if preview.qualification_gaps and team.policy.qualification_gate == "block":
            raise RuleViolation(" ".join(preview.qualification_gaps))
        short = {s.id for s in preview.exceptional}
        for shift in preview.shifts:
            mark_published(database, shift.id, reason if shift.id in short else None, now)
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
            mark_accepted(database, shift_id, now)
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
        mark_declined(database, shift_id, reason, now)
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


def needs_action(database: Database, team_ids: list[int], now: datetime) -> list[Shift]:
    """Future shifts declined, or published and not answered: the manager's to-do list."""
    return list_shifts(database, team_ids=team_ids, start=now, statuses=["declined", "published"])
