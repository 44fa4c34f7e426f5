"""Satisfaction results' rules: the score is the share of answers scored 4 or 5, the "problem
solved" share counts only those who said, and few answers carry a caution."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.surveys.results_rules import (
    FEW_ANSWERS,
    Answer,
    months_ending,
    parse_month,
    satisfaction,
)


def answer(score: int, solved: int | None = None) -> Answer:
    return Answer(
        user_id=1,
        user_name="Sophie",
        month="2026-11",
        at=datetime(2026, 11, 3, tzinfo=UTC),
        score=score,
        solved=solved,
        comment="",
        channel="sms",
        client_name="",
    )


@pytest.mark.parametrize(
    ("scores", "satisfied", "share"),
    [
        ([5, 4, 3, 2], 2, 0.5),
        ([1, 2, 3], 0, 0.0),
        ([4], 1, 1.0),
        ([3, 3, 5, 5, 4], 3, 0.6),
    ],
)
def test_the_score_is_the_share_of_fours_and_fives(scores, satisfied, share) -> None:
    found = satisfaction([answer(s) for s in scores])
    assert (found.answers, found.satisfied, found.score) == (len(scores), satisfied, share)


def test_no_answer_has_no_score_rather_than_zero() -> None:
    found = satisfaction([])
    assert found.score is None and found.solved_share is None and found.few


def test_solved_counts_only_those_who_said() -> None:
    found = satisfaction([answer(5, 1), answer(4, 0), answer(2, None), answer(5, 1)])
    assert (found.solved_told, found.solved, found.solved_share) == (3, 2, 2 / 3)


def test_few_answers_carry_a_caution_until_there_are_enough() -> None:
    assert satisfaction([answer(5)] * (FEW_ANSWERS - 1)).few
    assert not satisfaction([answer(5)] * FEW_ANSWERS).few


def test_months_ending_cross_the_year() -> None:
    assert months_ending("2027-02", 4) == ["2026-11", "2026-12", "2027-01", "2027-02"]


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "26-11-01", "", None, "2026/11"])
def test_a_month_that_is_not_one_is_refused(text) -> None:
    assert parse_month(text) is None


def test_a_month_is_read() -> None:
    assert parse_month("2026-11") == "2026-11"
