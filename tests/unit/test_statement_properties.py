"""Properties of the statement engine over generated months, against a minute-by-minute oracle."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
import msgspec
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from server.statements.models import DayRates, Period, PremiumPercents, StatementPolicy
from server.statements.rules import compute_statement

# Months when each zone's clocks change (Lord Howe moves them by half an hour, Santiago at
# midnight), with 1 May, Christmas, and zones that never change them.
PLACES = [
    ("Europe/Paris", "2026-03"),
    ("Europe/Paris", "2026-10"),
    ("America/New_York", "2026-03"),
    ("America/New_York", "2026-11"),
    ("Australia/Lord_Howe", "2026-04"),
    ("Australia/Lord_Howe", "2026-10"),
    # Santiago's clocks change at midnight: 00:00 goes back to 23:00, or on to 01:00.
    ("America/Santiago", "2026-04"),
    ("America/Santiago", "2026-09"),
    ("Europe/Paris", "2026-05"),
    ("Europe/Paris", "2026-12"),
    ("Indian/Reunion", "2026-12"),
    ("UTC", "2026-05"),
]
KINDS = ("weekday", "saturday", "sunday", "holiday")
UP_TO_SIX = st.integers(0, 6)

rates = st.builds(DayRates, **{kind: st.integers(0, 500) for kind in KINDS})


def policies(zone: str):
    return st.builds(
        StatementPolicy,
        timezone=st.just(zone),
        holidays=st.sampled_from(["FR", "FR-alsace-moselle"]),
        night_start=st.sampled_from(["21:00", "22:30", "00:00", "01:15", "02:30", "05:00"]),
        night_end=st.sampled_from(["06:00", "02:30", "00:00", "07:45", "21:00", "05:00"]),
        oncall_cents_per_hour=rates,
        oncall_night_cents_per_hour=st.integers(0, 200),
        oncall_rest_minutes_per_hour=rates,
        hourly_wage_cents=st.integers(0, 5000),
        intervention_premium_percent=st.builds(
            PremiumPercents,
            night=st.integers(0, 100),
            **{kind: st.integers(0, 150) for kind in KINDS},
        ),
    )


@cache
def landmarks(zone_name: str, month: str) -> tuple[datetime, ...]:
    """Where mistakes hide: the month's first and last local midnights, and every instant
    the zone's clocks change in the days around it."""
    zone = ZoneInfo(zone_name)
    year, number = map(int, month.split("-"))
    first = datetime(year, number, 1, tzinfo=zone)
    following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
    # In UTC: arithmetic on times of one zone would be wall-clock arithmetic.
    found = [first.astimezone(UTC), following.astimezone(UTC)]
    moment = found[0] - timedelta(days=2)
    while moment < following.astimezone(UTC) + timedelta(days=2):
        offset = moment.astimezone(zone).utcoffset()
        if (moment + timedelta(hours=1)).astimezone(zone).utcoffset() != offset:
            minute = next(
                step
                for step in range(1, 61)
                if (moment + timedelta(minutes=step)).astimezone(zone).utcoffset() != offset
            )
            found.append(moment + timedelta(minutes=minute))
        moment += timedelta(hours=1)
    return tuple(found)


@st.composite
def period_lists(draw, zone: str, month: str, count=UP_TO_SIX) -> list[Period]:
    """On-call shifts and interventions on a minute grid around and across the month, half
    of them starting near a landmark."""
    marks = landmarks(zone, month)
    base = marks[0] - timedelta(days=2)
    found = []
    for _ in range(draw(count)):
        kind = draw(st.sampled_from(["oncall", "intervention"]))
        if draw(st.booleans()):
            start = draw(st.sampled_from(marks)) + timedelta(minutes=draw(st.integers(-720, 720)))
        else:
            start = base + timedelta(minutes=draw(st.integers(0, 35 * 1440)))
        longest = 4 * 1440 if kind == "oncall" else 600
        end = start + timedelta(minutes=draw(st.integers(1, longest)))
        travel = draw(st.integers(0, 90)) if kind == "intervention" else 0
        found.append(Period(kind=kind, start=start, end=end, travel_minutes=travel))
    return found


@st.composite
def scenes(draw, count=UP_TO_SIX) -> tuple[StatementPolicy, str, list[Period]]:
    """A policy, a month, and periods around it."""
    zone, month = draw(st.sampled_from(PLACES))
    return draw(policies(zone)), month, draw(period_lists(zone, month, count))


def half_up(numerator: int, denominator: int) -> int:
    quotient, remainder = divmod(numerator, denominator)
    return quotient + (2 * remainder >= denominator)


