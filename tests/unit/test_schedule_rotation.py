"""Rotations walked through time: a year of weekly on-call across both clock changes, checked
instant by instant against a hand-written oracle (GoAlert's rotation_test.go), plus properties."""

from __future__ import annotations

import bisect
import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.schedules.models import Coverage, PlannedShift, RotationSpec
from server.schedules.rotation import (
    MIN_PIECE,
    exists,
    localize,
    missing_handoffs,
    plan_shifts,
    turn_bounds,
    turn_index_at,
)

PARIS = ZoneInfo("Europe/Paris")
QUARTER = timedelta(minutes=15)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
PEOPLE = (11, 22, 33, 44)
FIRST_MONDAY = date(2026, 1, 5)

WEEKLY = RotationSpec(
    timezone="Europe/Paris",
    participants=PEOPLE,
    start_date=FIRST_MONDAY,
    handoff_time="08:00",
    length=1,
    length_unit="weeks",
    coverage=Coverage(),
)
YEAR_START = datetime(2026, 1, 5, 8, tzinfo=PARIS)
YEAR_END = datetime(2027, 1, 4, 8, tzinfo=PARIS)

# Written out by hand (not taken from the `holidays` package the code uses): the French public
# holidays that fall in the walked year. Easter 2026 is 5 April.
HOLIDAYS = {
    date(2026, 1, 1): "Jour de l'an",
    date(2026, 4, 6): "Lundi de Pâques",
    date(2026, 5, 1): "Fête du travail",
    date(2026, 5, 8): "Victoire 1945",
    date(2026, 5, 14): "Ascension",
    date(2026, 5, 25): "Lundi de Pentecôte",
    date(2026, 7, 14): "Fête nationale",
    date(2026, 8, 15): "Assomption",
    date(2026, 11, 1): "Toussaint",
    date(2026, 11, 11): "Armistice",
    date(2026, 12, 25): "Noël",
    date(2027, 1, 1): "Jour de l'an",
}


# --- the oracle: plain wall-clock reasoning, no rotation code --------------------------------


def is_business(moment: datetime) -> bool:
    local = moment.astimezone(PARIS)
    return (
        local.weekday() < 5 and local.date() not in HOLIDAYS and time(8) <= local.time() < time(18)
    )


def weekly_turn(moment: datetime) -> int:
    """Turn k runs from the k-th Monday 08:00 (Paris) after 5 January 2026 to the next one."""
    local = moment.astimezone(PARIS)
    monday = local.date() - timedelta(days=local.weekday())
    if local.weekday() == 0 and local.time() < time(8):
        monday -= timedelta(weeks=1)
    return (monday - FIRST_MONDAY).days // 7


def expected_weekly(moment: datetime) -> int | None:
    return None if is_business(moment) else PEOPLE[weekly_turn(moment) % 4]


def utc_steps(start: datetime, end: datetime, step: timedelta = QUARTER) -> list[datetime]:
    moment, out = start.astimezone(UTC), []
    while moment < end:
        out.append(moment)
        moment += step
    return out


class Plan:
    """A plan with a lookup of who covers an instant (bisect over sorted piece starts)."""

    def __init__(self, pieces: list[PlannedShift]) -> None:
        self.pieces = pieces
        self.starts = [p.starts_at for p in pieces]

    def covering(self, moment: datetime) -> list[PlannedShift]:
        # Pieces never overlap (checked below), so only the last one starting at or before
        # `moment` and its neighbour can hold it; look at a few to catch an overlap anyway.
        index = bisect.bisect_right(self.starts, moment)
        near = self.pieces[max(0, index - 3) : index + 1]
        return [p for p in near if p.starts_at <= moment < p.ends_at]

    def who(self, moment: datetime) -> int | None:
        found = self.covering(moment)
        assert len(found) <= 1, f"two people on call at {moment}: {found}"
        return found[0].user_id if found else None


@pytest.fixture(scope="module")
def year() -> Plan:
    return Plan(plan_shifts(WEEKLY, YEAR_START, YEAR_END))


# --- the weekly rotation over a year ----------------------------------------------------------


