"""The intervention form read as data (without JavaScript, a manager's correction, the owner's
change) and filled from a stored record; times typed without an offset are the person's."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import msgspec

from server.i18n import format_local_input
from server.interventions.models import Intervention, InterventionData


def _local(value: datetime, zone: str) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(zone))


def _seconds(value: object) -> str:
    """A datetime-local field gives minutes only."""
    text = str(value or "")
    return text + ":00" if len(text) == 16 else text


def form_data(form: dict, zone: str, item: Intervention | None = None) -> InterventionData:
    """The form's fields as an intervention's data; a correction, or the owner's change, keeps
    what its form leaves out (`item`, the stored record)."""
    data = msgspec.convert(
        {
            "started_at": _seconds(form.get("started_at")),
            "ended_at": _seconds(form.get("ended_at")),
            "mode": form.get("mode") or (item.mode if item else "on_site"),
            "place": form.get("place", item.place if item else ""),
            "travel_minutes": form.get("travel_minutes") or 0,
            # A correction without the field keeps the alert; an empty choice unlinks it.
            "alert_id": form.get("alert_id", item.alert_id if item else None) or None,
            # The position: the phone's, or the one stored when the form has none to give.
            "latitude": form.get("latitude") or (item.latitude if item else None),
            "longitude": form.get("longitude") or (item.longitude if item else None),
            "found": form.get("found", item.found if item else ""),
            "done": form.get("done", item.done if item else ""),
            "outcome": form.get("outcome") or (item.outcome if item else "resolved"),
            # As the alert: a form without the field keeps the client; an empty one unlinks.
            "client_id": form.get("client_id", item.client_id if item else None) or None,
            "site_id": form.get("site_id", item.site_id if item else None) or None,
        },
        InterventionData,
        strict=False,
    )
    return msgspec.structs.replace(
        data, started_at=_local(data.started_at, zone), ended_at=_local(data.ended_at, zone)
    )


def form_values(item: Intervention) -> dict:
    """The form's fields filled with the stored record (times on the person's wall clock)."""
    return {
        "started_at": format_local_input(item.started_at),
        "ended_at": format_local_input(item.ended_at),
        "mode": item.mode,
        "place": item.place,
        "latitude": item.latitude,
        "longitude": item.longitude,
        "travel_minutes": item.travel_minutes,
        "alert_id": item.alert_id,
        "found": item.found,
        "done": item.done,
        "outcome": item.outcome,
        "client_id": item.client_id,
        "site_id": item.site_id,
    }
