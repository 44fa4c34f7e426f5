"""The exchange list's filter (server/swaps/exchange.py): what the query string may say, the
period each choice covers, and what "show later shifts" opens."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from server.errors import InvalidInput
from server.swaps.exchange import (
    ExchangeFilter,
    later_filter,
    months_in_reach,
    read_filter,
    window,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)  # Monday 30 November 2026, 10:00 in Paris


def test_an_empty_query_is_the_next_four_weeks_of_everyone() -> None:
    chosen = read_filter({}, [2, 3], NOW, PARIS)
    assert chosen == ExchangeFilter()
    assert window(chosen, NOW, PARIS) == (NOW, datetime(2026, 12, 28, 9, tzinfo=UTC))
    assert chosen.query() == {"period": "4w"}


def test_a_month_runs_midnight_to_midnight_in_the_teams_zone() -> None:
    chosen = read_filter(
        {"period": "2027-01", "level": "secondary", "colleague": "3"}, [3], NOW, PARIS
    )
    assert (chosen.month, chosen.level, chosen.colleague) == (date(2027, 1, 1), "secondary", 3)
    assert window(chosen, NOW, PARIS) == (
        datetime(2026, 12, 31, 23, tzinfo=UTC),
        datetime(2027, 1, 31, 23, tzinfo=UTC),
    )
    # This month starts now, not on the 1st.
    assert window(read_filter({"period": "2026-11"}, [], NOW, PARIS), NOW, PARIS)[0] == NOW


def test_months_in_reach_cross_the_year() -> None:
    months = months_in_reach(NOW, PARIS)
    assert months[0] == date(2026, 11, 1) and months[-1] == date(2027, 5, 1)


@pytest.mark.parametrize(
    ("chosen", "later"),
    [
        (ExchangeFilter(), ExchangeFilter(weeks=8)),
        (ExchangeFilter(weeks=24, level="primary"), ExchangeFilter(weeks=26, level="primary")),
        (ExchangeFilter(month=date(2026, 12, 1)), ExchangeFilter(month=date(2027, 1, 1))),
    ],
)
def test_later_opens_four_more_weeks_or_the_next_month(
    chosen: ExchangeFilter, later: ExchangeFilter
) -> None:
    assert later_filter(chosen) == later


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"colleague": "7"}, "colleague"),
        ({"colleague": "-1"}, "colleague"),
        ({"level": "PRIMARY"}, "level"),
        ({"period": "27w"}, "period"),
        ({"period": "2026-10"}, "period"),
        ({"period": "2026-00"}, "period"),
        ({"period": "4 w"}, "period"),
    ],
)
def test_what_the_form_cannot_send_names_its_field(params: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_filter(params, [2, 3], NOW, PARIS)
    assert refused.value.field == field
    assert refused.value.status == 400