def test_year_plan_is_sorted_and_never_overlaps(year: Plan) -> None:
    assert year.pieces, "a year of on-call produced no shift"
    for before, after in zip(year.pieces, year.pieces[1:], strict=False):
        assert before.starts_at < before.ends_at
        assert before.ends_at <= after.starts_at, (before, after)
    assert year.pieces[0].starts_at == datetime(2026, 1, 5, 18, tzinfo=PARIS)
    assert year.pieces[-1].ends_at == YEAR_END


def test_year_walk_every_quarter_hour(year: Plan) -> None:
    mismatches = []
    for moment in utc_steps(YEAR_START, YEAR_END):
        expected, actual = expected_weekly(moment), year.who(moment)
        if expected != actual:
            mismatches.append((moment.astimezone(PARIS).isoformat(), expected, actual))
    assert mismatches[:5] == []


def test_year_walk_one_minute_around_every_boundary(year: Plan) -> None:
    boundaries = {p.starts_at for p in year.pieces} | {p.ends_at for p in year.pieces}
    day = YEAR_START.date()
    while day <= YEAR_END.date():
        for hour in (0, 8, 18):
            boundaries.add(datetime.combine(day, time(hour), tzinfo=PARIS))
        day += timedelta(days=1)
    mismatches = []
    for boundary in sorted(boundaries):
        for moment in (boundary - MINUTE, boundary, boundary + MINUTE):
            if not YEAR_START <= moment < YEAR_END:
                continue
            expected, actual = expected_weekly(moment), year.who(moment)
            if expected != actual:
                mismatches.append((moment.astimezone(PARIS).isoformat(), expected, actual))
    assert mismatches[:5] == []


def test_year_covered_hours_match_a_naive_walk(year: Plan) -> None:
    # 364 days = 8736 h; 52 weeks × 5 weekdays = 260, less 9 weekday holidays (6 Apr, 1 May,
    # 8 May, 14 May, 25 May, 14 Jul, 11 Nov, 25 Dec, 1 Jan 2027) = 251 days × 10 h = 2510 h.
    by_hand = 8736 - 2510
    walked: dict[int, int] = {}
    for moment in utc_steps(YEAR_START, YEAR_END):
        person = expected_weekly(moment)
        if person is not None:
            walked[person] = walked.get(person, 0) + 1
    assert sum(walked.values()) / 4 == by_hand

    planned: dict[int, timedelta] = {}
    for piece in year.pieces:
        planned[piece.user_id] = planned.get(piece.user_id, timedelta()) + (
            piece.ends_at - piece.starts_at
        )
    assert sum(planned.values(), timedelta()) == timedelta(hours=by_hand)
    assert {person: hours / HOUR for person, hours in planned.items()} == {
        person: quarters / 4 for person, quarters in walked.items()
    }


def test_every_handoff_is_monday_0800_paris() -> None:
    for index in range(53):
        start, end = turn_bounds(WEEKLY, index)
        for moment in (start, end):
            local = moment.astimezone(PARIS)
            assert (local.weekday(), local.hour, local.minute) == (0, 8, 0), (index, local)
    assert turn_bounds(WEEKLY, 0)[0] == YEAR_START
    assert turn_bounds(WEEKLY, 51)[1] == YEAR_END


@pytest.mark.parametrize(
    ("index", "start_utc", "end_utc", "hours", "person"),
    [
        # Clocks go forward on Sunday 29 March: that week is 167 h long.
        (10, datetime(2026, 3, 16, 7, tzinfo=UTC), datetime(2026, 3, 23, 7, tzinfo=UTC), 168, 33),
        (11, datetime(2026, 3, 23, 7, tzinfo=UTC), datetime(2026, 3, 30, 6, tzinfo=UTC), 167, 44),
        (12, datetime(2026, 3, 30, 6, tzinfo=UTC), datetime(2026, 4, 6, 6, tzinfo=UTC), 168, 11),
        # Clocks go back on Sunday 25 October: that week is 169 h long.
        (40, datetime(2026, 10, 12, 6, tzinfo=UTC), datetime(2026, 10, 19, 6, tzinfo=UTC), 168, 11),
        (41, datetime(2026, 10, 19, 6, tzinfo=UTC), datetime(2026, 10, 26, 7, tzinfo=UTC), 169, 22),
        (42, datetime(2026, 10, 26, 7, tzinfo=UTC), datetime(2026, 11, 2, 7, tzinfo=UTC), 168, 33),
    ],
)
def test_turns_around_the_clock_changes(
    year: Plan, index: int, start_utc: datetime, end_utc: datetime, hours: int, person: int
) -> None:
    assert turn_bounds(WEEKLY, index) == (start_utc, end_utc)
    assert (end_utc - start_utc) / HOUR == hours
    assert turn_index_at(WEEKLY, start_utc) == index
    assert turn_index_at(WEEKLY, end_utc - timedelta(microseconds=1)) == index
    assert year.who(end_utc - MINUTE) == person


