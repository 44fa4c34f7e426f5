"""Benchmark of the rest engine on a year of work per person, at 100 to 5,000 people."""

import random
import statistics
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from server.rest.models import Period, RestPolicy
from server.rest.rules import check_rest

PARIS = ZoneInfo("Europe/Paris")
YEAR = 2026
ONCALL_EVERY_WEEKS = 5
INTERVENTIONS_PER_YEAR = 100
SEED = 20260101
HALF_HOUR = timedelta(minutes=30)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=PARIS)


def regular_work(year: int = YEAR) -> list[Period]:
    """Monday to Friday, 08:30–17:30, every week of the year."""
    day, periods = date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5:
            periods.append(Period(kind="work", start=_at(day, 8, 30), end=_at(day, 17, 30)))
        day += timedelta(days=1)
    return periods


def oncall_timeline(rng: random.Random, year: int = YEAR) -> list[Period]:
    """Weekly on-call shifts every ~5 weeks, holding 100 interventions in the year."""
    first_monday = date(year, 1, 1) + timedelta(days=-date(year, 1, 1).weekday() % 7)
    weeks = range(rng.randrange(ONCALL_EVERY_WEEKS), 52, ONCALL_EVERY_WEEKS)
    shifts = [
        (_at(monday, 17, 30), _at(monday + timedelta(days=7), 8, 30))
        for monday in (first_monday + timedelta(weeks=week) for week in weeks)
    ]
    periods = [Period(kind="oncall", start=start, end=end) for start, end in shifts]
    # Calls fall at random half-hours of the shifts, night and day alike.
    half_hours = [
        (start, k) for start, end in shifts for k in range((end - start) // HALF_HOUR - 3)
    ]
    for start, k in rng.sample(half_hours, INTERVENTIONS_PER_YEAR):
        call = start + k * HALF_HOUR
        length = timedelta(minutes=rng.choice((15, 30, 45, 60, 90)))
        periods.append(Period(kind="intervention", start=call, end=call + length))
    return periods


def timelines(people: int, seed: int = SEED) -> list[list[Period]]:
    rng = random.Random(seed)
    # The regular year is the same for everyone: share its (frozen) periods.
    work = regular_work()
    return [work + oncall_timeline(rng) for _ in range(people)]


def _seconds(policy: RestPolicy, people: Sequence[Sequence[Period]]) -> float:
    began = time.perf_counter()
    for periods in people:
        check_rest(policy, periods)
    return time.perf_counter() - began


def run(sizes: Sequence[int] = (100, 1000, 5000), repeats: int = 3) -> list[dict]:
    """Median time of check_rest over each number of people, and its cost per person."""
    policy = RestPolicy()
    everyone = timelines(max(sizes))
    results: list[dict] = []
    for size in sizes:
        people = everyone[:size]
        median = statistics.median(_seconds(policy, people) for _ in range(repeats))
        per_person = 1000 * median / size
        results.append(
            {
                "people": size,
                "periods_per_person": round(sum(map(len, people)) / size),
                "median_s": round(median, 3),
                "ms_per_person": round(per_person, 3),
                # Near 1.0 all the way down: the cost grows linearly with people.
                "per_person_vs_first": round(per_person / results[0]["ms_per_person"], 2)
                if results
                else 1.0,
            }
        )
    return results


def markdown(results: list[dict]) -> str:
    """A Markdown table of run()'s rows (the bench runner prints and records it)."""
    lines = [
        "| people | periods/person | median s | ms/person | per person vs first |",
        "|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['people']:,} | {r['periods_per_person']} | {r['median_s']:.3f}"
        f" | {r['ms_per_person']:.3f} | {r['per_person_vs_first']:.2f} |"
        for r in results
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(run()))
