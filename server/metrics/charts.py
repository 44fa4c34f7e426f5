"""The figures' charts: SVG drawn on the server by pygal, written inline in the page (so the copy
the service worker keeps is readable offline), each with its numbers as a table for screen
readers. Pygal's own script and style are taken out: the page's CSP allows neither inline
script nor inline style, and app.css colours the charts ("Figures" section)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pygal
from markupsafe import Markup, escape
from pygal.style import Style

from server.i18n import N_, format_date
from server.i18n import gettext as _
from server.metrics import texts
from server.metrics.models import AlertFigures, PersonFigures
from server.metrics.volume import Bucket

# Sizes pygal lays the chart out with; app.css draws the text at the same sizes.
_STYLE = Style(
    font_family="system-ui, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    value_font_size=13,
    title_font_size=14,
    tooltip_font_size=13,
)
_CONFIG = {
    "js": [],  # no script from a CDN (pygal's default loads one from kozea.github.io)
    "css": [],  # colours come from app.css
    "disable_xml_declaration": True,  # inline in HTML, not a file
    "explicit_size": False,  # viewBox only: the page scales it to the phone's width
    "no_prefix": True,
    "style": _STYLE,
    "legend_at_bottom": True,
    "legend_at_bottom_columns": 2,
    "show_y_guides": True,
    "print_values": False,
    "margin": 8,
    "width": 400,
    "truncate_label": -1,  # whole labels: pygal cuts them to a few letters and "…" otherwise
    "truncate_legend": -1,
    "include_x_axis": True,  # counts and durations start from 0
}
_REMOVED = (
    re.compile(r"<script\b.*?</script>", re.S),
    re.compile(r"<style\b.*?</style>", re.S),
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"<title>.*?</title>", re.S),
    re.compile(r' style="[^"]*"'),  # the hidden tooltip: inline style, which the CSP refuses
    re.compile(r' id="activate-serie-\d+"'),  # legend ids, repeated by every chart of a page
)


@dataclass(frozen=True)
class Chart:
    """A chart and its numbers: `rows` under `headers`, the table a screen reader reads."""

    key: str
    label: str  # the SVG's aria-label
    svg: Markup
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)


def clean_svg(svg: str, key: str, label: str) -> Markup:
    """Pygal's SVG with no script, no style, no comment, a stable id, and read as one image."""
    for pattern in _REMOVED:
        svg = pattern.sub("", svg)
    opening = (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="chart-{key}" role="img" '
        f'aria-label="{escape(label)}" focusable="false"'
    )
    svg = re.sub(r'<svg xmlns="http://www.w3.org/2000/svg" id="[^"]*"', opening, svg, count=1)
    return Markup(svg)


def _render(chart: pygal.graph.graph.Graph, key: str, label: str) -> Markup:
    return clean_svg(chart.render(is_unicode=True), key, label)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


RESPONSE_FIGURES = ("time_to_acknowledge", "time_to_resolve", "time_to_intervene")
# The bars' labels, short enough for a phone; the table under the chart names them in full.
SHORT_NAMES = {
    "time_to_acknowledge": N_("To acknowledge"),
    "time_to_resolve": N_("To resolve"),
    "time_to_intervene": N_("To intervene"),
}


def response_chart(current: AlertFigures, previous: AlertFigures) -> Chart:
    """The median response times, this period's bars beside the previous period's."""
    label = _("Median response times in minutes, this period and the previous one")
    chart = pygal.Bar(height=260, max_scale=6, **_CONFIG)
    chart.x_labels = [_(SHORT_NAMES[figure]) for figure in RESPONSE_FIGURES]
    now_name, before_name = _("This period"), _("Previous period")
    medians = [
        [getattr(figures, figure).median_seconds for figure in RESPONSE_FIGURES]
        for figures in (current, previous)
    ]
    chart.add(now_name, [_minutes(value) for value in medians[0]])
    chart.add(before_name, [_minutes(value) for value in medians[1]])
    rows = [
        [texts.name(figure), texts.duration(now), texts.duration(before)]
        for figure, now, before in zip(RESPONSE_FIGURES, *medians, strict=True)
    ]
    return Chart(
        "response",
        label,
        _render(chart, "response", label),
        [_("Median"), now_name, before_name],
        rows,
    )


def bucket_label(kind: str, first: date) -> str:
    """How the numbers' table names a bucket: "déc. 2026", "7 déc."."""
    if kind == "year":
        return format_date(first, "MMM y")
    return format_date(first, "d MMM")


def axis_label(kind: str, first: date) -> str:
    """How the chart's axis names it, short enough not to overlap on a phone: "déc.", "7"."""
    if kind == "year":
        return format_date(first, "MMM")
    if kind == "month":
        return str(first.day)
    return format_date(first, "d MMM")


def timeline_chart(kind: str, buckets: list[Bucket]) -> Chart:
    """Alerts over the period: per day, week or month (server/metrics/volume.py)."""
    unit = {"year": _("Alerts per month"), "quarter": _("Alerts per week")}
    label = unit.get(kind, _("Alerts per day"))
    chart = pygal.Line(height=220, show_legend=False, max_scale=6, **_CONFIG)
    chart.x_labels = [axis_label(kind, bucket.first) for bucket in buckets]
    # A label every few points, or they overlap on a phone.
    chart.x_labels_major_every = max(1, len(buckets) // 6)
    chart.show_minor_x_labels = False
    chart.add(_("Alerts"), [bucket.alerts for bucket in buckets])
    rows = [[bucket_label(kind, bucket.first), str(bucket.alerts)] for bucket in buckets]
    header = _("Month") if kind == "year" else _("From")
    return Chart("timeline", label, _render(chart, "timeline", label), [header, _("Alerts")], rows)


LOAD_KINDS = ("weekday_night_hours", "weekend_hours", "holiday_hours")


def other_hours(person: PersonFigures) -> float:
    """On-call hours that are neither a weekday night, a weekend nor a holiday."""
    return max(0.0, person.oncall_hours - sum(getattr(person, kind) for kind in LOAD_KINDS))


def load_chart(people: list[PersonFigures]) -> Chart:
    """Each person's on-call hours, stacked by kind of time."""
    label = _("On-call hours per person, by kind of time")
    held = [person for person in people if person.oncall_hours > 0]
    # Pygal draws a horizontal chart's first label at the bottom: the most loaded on top.
    drawn = held[::-1]
    chart = pygal.HorizontalStackedBar(height=120 + 36 * max(1, len(held)), max_scale=5, **_CONFIG)
    chart.x_labels = [person.name for person in drawn]
    for kind in LOAD_KINDS:
        chart.add(texts.name(kind), [round(getattr(person, kind), 1) for person in drawn])
    chart.add(_("Other hours"), [round(other_hours(person), 1) for person in drawn])
    rows = [
        [
            person.name,
            *(texts.hours(getattr(person, kind)) for kind in LOAD_KINDS),
            texts.hours(other_hours(person)),
            texts.hours(person.oncall_hours),
        ]
        for person in held
    ]
    headers = [
        _("Person"),
        *(texts.name(kind) for kind in LOAD_KINDS),
        _("Other on-call hours"),
        _("Total"),
    ]
    return Chart("load", label, _render(chart, "load", label), headers, rows)