@pytest.mark.parametrize(
    ("start", "end", "person"),
    [
        # The weekend across the spring change is 61 h, the one across the autumn change 63 h.
        (datetime(2026, 3, 27, 17, tzinfo=UTC), datetime(2026, 3, 30, 6, tzinfo=UTC), 44),
        (datetime(2026, 10, 23, 16, tzinfo=UTC), datetime(2026, 10, 26, 7, tzinfo=UTC), 22),
        # Easter Monday: the weekend runs to the hand-off, the next person takes the whole day.
        (datetime(2026, 4, 3, 16, tzinfo=UTC), datetime(2026, 4, 6, 6, tzinfo=UTC), 11),
        (datetime(2026, 4, 6, 6, tzinfo=UTC), datetime(2026, 4, 7, 6, tzinfo=UTC), 22),
        # Christmas on a Friday: Thursday 18:00 to the Monday hand-off in one piece.
        (datetime(2026, 12, 24, 17, tzinfo=UTC), datetime(2026, 12, 28, 7, tzinfo=UTC), 33),
    ],
)
def test_pieces_computed_by_hand(year: Plan, start: datetime, end: datetime, person: int) -> None:
    assert PlannedShift(user_id=person, starts_at=start, ends_at=end) in year.pieces


def test_pieces_are_contiguous_within_a_turn_except_business_hours(year: Plan) -> None:
    by_turn: dict[int, list[PlannedShift]] = {}
    for piece in year.pieces:
        by_turn.setdefault(weekly_turn(piece.starts_at), []).append(piece)
    assert sorted(by_turn) == list(range(52))
    for index, pieces in by_turn.items():
        turn_start, turn_end = turn_bounds(WEEKLY, index)
        assert {p.user_id for p in pieces} == {PEOPLE[index % 4]}
        first = pieces[0].starts_at.astimezone(PARIS)
        if first.date() in HOLIDAYS:
            assert pieces[0].starts_at == turn_start
        else:
            assert (first.date(), first.hour) == (turn_start.astimezone(PARIS).date(), 18)
        assert pieces[-1].ends_at == turn_end
        for before, after in itertools.pairwise(pieces):
            closes, opens = before.ends_at.astimezone(PARIS), after.starts_at.astimezone(PARIS)
            # The only holes are one working day's 08:00–18:00.
            assert closes.date() == opens.date(), (before, after)
            assert (closes.time(), opens.time()) == (time(8), time(18))
            assert closes.weekday() < 5 and closes.date() not in HOLIDAYS


IN_YEAR = [day for day in sorted(HOLIDAYS) if YEAR_START.date() <= day < YEAR_END.date()]


@pytest.mark.parametrize("day", IN_YEAR, ids=[day.isoformat() for day in IN_YEAR])
def test_public_holidays_are_covered_all_day(year: Plan, day: date) -> None:
    start = datetime.combine(day, time(0), tzinfo=PARIS)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=PARIS)
    for moment in utc_steps(start, end):
        assert year.who(moment) is not None, moment.astimezone(PARIS)
    assert year.who(datetime.combine(day, time(12), tzinfo=PARIS)) is not None


