"""Applying an approved request to the schedule: shifts change hands (whole, split for a part
of a shift, or exchanged), inside the caller's transaction, each change in the audit log."""

from __future__ import annotations

from datetime import datetime

from server.audit.models import Actor
from server.audit.store import record
from server.clock import to_db
from server.db import Database
from server.errors import Conflict
from server.i18n import gettext as _
from server.qualifications.store import copy_shift_requirements
from server.schedules.models import Shift
from server.swaps.models import SwapRequest
from server.swaps.rules import split_cover
from server.swaps.store.shifts import forget_reminders, give_shift, insert_shift, move_shift


def _changed() -> Conflict:
    return Conflict(_("The shift changed while this was being applied. Nothing was changed."))


def _give(database: Database, shift: Shift, user_id: int, now: datetime) -> None:
    """The whole shift to `user_id`, accepted: they agreed to it."""
    if not give_shift(database, shift, user_id, now):
        raise _changed()
    # Reminders already sent were the previous person's: the new one gets their own.
    forget_reminders(database, shift.id)


def _piece(
    database: Database,
    shift: Shift,
    user_id: int,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    taken: bool = False,
) -> int:
    """A new shift cut from `shift`, for `user_id` over [start, end): the taker's is accepted
    (they agreed to it), the owner's keeps the shift's answer."""
    stamp = to_db(now)
    answered = stamp if taken else (to_db(shift.answered_at) if shift.answered_at else None)
    row = {
        "team_id": shift.team_id,
        "rotation_id": shift.rotation_id,
        "kind": shift.kind,
        "layer": shift.layer,
        "user_id": user_id,
        "starts_at": to_db(start),
        "ends_at": to_db(end),
        "status": "accepted" if taken else shift.status,
        "published_at": to_db(shift.published_at) if shift.published_at else stamp,
        "exceptional_reason": shift.exceptional_reason,
        "answered_at": answered,
        "decline_reason": None if taken else shift.decline_reason,
        "edited": 1,
        "created_at": stamp,
        "updated_at": stamp,
    }
    piece_id = insert_shift(database, row)
    copy_shift_requirements(database, shift.id, piece_id)
    return piece_id


def apply_request(
    database: Database,
    swap: SwapRequest,
    taker_id: int,
    shift: Shift,
    counter: Shift | None,
    *,
    actor: Actor,
    now: datetime,
) -> list[int]:
    """Make the change; returns the ids of the shifts the taker now holds from it."""
    entries: list[tuple[Shift, dict]] = []
    created: list[tuple[int, int]] = []  # (new shift id, its person)
    if counter is not None:
        _give(database, shift, taker_id, now)
        _give(database, counter, swap.requester_id, now)
        entries.append((shift, {"user_id": taker_id, "status": "accepted"}))
        entries.append((counter, {"user_id": swap.requester_id, "status": "accepted"}))
        taken = [shift.id]
    elif swap.starts_at == shift.starts_at and swap.ends_at == shift.ends_at:
        _give(database, shift, taker_id, now)
        entries.append((shift, {"user_id": taker_id, "status": "accepted"}))
        taken = [shift.id]
    else:
        kept, (start, end) = split_cover(
            shift.starts_at, shift.ends_at, swap.starts_at, swap.ends_at
        )
        # The shift keeps its id and its first stretch still held by its owner; the taker's
        # stretch, and the owner's stretch after it, become shifts of their own.
        first_start, first_end = kept[0]
        if not move_shift(database, shift, first_start, first_end, now):
            raise _changed()
        if first_start != shift.starts_at:
            forget_reminders(database, shift.id)
        piece = _piece(database, shift, taker_id, start, end, now=now, taken=True)
        created.append((piece, taker_id))
        for rest_start, rest_end in kept[1:]:
            rest = _piece(database, shift, shift.user_id, rest_start, rest_end, now=now)
            created.append((rest, shift.user_id))
        after = {
            "starts_at": first_start.isoformat(),
            "ends_at": first_end.isoformat(),
            "split_into": [piece_id for piece_id, _user in created],
        }
        entries.append((shift, after))
        taken = [piece]
    for changed, after in entries:
        record(
            database,
            at=now,
            actor=actor,
            action="shift.swap",
            entity_type="shift",
            entity_id=changed.id,
            team_id=changed.team_id,
            before={
                "user_id": changed.user_id,
                "status": changed.status,
                "starts_at": changed.starts_at.isoformat(),
                "ends_at": changed.ends_at.isoformat(),
            },
            after={**after, "swap_id": swap.id},
        )
    for piece_id, user_id in created:
        record(
            database,
            at=now,
            actor=actor,
            action="shift.split",
            entity_type="shift",
            entity_id=piece_id,
            team_id=shift.team_id,
            after={"user_id": user_id, "from_shift": shift.id, "swap_id": swap.id},
        )
    return taken
