"""The review's tables speak the reader's language: rules by their names, problems on one line."""

from __future__ import annotations

from datetime import date

from server.i18n import current_locale
from server.metrics.models import (
    AlertFigures,
    Durations,
    Fairness,
    RecurringProblem,
    RestHealth,
    Snapshot,
)
from server.metrics.periods import period_of
from server.reviews import lines


def snapshot(by_rule: list[tuple[str, int]], problems: list[RecurringProblem]) -> Snapshot:
    empty = Durations(count=0)
    return Snapshot(
        period=period_of("month", date(2026, 11, 1)),
        under_way=False,
        alerts=AlertFigures(
            alerts=0,
            hours=720.0,
            alerts_per_hour=0.0,
            acknowledged=0,
            acknowledgement_rate=None,
            escalated=0,
            escalation_rate=None,
            time_to_acknowledge=empty,
            time_to_resolve=empty,
            time_to_intervene=empty,
            intervention_duration=empty,
            interventions=0,
            heat_map=[[0] * 24 for _day in range(7)],
        ),
        people=[],
        fairness=Fairness(
            people=0, mean_oncall_hours=0.0, max_min_ratio=None, mean_interventions=0
        ),
        rest=RestHealth(
            violations=sum(n for _r, n in by_rule),
            people_with_violations=1,
            high_fatigue_reports=0,
            by_rule=by_rule,
        ),
        problems=problems,
    )


def test_rules_are_named_in_the_readers_language_not_by_their_code():
    now = snapshot([("daily_rest", 3), ("weekly_rest", 1)], [])
    token = current_locale.set("fr")
    try:
        rows = lines.rest(now, now).table.rows
    finally:
        current_locale.reset(token)
    assert [row[0] for row in rows] == ["Repos quotidien", "Repos hebdomadaire"]


def test_a_problem_reads_as_its_title_and_source_in_one_cell():
    problem = RecurringProblem(
        source="GTB", title="Chaudière en défaut", alerts=4, intervention_seconds=0, returns=1
    )
    table = lines.problems(snapshot([], [problem])).table
    assert table.rows[0][0] == "Chaudière en défaut · GTB"
    assert len(table.header) == len(table.rows[0])
