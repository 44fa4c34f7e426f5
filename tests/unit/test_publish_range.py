"""The default publish range covers whole turns: hand-off day to the eve of a hand-off."""

from datetime import date, timedelta

from server.schedules.publish_range import snapped_range

MONDAYS = [date(2026, 11, 30) + timedelta(weeks=k) for k in range(12)]


def test_a_tuesday_start_moves_to_the_next_monday_hand_off_and_ends_on_a_sunday() -> None:
    # The case: normal notice reaches a Tuesday; Tuesday to Tuesday left Monday a draft.
    start, end = snapped_range(date(2026, 12, 15), MONDAYS)
    assert (start, end) == (date(2026, 12, 21), date(2027, 1, 17))
    assert start.weekday() == 0 and end.weekday() == 6


def test_a_start_on_a_hand_off_day_stays() -> None:
    assert snapped_range(date(2026, 12, 14), MONDAYS) == (date(2026, 12, 14), date(2027, 1, 10))


def test_turns_longer_than_a_week_end_on_the_eve_of_a_hand_off_at_least_four_weeks_on() -> None:
    every_three_weeks = [date(2026, 11, 30) + timedelta(weeks=3 * k) for k in range(6)]
    start, end = snapped_range(date(2026, 12, 1), every_three_weeks)
    assert start == date(2026, 12, 21)
    assert end == date(2027, 1, 31)  # eve of the hand-off six weeks on: two whole turns


def test_daily_turns_change_nothing() -> None:
    days = [date(2026, 12, 1) + timedelta(days=k) for k in range(60)]
    assert snapped_range(date(2026, 12, 3), days) == (date(2026, 12, 3), date(2026, 12, 30))


def test_without_hand_offs_far_enough_the_range_is_four_weeks_from_the_earliest_day() -> None:
    assert snapped_range(date(2026, 12, 15), []) == (date(2026, 12, 15), date(2027, 1, 12))
    assert snapped_range(date(2026, 12, 15), [date(2026, 12, 21)]) == (
        date(2026, 12, 21),
        date(2027, 1, 18),
    )
