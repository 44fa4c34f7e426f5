"""The statement engine (PAY.md) on cases computed by hand: kinds of day, night, holidays,
travel, month ends, daylight saving, other zones, rounding, pay and rest."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import msgspec
import pytest

from server.statements.calendar import easter_sunday, public_holidays
from server.statements.models import Period, StatementPolicy
from server.statements.rules import compute_statement

RATES = {"weekday": 100, "saturday": 150, "sunday": 200, "holiday": 250}


def policy(**fields) -> StatementPolicy:
    return msgspec.convert(fields, StatementPolicy)


def at(text: str, zone: str) -> datetime:
    """A local wall time in `zone` (fold=0), or an instant when the text carries an offset."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))


def statement(month: str, periods: list[tuple], **fields) -> dict:
    """The statement as builtins; periods are (kind, start, end[, travel_minutes])."""
    chosen = policy(**fields)
    built = [
        Period(
            kind=kind,
            start=at(start, chosen.timezone),
            end=at(end, chosen.timezone),
            travel_minutes=travel[0] if travel else 0,
        )
        for kind, start, end, *travel in periods
    ]
    return msgspec.to_builtins(compute_statement(chosen, built, month))


def minutes(weekday=0, saturday=0, sunday=0, holiday=0, night=0, total=None) -> dict:
    parts = weekday + saturday + sunday + holiday
    return {
        "weekday": weekday,
        "saturday": saturday,
        "sunday": sunday,
        "holiday": holiday,
        "night": night,
        "total": parts if total is None else total,
    }


