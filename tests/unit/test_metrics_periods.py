"""The periods figures are read over, and local hours counted in SQL across clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.clock import from_db
from server.metrics.periods import (
    MAX_CUSTOM_DAYS,
    Period,
    bounds,
    clipped,
    custom_period,
    is_under_way,
    period_of,
    previous,
)
from server.metrics.zones import offsets

PARIS = "Europe/Paris"


@pytest.mark.parametrize(
    ("kind", "day", "first", "last"),
    [
        ("month", date(2026, 11, 17), date(2026, 11, 1), date(2026, 11, 30)),
        ("month", date(2028, 2, 3), date(2028, 2, 1), date(2028, 2, 29)),
        ("quarter", date(2026, 11, 17), date(2026, 10, 1), date(2026, 12, 31)),
        ("quarter", date(2026, 3, 31), date(2026, 1, 1), date(2026, 3, 31)),
        ("year", date(2026, 11, 17), date(2025, 12, 1), date(2026, 11, 30)),
        ("year", date(2026, 12, 1), date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_a_calendar_period_holds_the_month_asked(kind, day, first, last):
    period = period_of(kind, day)
    assert (period.first, period.last) == (first, last)
    assert period.key == f"{last.year:04d}-{last.month:02d}"


@pytest.mark.parametrize(
    ("kind", "day", "first", "last"),
    [
        ("month", date(2026, 1, 9), date(2025, 12, 1), date(2025, 12, 31)),
        ("quarter", date(2026, 2, 9), date(2025, 10, 1), date(2025, 12, 31)),
        ("year", date(2026, 11, 9), date(2024, 12, 1), date(2025, 11, 30)),
    ],
)
def test_the_previous_period_is_the_one_just_before(kind, day, first, last):
    before = previous(period_of(kind, day))
    assert (before.kind, before.first, before.last) == (kind, first, last)


def test_a_custom_run_of_days_compares_with_as_many_days_before():
    period = custom_period(date(2026, 11, 10), date(2026, 11, 19))
    before = previous(period)
    assert (before.first, before.last, before.days) == (date(2026, 10, 31), date(2026, 11, 9), 10)


@pytest.mark.parametrize(
    ("first", "last"),
    [(date(2026, 11, 2), date(2026, 11, 1)), (date(2025, 1, 1), date(2026, 6, 1))],
)
def test_a_custom_run_backwards_or_too_long_is_refused(first, last):
    with pytest.raises(ValueError):
        custom_period(first, last)
    assert MAX_CUSTOM_DAYS >= 366


def test_a_month_starts_at_local_midnight_and_the_clock_change_month_has_one_hour_more():
    start, end = bounds(period_of("month", date(2026, 10, 1)), PARIS)
    assert start == datetime(2026, 9, 30, 22, 0, tzinfo=UTC)
    assert end == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    assert end - start == timedelta(days=31, hours=1)


def test_the_month_under_way_counts_so_far():
    period = period_of("month", date(2026, 12, 1))
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert clipped(period, PARIS, now) == (datetime(2026, 11, 30, 23, 0, tzinfo=UTC), now)
    assert is_under_way(period, PARIS, now)
    assert not is_under_way(previous(period), PARIS, now)
    future = Period(kind="month", first=date(2027, 1, 1), last=date(2027, 1, 31))
    start, end = clipped(future, PARIS, now)
    assert start == end


def test_offsets_follow_the_clock_changes_of_a_year():
    rows = offsets(PARIS, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert rows == [
        ("2026-01-01T00:00:00Z", "2026-03-29T01:00:00Z", 60),
        ("2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z", 120),
        ("2026-10-25T01:00:00Z", "2027-01-01T00:00:00Z", 60),
    ]


@given(
    zone=st.sampled_from([PARIS, "America/New_York", "Australia/Sydney", "UTC", "Asia/Kolkata"]),
    start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
    days=st.integers(min_value=1, max_value=400),
    probe=st.integers(min_value=0, max_value=400 * 86400 - 1),
)
def test_offsets_cover_the_span_without_gaps_and_give_each_instant_its_offset(
    zone, start, days, probe
):
    start = start.replace(microsecond=0, tzinfo=UTC)
    end = start + timedelta(days=days)
    rows = offsets(zone, start, end)
    assert from_db(rows[0][0]) == start and from_db(rows[-1][1]) == end
    assert all(rows[i][1] == rows[i + 1][0] for i in range(len(rows) - 1))
    moment = start + timedelta(seconds=probe % int((end - start).total_seconds()))
    row = next(r for r in rows if from_db(r[0]) <= moment < from_db(r[1]))
    expected = moment.astimezone(ZoneInfo(zone)).utcoffset()
    assert row[2] == expected.total_seconds() // 60
