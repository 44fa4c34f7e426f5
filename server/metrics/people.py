"""People figures of a period: each person's on-call load (hours as held, by weekday night,
weekend and public holiday), interventions, acknowledgements, interruptions and rest, the
team's fairness and rest health. On-call hours come from the told shifts (few thousand a
year) in Python; everything counted over alerts, deliveries and interventions is SQL."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from server.db import Database
from server.metrics.models import PersonFigures, RestHealth
from server.metrics.rules import (
    fairness_of,
    holidays_between,
    hours,
    merged,
    rules_ranked,
    split_hours,
    stretches_between,
    with_shares,
)
from server.metrics.store.people import (
    ZoneOffsets,
    acknowledged_counts,
    high_fatigue_counts,
    interruption_counts,
    intervention_counts,
    people_named,
    rest_inputs,
)
from server.metrics.zones import offsets
from server.models import Value
from server.rest.models import Violation
from server.rest.people import INTERVENTIONS_BEFORE, policy_of
from server.rest.team_view import rest_window, violations_touching
from server.schedules.models import LAYERS, MAX_SHIFT_DAYS, TOLD
from server.schedules.oncall import effective_slots
from server.schedules.store import list_shifts
from server.teams.models import Team
from server.teams.store import members, teams_of

__all__ = ["TeamLoad", "fairness_of", "own_load", "people_figures", "team_load"]

Spans = dict[int, list[tuple[datetime, datetime]]]
# Violations change only with what the rest engine reads: kept per database, keyed by it, so
# a write (an alert acknowledged) leaves the periods' violations to read again, not to compute.
_KEPT_VIOLATIONS: WeakKeyDictionary[Database, dict[tuple, list[Violation]]] = WeakKeyDictionary()
_KEPT_LIMIT = 5_000


class TeamLoad(Value, kw_only=True):
    """A team's people over a period and its rest health, read with one run of the rest
    engine per person."""

    people: list[PersonFigures]
    rest: RestHealth


def _held(database: Database, team_ids: list[int], start: datetime, end: datetime) -> Spans:
    """Each person's on-call time in the teams over [start, end), both layers, overrides and
    swaps applied (who really held it), as disjoint spans."""
    spans: Spans = {}
    if end <= start:
        return spans
    for team_id in team_ids:
        shifts = list_shifts(database, team_ids=[team_id], start=start, end=end, statuses=TOLD)
        for layer in LAYERS:
            for slot in effective_slots(shifts, layer, start, end):
                spans.setdefault(slot.user_id, []).append((slot.starts_at, slot.ends_at))
    return {user_id: merged(found) for user_id, found in spans.items()}


def _days(zone: str, start: datetime, end: datetime):
    """The civil days of [start, end) in `zone` (None when the span is empty)."""
    if end <= start:
        return None
    tz = ZoneInfo(zone)
    return start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz).date()


def _violations(
    database: Database, user_ids: list[int], first: date, last: date, now: datetime
) -> dict[int, list[Violation]]:
    """Each person's violations touching first..last (their rest zone), up to now, from the
    rest engine. Kept per database under what they depend on: the person's rules (their first
    team's policy and zone), the stretch of timeline read, and every input read there (work
    pattern, absences, declared rests, told shifts, interventions; public holidays follow from
    the policy and the days). A write elsewhere (an alert, someone else's shift) keeps them."""
    policies = {user_id: policy_of(database, user_id) for user_id in user_ids}
    windows = {}
    for user_id, person in policies.items():
        since, until = rest_window(person, first, last, now)
        zone = person.rest.zone
        windows[user_id] = (
            since,
            until,
            since.astimezone(zone).date(),
            until.astimezone(zone).date(),
        )
    inputs = rest_inputs(database, windows, timedelta(days=MAX_SHIFT_DAYS), INTERVENTIONS_BEFORE)
    kept = _KEPT_VIOLATIONS.setdefault(database, {})
    found = {}
    for user_id, person in policies.items():
        since, until = windows[user_id][:2]
        read = repr((person, inputs.get(user_id))).encode()
        key = (user_id, first, last, since, until, hashlib.blake2b(read, digest_size=16).digest())
        if key not in kept:
            if len(kept) >= _KEPT_LIMIT:
                kept.clear()
            kept[key] = violations_touching(database, user_id, first, last, now)
        found[user_id] = kept[key]
    return found


def _lines(
    database: Database,
    user_ids: list[int],
    team_id: int | None,
    zone: str,
    alsace_moselle: bool,
    held: Spans,
    start: datetime,
    end: datetime,
    now: datetime,
) -> tuple[list[PersonFigures], list[Violation]]:
    """One line per person (on-call hours split in `zone`'s calendar; night and working hours
    in each person's own zone), and every violation found, for rest health."""
    people = people_named(database, user_ids)
    days = _days(zone, start, end)
    zones: ZoneOffsets = {}
    if days:
        zones = {z: offsets(z, start, end) for z in {p["timezone"] for p in people}}
    holidays = holidays_between(alsace_moselle, days[0], days[1]) if days else []
    stretches = stretches_between(zone, alsace_moselle, start, end)
    work = intervention_counts(database, user_ids, team_id, start, end, zones)
    acked = acknowledged_counts(database, user_ids, team_id, start, end)
    woken = interruption_counts(database, user_ids, team_id, start, end, zones, holidays)
    tired = high_fatigue_counts(database, user_ids, start, end)
    rest = _violations(database, [p["id"] for p in people], days[0], days[1], now) if days else {}
    lines, violations = [], []
    for person in people:
        user_id = person["id"]
        split = split_hours(held.get(user_id, []), stretches)
        broken = rest.get(user_id, [])
        violations += broken
        done = work.get(user_id, {})
        interrupted = woken.get(user_id, {})
        lines.append(
            PersonFigures(
                user_id=user_id,
                name=person["name"],
                oncall_hours=hours(split.total),
                weekday_night_hours=hours(split.weekday_night),
                weekend_hours=hours(split.weekend),
                holiday_hours=hours(split.holiday),
                interventions=done.get("interventions", 0),
                night_interventions=done.get("night") or 0,
                intervention_seconds=done.get("seconds") or 0,
                acknowledged=acked.get(user_id, 0),
                interruptions=interrupted.get("interruptions", 0),
                sleep_interruptions=interrupted.get("sleep") or 0,
                off_hours_interruptions=interrupted.get("off_hours") or 0,
                violations=len(broken),
                high_fatigue_reports=tired.get(user_id, 0),
                share=None,
            )
        )
    return lines, violations


def team_load(
    database: Database, team: Team, start: datetime, end: datetime, now: datetime
) -> TeamLoad:
    """The team's active members and anyone who held its on-call time in [start, end), most
    on-call hours first, with their shares; and the team's rest health from the same run."""
    held = _held(database, [team.id], start, end)
    user_ids = sorted({m.user_id for m in members(database, team.id) if m.active} | set(held))
    lines, violations = _lines(
        database,
        user_ids,
        team.id,
        team.timezone,
        team.policy.alsace_moselle_holidays,
        held,
        start,
        end,
        now,
    )
    rest = RestHealth(
        violations=len(violations),
        people_with_violations=sum(1 for line in lines if line.violations),
        high_fatigue_reports=sum(line.high_fatigue_reports for line in lines),
        by_rule=rules_ranked(v.rule for v in violations),
    )
    return TeamLoad(people=with_shares(lines), rest=rest)


def people_figures(
    database: Database, team: Team, start: datetime, end: datetime, now: datetime
) -> list[PersonFigures]:
    return team_load(database, team, start, end, now).people


def own_load(
    database: Database, user_id: int, start: datetime, end: datetime, now: datetime
) -> PersonFigures:
    """The person's line over all their teams (and any team whose on-call time they held),
    in their own zone, public holidays of their first team's calendar; no share (there is no
    team to compare with)."""
    person = people_named(database, [user_id])
    zone = person[0]["timezone"] if person else "Europe/Paris"
    mine = list_shifts(database, user_id=user_id, start=start, end=end, statuses=TOLD)
    team_ids = sorted({t.id for t, _ in teams_of(database, user_id)} | {s.team_id for s in mine})
    held = {user_id: _held(database, team_ids, start, end).get(user_id, [])}
    alsace = policy_of(database, user_id).alsace_moselle
    lines, _ = _lines(database, [user_id], None, zone, alsace, held, start, end, now)
    return lines[0]
