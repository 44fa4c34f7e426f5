"""What the swap pages show, built from the stores, no HTTP: a request with its checks and the
steps the person looking may take, a shift's history, the request form's exchange list
(narrowed by server/swaps/exchange.py), and what a manager can do instead when a request on
someone's behalf could not succeed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from server.accounts.models import CurrentUser
from server.alerts.rules import TIRED_SCORE
from server.alerts.store import team_policy
from server.audit.store import entries_for
from server.db import Database
from server.i18n import N_, format_date, format_local_input, sentence_start
from server.i18n import gettext as _
from server.models import Value
from server.schedules.models import TOLD, Shift
from server.schedules.notice import first_day_allowed, notice_status
from server.schedules.oncall import effective_slots
from server.schedules.store import get_shift, list_shifts
from server.swaps.evaluate import Stale, evaluate
from server.swaps.exchange import (
    HORIZON_WEEKS,
    OFFERED_WEEKS,
    ExchangeFilter,
    by_week,
    later_filter,
    months_in_reach,
    narrow,
    read_filter,
)
from server.swaps.machine import allowed
from server.swaps.store.requests import declined_by, get_swap, list_swaps, names_of
from server.swaps.store.shifts import shift_exists
from server.swaps.texts import describe
from server.teams.models import Member, Team
from server.teams.store import get_team, memberships_by_user


class Line(Value, kw_only=True):
    """A finding as a person reads it."""

    severity: str
    text: str


class Event(Value, kw_only=True):
    at: str
    who: str
    what: str
    detail: str = ""


def _shift_or_none(database: Database, shift_id: int | None) -> Shift | None:
    if shift_id is None:
        return None
    return get_shift(database, shift_id) if shift_exists(database, shift_id) else None


ACTIONS = {
    "swap.request": N_("asked"),
    "swap.accept": N_("taken by a colleague"),
    "swap.decline": N_("declined by a colleague"),
    "swap.cancel": N_("cancelled"),
    "swap.approve": N_("approved and applied"),
    "swap.reject": N_("rejected"),
    "swap.void": N_("closed: the shift changed"),
    "swap.expire": N_("expired"),
    "shift.accept": N_("accepted by the person"),
    "shift.decline": N_("declined by the person"),
    "shift.reassign": N_("given to someone else by a manager"),
    "override.create": N_("replacement created"),
    "override.cancel": N_("replacement cancelled"),
    "shift.swap": N_("changed hands through a request"),
    "shift.split": N_("cut from another shift by a cover"),
    "shift.skills": N_("required skills changed"),
    "shift.qualifications": N_("required qualifications changed"),
}


def events(database: Database, entity_type: str, entity_id: int) -> list[Event]:
    entries = entries_for(database, entity_type, entity_id)
    names = names_of(database, [e.actor_user_id for e in entries if e.actor_user_id])
    found = []
    for entry in entries:
        who = names.get(entry.actor_user_id or 0) or (
            _("automatic") if entry.actor == "system" else entry.actor
        )
        what = _(ACTIONS[entry.action]) if entry.action in ACTIONS else entry.action
        detail = ""
        after = entry.after or {}
        if after.get("reason"):
            detail = str(after["reason"])
        found.append(Event(at=entry.at, who=who, what=what, detail=detail))
    return found


def request_view(
    database: Database, swap_id: int, me: CurrentUser, now: datetime
) -> dict[str, object]:
    """Everything the request page needs, the checks computed for whoever would take it."""
    swap = get_swap(database, swap_id)
    team = get_team(database, swap.team_id)
    status = swap.shown_status(now)
    shift = _shift_or_none(database, swap.shift_id)
    counter = _shift_or_none(database, swap.counter_shift_id)
    can_take = allowed("accept", me, swap, now)
    can_decide = allowed("approve", me, swap, now)
    taker = swap.taker_id if status == "accepted" else (me.id if can_take else None)
    findings, stale = list(swap.findings), False
    if taker is not None:
        try:
            findings = evaluate(database, team, swap, taker, now)
        except Stale:
            stale, findings = True, []
    names = names_of(database, [f.user_id for f in findings])
    lines = [
        Line(severity=f.severity, text=describe(f, names, team.policy.notice_days))
        for f in findings
    ]
    return {
        "swap": swap,
        "team": team,
        "status": status,
        "shift": shift,
        "counter": counter,
        "lines": lines,
        "blocked": any(line.severity == "block" for line in lines),
        "warned": any(line.severity == "warning" for line in lines),
        "stale": stale,
        "can_take": can_take and not stale,
        "declined": me.id in declined_by(database, swap.id),
        "can_cancel": allowed("cancel", me, swap, now),
        # A decision is due once a colleague took it, not before (server/swaps/machine.py).
        "can_approve": can_decide and not stale,
        "can_reject": allowed("reject", me, swap, now),
        "events": events(database, "swap", swap.id),
    }


def shift_history(database: Database, shift_id: int) -> dict[str, object]:
    return {
        "events": events(database, "shift", shift_id),
        "requests": list_swaps(database, shift_id=shift_id),
    }


# The request form's exchange list -------------------------------------------------------------


def colleagues_of(people: list[Member], shift: Shift) -> list[Member]:
    """Who may be asked: the team's active people but the shift's owner."""
    return [m for m in people if m.active and m.user_id != shift.user_id]


def exchange_filter(
    params: Mapping[str, str], colleagues: list[Member], team: Team, now: datetime
) -> ExchangeFilter:
    """The filter a query string asks for (InvalidInput when it names nothing offered)."""
    return read_filter(params, [m.user_id for m in colleagues], now, ZoneInfo(team.timezone))


def exchange_context(
    database: Database,
    shift: Shift,
    team: Team,
    colleagues: list[Member],
    chosen: ExchangeFilter,
    now: datetime,
    keep: int | None = None,
) -> dict:
    """The list, its groups, the count, the "later" link and the menus' choices."""
    zone = ZoneInfo(team.timezone)
    ids = {m.user_id for m in colleagues}
    theirs = [
        s
        for s in list_shifts(
            database,
            team_ids=[team.id],
            start=now,
            end=now + timedelta(weeks=HORIZON_WEEKS),
            statuses=TOLD,
        )
        if s.user_id in ids and s.starts_at > now
    ]
    shown, later = narrow(theirs, chosen, now, zone, keep=keep)
    teams = memberships_by_user(database, sorted(ids))
    weeks = sorted({*OFFERED_WEEKS, chosen.weeks})
    return {
        "exchange": chosen,
        "exchange_groups": by_week(shown, zone),
        "exchange_count": len(shown),
        "exchange_later": later,
        "exchange_later_query": later_filter(chosen).query() if later else None,
        # A colleague in several teams: each line names this team, so nobody takes the shift
        # for one of their other team.
        "exchange_several_teams": {u for u, rows in teams.items() if len(rows) > 1},
        "exchange_weeks": weeks,
        "exchange_months": [(f"{m:%Y-%m}", month_name(m)) for m in months_in_reach(now, zone)],
    }


def month_name(first: date) -> str:
    """'Décembre 2026' / 'December 2026': a month as the period menu names it."""
    return sentence_start(format_date(first, "LLLL y"))


# What works instead -------------------------------------------------------------------------


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
