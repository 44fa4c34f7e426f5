"""A team's compensation as the engine takes it: the holiday calendar of its code (overseas
departments computed here) and the team's zone and the person's wage added. Pure."""

from __future__ import annotations

from datetime import date

from server.statements.calendar import public_holidays
from server.statements.models import Compensation, HolidayCode, StatementPolicy

# The day each overseas department marks the abolition of slavery (loi 83-550, décret
# 83-1003; Mayotte since 2020), added to metropolitan France's list. The `holidays` package
# also adds Mi-Carême, Good Friday and 21 July (Victor Schœlcher) in Guadeloupe and 21 July
# in Martinique: customs that agreements may grant, not statutory days, so they are left out.
OVERSEAS_DAYS: dict[HolidayCode, tuple[int, int]] = {
    "FR-mayotte": (4, 27),
    "FR-martinique": (5, 22),
    "FR-guadeloupe": (5, 27),
    "FR-guyane": (6, 10),
    "FR-reunion": (12, 20),
}


def holiday_dates(code: HolidayCode, year: int) -> frozenset[date]:
    """The public holidays of a calendar code in one year."""
    if code in OVERSEAS_DAYS:
        month, day = OVERSEAS_DAYS[code]
        return public_holidays("FR", year) | {date(year, month, day)}
    return public_holidays(code, year)


def statement_policy(
    compensation: Compensation | None, timezone: str, wage_cents: int | None, year: int
) -> StatementPolicy:
    """The engine's policy for a month of `year`: no compensation set means PAY.md's zeros
    (the hours are still counted), no wage means interventions paid 0 (the manager is warned)."""
    compensation = compensation or Compensation()
    holidays: str | list[date] = compensation.holidays
    if compensation.holidays in OVERSEAS_DAYS:
        holidays = sorted(holiday_dates(compensation.holidays, year))
    return StatementPolicy(
        timezone=timezone,
        holidays=holidays,
        night_start=compensation.night_start,
        night_end=compensation.night_end,
        oncall_cents_per_hour=compensation.oncall_cents_per_hour,
        oncall_night_cents_per_hour=compensation.oncall_night_cents_per_hour,
        oncall_rest_minutes_per_hour=compensation.oncall_rest_minutes_per_hour,
        hourly_wage_cents=wage_cents or 0,
        intervention_premium_percent=compensation.intervention_premium_percent,
    )