def minute_set(periods: list[Period], kind: str) -> set[datetime]:
    """The start of every minute the periods of `kind` cover, travel included."""
    covered = set()
    for period in periods:
        if period.kind != kind:
            continue
        before = timedelta(minutes=period.travel_minutes // 2)
        after = timedelta(minutes=period.travel_minutes) - before
        moment, end = period.start - before, period.end + after
        while moment < end:
            covered.add(moment)
            moment += timedelta(minutes=1)
    return covered


def oracle(policy: StatementPolicy, periods: list[Period], month: str) -> dict:
    """PAY.md read minute by minute: each minute's category from its wall clock reading."""
    zone = ZoneInfo(policy.timezone)
    year = int(month[:4])
    subdivision = "57" if policy.holidays == "FR-alsace-moselle" else None
    holiday_dates = set(holidays.France(years=year, subdiv=subdivision)) | {date(year, 5, 1)}
    night_start, night_end = (
        int(text[:2]) * 60 + int(text[3:]) for text in (policy.night_start, policy.night_end)
    )

    def category(moment: datetime) -> tuple[date, str, bool] | None:
        local = moment.astimezone(zone)
        if local.strftime("%Y-%m") != month:
            return None
        day = local.date()
        kind = (
            "holiday"
            if day in holiday_dates
            else {5: "saturday", 6: "sunday"}.get(day.weekday(), "weekday")
        )
        of_day = local.hour * 60 + local.minute
        if night_start < night_end:
            night = night_start <= of_day < night_end
        else:
            night = night_start > night_end and (of_day >= night_start or of_day < night_end)
        return day, kind, night

    def tally(kind: str) -> Counter:
        counts: Counter = Counter()
        for moment in minute_set(periods, kind):
            if found := category(moment):
                day, day_kind, night = found
                counts[day_kind] += 1
                counts["night"] += night
                counts["total"] += 1
                counts[("day", day)] += 1
                counts[("group", day_kind, (day.month, day.day) == (5, 1), night)] += 1
        return counts

    oncall, worked = tally("oncall"), tally("intervention")
    wage, premiums = policy.hourly_wage_cents, policy.intervention_premium_percent
    intervention_pay = 0
    for key, count in worked.items():
        if isinstance(key, tuple) and key[0] == "group":
            _, kind, may_1, night = key
            premium = max(getattr(premiums, kind), 100 if may_1 else 0)
            premium += premiums.night if night else 0
            intervention_pay += half_up(count * wage * (100 + premium), 6000)
    days = sorted(
        {key[1] for key in (*oncall, *worked) if isinstance(key, tuple) and key[0] == "day"}
    )
    return {
        "oncall_minutes": {name: oncall[name] for name in (*KINDS, "night", "total")},
        "intervention_minutes": {name: worked[name] for name in (*KINDS, "night", "total")},
        "oncall_pay_cents": sum(
            half_up(oncall[kind] * getattr(policy.oncall_cents_per_hour, kind), 60)
            for kind in KINDS
        )
        + half_up(oncall["night"] * policy.oncall_night_cents_per_hour, 60),
        "oncall_rest_minutes": sum(
            half_up(oncall[kind] * getattr(policy.oncall_rest_minutes_per_hour, kind), 60)
            for kind in KINDS
        ),
        "intervention_pay_cents": intervention_pay,
        "days": [
            {
                "date": day.isoformat(),
                "oncall_minutes": oncall[("day", day)],
                "intervention_minutes": worked[("day", day)],
            }
            for day in days
        ],
        "intervention_count": sum(
            period.kind == "intervention"
            and period.start.astimezone(zone).strftime("%Y-%m") == month
            for period in periods
        ),
    }


def figures(policy: StatementPolicy, periods: list[Period], month: str) -> dict:
    result = msgspec.to_builtins(compute_statement(policy, periods, month))
    assert result.pop("month") == month
    return result


@settings(max_examples=250, deadline=None)
@given(scenes())
def test_the_engine_agrees_with_a_minute_by_minute_reading(scene):
    policy, month, periods = scene

    assert figures(policy, periods, month) == oracle(policy, periods, month)


@settings(max_examples=40, deadline=None)
@given(scenes(), st.randoms(use_true_random=False))
def test_the_order_of_the_periods_does_not_matter(scene, random):
    policy, month, periods = scene
    shuffled = periods[:]
    random.shuffle(shuffled)

    assert figures(policy, shuffled, month) == figures(policy, periods, month)


@settings(max_examples=40, deadline=None)
@given(scenes(count=st.integers(1, 6)), st.data())
def test_an_oncall_shift_cut_in_two_adjacent_shifts_counts_the_same(scene, data):
    policy, month, periods = scene
    shifts = [p for p in periods if p.kind == "oncall"]
    assume(shifts)
    whole = data.draw(st.sampled_from(shifts))
    # Shifts last a minute or more; a cut may fall inside a minute.
    seconds = (whole.end - whole.start) // timedelta(seconds=1)
    cut = whole.start + timedelta(seconds=data.draw(st.integers(1, seconds - 1)))
    pieces = [
        Period(kind="oncall", start=whole.start, end=cut),
        Period(kind="oncall", start=cut, end=whole.end),
    ]
    cut_up = [p for p in periods if p is not whole] + pieces

    assert figures(policy, cut_up, month) == figures(policy, periods, month)


@settings(max_examples=40, deadline=None)
@given(scenes(), st.data())
def test_more_oncall_time_never_pays_less(scene, data):
    policy, month, periods = scene
    more = data.draw(period_lists(policy.timezone, month))
    added = periods + [p for p in more if p.kind == "oncall"]
    before, after = figures(policy, periods, month), figures(policy, added, month)

    assert after["oncall_pay_cents"] >= before["oncall_pay_cents"]
    assert after["oncall_rest_minutes"] >= before["oncall_rest_minutes"]
    assert after["oncall_minutes"]["total"] >= before["oncall_minutes"]["total"]
    # Interventions are their own: on-call time changes none of their figures.
    for name in ("intervention_minutes", "intervention_pay_cents", "intervention_count"):
        assert after[name] == before[name]
