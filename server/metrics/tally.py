"""Pure rules of alert tallies: what a team's alert figures of a span are made of, in a form
that adds up. Counts, heat map cells, alerts per local day and each problem's alerts,
intervention time and returns add; percentiles do not, so each distribution is kept as its
durations in ascending order and the nearest-rank median and 90th percentile (alerts.py) are
taken over the sorted runs of several spans by bisection, without merging them."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from dataclasses import dataclass, field

from server.metrics.alerts import NO_DURATIONS, heat_map_of, rate
from server.metrics.models import AlertFigures, Durations, Problem

DISTRIBUTIONS = ("acknowledge", "resolve", "intervene", "work")


@dataclass(frozen=True)
class ProblemTally:
    source_key: str
    title_key: str
    alerts: int
    seconds: int  # linked intervention time, travel included
    returns: int
    latest: str  # the latest alert's creation (stored text)
    source: str  # as the latest alert spells it
    title: str


@dataclass(frozen=True)
class Tally:
    """A team's alerts created in one span (and interventions started in it)."""

    alerts: int
    acknowledged: int
    escalated: int
    # kind (DISTRIBUTIONS) → whole seconds, ascending
    durations: dict[str, array]
    cells: list[tuple[int, int, int]]  # (weekday, local hour, alerts)
    per_day: dict[str, int]  # local day YYYY-MM-DD → alerts
    problems: list[ProblemTally] = field(default_factory=list)


def nth_smallest(runs: list[array], rank: int) -> int:
    """The value at `rank` (from 1) of the sorted runs taken together: the smallest value with
    at least `rank` values at or below it, found by bisection on the values (each step counts
    with one bisect per run: a few dozen steps whatever the number of durations)."""
    runs = [run for run in runs if run]
    low, high = min(run[0] for run in runs), max(run[-1] for run in runs)
    while low < high:
        middle = (low + high) // 2
        if sum(bisect_right(run, middle) for run in runs) >= rank:
            high = middle
        else:
            low = middle + 1
    return low


def durations_of(runs: list[array]) -> Durations:
    """Count, mean and the nearest-rank median (rank ceil(n / 2)) and 90th percentile (rank
    ceil(9n / 10)) of the sorted runs together."""
    count = sum(len(run) for run in runs)
    if not count:
        return NO_DURATIONS
    return Durations(
        count=count,
        mean_seconds=sum(sum(run) for run in runs) / count,
        median_seconds=float(nth_smallest(runs, (count + 1) // 2)),
        p90_seconds=float(nth_smallest(runs, (9 * count + 9) // 10)),
    )


def alert_figures_of(tallies: list[Tally], hours: float) -> AlertFigures:
    """The alert figures of the spans together, over `hours` (the period read)."""
    alerts = sum(t.alerts for t in tallies)
    acknowledged = sum(t.acknowledged for t in tallies)
    escalated = sum(t.escalated for t in tallies)
    runs = {kind: [t.durations[kind] for t in tallies] for kind in DISTRIBUTIONS}
    work = durations_of(runs["work"])
    return AlertFigures(
        alerts=alerts,
        hours=hours,
        alerts_per_hour=alerts / hours if hours else 0.0,
        acknowledged=acknowledged,
        acknowledgement_rate=rate(acknowledged, alerts),
        escalated=escalated,
        escalation_rate=rate(escalated, alerts),
        time_to_acknowledge=durations_of(runs["acknowledge"]),
        time_to_resolve=durations_of(runs["resolve"]),
        time_to_intervene=durations_of(runs["intervene"]),
        intervention_duration=work,
        interventions=work.count,
        heat_map=heat_map_of([cell for t in tallies for cell in t.cells]),
    )


def per_day_of(tallies: list[Tally]) -> dict[str, int]:
    found: dict[str, int] = {}
    for tally in tallies:
        for day, alerts in tally.per_day.items():
            found[day] = found.get(day, 0) + alerts
    return found


def problems_of(tallies: list[Tally], limit: int = 20) -> tuple[list[Problem], list[Problem]]:
    """The first `limit` problems by alerts (then intervention time, title, source) and the
    first `limit` by intervention time over those that took any (then alerts, title, source),
    each spelt as its latest alert of the spans (alerts.py: ranked_problems)."""
    merged: dict[tuple[str, str], list] = {}
    for tally in tallies:
        for p in tally.problems:
            key = (p.source_key, p.title_key)
            found = merged.get(key)
            if found is None:
                merged[key] = [p.alerts, p.seconds, p.returns, p.latest, p.source, p.title]
                continue
            found[0] += p.alerts
            found[1] += p.seconds
            found[2] += p.returns
            if p.latest > found[3]:
                found[3:] = [p.latest, p.source, p.title]
    listed = [
        (
            (-values[0], -values[1], key[1], key[0]),
            (-values[1], -values[0], key[1], key[0]),
            Problem(
                source=values[4],
                title=values[5],
                alerts=values[0],
                intervention_seconds=values[1],
                returns=values[2],
            ),
        )
        for key, values in merged.items()
    ]
    # The orders of store/alerts.py: problems (title then source break ties).
    by_alerts = sorted(listed, key=lambda item: item[0])
    by_time = sorted(
        (item for item in listed if item[2].intervention_seconds > 0), key=lambda item: item[1]
    )
    return [item[2] for item in by_alerts[:limit]], [item[2] for item in by_time[:limit]]