# (why, month, periods, policy, expected on-call minutes, expected on-call pay in cents)
ONCALL_CASES = [
    (
        "weekday, Monday 10:00-12:00",
        "2026-12",
        [("oncall", "2026-12-07T10:00", "2026-12-07T12:00")],
        {"oncall_cents_per_hour": RATES},
        minutes(weekday=120),
        200,
    ),
    (
        "saturday",
        "2026-12",
        [("oncall", "2026-12-12T10:00", "2026-12-12T12:00")],
        {"oncall_cents_per_hour": RATES},
        minutes(saturday=120),
        300,
    ),
    (
        "sunday",
        "2026-12",
        [("oncall", "2026-12-13T10:00", "2026-12-13T12:00")],
        {"oncall_cents_per_hour": RATES},
        minutes(sunday=120),
        400,
    ),
    (
        "Christmas, a Friday, is a holiday",
        "2026-12",
        [("oncall", "2026-12-25T10:00", "2026-12-25T12:00")],
        {"oncall_cents_per_hour": RATES},
        minutes(holiday=120),
        500,
    ),
    (
        "night wraps midnight: 20:00-07:00 holds 21:00-06:00",
        "2026-12",
        [("oncall", "2026-12-07T20:00", "2026-12-08T07:00")],
        {"oncall_cents_per_hour": RATES, "oncall_night_cents_per_hour": 50},
        minutes(weekday=660, night=540),
        1100 + 450,
    ),
    (
        "a night window that does not wrap: 01:00-05:00",
        "2026-12",
        [("oncall", "2026-12-07T00:00", "2026-12-07T06:00")],
        {"night_start": "01:00", "night_end": "05:00", "oncall_night_cents_per_hour": 60},
        minutes(weekday=360, night=240),
        240,
    ),
    (
        "equal night times: no night at all",
        "2026-12",
        [("oncall", "2026-12-07T00:00", "2026-12-08T00:00")],
        {"night_start": "22:00", "night_end": "22:00", "oncall_night_cents_per_hour": 60},
        minutes(weekday=1440),
        0,
    ),
    (
        "a shift listed twice and an overlapping one count once: 10:00-16:00",
        "2026-12",
        [
            ("oncall", "2026-12-07T10:00", "2026-12-07T14:00"),
            ("oncall", "2026-12-07T10:00", "2026-12-07T14:00"),
            ("oncall", "2026-12-07T12:00", "2026-12-07T16:00"),
        ],
        {"oncall_cents_per_hour": RATES},
        minutes(weekday=360),
        600,
    ),
    (
        "clipped at the month's start: Tuesday 1 December 00:00-08:00 only",
        "2026-12",
        [("oncall", "2026-11-30T18:00", "2026-12-01T08:00")],
        {"oncall_cents_per_hour": RATES},
        minutes(weekday=480, night=360),
        800,
    ),
    (
        "the same shift in November: Monday 30 November 18:00-24:00 only",
        "2026-11",
        [("oncall", "2026-11-30T18:00", "2026-12-01T08:00")],
        {"oncall_cents_per_hour": RATES},
        minutes(weekday=360, night=180),
        600,
    ),
    (
        "clipped at the month's end: Thursday 31 December 20:00-24:00",
        "2026-12",
        [("oncall", "2026-12-31T20:00", "2027-01-01T08:00")],
        {"oncall_cents_per_hour": RATES},
        minutes(weekday=240, night=180),
        400,
    ),
    (
        "spring forward (29 March 2026): Saturday 20:00 to Sunday 08:00 is 11 hours",
        "2026-03",
        [("oncall", "2026-03-28T20:00", "2026-03-29T08:00")],
        {"oncall_cents_per_hour": RATES},
        minutes(saturday=240, sunday=420, night=180 + 300),
        600 + 1400,
    ),
    (
        "fall back (25 October 2026): Saturday 20:00 to Sunday 08:00 is 13 hours",
        "2026-10",
        [("oncall", "2026-10-24T20:00", "2026-10-25T08:00")],
        {"oncall_cents_per_hour": RATES, "oncall_night_cents_per_hour": 60},
        minutes(saturday=240, sunday=540, night=180 + 420),
        600 + 1800 + 600,
    ),
    (
        "a night end the clocks skip (02:30 on 29 March) takes effect at the jump",
        "2026-03",
        [("oncall", "2026-03-29T00:00", "2026-03-29T04:00")],
        {"night_start": "21:00", "night_end": "02:30"},
        minutes(sunday=180, night=120),
        0,
    ),
    (
        "a night end in the hour shown twice (02:30 on 25 October) is crossed twice",
        "2026-10",
        [("oncall", "2026-10-25T00:00", "2026-10-25T04:00")],
        {"night_start": "21:00", "night_end": "02:30"},
        # 00:00-02:30 summer time, then 02:00-02:30 again in winter time.
        minutes(sunday=300, night=150 + 30),
        0,
    ),
    (
        "no offset, a time shown twice: 02:30 is the first one (fold=0), 90 min to 03:00",
        "2026-10",
        [("oncall", "2026-10-25T02:30", "2026-10-25T03:00")],
        {},
        minutes(sunday=90, night=90),
        0,
    ),
    (
        "no offset, a skipped time: 02:30 on 29 March is read as 03:30, 30 min to 04:00",
        "2026-03",
        [("oncall", "2026-03-29T02:30", "2026-03-29T04:00")],
        {},
        minutes(sunday=30, night=30),
        0,
    ),
    (
        "offsets given: instants, whatever the zone they are written in",
        "2026-12",
        [("oncall", "2026-12-07T09:00:00Z", "2026-12-07T11:00:00+00:00")],
        {},
        minutes(weekday=120),
        0,
    ),
    (
        "Alsace-Moselle: Good Friday (3 April 2026) is a holiday",
        "2026-04",
        [("oncall", "2026-04-03T10:00", "2026-04-03T12:00")],
        {"holidays": "FR-alsace-moselle", "oncall_cents_per_hour": RATES},
        minutes(holiday=120),
        500,
    ),
    (
        "elsewhere in France Good Friday is a weekday",
        "2026-04",
        [("oncall", "2026-04-03T10:00", "2026-04-03T12:00")],
        {"oncall_cents_per_hour": RATES},
        minutes(weekday=120),
        200,
    ),
    (
        "Alsace-Moselle: 26 December (a Saturday in 2026) is a holiday",
        "2026-12",
        [("oncall", "2026-12-26T10:00", "2026-12-26T12:00")],
        {"holidays": "FR-alsace-moselle", "oncall_cents_per_hour": RATES},
        minutes(holiday=120),
        500,
    ),
    (
        "an overseas list (Guadeloupe, 27 May): that date is a holiday",
        "2026-05",
        [("oncall", "2026-05-27T10:00", "2026-05-27T12:00")],
        {"timezone": "America/Guadeloupe", "holidays": ["2026-05-27"]},
        minutes(holiday=120),
        0,
    ),
    (
        "an overseas list without 8 May: 8 May (a Friday) is a weekday there",
        "2026-05",
        [("oncall", "2026-05-08T10:00", "2026-05-08T12:00")],
        {"timezone": "America/Guadeloupe", "holidays": ["2026-05-27"]},
        minutes(weekday=120),
        0,
    ),
    (
        "1 May is a holiday even when the explicit list leaves it out",
        "2026-05",
        [("oncall", "2026-05-01T10:00", "2026-05-01T12:00")],
        {"holidays": ["2026-05-27"], "oncall_cents_per_hour": RATES},
        minutes(holiday=120),
        500,
    ),
    (
        "Cayenne (UTC-3): 23:00Z-05:00Z is 20:00-02:00 there, 10 June a listed holiday",
        "2026-06",
        [("oncall", "2026-06-10T23:00:00Z", "2026-06-11T05:00:00Z")],
        {"timezone": "America/Cayenne", "holidays": ["2026-06-10"]},
        minutes(holiday=240, weekday=120, night=300),
        0,
    ),
    (
        "Réunion (UTC+4): 20 December is its holiday, a Sunday in 2026",
        "2026-12",
        # 16:00Z is 20:00 there: Saturday 20:00 to the holiday's 20:00.
        [("oncall", "2026-12-19T16:00:00Z", "2026-12-20T16:00:00Z")],
        {"timezone": "Indian/Reunion", "holidays": ["2026-12-20"], "oncall_cents_per_hour": RATES},
        minutes(saturday=240, holiday=1200, night=180 + 360),
        600 + 5000,
    ),
    (
        "Santiago goes back from midnight to 23:00 (5 April): Saturday gets 3 of the 5 hours",
        "2026-04",
        [("oncall", "2026-04-04T22:00:00-03:00", "2026-04-05T02:00:00-04:00")],
        {"timezone": "America/Santiago", "oncall_cents_per_hour": RATES},
        minutes(saturday=180, sunday=120, night=300),
        450 + 400,
    ),
    (
        "half a minute rounds up; each figure on its own (total 1, parts 1 + 1)",
        "2026-12",
        [("oncall", "2026-12-11T23:59:30", "2026-12-12T00:00:30")],
        {},
        minutes(weekday=1, saturday=1, night=1, total=1),
        0,
    ),
    (
        "29 seconds round down to nothing",
        "2026-12",
        [("oncall", "2026-12-07T10:00:00", "2026-12-07T10:00:29")],
        {"oncall_cents_per_hour": {"weekday": 3600}},
        minutes(weekday=0),
        29,
    ),
    (
        "money rounds half up from exact seconds: 30 min at 1 cent an hour is 1 cent",
        "2026-12",
        [("oncall", "2026-12-07T10:00", "2026-12-07T10:30")],
        {"oncall_cents_per_hour": {"weekday": 1}},
        minutes(weekday=30),
        1,
    ),
    (
        "money rounds per kind of day: 29 min at 1 cent is nothing",
        "2026-12",
        [("oncall", "2026-12-07T10:00", "2026-12-07T10:29")],
        {"oncall_cents_per_hour": {"weekday": 1}},
        minutes(weekday=29),
        0,
    ),
]


