"""The first day a change may start on is exactly where the notice rule stops answering
"too late": what the refusal of a replacement offers (a cover from then on) is one the rule
accepts, and nothing earlier is."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.schedules.notice import first_day_allowed, notice_status

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    "told_at",
    [
        datetime(2026, 11, 30, 9, 0, tzinfo=UTC),  # a Monday morning
        datetime(2026, 11, 30, 22, 30, tzinfo=UTC),  # 23:30 in Paris, still Monday
        datetime(2026, 11, 30, 23, 30, tzinfo=UTC),  # already Tuesday in Paris
        datetime(2026, 10, 24, 23, 0, tzinfo=UTC),  # the night the clocks go back
    ],
)
@pytest.mark.parametrize("clear_days", [1, 2])
def test_the_first_day_allowed_is_where_too_late_ends(told_at: datetime, clear_days: int):
    day = first_day_allowed(told_at, "Europe/Paris", clear_days)
    first = datetime.combine(day, time(), tzinfo=PARIS)
    assert notice_status(told_at, first, "Europe/Paris", 15, clear_days) == "exceptional"
    before = first - timedelta(minutes=1)
    assert notice_status(told_at, before, "Europe/Paris", 15, clear_days) == "too_late"
