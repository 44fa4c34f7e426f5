"""pattern_work lays out the weekly template with the zone's offset read once per range end
(it runs for a year of days for each person of a team): it must give exactly what placing
each range with rotation.localize gives, across every daylight-saving change, in zones that
move by an hour, by half an hour (Lord Howe) or skip a midnight (Santiago, Havana)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.rest.timeline import PatternRange, pattern_work
from server.schedules.rotation import localize

# Ranges that meet the changes: at midnight, in the small hours, all day, late evening.
RANGES = [
    PatternRange(weekday=weekday, start_minute=start, end_minute=end)
    for weekday in range(7)
    for start, end in ((0, 60), (90, 210), (120, 180), (480, 1140), (1380, 1440))
]


def placed_one_by_one(zone: ZoneInfo, first: date, last: date, days_off) -> list:
    found = []
    day = first
    while day <= last:
        if day not in days_off:
            midnight = datetime(day.year, day.month, day.day)
            for item in RANGES:
                if item.weekday != day.weekday():
                    continue
                start = localize(midnight + timedelta(minutes=item.start_minute), zone)
                end = localize(midnight + timedelta(minutes=item.end_minute), zone)
                if end > start:
                    found.append((start, end))
        day += timedelta(days=1)
    return found


@pytest.mark.parametrize(
    "name",
    [
        "Europe/Paris",
        "America/New_York",
        "Australia/Lord_Howe",
        "America/Santiago",
        "America/Havana",
        "Asia/Tokyo",
        "UTC",
    ],
)
def test_the_template_is_placed_as_localize_places_it(name: str) -> None:
    zone = ZoneInfo(name)
    first, last = date(2024, 1, 1), date(2026, 12, 31)
    days_off = {date(2026, 3, 29), date(2025, 10, 26), date(2026, 7, 14)}
    laid = pattern_work(RANGES, zone, first, last, days_off)
    assert laid == placed_one_by_one(zone, first, last, days_off)
    assert all(str(start.tzinfo) == "UTC" and str(end.tzinfo) == "UTC" for start, end in laid)