@pytest.mark.parametrize(
    ("month", "periods", "fields", "expected", "pay"),
    [case[1:] for case in ONCALL_CASES],
    ids=[case[0] for case in ONCALL_CASES],
)
def test_oncall_minutes_and_pay(month, periods, fields, expected, pay):
    result = statement(month, periods, **fields)

    assert result["oncall_minutes"] == expected
    assert result["oncall_pay_cents"] == pay
    assert result["intervention_minutes"] == minutes()
    assert result["intervention_count"] == 0


WAGE = {"hourly_wage_cents": 2000}

# (why, month, periods, policy, expected intervention minutes, count, pay in cents)
INTERVENTION_CASES = [
    (
        "1 May: paid at least double with no premium set",
        "2026-05",
        [("intervention", "2026-05-01T10:00", "2026-05-01T11:00")],
        WAGE,
        minutes(holiday=60),
        1,
        4000,
    ),
    (
        "1 May: a holiday premium above 100 is kept",
        "2026-05",
        [("intervention", "2026-05-01T10:00", "2026-05-01T11:00")],
        {**WAGE, "intervention_premium_percent": {"holiday": 150}},
        minutes(holiday=60),
        1,
        5000,
    ),
    (
        "1 May at night: 100 then the night premium added",
        "2026-05",
        [("intervention", "2026-05-01T22:00", "2026-05-01T23:00")],
        {**WAGE, "intervention_premium_percent": {"holiday": 20, "night": 25}},
        minutes(holiday=60, night=60),
        1,
        4500,
    ),
    (
        "1 May left out of an explicit list still pays double",
        "2026-05",
        [("intervention", "2026-05-01T10:00", "2026-05-01T11:00")],
        {**WAGE, "holidays": ["2026-05-27"]},
        minutes(holiday=60),
        1,
        4000,
    ),
    (
        "another holiday has no legal minimum: 8 May at its own premium",
        "2026-05",
        [("intervention", "2026-05-08T10:00", "2026-05-08T11:00")],
        {**WAGE, "intervention_premium_percent": {"holiday": 20}},
        minutes(holiday=60),
        1,
        2400,
    ),
    (
        "Sunday 20:00-22:00: one hour at +50 %, one at +50 % +25 % night",
        "2026-12",
        [("intervention", "2026-12-13T20:00", "2026-12-13T22:00")],
        {**WAGE, "intervention_premium_percent": {"sunday": 50, "night": 25}},
        minutes(sunday=120, night=60),
        1,
        3000 + 3500,
    ),
    (
        "odd travel (45 min): 22 before the start, 23 after the end, across 21:00",
        "2026-12",
        [("intervention", "2026-12-07T20:30", "2026-12-07T21:00", 45)],
        WAGE,
        minutes(weekday=22 + 30 + 23, night=23),
        1,
        2500,
    ),
    (
        "overlapping interventions count once, and each counts in the count",
        "2026-12",
        [
            ("intervention", "2026-12-07T10:00", "2026-12-07T11:00", 20),
            ("intervention", "2026-12-07T10:30", "2026-12-07T11:30"),
        ],
        WAGE,
        minutes(weekday=100),
        2,
        3333,
    ),
    (
        "started in November, ended in December: minutes here, not the count",
        "2026-12",
        [("intervention", "2026-11-30T23:30", "2026-12-01T00:30")],
        WAGE,
        minutes(weekday=30, night=30),
        0,
        1000,
    ),
    (
        "the same intervention in November: counted there",
        "2026-11",
        [("intervention", "2026-11-30T23:30", "2026-12-01T00:30")],
        WAGE,
        minutes(weekday=30, night=30),
        1,
        1000,
    ),
    (
        "travel reaching back into November does not move the count",
        "2026-12",
        [("intervention", "2026-12-01T00:05", "2026-12-01T00:35", 20)],
        WAGE,
        minutes(weekday=45, night=45),
        1,
        1500,
    ),
    (
        "the travel before it, alone in November, is counted there without the count",
        "2026-11",
        [("intervention", "2026-12-01T00:05", "2026-12-01T00:35", 20)],
        WAGE,
        minutes(weekday=5, night=5),
        0,
        167,
    ),
]


