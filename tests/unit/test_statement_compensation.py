"""A team's compensation as the engine takes it: overseas calendars computed by the app, and
a policy field that is negative, not an integer or unknown refused with its name."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import holidays
import msgspec
import pytest

from server.statements.compensation import OVERSEAS_DAYS, holiday_dates, statement_policy
from server.statements.documents import closes_at, latest_due_month, month_bounds
from server.statements.models import Compensation, DayRates, Period
from server.statements.rules import compute_statement

# The `holidays` package's subdivisions for the departments (it names them by number).
SUBDIVISIONS = {
    "FR-guadeloupe": "971",
    "FR-martinique": "972",
    "FR-guyane": "973",
    "FR-reunion": "974",
    "FR-mayotte": "976",
}


@pytest.mark.parametrize("code", sorted(OVERSEAS_DAYS))
@pytest.mark.parametrize("year", range(2008, 2061, 4))
def test_an_overseas_department_has_frances_days_and_its_abolition_of_slavery(
    code: str, year: int
) -> None:
    found = holiday_dates(code, year)
    package = holidays.France(years=year, subdiv=SUBDIVISIONS[code])
    (abolition,) = [day for day, name in package.items() if "Slavery" in name]
    # Some years it falls on Ascension or Whit Monday: one day off, not two.
    assert found == holiday_dates("FR", year) | {abolition}


def test_guadeloupes_abolition_day_is_paid_at_the_holiday_rate() -> None:
    policy = statement_policy(
        Compensation(holidays="FR-guadeloupe", oncall_cents_per_hour=DayRates(holiday=300)),
        "America/Guadeloupe",
        None,
        2026,
    )
    zone = ZoneInfo("America/Guadeloupe")
    period = Period(
        kind="oncall",
        start=datetime(2026, 5, 27, 8, tzinfo=zone),
        end=datetime(2026, 5, 27, 18, tzinfo=zone),
    )
    statement = compute_statement(policy, [period], "2026-05")
    assert statement.oncall_minutes.holiday == 600
    assert statement.oncall_pay_cents == 3000
    # Metropolitan France works that Wednesday.
    plain = statement_policy(
        Compensation(oncall_cents_per_hour=DayRates(holiday=300)), "America/Guadeloupe", None, 2026
    )
    assert compute_statement(plain, [period], "2026-05").oncall_minutes.weekday == 600


def test_no_compensation_counts_the_hours_and_pays_nothing() -> None:
    policy = statement_policy(None, "Europe/Paris", None, 2026)
    assert policy.holidays == "FR" and policy.hourly_wage_cents == 0
    assert policy.oncall_cents_per_hour == DayRates()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"oncall_cents_per_hour": {"sunday": -1}}, "$.oncall_cents_per_hour.sunday"),
        ({"oncall_night_cents_per_hour": 1.5}, "$.oncall_night_cents_per_hour"),
        ({"oncall_rest_minutes_per_hour": {"sundays": 10}}, "sundays"),
        ({"hourly_wage_cents": 2000}, "hourly_wage_cents"),  # per person, not per team
        ({"intervention_premium_percent": {"night": "25"}}, "$.intervention_premium_percent.night"),
        ({"holidays": "FR-corse"}, "$.holidays"),
        ({"grace_days": 40}, "$.grace_days"),
    ],
)
def test_a_bad_policy_field_is_refused_with_its_name(data: dict, field: str) -> None:
    with pytest.raises(msgspec.ValidationError, match=field.replace("$", r"\$")):
        msgspec.convert(data, Compensation)


def test_a_night_that_is_not_a_time_is_refused_with_its_name() -> None:
    with pytest.raises(msgspec.ValidationError, match="night_start must be a time HH:MM"):
        msgspec.convert({"night_start": "9pm"}, Compensation)


def test_the_month_closes_at_midnight_in_the_teams_zone_after_the_grace_days() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert closes_at("2026-12", "Europe/Paris", 3) == datetime(2027, 1, 4, tzinfo=paris)
    assert closes_at("2026-12", "Indian/Reunion", 0) == datetime(
        2027, 1, 1, tzinfo=ZoneInfo("Indian/Reunion")
    )
    just_before = datetime(2027, 1, 3, 23, 59, tzinfo=paris)
    assert latest_due_month(just_before, "Europe/Paris", 3) == "2026-11"
    assert latest_due_month(datetime(2027, 1, 4, tzinfo=paris), "Europe/Paris", 3) == "2026-12"
    start, end = month_bounds("2026-03", "Europe/Paris")
    assert (end - start).total_seconds() == (31 * 24 - 1) * 3600  # the clocks go forward
    assert start.date() == date(2026, 2, 28)  # 23:00 UTC
