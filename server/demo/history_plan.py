"""A year of a demo team's alerts, decided before anything is written: when they come (a few a
day, more at business-hour peaks and on Monday mornings), what they are (history_catalogue),
who each escalation step paged (the engine's own rules: alerts/rules.py), who acknowledged
after how long, what reached their phones, the intervention that followed and who felt tired
after a night out. Pure: a seeded random.Random and the schedule as values, no database."""

from __future__ import annotations

import heapq
import itertools
import math
import random
import uuid
from bisect import bisect_right
from datetime import datetime, timedelta

from server.alerts.rules import due_at, timeline_of, who_to_page
from server.demo.history_catalogue import Problem
from server.demo.history_models import (
    AlertPlan,
    Busy,
    Crew,
    Delivery,
    Event,
    Fatigue,
    History,
    Paging,
    Work,
)
from server.statements.calendar import public_holidays

HOUR = timedelta(hours=1)
# The e-mail rule every demo person has (notifications' DEFAULT_RULES): five minutes after a
# page, unless someone acknowledged first.
EMAIL_DELAY = timedelta(minutes=5)
OUTCOMES = ("resolved", "temporary", "follow_up", "escalated")
OUTCOME_WEIGHTS = (75, 15, 7, 3)
# A temporary fix: the same problem comes back this often, within a week.
RETURN_AFTER_TEMPORARY = 0.6
# After a night intervention, this share of people say how tired they are.
FATIGUE_REPORTED = 0.25
FATIGUE_SCORES = (3, 4, 5, 6, 7, 8, 9)
FATIGUE_WEIGHTS = (1, 2, 3, 3, 3, 2, 1)


def hourly_rate(weekday: int, hour: int, holiday: bool) -> float:
    """Alerts an hour a demo team gets on average (local time): the business-hour peaks and
    Monday mornings (the weekend's problems found when people come back), quiet nights."""
    if weekday >= 5 or holiday:
        return 0.12 if 8 <= hour < 22 else 0.05
    if 8 <= hour < 18:
        if weekday == 0 and hour < 11:
            return 0.8
        return 0.4 if hour in (9, 10, 14, 15) else 0.25
    if 18 <= hour < 22 or hour == 7:
        return 0.1
    return 0.05


def plan_history(
    crew: Crew, start: datetime, end: datetime, rng: random.Random, busy: Busy
) -> History:
    """The team's alerts created in [start, end), every one resolved before `end`; `busy`
    holds each person's interventions already there (sorted), and gets the planned ones."""
    order = itertools.count()
    arrivals = _arrivals(crew, start, end, rng)
    queue = [(at, next(order), problem, site) for at, problem, site in arrivals]
    heapq.heapify(queue)
    open_by_title: dict[str, AlertPlan] = {}
    alerts: list[AlertPlan] = []
    fatigue: list[Fatigue] = []
    while queue:
        at, _, problem, site = heapq.heappop(queue)
        title = problem.title(site)
        current = open_by_title.get(title)
        if current is not None and current.resolved_at > at:
            # The source sends it again while it is open: one alert, counted again.
            current.event_count += 1
            current.events.append(Event(at, "repeated", problem.source, {"title": title}))
            continue
        plan = _alert(crew, problem, site, at, rng, busy)
        if plan.resolved_at >= end:
            continue
        alerts.append(plan)
        open_by_title[title] = plan
        work = plan.work
        if work is None:
            continue
        if work.outcome == "temporary" and rng.random() < RETURN_AFTER_TEMPORARY:
            back = plan.resolved_at + timedelta(hours=rng.uniform(10, 150))
            if back < end - timedelta(days=1):
                heapq.heappush(queue, (back, next(order), problem, site))
        local_hour = work.started_at.astimezone(crew.zone).hour
        if (local_hour >= 22 or local_hour < 8) and rng.random() < FATIGUE_REPORTED:
            score = rng.choices(FATIGUE_SCORES, FATIGUE_WEIGHTS)[0]
            fatigue.append(Fatigue(work.user_id, score, work.ended_at + timedelta(minutes=15)))
    for plan in alerts:
        plan.events.sort(key=lambda event: event.at)
    return History(alerts, fatigue)


