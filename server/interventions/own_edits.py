"""A person changing their own intervention after it synced: whether they still may, until
when, and the record their page hands to the phone's form (data and version), so that the
change is made in the outbox, offline as well as online, like a new intervention."""

from __future__ import annotations

from datetime import datetime

import msgspec

from server.interventions.models import Intervention, InterventionData
from server.interventions.rules import owner_edit_deadline
from server.models import Value


class OwnEdit(Value, kw_only=True):
    """What an intervention's page offers its owner: the form's record, and until when."""

    allowed: bool
    until: datetime
    record: dict


def own_edit(item: Intervention, user_id: int, now: datetime) -> OwnEdit | None:
    """None unless this person logged it (a manager corrects others' with their own form)."""
    if item.user_id != user_id or item.deleted:
        return None
    until = owner_edit_deadline(item.ended_at, item.created_at)
    return OwnEdit(allowed=now <= until, until=until, record=phone_record(item, until))


def phone_record(item: Intervention, until: datetime) -> dict:
    """The stored record as the phone's form reads it: the data of an operation, the version
    the server holds (the edit sends one more) and the end of the owner's window."""
    data = InterventionData(
        started_at=item.started_at,
        ended_at=item.ended_at,
        mode=item.mode,
        place=item.place,
        latitude=item.latitude,
        longitude=item.longitude,
        travel_minutes=item.travel_minutes,
        alert_id=item.alert_id,
        found=item.found,
        done=item.done,
        outcome=item.outcome,
        # Kept by an edit made on the phone: the form sends what it was given back.
        client_id=item.client_id,
        site_id=item.site_id,
    )
    return msgspec.to_builtins(
        {"uuid": item.uuid, "version": item.client_version, "editable_until": until, "data": data}
    )
