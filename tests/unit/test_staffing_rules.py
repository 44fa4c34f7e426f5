"""Pure rules of the needs page (server/staffing/rules.py): the weeks read, what the schedule
provides at each hour of the week (the thinnest week, across a clock change), the runs of equal
hours and the worst ones."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.staffing.rules import (
    bands,
    held_by_hour,
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
    held = {(weekday, hour): (1, 0) for weekday in range(7) for hour in range(24)}
    grid = needs_by_hour(
        alerts, held, weeks=1, volume_percent=100, handle_seconds=3600,
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


def test_each_layer_is_held_or_not_and_a_gap_in_either_week_counts() -> None:
    days = [date(2026, 12, 14) + timedelta(days=n) for n in range(14)]  # two weeks from Monday
    # Primary all along but the first Tuesday 10–11; backup all along but the second Tuesday.
    primary = [
        (paris(2026, 12, 14), paris(2026, 12, 15, 10)),
        (paris(2026, 12, 15, 11), paris(2026, 12, 28)),
    ]
    backup = [
        (paris(2026, 12, 14), paris(2026, 12, 22, 10)),
        (paris(2026, 12, 22, 11), paris(2026, 12, 28)),
    ]
    held = held_by_hour([primary, backup], days, "Europe/Paris")
    assert held[(1, 9)] == (1, 1) and held[(1, 11)] == (1, 1)
    # Each week had one person at 10:00, but never the same layer: neither is held every week.
    assert held[(1, 10)] == (0, 0)
    assert provided_by_hour([primary, backup], days, "Europe/Paris")[(1, 10)] == 0
    assert held_by_hour([primary, []], days, "Europe/Paris")[(2, 10)] == (1, 0)


def test_an_hour_with_only_the_primary_is_under_covered_when_two_are_needed() -> None:
    # One alert an hour of 30 minutes, 90 % within 15 minutes: Erlang C asks for 2.
    held = {(weekday, hour): (1, 1) for weekday in range(7) for hour in range(24)}
    held[(4, 20)] = held[(4, 21)] = (1, 0)  # Friday 20–22: the backup is missing
    held[(4, 22)] = (0, 1)  # Friday 22–23: only the backup, one person too
    alerts = {(4, hour): 1 for hour in range(24)}
    grid = needs_by_hour(
        alerts, held, weeks=1, volume_percent=100, handle_seconds=1800,
        within_seconds=900, target=0.9,
    )  # fmt: skip
    friday = grid[4 * 24 + 20]
    assert (friday.needed, friday.primary, friday.backup) == (2, 1, 0)
    assert (friday.provided, friday.coverage) == (1, "under")
    assert grid[4 * 24 + 19].coverage == "met"
    # A run groups hours with the same layers held, not just the same count: 20–22 with the
    # primary apart from 22–23 with the backup, both one person short.
    runs = [(b.start_hour, b.end_hour, b.primary, b.backup, b.coverage) for b in bands(grid)[4]]
    assert runs == [
        (0, 20, 1, 1, "met"),
        (20, 22, 1, 0, "under"),
        (22, 23, 0, 1, "under"),
        (23, 24, 1, 1, "met"),
    ]
    assert [(b.start_hour, b.primary, b.backup) for b in worst(bands(grid))] == [
        (20, 1, 0),
        (22, 0, 1),
    ]
