"""Pure rules of interventions: what makes one valid, and who wins when two sides changed it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.i18n import N_
from server.interventions.models import InterventionData

MAX_LENGTH = timedelta(hours=24)
# A phone's clock may run a little ahead; beyond this, a time is in the future.
CLOCK_SKEW = timedelta(minutes=5)
# No intervention happened before this: an earlier date is a typo or a phone's clock gone wrong
# (year 1 with an offset could not even be stored: the batch failed, and the outbox with it).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def problem(data: InterventionData, now: datetime) -> tuple[str, str] | None:
    """(message id, field) of the first thing wrong with an intervention, or None."""
    for name in ("started_at", "ended_at"):
        if getattr(data, name).tzinfo is None:
            return N_("Times need their time zone offset."), name
    if data.started_at < EARLIEST:
        return N_("The start is before the year 2000: check the date."), "started_at"
    if data.ended_at <= data.started_at:
        return N_("The end must be after the start."), "ended_at"
    if data.ended_at - data.started_at > MAX_LENGTH:
        return N_("An intervention lasts at most 24 hours: log a long job as several."), "ended_at"
    if data.ended_at > now + CLOCK_SKEW:
        return N_("The end is in the future."), "ended_at"
    if (data.latitude is None) != (data.longitude is None):
        return N_("A position needs both latitude and longitude."), "latitude"
    return None


def phone_wins(phone_changed_at: datetime, server_changed_at: datetime) -> bool:
    """Last change wins, by the time each side made it: the phone's own clock for its edit, the
    server's for a manager's correction. A tie goes to the phone: the person was there."""
    return phone_changed_at >= server_changed_at


# A person changes their own record from the phone for this long after it ended (or after it
# reached the server, when logged late); after that the record stands and only a manager
# corrects it, so a month already counted does not shift under the statement.
OWNER_EDIT_WINDOW = timedelta(days=7)
TOO_LATE_FOR_OWNER = N_(
    "More than %(days)s days have passed since this intervention: ask a manager to correct it."
)


def owner_edit_deadline(ended_at: datetime, logged_at: datetime) -> datetime:
    """Until when the person who logged an intervention may still change or delete it."""
    return max(ended_at, logged_at) + OWNER_EDIT_WINDOW


def owner_may_change(ended_at: datetime, logged_at: datetime, now: datetime) -> bool:
    return now <= owner_edit_deadline(ended_at, logged_at)
