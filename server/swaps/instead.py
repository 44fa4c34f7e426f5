"""What a manager can do instead when a request on someone's behalf could not succeed: page the
backup first, an override in exceptional circumstances, a cover of a later part, or the person
asking for herself. Each is offered only when the rule it depends on lets it work."""

from __future__ import annotations

from datetime import datetime, time
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from server.alerts.rules import TIRED_SCORE
from server.alerts.store import team_policy
from server.db import Database
from server.i18n import format_local_input
from server.models import Value
from server.schedules.models import TOLD, Shift
from server.schedules.notice import first_day_allowed, notice_status
from server.schedules.oncall import effective_slots
from server.schedules.store import list_shifts
from server.teams.models import Team


class Instead(Value, kw_only=True):
    person: str
    person_phone: str
    # Who is backup while the shift runs (the first one, when it changes hands); None: nobody.
    backup: str | None
    # The team's alerts already go to the backup first when the person on call is tired.
    backup_first: bool
    tired_score: int
    policy_url: str
    # The manage page's override form filled in for this shift; None when the notice rule
    # refuses an override as well (less than one clear day).
    override_url: str | None
    # A cover of the shift from then on may still be asked for (the notice rule allows a change
    # starting that day in exceptional circumstances); None when the shift ends first.
    later_from: datetime | None


def _backup(database: Database, shift: Shift) -> str | None:
    shifts = list_shifts(
        database,
        team_ids=[shift.team_id],
        start=shift.starts_at,
        end=shift.ends_at,
        statuses=TOLD,
    )
    slots = effective_slots(shifts, "secondary", shift.starts_at, shift.ends_at)
    others = [s for s in slots if s.user_id != shift.user_id]
    if not others:
        return None
    names = {s.user_id: s.user_name for s in shifts}
    return names.get(others[0].user_id)


def instead_of(database: Database, team: Team, shift: Shift, now: datetime) -> Instead:
    clear = team.policy.exceptional_notice_clear_days
    status = notice_status(now, shift.starts_at, team.timezone, team.policy.notice_days, clear)
    override_url = None
    if status != "too_late":
        query = {
            "team": team.id,
            "override_layer": shift.layer,
            "override_from": format_local_input(shift.starts_at, team.timezone),
            "override_to": format_local_input(shift.ends_at, team.timezone),
            "override_replacing": shift.user_id,
        }
        if status == "exceptional":
            query["override_exceptional"] = "true"
        override_url = f"/schedule/manage?{urlencode(query)}#override-card"
    first = datetime.combine(
        first_day_allowed(now, team.timezone, clear), time(), tzinfo=ZoneInfo(team.timezone)
    )
    later = first if shift.starts_at < first < shift.ends_at else None
    return Instead(
        person=shift.user_name,
        person_phone=shift.user_phone,
        backup=_backup(database, shift),
        backup_first=team_policy(database, team.id).backup_first_when_tired,
        tired_score=TIRED_SCORE,
        policy_url=f"/alerts/policy?team={team.id}",
        override_url=override_url,
        later_from=later,
    )
