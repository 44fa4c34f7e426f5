"""The figures' charts: inline SVG that loads nothing (no script, no style the CSP would
refuse), read as one image with a label, with every number of the chart in its table; and how
durations, rates and changes read."""

from __future__ import annotations

import re
from datetime import date
from xml.etree import ElementTree

import pytest

from server.i18n import current_locale
from server.metrics import charts, texts
from server.metrics.models import AlertFigures, Durations, PersonFigures
from server.metrics.periods import period_of
from server.metrics.views import RESPONSE, Compared, Side, heat_level
from server.metrics.volume import Bucket, buckets


@pytest.fixture(autouse=True)
def english():
    token = current_locale.set("en")
    yield
    current_locale.reset(token)


def durations(median: float | None) -> Durations:
    return Durations(
        count=0 if median is None else 4,
        mean_seconds=median,
        median_seconds=median,
        p90_seconds=None if median is None else median * 3,
    )


def alerts(acknowledge: float | None, resolve: float | None = 3600) -> AlertFigures:
    return AlertFigures(
        alerts=12,
        hours=720,
        alerts_per_hour=12 / 720,
        acknowledged=10,
        acknowledgement_rate=10 / 12,
        escalated=1,
        escalation_rate=1 / 12,
        time_to_acknowledge=durations(acknowledge),
        time_to_resolve=durations(resolve),
        time_to_intervene=durations(1800),
        intervention_duration=durations(5400),
        interventions=3,
        heat_map=[[0] * 24 for _day in range(7)],
    )


def person(name: str, hours: float, nights: float, weekend: float) -> PersonFigures:
    return PersonFigures(
        user_id=len(name),
        name=name,
        oncall_hours=hours,
        weekday_night_hours=nights,
        weekend_hours=weekend,
        holiday_hours=0,
        interventions=2,
        night_interventions=1,
        intervention_seconds=3600,
        acknowledged=3,
        interruptions=5,
        sleep_interruptions=2,
        off_hours_interruptions=4,
        violations=0,
        high_fatigue_reports=0,
        share=1.0,
    )


def assert_inert_svg(chart: charts.Chart) -> ElementTree.Element:
    svg = str(chart.svg)
    assert "<script" not in svg and "<style" not in svg and "style=" not in svg
    assert "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<?xml" not in svg and "<!--" not in svg
    root = ElementTree.fromstring(svg)  # well-formed, one element
    assert root.get("role") == "img" and root.get("aria-label") == chart.label
    assert root.get("id") == f"chart-{chart.key}"
    assert not re.search(r'id="activate-serie', svg)
    return root


def test_the_response_chart_is_inline_svg_with_its_numbers_in_a_table() -> None:
    chart = charts.response_chart(alerts(270), alerts(None))
    assert_inert_svg(chart)
    assert chart.headers == ["Median", "This period", "Previous period"]
    assert chart.rows[0] == ["Time to acknowledge", "4 min 30 s", "–"]
    assert chart.rows[1] == ["Time to resolve", "1 h", "1 h"]


def test_the_timeline_chart_has_every_bucket_in_its_table() -> None:
    period = period_of("month", date(2026, 11, 1))
    found = buckets(period, {"2026-11-02": 4, "2026-11-30": 1}, date(2026, 11, 30))
    chart = charts.timeline_chart("month", found)
    assert_inert_svg(chart)
    assert len(chart.rows) == 30
    assert chart.rows[1] == ["2 Nov", "4"] and chart.rows[2] == ["3 Nov", "0"]


def test_the_load_chart_stacks_each_person_s_hours_by_kind() -> None:
    people = [person("Claire", 40, 10, 20), person("Julien", 10, 0, 10), person("Idle", 0, 0, 0)]
    chart = charts.load_chart(people)
    root = assert_inert_svg(chart)
    # Nobody with no on-call time; the other hours are what no kind counts.
    assert [row[0] for row in chart.rows] == ["Claire", "Julien"]
    assert chart.rows[0] == ["Claire", "10 h", "20 h", "0 h", "10 h", "40 h"]
    texts_drawn = {element.text for element in root.iter() if element.text}
    assert {"Claire", "Julien"} <= texts_drawn


def test_a_quarter_counts_by_week_and_twelve_months_by_month() -> None:
    quarter = period_of("quarter", date(2026, 10, 1))
    weeks = buckets(
        quarter, {"2026-10-01": 2, "2026-10-04": 1, "2026-10-05": 7}, date(2026, 12, 31)
    )
    # 1 October 2026 is a Thursday: the first week is clipped to the quarter.
    assert (weeks[0].first, weeks[0].alerts) == (date(2026, 10, 1), 3)
    assert (weeks[1].first, weeks[1].alerts) == (date(2026, 10, 5), 7)
    year = period_of("year", date(2026, 11, 1))
    months = buckets(year, {"2026-11-03": 5}, date(2026, 11, 15))
    assert [b.first for b in months][-1] == date(2026, 11, 1) and len(months) == 12
    assert months[-1] == Bucket(first=date(2026, 11, 1), alerts=5)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "–"),
        (45, "45 s"),
        (270, "4 min 30 s"),
        (240, "4 min"),
        (3900, "1 h 05 min"),
        (7200, "2 h"),
        (97200, "1 d 3 h"),
    ],
)
def test_durations_read_as_people_say_them(seconds: float | None, text: str) -> None:
    assert texts.duration(seconds) == text


def test_a_faster_acknowledgement_is_better_and_more_escalations_worse() -> None:
    median = next(spec for spec in RESPONSE if spec.key == "time_to_acknowledge.median")
    row = Compared(median, median.read(Side(alerts(120), [])), median.read(Side(alerts(300), [])))
    assert (row.arrow, row.change_text, row.tone) == ("↓", "3 min", "better")
    slower = Compared(median, 300, 120)
    assert (slower.arrow, slower.tone) == ("↑", "worse")
    assert Compared(median, None, 120).arrow == ""


def test_heat_levels_shade_from_none_to_the_busiest_hour() -> None:
    assert [heat_level(count, 8) for count in (0, 1, 2, 3, 8)] == [0, 1, 1, 2, 4]
    assert heat_level(3, 0) == 0
