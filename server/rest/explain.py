"""Violations and durations in plain words, with the article of the Code du travail."""

from __future__ import annotations

from datetime import date, datetime

from server.i18n import format_day, format_number, format_time, hours_text
from server.i18n import gettext as _
from server.models import Value
from server.rest.models import Violation

ARTICLES = {
    "daily_rest": "L3131-1",
    "weekly_rest": "L3132-2",
    "max_daily_work": "L3121-18",
    "max_weekly_work": "L3121-20",
    "max_avg_weekly_work": "L3121-22",
}


class Explained(Value, kw_only=True):
    rule: str
    day: date
    title: str
    text: str
    article: str


def rule_title(rule: str) -> str:
    return {
        "daily_rest": _("Daily rest"),
        "weekly_rest": _("Weekly rest"),
        "max_daily_work": _("Work in a day"),
        "max_weekly_work": _("Work in a week"),
        "max_avg_weekly_work": _("Average weekly work"),
    }[rule]


def explain(violation: Violation, timezone: str, avg_weeks: int = 12) -> Explained:
    day = date.fromisoformat(violation.at[:10])
    hours = hours_text(violation.hours or 0)
    limit = hours_text(violation.limit or 0)
    rule = violation.rule
    if rule == "daily_rest":
        moment = datetime.fromisoformat(violation.at)
        text = _(
            "Work resumed on %(day)s at %(time)s after only %(hours)s of rest; %(limit)s in a "
            "row are due in the 24 hours before.",
            day=format_day(moment, timezone),
            time=format_time(moment, "short", timezone),
            hours=hours,
            limit=limit,
        )
    elif rule == "weekly_rest":
        text = _(
            "The week of %(day)s had no %(limit)s in a row without work (longest: %(hours)s).",
            day=format_day(day),
            hours=hours,
            limit=limit,
        )
    elif rule == "max_daily_work":
        text = _(
            "%(hours)s of work on %(day)s, over the %(limit)s allowed in a day.",
            day=format_day(day),
            hours=hours,
            limit=limit,
        )
    elif rule == "max_weekly_work":
        text = _(
            "%(hours)s of work in the week of %(day)s, over the %(limit)s allowed in a week.",
            day=format_day(day),
            hours=hours,
            limit=limit,
        )
    else:
        text = _(
            "%(hours)s a week on average over the %(weeks)s weeks from %(day)s, over the "
            "%(limit)s allowed.",
            day=format_day(day),
            hours=hours,
            limit=limit,
            weeks=format_number(avg_weeks),
        )
    return Explained(rule=rule, day=day, title=rule_title(rule), text=text, article=ARTICLES[rule])


class Clock(Value, kw_only=True):
    """The rest clock's figures: "6 h 12 of 11 h", and how full the bar is."""

    so_far: str
    due: str
    percent: int


def rest_clock(rest_since: datetime | None, daily_rest_hours: float, now: datetime) -> Clock:
    hours = max((now - rest_since).total_seconds() / 3600, 0) if rest_since else 0
    percent = min(100, round(100 * hours / daily_rest_hours)) if daily_rest_hours else 100
    return Clock(so_far=hours_text(hours), due=hours_text(daily_rest_hours), percent=percent)