@pytest.mark.parametrize(
    ("month", "periods", "fields", "expected", "count", "pay"),
    [case[1:] for case in INTERVENTION_CASES],
    ids=[case[0] for case in INTERVENTION_CASES],
)
def test_intervention_minutes_count_and_pay(month, periods, fields, expected, count, pay):
    result = statement(month, periods, **fields)

    assert result["intervention_minutes"] == expected
    assert result["intervention_count"] == count
    assert result["intervention_pay_cents"] == pay
    assert result["oncall_minutes"] == minutes()


def test_an_intervention_outside_oncall_time_is_counted_and_does_not_reduce_oncall():
    result = statement(
        "2026-12",
        [
            ("oncall", "2026-12-07T18:00", "2026-12-07T22:00"),
            ("intervention", "2026-12-07T20:00", "2026-12-07T21:00"),
            ("intervention", "2026-12-08T10:00", "2026-12-08T10:30"),
        ],
    )

    assert result["oncall_minutes"]["total"] == 240
    assert result["intervention_minutes"]["total"] == 90
    assert result["intervention_count"] == 2
    assert result["days"] == [
        {"date": "2026-12-07", "oncall_minutes": 240, "intervention_minutes": 60},
        {"date": "2026-12-08", "oncall_minutes": 0, "intervention_minutes": 30},
    ]