def _arrivals(
    crew: Crew, start: datetime, end: datetime, rng: random.Random
) -> list[tuple[datetime, Problem, str]]:
    """When alerts come, hour by hour (a Poisson count each hour), and what they are; the last
    day before `end` is left quiet so everything is resolved by then."""
    problems = crew.problems
    summer = list(itertools.accumulate(p.weight for p in problems))
    winter = list(itertools.accumulate(p.weight * p.winter for p in problems))
    found = []
    moment = start
    last = end - timedelta(days=1)
    while moment < last:
        local = moment.astimezone(crew.zone)
        holiday = local.date() in public_holidays("FR", local.year)
        rate = hourly_rate(local.weekday(), local.hour, holiday)
        weights = winter if local.month in (11, 12, 1, 2, 3) else summer
        for _ in range(_poisson(rng, rate)):
            at = moment + timedelta(seconds=rng.randrange(3600))
            problem = rng.choices(problems, cum_weights=weights)[0]
            found.append((at, problem, rng.choice(problem.sites)))
        moment += HOUR
    return found


def _poisson(rng: random.Random, rate: float) -> int:
    """Knuth's method: fine for the few alerts an hour here."""
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _minutes(rng: random.Random, median: float, sigma: float, low: float, high: float) -> float:
    return min(high, max(low, rng.lognormvariate(math.log(median), sigma)))


def _ack_median(hour: int) -> float:
    """Minutes to acknowledge, typically: longer when woken at night."""
    if hour >= 23 or hour < 7:
        return 3.0
    return 2.0


def _alert(
    crew: Crew, problem: Problem, site: str, at: datetime, rng: random.Random, busy: Busy
) -> AlertPlan:
    title = problem.title(site)
    local = at.astimezone(crew.zone)
    flapping = rng.random() < problem.flapping
    if flapping:
        ack_at = None
        stop = at + timedelta(seconds=rng.uniform(90, 280))
    else:
        ack_at = at + timedelta(minutes=_minutes(rng, _ack_median(local.hour), 0.65, 0.5, 50))
        stop = ack_at
    events = [Event(at, "created", problem.source, {"severity": problem.severity})]
    paged, step, round_ = _escalate(crew, at, stop, events)
    acker = None
    if ack_at is not None:
        on_call = crew.schedule.holder("primary", at) or crew.schedule.holder("secondary", at)
        people = list(dict.fromkeys(person for person, _, _ in paged))
        # Nobody on call (business hours): whoever is at work takes it.
        acker = rng.choice(people) if on_call and people else rng.choice(crew.members)
    work = None
    if ack_at is not None and acker is not None and rng.random() < problem.handled:
        work = _work(crew, problem, site, acker, ack_at, rng, busy)
    if work is not None:
        resolved_at = work.ended_at + timedelta(minutes=rng.uniform(1, 8))
    elif ack_at is not None:
        resolved_at = ack_at + timedelta(minutes=_minutes(rng, 20, 0.9, 2, 480))
    else:
        resolved_at = stop
    pages = [
        _paging(crew, person, when, reason, acker, ack_at, stop, rng)
        for person, when, reason in paged
    ]
    deliveries = [(page, d) for page in pages for d in page.deliveries]
    for page, delivery in deliveries:
        if delivery.status == "sent":
            events.append(
                Event(
                    delivery.sent_at or delivery.due,
                    "delivery",
                    "",
                    {
                        "channel": delivery.channel,
                        "name": crew.names[page.user_id],
                        "status": "sent",
                        "code": delivery.code,
                        "error": "",
                    },
                )
            )
    cancelled = sum(1 for _, d in deliveries if d.status == "cancelled")
    if ack_at is not None and acker is not None:
        email = crew.emails[acker]
        events.append(Event(ack_at, "acknowledged", email, {"cancelled": cancelled}))
        events.append(Event(resolved_at, "resolved", email, {"cancelled": 0}))
    else:
        events.append(Event(resolved_at, "resolved", problem.source, {"cancelled": cancelled}))
    return AlertPlan(
        source=problem.source,
        title=title,
        severity=problem.severity,
        created_at=at,
        acknowledged_at=ack_at,
        acknowledged_by=acker,
        resolved_at=resolved_at,
        resolved_by=acker,
        step=step,
        round=round_,
        events=events,
        pages=pages,
        work=work,
    )


