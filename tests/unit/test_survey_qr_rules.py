"""Where a QR survey answer goes, and what a binding that reaches the server does with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.surveys.qr_rules import (
    MAX_OUTSTANDING,
    POOL_SIZE,
    SurveyState,
    TokenState,
    judge_answer,
    judge_join,
    to_issue,
)

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
LATER = NOW + timedelta(days=10)


def token(*, used: bool = False, bound: bool = True, expires: datetime = LATER) -> TokenState:
    return TokenState(expires_at=expires, used=used, bound=bound)


@pytest.mark.parametrize(
    ("state", "survey", "known", "verdict"),
    [
        (token(used=True), None, True, "already"),
        (token(expires=NOW), None, True, "expired"),
        (token(used=True, expires=NOW), None, True, "already"),
        (token(bound=False), None, False, "waiting"),
        (token(), None, False, "waiting"),  # bound to an intervention since deleted for good
        (token(), None, True, "new_for_intervention"),
        (token(), SurveyState(id=1, status="scheduled"), True, "onto_survey"),
        (token(), SurveyState(id=1, status="sent"), True, "onto_survey"),
        (token(), SurveyState(id=1, status="answered"), True, "already"),
    ],
)
def test_where_an_answer_goes(state, survey, known, verdict) -> None:
    assert judge_answer(state, survey, intervention_known=known, now=NOW) == verdict


@pytest.mark.parametrize(
    ("waiting", "planned", "verdict"),
    [
        (None, None, "nothing"),
        (None, SurveyState(id=2, status="scheduled"), "nothing"),
        (SurveyState(id=1, status="answered"), None, "attach"),
        (SurveyState(id=1, status="answered"), SurveyState(id=2, status="sent"), "merge"),
        (SurveyState(id=1, status="answered"), SurveyState(id=2, status="answered"), "superseded"),
    ],
)
def test_what_a_binding_does_with_a_waiting_answer(waiting, planned, verdict) -> None:
    assert judge_join(waiting, planned) == verdict


def test_the_pool_is_filled_up_to_its_size_within_the_outstanding_cap() -> None:
    assert to_issue(0, 0) == POOL_SIZE
    assert to_issue(3, 3) == POOL_SIZE - 3
    assert to_issue(POOL_SIZE, POOL_SIZE) == 0
    assert to_issue(0, MAX_OUTSTANDING - 2) == 2  # a phone that lost its codes, many times
    assert to_issue(0, MAX_OUTSTANDING) == 0