@pytest.mark.parametrize(
    ("alsace_moselle", "covered"), [(False, False), (True, True)], ids=["France", "Moselle"]
)
def test_good_friday_is_a_holiday_only_in_alsace_moselle(alsace_moselle: bool, covered: bool):
    spec = RotationSpec(
        timezone="Europe/Paris",
        participants=PEOPLE,
        start_date=FIRST_MONDAY,
        handoff_time="08:00",
        coverage=Coverage(),
        alsace_moselle=alsace_moselle,
    )
    plan = Plan(plan_shifts(spec, datetime(2026, 3, 30, tzinfo=PARIS), YEAR_END))
    noon = datetime(2026, 4, 3, 12, tzinfo=PARIS)
    assert (plan.who(noon) is not None) is covered
    # Thursday before is a working day either way.
    assert plan.who(datetime(2026, 4, 2, 12, tzinfo=PARIS)) is None


def test_coverage_none_covers_the_whole_year() -> None:
    spec = RotationSpec(
        timezone="Europe/Paris",
        participants=PEOPLE,
        start_date=FIRST_MONDAY,
        handoff_time="08:00",
    )
    pieces = plan_shifts(spec, YEAR_START, YEAR_END)
    assert len(pieces) == 52
    assert pieces[0].starts_at == YEAR_START
    assert pieces[-1].ends_at == YEAR_END
    for index, (before, after) in enumerate(itertools.pairwise(pieces)):
        assert before.ends_at == after.starts_at
        assert before.user_id == PEOPLE[index % 4]
    total = sum((p.ends_at - p.starts_at for p in pieces), timedelta())
    assert total == timedelta(days=364)


# --- daily and 12-hour rotations across the clock changes ---------------------------------------

DAILY = RotationSpec(
    timezone="Europe/Paris",
    participants=(1, 2, 3),
    start_date=date(2026, 3, 20),
    handoff_time="08:00",
    length=1,
    length_unit="days",
)
TWELVE_HOURS = RotationSpec(
    timezone="Europe/Paris",
    participants=(1, 2),
    start_date=date(2026, 3, 20),
    handoff_time="08:00",
    length=12,
    length_unit="hours",
)
SPRING = (datetime(2026, 3, 25, 8, tzinfo=PARIS), datetime(2026, 4, 2, 8, tzinfo=PARIS))
AUTUMN = (datetime(2026, 10, 21, 8, tzinfo=PARIS), datetime(2026, 10, 29, 8, tzinfo=PARIS))


@pytest.mark.parametrize("window", [SPRING, AUTUMN], ids=["spring", "autumn"])
def test_daily_handoffs_stay_at_0800(window: tuple[datetime, datetime]) -> None:
    pieces = plan_shifts(DAILY, *window)
    assert len(pieces) == 8
    first_day = date(2026, 3, 20)
    for before, after in itertools.pairwise(pieces):
        assert before.ends_at == after.starts_at
    for piece in pieces:
        start, end = piece.starts_at.astimezone(PARIS), piece.ends_at.astimezone(PARIS)
        assert (start.hour, start.minute, end.hour, end.minute) == (8, 0, 8, 0)
        assert end.date() - start.date() == timedelta(days=1)
        assert piece.user_id == (1, 2, 3)[(start.date() - first_day).days % 3]
        hours = (piece.ends_at - piece.starts_at) / HOUR
        changes = {date(2026, 3, 28): 23, date(2026, 10, 24): 25}
        assert hours == changes.get(start.date(), 24), start


@pytest.mark.parametrize("window", [SPRING, AUTUMN], ids=["spring", "autumn"])
def test_daily_walk_every_quarter_hour(window: tuple[datetime, datetime]) -> None:
    plan = Plan(plan_shifts(DAILY, *window))
    for moment in utc_steps(*window):
        local = moment.astimezone(PARIS)
        day = local.date() - (timedelta(days=1) if local.hour < 8 else timedelta())
        expected = (1, 2, 3)[(day - date(2026, 3, 20)).days % 3]
        assert plan.who(moment) == expected, local


