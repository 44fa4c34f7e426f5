"""The statement of a month (PAY.md): a pure function of the policy, the periods and the month.

Time is counted in whole microseconds (timestamps may carry fractions of a second; with whole
seconds every figure is PAY.md's "exact seconds"), and each figure is rounded half up on its
own from those exact sums.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.rest.rules import merge_intervals
from server.statements.calendar import Stretch, month_stretches, public_holidays
from server.statements.models import (
    DAY_KINDS,
    DayKind,
    DayLine,
    DayRates,
    Minutes,
    Period,
    Statement,
    StatementPolicy,
    clock_minutes,
    parse_month,
)

SECOND = 1_000_000  # microseconds
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Span = tuple[int, int]  # [start, end) in microseconds since the epoch


def round_half_up(numerator: int, denominator: int) -> int:
    """round_half_up(n / d) for non-negative integers, as PAY.md writes it."""
    return (2 * numerator + denominator) // (2 * denominator)


def compute_statement(policy: StatementPolicy, periods: Iterable[Period], month: str) -> Statement:
    """The statement of `month` (YYYY-MM) for one person's on-call periods and interventions.

    Raises ValueError (starting with "month") for a month that is not YYYY-MM.
    """
    year, number = parse_month(month)
    periods = list(periods)
    stretches = _stretches(policy, year, number)
    oncall = merge_intervals(_span(p.start, p.end) for p in periods if p.kind == "oncall")
    interventions = [p for p in periods if p.kind == "intervention"]
    worked = merge_intervals(_widened(p) for p in interventions)
    oncall_time = _split(oncall, stretches)
    worked_time = _split(worked, stretches)
    zone = ZoneInfo(policy.timezone)
    started = sum(
        (local.year, local.month) == (year, number)
        for local in (p.start.astimezone(zone) for p in interventions)
    )
    return Statement(
        month=month,
        days=_days(oncall_time, worked_time),
        oncall_minutes=_minutes(oncall_time),
        oncall_pay_cents=_oncall_pay(oncall_time, policy),
        oncall_rest_minutes=sum(
            round_half_up(_by_kind(oncall_time, kind) * rate, HOUR)
            for kind, rate in _rates(policy.oncall_rest_minutes_per_hour)
        ),
        intervention_count=started,
        intervention_minutes=_minutes(worked_time),
        intervention_pay_cents=_intervention_pay(worked_time, policy),
    )


def _stretches(policy: StatementPolicy, year: int, month: int) -> tuple[Stretch, ...]:
    if isinstance(policy.holidays, str):
        # A month's stretches can reach no other year than its own.
        holidays = public_holidays(policy.holidays, year)
    else:
        holidays = frozenset(day for day in policy.holidays if day.year == year)
    return month_stretches(
        policy.timezone,
        holidays,
        clock_minutes(policy.night_start),
        clock_minutes(policy.night_end),
        year,
        month,
    )


def _span(start: datetime, end: datetime) -> Span:
    return _microseconds(start), _microseconds(end)


def _microseconds(moment: datetime) -> int:
    # Subtracting an aware UTC instant goes through UTC offsets, so the fold counts.
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _widened(intervention: Period) -> Span:
    """The intervention with its travel: half (rounded down) before, the rest after."""
    start, end = _span(intervention.start, intervention.end)
    before = intervention.travel_minutes // 2
    after = intervention.travel_minutes - before
    return start - before * MINUTE, end + after * MINUTE


def _split(spans: list[Span], stretches: tuple[Stretch, ...]) -> list[tuple[Stretch, int]]:
    """Microseconds of `spans` in each stretch of the month (both lists sorted, disjoint);
    time outside the month's stretches is clipped away."""
    found: list[tuple[Stretch, int]] = []
    index = 0
    for stretch in stretches:
        low, high = stretch.start * SECOND, stretch.end * SECOND
        while index < len(spans) and spans[index][1] <= low:
            index += 1
        overlap, ahead = 0, index
        while ahead < len(spans) and spans[ahead][0] < high:
            overlap += min(high, spans[ahead][1]) - max(low, spans[ahead][0])
            ahead += 1
        if overlap:
            found.append((stretch, overlap))
    return found


def _by_kind(time: list[tuple[Stretch, int]], kind: DayKind) -> int:
    return sum(amount for stretch, amount in time if stretch.kind == kind)


def _rates(rates: DayRates) -> list[tuple[DayKind, int]]:
    return [(kind, getattr(rates, kind)) for kind in DAY_KINDS]


def _minutes(time: list[tuple[Stretch, int]]) -> Minutes:
    night = sum(amount for stretch, amount in time if stretch.night)
    total = sum(amount for _, amount in time)
    by_kind = {kind: round_half_up(_by_kind(time, kind), MINUTE) for kind in DAY_KINDS}
    return Minutes(
        **by_kind, night=round_half_up(night, MINUTE), total=round_half_up(total, MINUTE)
    )


def _oncall_pay(time: list[tuple[Stretch, int]], policy: StatementPolicy) -> int:
    night = sum(amount for stretch, amount in time if stretch.night)
    by_kind = sum(
        round_half_up(_by_kind(time, kind) * rate, HOUR)
        for kind, rate in _rates(policy.oncall_cents_per_hour)
    )
    return by_kind + round_half_up(night * policy.oncall_night_cents_per_hour, HOUR)


def _intervention_pay(time: list[tuple[Stretch, int]], policy: StatementPolicy) -> int:
    """Each group (kind of day, 1 May or not, night or not) at the wage plus its premium."""
    groups: dict[tuple[DayKind, bool, bool], int] = defaultdict(int)
    for stretch, amount in time:
        groups[stretch.kind, stretch.may_1, stretch.night] += amount
    premiums = policy.intervention_premium_percent
    pay = 0
    for (kind, may_1, night), amount in groups.items():
        premium = getattr(premiums, kind)
        if may_1:
            premium = max(premium, 100)  # L3133-6: work on 1 May is paid at least double
        if night:
            premium += premiums.night
        pay += round_half_up(amount * policy.hourly_wage_cents * (100 + premium), 100 * HOUR)
    return pay


def _days(oncall: list[tuple[Stretch, int]], worked: list[tuple[Stretch, int]]) -> list[DayLine]:
    """Each local date with a (rounded) minute of on-call or intervention, in order."""
    on_call_by_day: dict[date, int] = defaultdict(int)
    worked_by_day: dict[date, int] = defaultdict(int)
    for stretch, amount in oncall:
        on_call_by_day[stretch.day] += amount
    for stretch, amount in worked:
        worked_by_day[stretch.day] += amount
    lines = []
    for day in sorted(on_call_by_day.keys() | worked_by_day.keys()):
        line = DayLine(
            date=day,
            oncall_minutes=round_half_up(on_call_by_day[day], MINUTE),
            intervention_minutes=round_half_up(worked_by_day[day], MINUTE),
        )
        if line.oncall_minutes or line.intervention_minutes:
            lines.append(line)
    return lines
