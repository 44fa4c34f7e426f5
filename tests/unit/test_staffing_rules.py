"""Pure rules of the needs page (server/staffing/rules.py): the weeks read, what the schedule
provides at each hour of the week (the thinnest week, across a clock change), the runs of equal
hours and the worst ones."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.staffing.rules import (
    bands,
    history_window,
    needs_by_hour,
    provided_by_hour,
    provision_days,
    worst,
)

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def test_the_weeks_read_are_complete_weeks_in_the_teams_zone() -> None:
    # Sunday 1 November 2026 at 00:30 in Paris is still Saturday 23:30 UTC: the week under way
    # began on Monday 26 October, so the last complete week is 19–25 October; the clocks went
    # back on 25 October, so that week has 169 hours.
    first, last, start, end = history_window(paris(2026, 11, 1, 0, 30), "Europe/Paris", 1)
    assert (first, last) == (date(2026, 10, 19), date(2026, 10, 25))
    assert start == paris(2026, 10, 19).astimezone(UTC)
    assert end - start == timedelta(hours=169)


def test_the_schedule_is_looked_at_for_four_weeks_from_tomorrow() -> None:
    days = provision_days(paris(2026, 12, 16, 23, 30), "Europe/Paris")
    assert (days[0], days[-1], len(days)) == (date(2026, 12, 17), date(2027, 1, 13), 28)


def test_a_layer_counts_only_for_hours_it_holds_whole_and_the_thinnest_week_wins() -> None:
    days = [date(2026, 12, 14) + timedelta(days=n) for n in range(14)]  # two weeks from Monday
    primary = [
        (paris(2026, 12, 14), paris(2026, 12, 15, 10, 30)),  # hands off at 10:30 …
        (paris(2026, 12, 15, 10, 30), paris(2026, 12, 28)),  # … to someone else: no gap
    ]
    backup = [(paris(2026, 12, 14), paris(2026, 12, 22, 9, 15))]  # the second Tuesday from 09:15
    provided = provided_by_hour([primary, backup], days, "Europe/Paris")
    assert provided[(1, 10)] == 1  # Tuesday 10–11: backup missing on the second week
    assert provided[(1, 9)] == 1  # 09:15: the hour is not held whole
    assert provided[(1, 8)] == 2
    assert provided[(2, 3)] == 1  # Wednesday of the second week: no backup any more


def test_a_missing_hour_of_the_spring_change_does_not_break_the_count() -> None:
    days = [date(2027, 3, 28)]  # 02:00 does not exist in Paris that night
    held = [(paris(2027, 3, 27), paris(2027, 3, 29))]
    provided = provided_by_hour([held, []], days, "Europe/Paris")
    assert [provided[(6, hour)] for hour in range(24)] == [1] * 24


def test_equal_hours_make_one_band_and_the_worst_come_first() -> None:
    alerts = {(1, 10): 20, (1, 11): 20, (3, 3): 1}
    provided = {(weekday, hour): 1 for weekday in range(7) for hour in range(24)}
    grid = needs_by_hour(
        alerts, provided, weeks=1, volume_percent=100, handle_seconds=3600,
        within_seconds=900, target=0.9,
    )  # fmt: skip
    assert len(grid) == 168 and grid[0].needed == 1 and grid[0].coverage == "met"
    days = bands(grid)
    assert [(b.start_hour, b.end_hour) for b in days[0]] == [(0, 24)]
    tuesday = [(b.start_hour, b.end_hour, b.coverage) for b in days[1]]
    assert tuesday == [(0, 10, "met"), (10, 12, "under"), (12, 24, "met")]
    first, second = worst(days)
    assert (first.weekday, first.start_hour, second.weekday, second.start_hour) == (1, 10, 3, 3)
    assert first.shortfall > second.shortfall


def test_the_what_if_volume_scales_the_calls() -> None:
    base = needs_by_hour(
        {(1, 10): 10}, {}, weeks=2, volume_percent=150, handle_seconds=1800,
        within_seconds=900, target=0.9,
    )  # fmt: skip
    assert base[24 + 10].calls_per_hour == 7.5
    assert base[24 + 10].provided == 0 and base[24 + 10].coverage == "under"