@pytest.mark.parametrize("window", [SPRING, AUTUMN], ids=["spring", "autumn"])
def test_twelve_hour_handoffs_stay_at_0800_and_2000(window: tuple[datetime, datetime]) -> None:
    pieces = plan_shifts(TWELVE_HOURS, *window)
    assert len(pieces) == 16
    for before, after in itertools.pairwise(pieces):
        assert before.ends_at == after.starts_at
    for piece in pieces:
        start = piece.starts_at.astimezone(PARIS)
        assert (start.hour, start.minute) in {(8, 0), (20, 0)}
        # Two people on 12-hour turns: the day turn always falls to the same person.
        assert piece.user_id == (1 if start.hour == 8 else 2)
        hours = (piece.ends_at - piece.starts_at) / HOUR
        changes = {date(2026, 3, 28): 11, date(2026, 10, 24): 13}
        expected = changes.get(start.date(), 12) if start.hour == 20 else 12
        assert hours == expected, start
    plan = Plan(pieces)
    for moment in utc_steps(*window):
        local = moment.astimezone(PARIS)
        assert plan.who(moment) == (1 if 8 <= local.hour < 20 else 2), local


# --- hand-offs that do not exist ------------------------------------------------------------


def sunday_spec(handoff: str, zone: str = "Europe/Paris", unit: str = "weeks") -> RotationSpec:
    return RotationSpec(
        timezone=zone,
        participants=(1, 2),
        start_date=date(2026, 1, 4),  # a Sunday
        handoff_time=handoff,
        length_unit=unit,
    )


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (sunday_spec("02:30"), [date(2026, 3, 29), date(2027, 3, 28)]),
        (sunday_spec("02:00"), [date(2026, 3, 29), date(2027, 3, 28)]),
        (sunday_spec("03:00"), []),
        (sunday_spec("01:59"), []),
        (sunday_spec("08:00"), []),
        (sunday_spec("02:30", unit="days"), [date(2026, 3, 29), date(2027, 3, 28)]),
        (sunday_spec("02:30", "America/New_York"), [date(2026, 3, 8), date(2027, 3, 14)]),
        (sunday_spec("02:30", "Asia/Tokyo"), []),
        (sunday_spec("02:30", "UTC"), []),
    ],
    ids=[
        "paris-0230",
        "paris-0200",
        "paris-0300",
        "paris-0159",
        "paris-0800",
        "paris-daily",
        "new-york",
        "tokyo",
        "utc",
    ],
)
def test_missing_handoffs(spec: RotationSpec, expected: list[date]) -> None:
    assert missing_handoffs(spec) == expected


def test_missing_handoffs_of_an_hourly_rotation() -> None:
    hourly = RotationSpec(
        timezone="Europe/Paris",
        participants=(1, 2),
        start_date=date(2026, 1, 1),
        handoff_time="00:00",
        length=1,
        length_unit="hours",
    )
    assert missing_handoffs(hourly) == [date(2026, 3, 29), date(2027, 3, 28)]
    assert missing_handoffs(hourly, limit=1) == [date(2026, 3, 29)]
    # A 12-hour rotation at 08:00/20:00 never lands in the gap.
    assert missing_handoffs(TWELVE_HOURS) == []


def three_weeks(start: date, handoff: str = "02:30", length: int = 3) -> RotationSpec:
    return RotationSpec(
        timezone="Europe/Paris",
        participants=(1, 2, 3),
        start_date=start,
        handoff_time=handoff,
        length=length,
        length_unit="weeks",
    )


def test_a_rotation_meeting_a_clock_change_only_years_ahead_is_caught() -> None:
    # Every third Sunday at 02:30 from 18 January 2026: the last Sundays of March 2026 and
    # 2027 fall between two hand-offs; 26 March 2028, more than two years ahead, does not.
    spec = three_weeks(date(2026, 1, 18))
    assert missing_handoffs(spec) == [date(2028, 3, 26), date(2030, 3, 31)]
    first = missing_handoffs(spec)[0]
    assert first - spec.start_date > timedelta(days=2 * 366)
    assert not exists(datetime.combine(first, time(2, 30)), PARIS)
    assert (first - spec.start_date).days % 21 == 0, "a hand-off day of the rotation"


