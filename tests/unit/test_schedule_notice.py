"""Notice (LAW.md, L3121-12): 15 days ahead, or one clear day in exceptional circumstances,
counted in calendar days of the team's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from server.schedules.notice import notice_status

PARIS = ZoneInfo("Europe/Paris")
# Published on Monday 7 December 2026 at 10:00 in Paris.
TOLD = datetime(2026, 12, 7, 10, tzinfo=PARIS)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("starts_at", "expected"),
    [
        (paris(2026, 12, 22, 0), "ok"),  # 15 calendar days later
        (paris(2026, 12, 22, 23, 59), "ok"),
        (paris(2027, 1, 15, 8), "ok"),
        (paris(2026, 12, 21, 23), "exceptional"),  # 14 days
        (paris(2026, 12, 21, 0), "exceptional"),
        (paris(2026, 12, 10, 18), "exceptional"),
        (paris(2026, 12, 9, 0), "exceptional"),  # Tuesday is one clear day
        (paris(2026, 12, 8, 23, 59), "too_late"),  # no clear day in between
        (paris(2026, 12, 8, 20), "too_late"),
        (paris(2026, 12, 7, 18), "too_late"),  # the same day
        (paris(2026, 12, 7, 9), "too_late"),  # already started
    ],
)
def test_default_notice(starts_at: datetime, expected: str) -> None:
    assert notice_status(TOLD, starts_at, "Europe/Paris", 15) == expected


@pytest.mark.parametrize(
    ("starts_at", "expected"),
    [
        (paris(2026, 12, 14, 0), "ok"),  # 7 days
        (paris(2026, 12, 13, 23), "exceptional"),  # 6 days
        (paris(2026, 12, 10, 0), "exceptional"),  # Tuesday and Wednesday clear
        (paris(2026, 12, 9, 23, 59), "too_late"),  # only Tuesday clear
        (paris(2026, 12, 8, 8), "too_late"),
    ],
)
def test_notice_of_an_agreement(starts_at: datetime, expected: str) -> None:
    assert notice_status(TOLD, starts_at, "Europe/Paris", 7, clear_days=2) == expected


@pytest.mark.parametrize(
    ("starts_at", "expected"),
    [
        # 23:30 UTC on Sunday 6 December is already Monday 00:30 in Paris: Monday counts.
        (paris(2026, 12, 22, 0), "ok"),
        (paris(2026, 12, 21, 12), "exceptional"),  # 15 days by the UTC calendar, 14 in Paris
        (paris(2026, 12, 9, 0), "exceptional"),
        (paris(2026, 12, 8, 12), "too_late"),  # two days by the UTC calendar, one in Paris
    ],
)
def test_a_late_evening_publication_counts_the_paris_day(starts_at: datetime, expected: str):
    told = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    assert notice_status(told, starts_at, "Europe/Paris", 15) == expected


def test_the_start_is_read_in_the_team_zone_too() -> None:
    # 23:30 UTC on 21 December is 00:30 on 22 December in Paris: 15 days.
    assert notice_status(TOLD, datetime(2026, 12, 21, 23, 30, tzinfo=UTC), "Europe/Paris", 15) == (
        "ok"
    )
    # The same instants seen from New York: told on 7 December, starts on 21 December.
    assert (
        notice_status(TOLD, datetime(2026, 12, 21, 23, 30, tzinfo=UTC), "America/New_York", 15)
        == "exceptional"
    )


def test_notice_is_counted_in_calendar_days_across_a_clock_change() -> None:
    # Told on Saturday 14 March at 23:30, the shift starts on Sunday 29 March (clocks go forward
    # at 02:00) at 00:30: fewer than 15 × 24 h, but 15 calendar days.
    told = paris(2026, 3, 14, 23, 30)
    assert notice_status(told, paris(2026, 3, 29, 0, 30), "Europe/Paris", 15) == "ok"
    assert notice_status(told, paris(2026, 3, 28, 23, 59), "Europe/Paris", 15) == "exceptional"
