"""Every table of the figures' page as a CSV file: the same values the page shows (read from
figures.py through views.py), raw numbers instead of words (seconds, hours, rates as
fractions), `;` between cells and a byte-order mark as the app's other CSV files."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

from server.interventions.export import spreadsheet_safe
from server.metrics.models import Snapshot, TeamFigures
from server.metrics.views import TEAM_SUMMARY, Side
from server.metrics.volume import Bucket

PERSON_FIELDS = (
    "oncall_hours",
    "weekday_night_hours",
    "weekend_hours",
    "holiday_hours",
    "interventions",
    "night_interventions",
    "intervention_seconds",
    "acknowledged",
    "interruptions",
    "sleep_interruptions",
    "off_hours_interruptions",
    "violations",
    "high_fatigue_reports",
    "share",
)


def number(value: float | int | None) -> str:
    """A cell's number: integers as they are, others to 4 decimals with a dot, "" for none."""
    if value is None:
        return ""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def side_of(snapshot: Snapshot) -> Side:
    return Side(snapshot.alerts, snapshot.people, snapshot.fairness, snapshot.rest)


def _summary(figures: TeamFigures, _timeline: list[Bucket]) -> Iterable[list[object]]:
    yield ["section", "figure", "statistic", "unit", "current", "previous"]
    current, previous = side_of(figures.current), side_of(figures.previous)
    for spec in TEAM_SUMMARY:
        yield [
            spec.section,
            spec.figure,
            spec.statistic,
            spec.unit,
            number(spec.read(current)),
            number(spec.read(previous)),
        ]


def _people(figures: TeamFigures, _timeline: list[Bucket]) -> Iterable[list[object]]:
    yield ["user_id", "name", *PERSON_FIELDS]
    for person in figures.current.people:
        yield [person.user_id, person.name, *(number(getattr(person, f)) for f in PERSON_FIELDS)]


def _heat_map(figures: TeamFigures, _timeline: list[Bucket]) -> Iterable[list[object]]:
    """One row per weekday (0 = Monday), one column per local hour."""
    yield ["weekday", *(f"h{hour:02d}" for hour in range(24))]
    for weekday, hours in enumerate(figures.current.alerts.heat_map):
        yield [weekday, *hours]


def _problems(figures: TeamFigures, _timeline: list[Bucket]) -> Iterable[list[object]]:
    """The problems of either ranking (first by alerts, then those listed by time only), with
    their rank in each (empty past the first 20 or, by time, without intervention time)."""
    yield [
        "source",
        "title",
        "alerts",
        "intervention_seconds",
        "returns",
        "rank_by_alerts",
        "rank_by_time",
    ]
    current = figures.current
    by_alerts = {(p.source, p.title): rank for rank, p in enumerate(current.problems, start=1)}
    by_time = {
        (p.source, p.title): rank for rank, p in enumerate(current.problems_by_time, start=1)
    }
    listed = current.problems + [
        p for p in current.problems_by_time if (p.source, p.title) not in by_alerts
    ]
    for problem in listed:
        key = (problem.source, problem.title)
        yield [
            problem.source,
            problem.title,
            problem.alerts,
            problem.intervention_seconds,
            problem.returns,
            by_alerts.get(key, ""),
            by_time.get(key, ""),
        ]


def _rest(figures: TeamFigures, _timeline: list[Bucket]) -> Iterable[list[object]]:
    yield ["rule", "violations"]
    for rule, count in figures.current.rest.by_rule:
        yield [rule, count]


def _quality(figures: TeamFigures, _timeline: list[Bucket]) -> Iterable[list[object]]:
    """The team (user_id empty) then each person: reviews and mean score, now and before."""
    yield ["user_id", "name", "reviews", "mean_score", "previous_reviews", "previous_mean_score"]
    now, before = figures.current.quality, figures.previous.quality
    earlier = {person.user_id: person for person in before.people}
    yield [
        "",
        figures.team_name,
        now.reviews,
        number(now.mean_score),
        before.reviews,
        number(before.mean_score),
    ]
    for person in now.people:
        then = earlier.get(person.user_id)
        yield [
            person.user_id,
            person.name,
            person.reviews,
            number(person.mean_score),
            then.reviews if then else 0,
            number(then.mean_score) if then else "",
        ]


def _satisfaction(figures: TeamFigures, _timeline: list[Bucket]) -> Iterable[list[object]]:
    """The team (user_id empty) then each person: answers, the share scored 4 or 5 and the
    "problem solved" share, now and before (server/surveys/results_rules.py)."""
    yield [
        "user_id",
        "name",
        "answers",
        "score",
        "solved_share",
        "previous_answers",
        "previous_score",
        "previous_solved_share",
    ]
    now, before = figures.current.satisfaction, figures.previous.satisfaction
    earlier = {person.user_id: person.satisfaction for person in before.people}
    rows = [("", figures.team_name, now.overall, before.overall)]
    rows += [(p.user_id, p.name, p.satisfaction, earlier.get(p.user_id)) for p in now.people]
    for user_id, name, this, then in rows:
        yield [
            user_id,
            name,
            this.answers,
            number(this.score),
            number(this.solved_share),
            then.answers if then else 0,
            number(then.score) if then else "",
            number(then.solved_share) if then else "",
        ]


def _timeline(_figures: TeamFigures, timeline: list[Bucket]) -> Iterable[list[object]]:
    yield ["from", "alerts"]
    for bucket in timeline:
        yield [bucket.first.isoformat(), bucket.alerts]


TABLES: dict[str, Callable[[TeamFigures, list[Bucket]], Iterable[list[object]]]] = {
    "summary": _summary,
    "people": _people,
    "heat_map": _heat_map,
    "problems": _problems,
    "rest": _rest,
    "timeline": _timeline,
    "quality": _quality,
    "satisfaction": _satisfaction,
}


def table_csv(table: str, figures: TeamFigures, timeline: list[Bucket]) -> str:
    """The CSV text of one table (a key of TABLES); every text cell inert in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in TABLES[table](figures, timeline):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return "\ufeff" + out.getvalue()


def file_name(table: str, figures: TeamFigures) -> str:
    """`figures-<team id>-<period>-<key>-<table>.csv`: ASCII, whatever the team's name."""
    period = figures.current.period
    return f"figures-{figures.team_id}-{period.kind}-{period.key}-{table}.csv"