def test_rest_minutes_per_kind_of_day_rounded_each():
    result = statement(
        "2026-12",
        [
            # Monday 63 min at 10 min an hour: 10.5, rounded up to 11.
            ("oncall", "2026-12-07T10:00", "2026-12-07T11:03"),
            # Sunday 3 h at 20: 60.
            ("oncall", "2026-12-13T10:00", "2026-12-13T13:00"),
        ],
        oncall_rest_minutes_per_hour={"weekday": 10, "sunday": 20},
    )

    assert result["oncall_rest_minutes"] == 71
    assert result["oncall_pay_cents"] == 0


def test_days_list_only_dates_with_a_rounded_minute():
    result = statement(
        "2026-12",
        [
            ("oncall", "2026-12-07T23:59:40", "2026-12-08T00:01:00"),  # 20 s on the 7th
            ("oncall", "2026-12-09T23:59:30", "2026-12-10T00:00:00"),  # 30 s: one minute
        ],
    )

    assert result["days"] == [
        {"date": "2026-12-08", "oncall_minutes": 1, "intervention_minutes": 0},
        {"date": "2026-12-09", "oncall_minutes": 1, "intervention_minutes": 0},
    ]


def test_the_autumn_night_is_one_hour_longer_day_by_day():
    result = statement("2026-10", [("oncall", "2026-10-24T00:00", "2026-10-27T00:00")])

    assert [(d["date"], d["oncall_minutes"]) for d in result["days"]] == [
        ("2026-10-24", 1440),
        ("2026-10-25", 1500),
        ("2026-10-26", 1440),
    ]


def test_a_month_that_is_not_yyyy_mm_is_refused():
    with pytest.raises(ValueError, match=r"^month must be YYYY-MM"):
        compute_statement(StatementPolicy(), [], "2026-13")


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)),
     (2027, date(2027, 3, 28)), (2038, date(2038, 4, 25)), (2285, date(2285, 3, 22))],
)  # fmt: skip
def test_easter(year, easter):
    assert easter_sunday(year) == easter


@pytest.mark.parametrize("year", range(2008, 2061))
def test_french_holidays_agree_with_the_holidays_package(year):
    assert public_holidays("FR", year) == frozenset(holidays.France(years=year))
    for subdivision in ("57", "6AE"):
        alsace = frozenset(holidays.France(years=year, subdiv=subdivision))
        assert public_holidays("FR-alsace-moselle", year) == alsace


@pytest.mark.parametrize("year", [2005, 2006, 2007])
def test_whit_monday_stays_a_holiday_in_the_solidarity_day_years(year):
    whit_monday = easter_sunday(year) + timedelta(days=50)

    assert whit_monday in public_holidays("FR", year)
    assert len(public_holidays("FR", year)) == 11
    assert len(public_holidays("FR-alsace-moselle", year)) == 13
