"""The quality review's pure rules: the sample's draw (stable, near the share asked, fair
whoever logs), why an intervention is queued, a review's score, the checklist typed."""

from __future__ import annotations

import uuid as uuidlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.errors import InvalidInput
from server.quality.models import ReviewItem
from server.quality.rules import (
    DEFAULT_CHECKLIST,
    checklist_input,
    drawn,
    queue_reasons,
    response_result,
    review_input,
    review_score,
)

SALT = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
uuids = st.uuids(version=4).map(str)


@given(uuid=uuids, percent=st.integers(0, 100))
def test_the_draw_never_changes_its_mind(uuid: str, percent: int) -> None:
    assert drawn(SALT, uuid, percent) == drawn(SALT, uuid, percent)
    # The same record however the phone wrote its uuid.
    assert drawn(SALT, uuid.upper(), percent) == drawn(SALT, uuid, percent)


@given(uuid=uuids, low=st.integers(0, 100), high=st.integers(0, 100))
def test_a_larger_share_keeps_everyone_a_smaller_one_drew(uuid: str, low: int, high: int) -> None:
    low, high = sorted((low, high))
    assert not drawn(SALT, uuid, low) or drawn(SALT, uuid, high)


@given(uuid=uuids)
def test_none_and_all(uuid: str) -> None:
    assert not drawn(SALT, uuid, 0)
    assert drawn(SALT, uuid, 100)


@pytest.mark.parametrize("percent", [1, 10, 25, 50])
def test_the_sample_is_near_the_share_over_many_records(percent: int) -> None:
    count = 20_000
    records = [str(uuidlib.UUID(int=n * 7919 + 12345, version=4)) for n in range(count)]
    share = sum(drawn(SALT, r, percent) for r in records) / count * 100
    # Binomial: 4 standard deviations (under 0.9 points at 50 %, 0.2 at 1 %).
    spread = 4 * (percent * (100 - percent) / count) ** 0.5
    assert abs(share - percent) < spread, share


def test_another_salt_draws_other_records() -> None:
    """Each team's secret gives its own draw: knowing another team's draw says nothing."""
    records = [str(uuidlib.uuid4()) for _ in range(2000)]
    ours = {r for r in records if drawn(SALT, r, 10)}
    theirs = {r for r in records if drawn("another-team-secret", r, 10)}
    assert ours != theirs and len(ours & theirs) < len(ours) / 2


@settings(max_examples=50)
@given(
    score=st.none() | st.integers(1, 5),
    outcome=st.sampled_from(["resolved", "temporary", "escalated", "follow_up"]),
    rules=st.lists(st.sampled_from(["daily_rest", "max_daily_work"]), unique=True),
    sampled=st.booleans(),
)
def test_queued_exactly_when_a_reason_holds(score, outcome, rules, sampled) -> None:
    reasons = {
        r.reason
        for r in queue_reasons(
            sampled=sampled, outcome=outcome, survey_score=score, broken_rules=rules
        )
    }
    assert ("low_score" in reasons) == (score is not None and score <= 2)
    assert ("escalated" in reasons) == (outcome == "escalated")
    assert ("follow_up" in reasons) == (outcome == "follow_up")
    assert ("rest_violation" in reasons) == bool(rules)
    assert ("sample" in reasons) == sampled


def test_reasons_say_the_score_and_the_rules() -> None:
    found = queue_reasons(
        sampled=False,
        outcome="resolved",
        survey_score=1,
        broken_rules=["weekly_rest", "daily_rest"],
    )
    assert [(r.reason, r.detail) for r in found] == [
        ("low_score", "1"),
        ("rest_violation", "daily_rest,weekly_rest"),
    ]


def items(*results: str) -> list[ReviewItem]:
    return [ReviewItem(label=f"item {n}", result=r) for n, r in enumerate(results)]


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        (("passed",) * 5, (5, 0, 100)),
        (("passed", "passed", "failed", "na", "passed"), (3, 1, 75)),
        (("passed", "failed", "failed"), (1, 2, 33)),
        (("passed", "passed", "failed"), (2, 1, 67)),  # 66.67 rounds up
        (("passed", "na", "na", "na", "na", "na", "na", "failed"), (1, 1, 50)),
        (("na", "na"), (0, 0, None)),  # nothing applied: no score, not 0 %
        (("failed",), (0, 1, 0)),
    ],
)
def test_the_score_is_passed_among_applicable(results, expected) -> None:
    assert review_score(items(*results)) == expected


def test_the_response_item_is_suggested_from_the_alert() -> None:
    alert = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    assert response_result(alert, alert + timedelta(minutes=15), 15) == "passed"
    assert response_result(alert, alert + timedelta(minutes=15, seconds=1), 15) == "failed"
    assert response_result(None, alert, 15) == "na"


def test_a_review_needs_a_result_for_every_item() -> None:
    with pytest.raises(InvalidInput) as refused:
        review_input({"item-0": "passed", "item-1": "maybe"}, DEFAULT_CHECKLIST[:2])
    assert refused.value.field == "item-1"
    results, comment, follow_up, note = review_input(
        {"item-0": "passed", "item-1": "na", "comment": " ok ", "follow_up_note": "Revoir"},
        DEFAULT_CHECKLIST[:2],
    )
    assert [r.result for r in results] == ["passed", "na"]
    assert [r.key for r in results] == ["procedure", "report"]  # labels kept with the review
    assert (comment, follow_up, note) == ("ok", True, "Revoir")  # a note asks for a follow-up


def test_the_checklist_typed_keeps_default_items_and_refuses_nonsense() -> None:
    defaults = {"procédure suivie": "procedure", "procedure followed": "procedure"}
    found = checklist_input("  Procédure   suivie \n\nPhotos jointes\n", defaults)
    assert [(i.key, i.label) for i in found] == [
        ("procedure", "Procedure followed"),
        (None, "Photos jointes"),
    ]
    for text in ("", "a\nA", "x" * 121, "\n".join(str(n) for n in range(21))):
        with pytest.raises(InvalidInput):
            checklist_input(text, defaults)
