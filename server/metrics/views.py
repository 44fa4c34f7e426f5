"""What the figures' pages and CSV files show, read from figures.py's values (never a second
computation): the period an address asks for, each summary figure beside the previous period
with its change, the people, the heat map and the recurring problems as rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import get_day_names

from server.errors import InvalidInput
from server.i18n import N_, format_locale
from server.i18n import gettext as _
from server.metrics import texts
from server.metrics.models import AlertFigures, Fairness, PersonFigures, RestHealth
from server.metrics.periods import PERIOD_KINDS, Period, PeriodKind, period_of
from server.rest.explain import rule_title

Better = Literal["lower", "higher"] | None


def this_month(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date().replace(day=1)


def month_before(month: date) -> date:
    index = month.year * 12 + month.month - 2
    return date(index // 12, index % 12 + 1, 1)


def checked_period(kind: str | None, month: str | None, zone: str, now: datetime) -> Period:
    """The period of `?period=&month=`: a month by default, ending with the last complete month
    in the team's zone; the month under way may be asked for, a later one may not. 400 naming
    the parameter otherwise."""
    chosen_kind = kind or "month"
    if chosen_kind not in PERIOD_KINDS:
        raise InvalidInput(_("Choose a period: month, quarter or year."), field="period")
    current = this_month(now, zone)
    if month is None:
        anchor = month_before(current)
    else:
        anchor = parse_month(month)
        if anchor > current:
            raise InvalidInput(
                _("This month has not started yet: choose this month or an earlier one."),
                field="month",
            )
    kind_: PeriodKind = chosen_kind  # type: ignore[assignment]
    return period_of(kind_, anchor)


def parse_month(text: str) -> date:
    """The first day of a YYYY-MM month; 400 naming the month otherwise."""
    try:
        year, number = (int(part) for part in text.split("-"))
        if len(text) != 7 or not 1900 <= year <= 2199:
            raise ValueError(text)
        return date(year, number, 1)
    except ValueError:
        raise InvalidInput(_("Choose a month written YYYY-MM."), field="month") from None


@dataclass(frozen=True)
class Side:
    """One period as the summary reads it: a team's snapshot, or a person's own figures (one
    person, no fairness, their own rest)."""

    alerts: AlertFigures
    people: list[PersonFigures]
    fairness: Fairness | None = None
    rest: RestHealth | None = None


def _total(field: str) -> Callable[[Side], float]:
    return lambda side: sum(getattr(person, field) for person in side.people)


def _spread(stat: str) -> Callable[[Side], float | None]:
    return lambda side: getattr(side.fairness, stat) if side.fairness else None


@dataclass(frozen=True)
class Spec:
    section: str
    figure: str  # the key of its name and definition in texts.FIGURES
    statistic: str  # "" or mean / median / p90
    unit: str  # a key of texts.FORMATS
    better: Better
    read: Callable[[Side], float | None]

    @property
    def key(self) -> str:
        return f"{self.figure}.{self.statistic}" if self.statistic else self.figure


def _durations(figure: str, better: Better) -> list[Spec]:
    return [
        Spec(
            "response",
            figure,
            stat,
            "seconds",
            better,
            lambda side, f=figure, s=stat: getattr(getattr(side.alerts, f), f"{s}_seconds"),
        )
        for stat in ("mean", "median", "p90")
    ]


def _alerts(field: str, unit: str, better: Better) -> Spec:
    return Spec("volume", field, "", unit, better, lambda side: getattr(side.alerts, field))


RESPONSE = [
    *_durations("time_to_acknowledge", "lower"),
    *_durations("time_to_resolve", "lower"),
    *_durations("time_to_intervene", "lower"),
    # Neither longer nor shorter interventions are better in themselves.
    *_durations("intervention_duration", None),
]
VOLUME = [
    _alerts("alerts", "count", None),
    _alerts("alerts_per_hour", "per_hour", None),
    _alerts("acknowledgement_rate", "rate", "higher"),
    _alerts("escalation_rate", "rate", "lower"),
    _alerts("interventions", "count", None),
]
INTERRUPTIONS = [
    Spec("interruptions", field, "", "count", "lower", _total(field))
    for field in ("interruptions", "sleep_interruptions", "off_hours_interruptions")
]
TEAM_SUMMARY = [
    *RESPONSE,
    *VOLUME,
    *INTERRUPTIONS,
    Spec("load", "mean_oncall_hours", "", "hours", None, _spread("mean_oncall_hours")),
    Spec("load", "max_min_ratio", "", "ratio", "lower", _spread("max_min_ratio")),
    Spec("load", "mean_interventions", "", "count", None, _spread("mean_interventions")),
    Spec("rest", "violations", "", "count", "lower", lambda s: s.rest.violations if s.rest else 0),
    Spec(
        "rest",
        "people_with_violations",
        "",
        "count",
        "lower",
        lambda s: s.rest.people_with_violations if s.rest else 0,
    ),
    Spec(
        "rest",
        "high_fatigue_reports",
        "",
        "count",
        "lower",
        lambda s: s.rest.high_fatigue_reports if s.rest else 0,
    ),
]
OWN_SUMMARY = [
    *RESPONSE,
    *VOLUME,
    *INTERRUPTIONS,
    *(
        Spec("load", field, "", "hours", None, _total(field))
        for field in ("oncall_hours", "weekday_night_hours", "weekend_hours", "holiday_hours")
    ),
    Spec("load", "night_interventions", "", "count", None, _total("night_interventions")),
    Spec("rest", "violations", "", "count", "lower", _total("violations")),
    Spec("rest", "high_fatigue_reports", "", "count", "lower", _total("high_fatigue_reports")),
]
SECTIONS = {
    "response": N_("Response"),
    "volume": N_("Volume"),
    "interruptions": N_("Interruptions"),
    "load": N_("On-call load and fairness"),
    "rest": N_("Rest health"),
}


@dataclass(frozen=True)
class Compared:
    """A figure now and over the previous period, with its change."""

    spec: Spec
    current: float | None
    previous: float | None

    @property
    def label(self) -> str:
        name = texts.name(self.spec.figure)
        if self.spec.statistic:
            return f"{name}, {texts.statistic(self.spec.statistic)}"
        return name

    @property
    def current_text(self) -> str:
        return texts.formatted(self.spec.unit, self.current)

    @property
    def previous_text(self) -> str:
        return texts.formatted(self.spec.unit, self.previous)

    @property
    def delta(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def arrow(self) -> str:
        delta = self.delta
        if delta is None:
            return ""
        return "↑" if delta > 0 else "↓" if delta < 0 else "="

    @property
    def change_text(self) -> str:
        delta = self.delta
        if not delta:
            return ""
        return texts.change_text(self.spec.unit, delta)

    @property
    def tone(self) -> str:
        """ "better", "worse" or "" (no change, or no side is better)."""
        delta = self.delta
        if not delta or self.spec.better is None:
            return ""
        return "better" if (delta < 0) == (self.spec.better == "lower") else "worse"

    @property
    def tone_text(self) -> str:
        return {"better": _("better"), "worse": _("worse")}.get(self.tone, "")


def compared(specs: list[Spec], current: Side, previous: Side) -> dict[str, list[Compared]]:
    """The summary by section, in the page's order."""
    found: dict[str, list[Compared]] = {}
    for spec in specs:
        row = Compared(spec, spec.read(current), spec.read(previous))
        found.setdefault(spec.section, []).append(row)
    return found


def section_title(section: str) -> str:
    return _(SECTIONS[section])


def rule_name(rule: str) -> str:
    try:
        return rule_title(rule)
    except KeyError:
        return rule


def weekday_names() -> list[str]:
    """Monday first, abbreviated in the reader's language."""
    names = get_day_names("abbreviated", locale=format_locale())
    return [names[day] for day in range(7)]


def heat_level(count: int, most: int) -> int:
    """0 (none) to 4 (the busiest hour): the shade of a heat-map cell."""
    if count <= 0 or most <= 0:
        return 0
    return max(1, min(4, -(-count * 4 // most)))
