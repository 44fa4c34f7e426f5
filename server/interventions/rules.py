"""Pure rules of interventions: what makes one valid, and who wins when two sides changed it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from server.i18n import N_
from server.interventions.models import Intervention, InterventionData

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


# What the server does with a phone's change of a record it already holds, decided before any
# write (GoAlert's calcAdvance then update): the sync service applies the verdict.
Verdict = Literal["apply", "gone", "deleted", "stale", "too_late", "superseded"]


def judge_change(
    stored: Intervention, version: int, changed_at: datetime, now: datetime
) -> Verdict:
    """A phone's edit of its stored record: refused once deleted; an older (or the same)
    version changes nothing; too late once the owner's window has closed, by the server's
    clock (a phone's clock cannot reopen it); a manager's later correction stands."""
    if stored.deleted:
        return "deleted"
    if version <= stored.client_version:
        return "stale"
    return _judge_owner_change(stored, changed_at, now)


def judge_delete(stored: Intervention | None, changed_at: datetime, now: datetime) -> Verdict:
    """A phone's deletion: nothing to do when the server has no such record, or no longer."""
    if stored is None or stored.deleted:
        return "gone"
    return _judge_owner_change(stored, changed_at, now)


def _judge_owner_change(stored: Intervention, changed_at: datetime, now: datetime) -> Verdict:
    if not owner_may_change(stored.ended_at, stored.created_at, now):
        return "too_late"
    if stored.corrected_by is not None and not phone_wins(changed_at, stored.server_changed_at):
        return "superseded"
    return "apply"


def phone_time(changed_at: datetime, now: datetime) -> datetime:
    """When the phone says the change was made, never later than the server's now: a phone
    whose clock runs ahead must not leave a stored time from the future; nor earlier than
    EARLIEST (a clock in year 1 could not be stored, and failed the whole batch)."""
    return min(max(changed_at, EARLIEST), now)


def team_for(
    alert_id: int | None,
    alert_team_id: int | None,
    team_ids: tuple[int, ...],
    *,
    is_admin: bool,
) -> tuple[int | None, str | None]:
    """(the intervention's team, None) or (None, message id of why it cannot be): the
    answered alert's team, which must be one of the person's (`alert_team_id` None: no such
    alert), else the person's first team."""
    if alert_id is not None:
        if alert_team_id is None:
            return None, ALERT_MISSING
        if alert_team_id not in team_ids and not is_admin:
            return None, ALERT_ELSEWHERE
        return alert_team_id, None
    return (team_ids[0] if team_ids else None), None


def correction_alert_problem(alert_team_id: int | None, team_id: int) -> str | None:
    """A manager's correction links an alert of the intervention's own team, never another's:
    the message id of what is wrong, or None."""
    if alert_team_id is None:
        return ALERT_MISSING
    if alert_team_id != team_id:
        return ALERT_ELSEWHERE
    return None


def client_problem(
    client_id: int | None,
    site_id: int | None,
    client_team_id: int | None,
    site_client_id: int | None,
    team_ids: tuple[int, ...],
) -> tuple[str, str] | None:
    """(message id, field) of what is wrong with the client and site an intervention names, or
    None: the client must be of one of the person's teams (admins too: the list on their phone
    is their teams'), the site one of that client's. `client_team_id` / `site_client_id`: what
    the database holds (None: no such row)."""
    if client_id is None:
        return (N_("Choose the client before its site."), "site_id") if site_id else None
    if client_team_id is None:
        return N_("This client does not exist."), "client_id"
    if client_team_id not in team_ids:
        return N_("This client belongs to another team."), "client_id"
    if site_id is not None and site_client_id != client_id:
        return N_("This site is not one of the client's sites."), "site_id"
    return None


ALERT_MISSING = N_("This alert does not exist.")
ALERT_ELSEWHERE = N_("This alert belongs to another team.")


def to_second(moment: datetime) -> datetime:
    """An instant as the database keeps it: UTC, to the second (what a re-read gives)."""
    return moment.astimezone(UTC).replace(microsecond=0)


def stored_fields(data: InterventionData) -> dict:
    """What is kept of what the person typed: texts without surrounding blanks, times to the
    second; the audit's snapshot of a change is this, not a re-read."""
    return {
        "started_at": to_second(data.started_at),
        "ended_at": to_second(data.ended_at),
        "travel_minutes": data.travel_minutes,
        "place": data.place.strip(),
        "latitude": data.latitude,
        "longitude": data.longitude,
        "mode": data.mode,
        "found": data.found.strip(),
        "done": data.done.strip(),
        "outcome": data.outcome,
        "alert_id": data.alert_id,
        "client_id": data.client_id,
        "site_id": data.site_id,
    }
