"""Dates as each language writes them: English as a European reads it (en-GB: day before month,
24-hour times, months capitalised), French in lower case, capitalised only to start a line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from jinja2 import Environment

from server import i18n
from server.notifications.models import Notification
from server.notifications.texts import render
from server.web import template_config

# 7 December 2026, 18:00 in Paris.
EVENING = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)


@pytest.fixture
def locale(request: pytest.FixtureRequest) -> Iterator[str]:
    token = i18n.current_locale.set(request.param)
    tz_token = i18n.current_timezone.set("Europe/Paris")
    yield request.param
    i18n.current_timezone.reset(tz_token)
    i18n.current_locale.reset(token)


def templates() -> Environment:
    """The app's own Jinja environment, with its filters and globals."""

    class Engine:
        engine = Environment(extensions=["jinja2.ext.i18n"])

    engine = Engine()
    template_config("test").engine_callback(engine)  # type: ignore[arg-type]
    return engine.engine


@pytest.mark.parametrize(
    ("locale", "full", "short_datetime", "day", "moment", "month"),
    [
        (
            "en",
            "Monday, 7 December 2026",
            "07/12/2026, 18:00",
            "Mon 7 Dec",
            "Mon 7 Dec 18:00",
            "December 2026",
        ),
        (
            "fr",
            "lundi 7 décembre 2026",
            "07/12/2026 18:00",
            "lun. 7 déc.",
            "lun. 7 déc. 18:00",
            "décembre 2026",
        ),
    ],
    indirect=["locale"],
)
def test_each_language_writes_dates_its_own_way(
    locale: str, full: str, short_datetime: str, day: str, moment: str, month: str
) -> None:
    assert i18n.format_date(EVENING, "full") == full
    assert i18n.format_datetime(EVENING, "short") == short_datetime
    assert i18n.format_day(EVENING) == day
    assert i18n.format_moment(EVENING) == moment
    assert i18n.format_date(date(2026, 12, 1), "LLLL y") == month
    assert i18n.format_time(EVENING, "short") == "18:00"


@pytest.mark.parametrize(
    ("locale", "source", "shown"),
    [
        ("en", '{{ format_date(now, "full") | capitalize }}', "Monday, 7 December 2026"),
        ("en", "{{ format_day(now) | capitalize }}", "Mon 7 Dec"),
        ("en", '{{ format_date(now, "LLLL y") | capitalize }}', "December 2026"),
        ("fr", '{{ format_date(now, "full") | capitalize }}', "Lundi 7 décembre 2026"),
        ("fr", "{{ format_day(now) | capitalize }}", "Lun. 7 déc."),
        ("fr", '{{ format_date(now, "LLLL y") | capitalize }}', "Décembre 2026"),
    ],
    indirect=["locale"],
)
def test_a_date_starting_a_line_keeps_the_case_of_its_month(
    locale: str, source: str, shown: str
) -> None:
    """English months keep their capital ("December", not "december"); French ones stay in
    lower case inside the line and only the first letter of the line is capitalised."""
    assert templates().from_string(source).render(now=EVENING) == shown


@pytest.mark.parametrize(("locale", "lang"), [("en", "en-GB"), ("fr", "fr")], indirect=["locale"])
def test_the_page_language_tells_the_browser_which_formats_to_use(locale: str, lang: str) -> None:
    assert templates().from_string("{{ html_lang() }}").render() == lang


@pytest.mark.parametrize(
    ("locale", "body"),
    [
        (
            "en",
            "On call from 07/12/2026, 18:00 to 08/12/2026, 08:00 (Maintenance). Please accept it.",
        ),
        (
            "fr",
            "D’astreinte du 07/12/2026 18:00 au 08/12/2026 08:00 (Maintenance). "
            "Merci de l’accepter.",
        ),
    ],
    indirect=["locale"],
)
def test_a_notification_writes_its_dates_day_first(locale: str, body: str) -> None:
    """A European reads "12/7/26" as 12 July: the notification says 07/12/2026 and 18:00."""
    notification = Notification(
        id=1,
        user_id=2,
        kind="shift_assigned",
        params={
            "start": "2026-12-07T17:00:00+00:00",
            "end": "2026-12-08T07:00:00+00:00",
            "team": "Maintenance",
        },
        url="/schedule/mine",
        urgency="normal",
        created_at=EVENING,
        read_at=None,
    )
    assert render(notification).body == body