@pytest.mark.parametrize(
    "spec",
    [
        three_weeks(date(2026, 1, 19)),  # Mondays: never a clock change
        three_weeks(date(2026, 1, 18), handoff="03:00"),  # just after the gap
        three_weeks(date(2026, 1, 18), handoff="01:59"),  # just before it
    ],
    ids=["mondays", "sunday-0300", "sunday-0159"],
)
def test_a_rotation_that_never_meets_a_gap_passes(spec: RotationSpec) -> None:
    assert missing_handoffs(spec) == []


def walked_missing(spec: RotationSpec, years: int, limit: int) -> list[date]:
    """Every hand-off, one after the other, for `years`: the first `limit` that do not exist."""
    zone = ZoneInfo(spec.timezone)
    step = {"hours": HOUR, "days": timedelta(days=1), "weeks": timedelta(weeks=1)}
    moment = datetime.combine(spec.start_date, time.fromisoformat(spec.handoff_time))
    end = moment.replace(year=moment.year + years)
    found: list[date] = []
    while moment < end and len(found) < limit:
        if not exists(moment, zone):
            found.append(moment.date())
        moment += step[spec.length_unit] * spec.length
    return found


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "Australia/Lord_Howe"])
@pytest.mark.parametrize(
    ("unit", "length"),
    [("weeks", 2), ("weeks", 3), ("weeks", 4), ("days", 9), ("days", 25), ("hours", 31)],
)
@pytest.mark.parametrize("handoff", ["02:00", "02:15", "02:30"])
def test_missing_handoffs_agree_with_walking_every_handoff(
    zone: str, unit: str, length: int, handoff: str
) -> None:
    for offset in (0, 6, 13, 20):
        spec = RotationSpec(
            timezone=zone,
            participants=(1, 2),
            start_date=date(2026, 1, 4) + timedelta(days=offset),
            handoff_time=handoff,
            length=length,
            length_unit=unit,
        )
        walked = walked_missing(spec, 40, 3)
        found = missing_handoffs(spec, limit=3)
        # A walk of 40 years sees what the gaps say, up to where the walk stops.
        assert found[: len(walked)] == walked, spec
        assert all(day.year >= spec.start_date.year + 40 for day in found[len(walked) :]), spec


def test_the_skipped_hour_does_not_exist() -> None:
    assert not exists(datetime(2026, 3, 29, 2, 30), PARIS)
    assert not exists(datetime(2026, 3, 29, 2, 0), PARIS)
    assert exists(datetime(2026, 3, 29, 1, 59), PARIS)
    assert exists(datetime(2026, 3, 29, 3, 0), PARIS)
    assert exists(datetime(2026, 3, 29, 2, 30), ZoneInfo("Asia/Tokyo"))
    # A skipped wall-clock time is read with the offset before the change: 03:30 summer time.
    assert localize(datetime(2026, 3, 29, 2, 30), PARIS) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_the_repeated_hour_exists_and_localize_takes_the_first() -> None:
    naive = datetime(2026, 10, 25, 2, 30)
    assert exists(naive, PARIS)
    first = naive.replace(tzinfo=PARIS, fold=0)
    second = naive.replace(tzinfo=PARIS, fold=1)
    assert first.utcoffset() != second.utcoffset(), "02:30 on 25 October happens twice"
    assert localize(naive, PARIS) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert localize(naive, PARIS).tzinfo is UTC
    assert localize(datetime(2026, 10, 25, 3, 0), PARIS) == datetime(2026, 10, 25, 2, tzinfo=UTC)


# --- turn_index_at against a brute-force search ---------------------------------------------

ZONES = ["Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe", "UTC"]
STEPS = {"hours": HOUR, "days": timedelta(days=1), "weeks": timedelta(weeks=1)}


def brute_force_turn(spec: RotationSpec, moment: datetime, span: int) -> int:
    """Scan every turn in [-span, span]: the one index whose bounds hold `moment`."""
    holding = [
        k
        for k in range(-span, span + 1)
        if turn_bounds(spec, k)[0] <= moment < turn_bounds(spec, k)[1]
    ]
    assert len(holding) == 1, (moment, holding)
    return holding[0]