def _escalate(
    crew: Crew, at: datetime, stop: datetime, events: list[Event]
) -> tuple[list[tuple[int, datetime, str]], int, int]:
    """The policy's steps fired from `at` until someone acknowledges (or the source resolves
    it) at `stop`, as the engine fires them: who each paged, and the cursor left."""
    policy = crew.policy
    step, round_ = 0, 0
    fire_at: datetime | None = at
    paged: list[tuple[int, datetime, str]] = []
    while fire_at is not None and (fire_at == at or fire_at < stop):
        decided = who_to_page(
            policy,
            step,
            round_,
            primary=crew.schedule.holder("primary", fire_at),
            secondary=crew.schedule.holder("secondary", fire_at),
            primary_score=None,
            managers=crew.managers,
            team=crew.members,
            assigned=None,
        )
        paged.extend((person, fire_at, decided.reason) for person in decided.firing.people)
        events.extend(
            Event(fire_at, kind, "", detail)
            for kind, detail in timeline_of(decided, policy, round_, crew.names)
        )
        if decided.following is None:
            break
        step, round_ = decided.following
        fire_at = due_at(policy, fire_at, step)
    return paged, step, round_


def _paging(
    crew: Crew,
    person: int,
    at: datetime,
    reason: str,
    acker: int | None,
    ack_at: datetime | None,
    stop: datetime,
    rng: random.Random,
) -> Paging:
    """A page's deliveries: push at once (and the SMS gateway for some), e-mail five minutes
    later unless the alert was acknowledged or resolved by then."""
    pushed = at + timedelta(seconds=rng.uniform(1, 4))
    deliveries = [Delivery("push", "sent", at, pushed, 201, None)]
    if person in crew.webhook:
        sent = at + timedelta(seconds=rng.uniform(1, 3))
        deliveries.append(Delivery("webhook", "sent", at, sent, 200, None))
    email_due = at + EMAIL_DELAY
    if email_due < stop:
        sent = email_due + timedelta(seconds=rng.uniform(2, 6))
        deliveries.append(Delivery("email", "sent", email_due, sent, 250, None))
    else:
        why = "acknowledged" if ack_at is not None else "resolved"
        deliveries.append(Delivery("email", "cancelled", email_due, None, None, why))
    read_at = ack_at if person == acker and ack_at else stop + timedelta(minutes=rng.uniform(1, 90))
    return Paging(person, at, reason, read_at, tuple(deliveries))


def _work(
    crew: Crew,
    problem: Problem,
    site: str,
    person: int,
    ack_at: datetime,
    rng: random.Random,
    busy: Busy,
) -> Work | None:
    """The acknowledging person's intervention, unless they were busy with another then."""
    on_site = rng.random() < problem.on_site
    travel = rng.choice((15, 20, 25, 30, 40, 45)) if on_site else 0
    started = ack_at + timedelta(minutes=_minutes(rng, 4, 0.6, 1, 30) + travel)
    ended = started + timedelta(minutes=_minutes(rng, problem.minutes, 0.5, 5, 300))
    held = busy.setdefault(person, [])
    gone = started - timedelta(minutes=travel)
    index = bisect_right(held, (gone, gone))
    neighbours = held[max(0, index - 2) : index + 2]
    if any(start < ended and gone < end for start, end in neighbours):
        return None
    held.insert(index, (gone, ended))
    return Work(
        uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        user_id=person,
        started_at=started,
        ended_at=ended,
        travel_minutes=travel,
        place=site,
        mode="on_site" if on_site else "remote",
        done=rng.choice(problem.done),
        outcome=rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0],
    )
