"""The month's figures as the review reads them, beside the previous month's: one list of
sections, rows and tables that the page and the PDF both print, so they say the same thing.
Figures come from server/metrics (the one computation); names and formats from its texts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from server.i18n import format_number
from server.i18n import gettext as _
from server.metrics import texts
from server.metrics.models import Durations, PersonFigures, Snapshot, TeamFigures
from server.metrics.views import rule_name

# How many recurring problems the review lists (the dashboard has them all).
TOP_PROBLEMS = 5


@dataclass(frozen=True)
class Row:
    key: str  # the figure's key in server/metrics/texts.py (its definition, its anchor)
    label: str
    current: str
    previous: str


@dataclass(frozen=True)
class Table:
    """A table of the month only (people, problems, rest rules): header and rows of text."""

    header: list[str]
    rows: list[list[str]]
    empty: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    table: Table | None = None


def _row(key: str, label: str, fmt: Callable, now: Snapshot, before: Snapshot, read) -> Row:
    return Row(key, label, fmt(read(now)), fmt(read(before)))


def _durations(key: str, now: Snapshot, before: Snapshot, read) -> list[Row]:
    """A duration's median and 90th percentile (the mean hides the long tail)."""
    rows = []
    for statistic in ("median", "p90"):

        def value(snapshot: Snapshot, statistic: str = statistic) -> float | None:
            found: Durations = read(snapshot)
            return getattr(found, f"{statistic}_seconds")

        label = f"{texts.name(key)}, {texts.statistic(statistic)}"
        rows.append(_row(key, label, texts.duration, now, before, value))
    return rows


def _per_hour(value: float | None) -> str:
    """A team's alerts per hour are often far below one: three decimals, not two."""
    return "–" if value is None else format_number(round(value, 3))


def _total(people: list[PersonFigures], name: str) -> int:
    return sum(getattr(person, name) for person in people)


def response_times(now: Snapshot, before: Snapshot) -> Section:
    rows = []
    for key in ("time_to_acknowledge", "time_to_resolve", "time_to_intervene"):
        rows += _durations(key, now, before, lambda s, key=key: getattr(s.alerts, key))
    rows += _durations(
        "intervention_duration", now, before, lambda s: s.alerts.intervention_duration
    )
    return Section("response", _("Response times"), rows)


def volume(now: Snapshot, before: Snapshot) -> Section:
    count, rate = texts.number, texts.rate
    return Section(
        "volume",
        _("Volume and rates"),
        [
            _row("alerts", texts.name("alerts"), count, now, before, lambda s: s.alerts.alerts),
            _row(
                "alerts_per_hour",
                texts.name("alerts_per_hour"),
                _per_hour,
                now,
                before,
                lambda s: s.alerts.alerts_per_hour,
            ),
            _row(
                "acknowledgement_rate",
                texts.name("acknowledgement_rate"),
                rate,
                now,
                before,
                lambda s: s.alerts.acknowledgement_rate,
            ),
            _row(
                "escalation_rate",
                texts.name("escalation_rate"),
                rate,
                now,
                before,
                lambda s: s.alerts.escalation_rate,
            ),
            _row(
                "interventions",
                texts.name("interventions"),
                count,
                now,
                before,
                lambda s: s.alerts.interventions,
            ),
        ],
    )


def interruptions(now: Snapshot, before: Snapshot) -> Section:
    rows = [
        _row(key, texts.name(key), texts.number, now, before, lambda s, k=key: _total(s.people, k))
        for key in ("interruptions", "sleep_interruptions", "off_hours_interruptions")
    ]
    return Section("interruptions", texts.name("interruptions"), rows)


def load(now: Snapshot, before: Snapshot) -> Section:
    """On-call load and fairness: the team's spread, then each person's month."""
    rows = [
        _row(
            "mean_oncall_hours",
            texts.name("mean_oncall_hours"),
            texts.hours,
            now,
            before,
            lambda s: s.fairness.mean_oncall_hours,
        ),
        _row(
            "max_min_ratio",
            texts.name("max_min_ratio"),
            texts.ratio,
            now,
            before,
            lambda s: s.fairness.max_min_ratio,
        ),
        _row(
            "mean_interventions",
            texts.name("mean_interventions"),
            texts.number,
            now,
            before,
            lambda s: s.fairness.mean_interventions,
        ),
    ]
    header = [
        _("Person"),
        texts.name("oncall_hours"),
        texts.name("weekday_night_hours"),
        texts.name("weekend_hours"),
        texts.name("holiday_hours"),
        texts.name("interventions"),
        texts.name("night_interventions"),
        texts.name("share"),
    ]
    people = [
        [
            p.name,
            texts.hours(p.oncall_hours),
            texts.hours(p.weekday_night_hours),
            texts.hours(p.weekend_hours),
            texts.hours(p.holiday_hours),
            texts.number(p.interventions),
            texts.number(p.night_interventions),
            texts.rate(p.share),
        ]
        for p in now.people
    ]
    table = Table(header, people, _("Nobody held on-call time this month."))
    return Section("load", _("On-call load and fairness"), rows, table)


def rest(now: Snapshot, before: Snapshot) -> Section:
    rows = [
        _row(key, texts.name(key), texts.number, now, before, lambda s, k=key: getattr(s.rest, k))
        for key in ("violations", "people_with_violations", "high_fatigue_reports")
    ]
    table = Table(
        [_("Rule"), texts.name("violations")],
        [[rule_name(rule), texts.number(count)] for rule, count in now.rest.by_rule],
        _("No rest-rule violation this month."),
    )
    return Section("rest", _("Rest health"), rows, table)


def problems(now: Snapshot) -> Section:
    """The month's top problems by alerts, with the time spent on them and their returns."""
    table = Table(
        [_("Problem"), texts.name("alerts"), _("Intervention time"), _("Returns")],
        [
            [
                f"{p.title} · {p.source}" if p.source else p.title,
                texts.number(p.alerts),
                texts.duration(p.intervention_seconds) if p.intervention_seconds else "—",
                texts.number(p.returns),
            ]
            for p in now.problems[:TOP_PROBLEMS]
        ],
        _("No alert this month."),
    )
    return Section("problems", texts.name("problems"), table=table)


def sections(figures: TeamFigures) -> list[Section]:
    now, before = figures.current, figures.previous
    return [
        response_times(now, before),
        volume(now, before),
        interruptions(now, before),
        load(now, before),
        rest(now, before),
        problems(now),
    ]