@st.composite
def specs(draw, units=("hours", "days", "weeks"), existing_only=False, max_people=6):
    zone = draw(st.sampled_from(ZONES))
    hours = [h for h in range(24) if h != 2] if existing_only else list(range(24))
    unit = draw(st.sampled_from(units))
    coverage = draw(
        st.none()
        | st.builds(
            Coverage,
            business_days=st.sampled_from([(0, 1, 2, 3, 4), (0, 1, 2, 3, 4, 5), (2,), ()]),
            business_start=st.sampled_from(["07:00", "08:00", "09:15"]),
            business_end=st.sampled_from(["12:00", "18:00", "19:45"]),
            holidays_off=st.booleans(),
        )
    )
    handoff = f"{draw(st.sampled_from(hours)):02d}:{draw(st.sampled_from([0, 15, 30, 45])):02d}"
    return RotationSpec(
        timezone=zone,
        participants=tuple(draw(st.lists(st.integers(1, 9), min_size=1, max_size=max_people))),
        start_date=draw(st.dates(date(2025, 12, 1), date(2027, 2, 28))),
        handoff_time=handoff,
        length=draw(st.integers(1, 3) if unit != "hours" else st.sampled_from([1, 5, 12, 24])),
        length_unit=unit,
        coverage=coverage,
    )


@settings(max_examples=150, deadline=None)
@given(spec=specs(), turns=st.floats(-20, 20), frac=st.floats(0, 1))
def test_turn_index_at_agrees_with_brute_force(spec: RotationSpec, turns: float, frac: float):
    anchor = turn_bounds(spec, 0)[0]
    step = STEPS[spec.length_unit] * spec.length
    moment = anchor + step * (int(turns) + frac)
    assert turn_index_at(spec, moment) == brute_force_turn(spec, moment, 25)


def dst_spec(handoff: str, unit: str, start: date) -> RotationSpec:
    return RotationSpec(
        timezone="Europe/Paris",
        participants=(1, 2, 3),
        start_date=start,
        handoff_time=handoff,
        length_unit=unit,
    )


@pytest.mark.parametrize(
    "spec",
    [
        dst_spec("08:00", "days", date(2026, 3, 20)),
        dst_spec("08:00", "days", date(2026, 10, 20)),
        dst_spec("02:30", "days", date(2026, 3, 20)),
        dst_spec("02:30", "days", date(2026, 10, 20)),
        dst_spec("01:30", "days", date(2026, 10, 20)),
        dst_spec("08:00", "weeks", date(2026, 3, 2)),
        dst_spec("08:00", "weeks", date(2026, 10, 5)),
        dst_spec("00:00", "hours", date(2026, 3, 29)),
        dst_spec("00:00", "hours", date(2026, 10, 25)),
    ],
    ids=lambda s: f"{s.handoff_time}-{s.length_unit}-{s.start_date}",
)
def test_turn_index_at_just_around_handoffs_on_clock_change_days(spec: RotationSpec) -> None:
    for index in range(12):
        start, end = turn_bounds(spec, index)
        for moment in (start - MINUTE, start - timedelta(microseconds=1), start, start + MINUTE):
            assert turn_index_at(spec, moment) == brute_force_turn(spec, moment, 20)
        if start < end:
            assert turn_index_at(spec, start) == index


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Daily at 02:30 from 20 October: turn 5 starts at the first 02:30 of 25 October.
        (datetime(2026, 10, 25, 0, 29, tzinfo=UTC), 4),
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), 5),
        (datetime(2026, 10, 25, 1, 45, tzinfo=UTC), 5),  # the second 02:45, winter time
        (datetime(2026, 10, 26, 1, 29, tzinfo=UTC), 5),
        (datetime(2026, 10, 26, 1, 30, tzinfo=UTC), 6),
    ],
)
def test_turn_index_at_on_the_repeated_hour(moment: datetime, expected: int) -> None:
    spec = dst_spec("02:30", "days", date(2026, 10, 20))
    assert turn_index_at(spec, moment) == expected


# --- plan_shifts properties ---------------------------------------------------------------


def window_points(spec: RotationSpec, draw_offsets: list[int]) -> list[datetime]:
    anchor = turn_bounds(spec, 0)[0]
    return [anchor + timedelta(minutes=m) for m in sorted(draw_offsets)]


