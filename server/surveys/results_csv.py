"""The satisfaction results as CSV: the team's line for each of the twelve months, then each
person's for the month and the month before; numbers only (the clients' comments stay in the
app)."""

from __future__ import annotations

import csv
import io

from server.surveys.results import Results
from server.surveys.results_rules import Satisfaction

HEADER = [
    "scope",
    "month",
    "person",
    "answers",
    "satisfied_4_or_5",
    "score_percent",
    "solved_told",
    "solved",
    "solved_percent",
    "few_answers",
]


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}"


def _line(scope: str, month: str, person: str, found: Satisfaction) -> list[str | int]:
    return [
        scope,
        month,
        person,
        found.answers,
        found.satisfied,
        _percent(found.score),
        found.solved_told,
        found.solved,
        _percent(found.solved_share),
        "yes" if found.few else "no",
    ]


def results_csv(results: Results) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for line in results.months:
        writer.writerow(_line("team", line.month, "", line.satisfaction))
    for person in results.people:
        writer.writerow(_line("person", results.previous_month, person.name, person.previous))
        writer.writerow(_line("person", results.month, person.name, person.current))
    return out.getvalue()
