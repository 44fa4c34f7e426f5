"""Tallies add up to the figures of the spans together: the nearest-rank median and 90th
percentile taken over several sorted runs by bisection are those of all durations sorted
(random runs, negatives, ties and empty runs included), and problems merged over months keep
their totals, the latest spelling and the two rankings."""

from __future__ import annotations

from array import array

from hypothesis import given
from hypothesis import strategies as st

from server.metrics.tally import ProblemTally, Tally, durations_of, nth_smallest, problems_of

runs = st.lists(st.lists(st.integers(-100, 10_000), max_size=30), max_size=6)


@given(runs)
def test_the_ranks_over_sorted_runs_are_those_of_every_duration_sorted(found) -> None:
    sorted_runs = [array("q", sorted(run)) for run in found]
    every = sorted(value for run in found for value in run)
    for rank in range(1, len(every) + 1):
        assert nth_smallest(sorted_runs, rank) == every[rank - 1]
    figures = durations_of(sorted_runs)
    assert figures.count == len(every)
    if every:
        assert figures.median_seconds == every[(len(every) + 1) // 2 - 1]
        assert figures.p90_seconds == every[(9 * len(every) + 9) // 10 - 1]
        assert figures.mean_seconds == sum(every) / len(every)
    else:
        assert figures.mean_seconds is None


def test_one_to_ten_minutes_in_two_months_have_median_5_and_90th_percentile_9() -> None:
    october = array("q", [60, 180, 300, 420, 540])
    november = array("q", [120, 240, 360, 480, 600])
    figures = durations_of([october, array("q"), november])
    assert (figures.median_seconds, figures.p90_seconds) == (300, 540)


def _month(*problems: ProblemTally) -> Tally:
    return Tally(
        alerts=0,
        acknowledged=0,
        escalated=0,
        durations={},
        cells=[],
        per_day={},
        problems=list(problems),
    )


def test_problems_of_several_months_add_up_and_take_the_latest_spelling() -> None:
    def problem(title: str, alerts: int, seconds: int, returns: int, latest: str, spelt: str):
        return ProblemTally(
            source_key="nagios",
            title_key=title,
            alerts=alerts,
            seconds=seconds,
            returns=returns,
            latest=latest,
            source="nagios",
            title=spelt,
        )

    october = _month(
        problem("disque plein", 3, 600, 1, "2026-10-20T08:00:00Z", "Disque plein"),
        problem("porte", 1, 0, 0, "2026-10-02T08:00:00Z", "Porte"),
    )
    november = _month(
        problem("disque plein", 1, 0, 1, "2026-11-02T08:00:00Z", "DISQUE plein"),
        problem("badge", 4, 0, 0, "2026-11-03T08:00:00Z", "Badge"),
        problem("chaudière", 1, 7200, 0, "2026-11-04T08:00:00Z", "Chaudière"),
    )
    by_alerts, by_time = problems_of([october, november])
    assert [(p.title, p.alerts, p.intervention_seconds, p.returns) for p in by_alerts] == [
        ("DISQUE plein", 4, 600, 2),  # 4 alerts, ahead of Badge's 4 by intervention time
        ("Badge", 4, 0, 0),
        ("Chaudière", 1, 7200, 0),  # 1 alert each: the most intervention time first
        ("Porte", 1, 0, 0),
    ]
    assert [p.title for p in by_time] == ["Chaudière", "DISQUE plein"]
    assert problems_of([october, november], limit=1) == (by_alerts[:1], by_time[:1])