OFFSETS = st.lists(st.integers(-14 * 24 * 60, 9 * 7 * 24 * 60), min_size=3, max_size=3)


def check_plan(spec: RotationSpec, pieces: list[PlannedShift], start: datetime, end: datetime):
    for before, after in itertools.pairwise(pieces):
        assert before.starts_at < after.starts_at
        assert before.ends_at <= after.starts_at, (before, after)
    for piece in pieces:
        assert start <= piece.starts_at < end
        assert piece.ends_at - piece.starts_at >= MIN_PIECE
        index = turn_index_at(spec, piece.starts_at)
        turn_start, turn_end = turn_bounds(spec, index)
        assert index >= 0
        assert turn_start <= piece.starts_at and piece.ends_at <= turn_end, (piece, index)
        assert piece.user_id == spec.participants[index % len(spec.participants)]


@settings(max_examples=200, deadline=None)
@given(spec=specs(units=("days", "weeks"), existing_only=True), offsets=OFFSETS)
def test_plan_shifts_properties(spec: RotationSpec, offsets: list[int]) -> None:
    a, b, c = window_points(spec, offsets)
    whole = plan_shifts(spec, a, c)
    check_plan(spec, whole, a, c)
    assert plan_shifts(spec, a, b) + plan_shifts(spec, b, c) == whole
    if spec.coverage is None:
        for before, after in itertools.pairwise(whole):
            assert before.ends_at == after.starts_at


@settings(max_examples=100, deadline=None)
@given(spec=specs(units=("hours", "days", "weeks")), offsets=OFFSETS)
def test_plan_shifts_properties_hold_for_any_handoff_time(spec, offsets) -> None:
    # Also hand-offs that fall in a skipped hour and sub-daily turns.
    a, b, c = window_points(spec, offsets)
    whole = plan_shifts(spec, a, c)
    check_plan(spec, whole, a, c)
    assert plan_shifts(spec, a, b) + plan_shifts(spec, b, c) == whole


def test_plan_of_an_empty_or_reversed_window_is_empty() -> None:
    assert plan_shifts(WEEKLY, YEAR_START, YEAR_START) == []
    assert plan_shifts(WEEKLY, YEAR_END, YEAR_START) == []
    # Before the rotation starts nobody is planned.
    assert plan_shifts(WEEKLY, datetime(2025, 12, 1, tzinfo=PARIS), YEAR_START) == []


def test_a_shift_cut_by_the_window_is_kept_whole_and_not_repeated() -> None:
    # The Friday-night-to-Monday piece of the first week, windows split on Saturday noon.
    saturday = datetime(2026, 1, 10, 12, tzinfo=PARIS)
    before = plan_shifts(WEEKLY, YEAR_START, saturday)
    after = plan_shifts(WEEKLY, saturday, datetime(2026, 1, 12, 8, tzinfo=PARIS))
    assert before[-1] == PlannedShift(
        user_id=11,
        starts_at=datetime(2026, 1, 9, 18, tzinfo=PARIS),
        ends_at=datetime(2026, 1, 12, 8, tzinfo=PARIS),
    )
    assert after == []


def test_a_handoff_just_before_business_hours_leaves_nobody_uncovered() -> None:
    """Hand-off at 07:50, business from 08:00: the 10 minutes belong to the incoming person."""
    spec = RotationSpec(
        timezone="Europe/Paris",
        participants=(1, 2),
        start_date=date(2026, 12, 7),
        handoff_time="07:50",
        coverage=Coverage(),
    )
    start = datetime(2026, 12, 7, 7, 50, tzinfo=PARIS)
    plan = plan_shifts(spec, start, start + timedelta(weeks=2))
    handoff = datetime(2026, 12, 14, 7, 50, tzinfo=PARIS)
    short = [p for p in plan if p.starts_at == handoff]
    assert len(short) == 1
    assert short[0].user_id == 2
    assert short[0].ends_at == datetime(2026, 12, 14, 8, 0, tzinfo=PARIS)
    before = [p for p in plan if p.ends_at == handoff]
    assert [p.user_id for p in before] == [1]
