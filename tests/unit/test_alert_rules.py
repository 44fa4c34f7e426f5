"""Pure rules of alerting: the escalation cursor, who a step pages, retry delays, push size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.alerts.models import EscalationPolicy, Step, Target
from server.alerts.rules import due_at, resolve_targets, step_after
from server.notifications.models import PERMANENT, Message, SendResult
from server.notifications.rules import MAX_ATTEMPTS, Outcome, backoff, outcome_of
from server.push.models import MAX_PLAINTEXT
from server.push.rules import fit_payload

THREE_STEPS = EscalationPolicy(
    steps=(
        Step(delay_minutes=0, targets=(Target(kind="primary"),)),
        Step(delay_minutes=5, targets=(Target(kind="secondary"),)),
        Step(delay_minutes=10, targets=(Target(kind="managers"),)),
    ),
    repeat=2,
)


@pytest.mark.parametrize(
    ("step", "round_", "expected"),
    [((0), 0, (1, 0)), (1, 0, (2, 0)), (2, 0, (0, 1)), (0, 1, (1, 1)), (2, 1, None)],
)
def test_the_cursor_walks_the_steps_then_repeats_then_stops(step, round_, expected) -> None:
    assert step_after(THREE_STEPS, step, round_) == expected


def test_each_step_is_due_its_delay_after_the_previous_one_fired() -> None:
    fired = datetime(2026, 12, 24, 2, 0, tzinfo=UTC)
    assert due_at(THREE_STEPS, fired, 1) == fired + timedelta(minutes=5)
    assert due_at(THREE_STEPS, fired, 2) == fired + timedelta(minutes=10)
    # A new round: the longest delay of the policy, so the managers are not paged together
    # with the person on call.
    assert due_at(THREE_STEPS, fired, 0) == fired + timedelta(minutes=10)


@given(st.integers(min_value=1, max_value=5), st.integers(min_value=1, max_value=10))
def test_a_policy_fires_exactly_steps_times_repeat(steps: int, repeat: int) -> None:
    policy = EscalationPolicy(
        steps=tuple(Step(delay_minutes=1, targets=(Target(kind="team"),)) for _ in range(steps)),
        repeat=repeat,
    )
    fired, cursor = 1, (0, 0)
    while (cursor := step_after(policy, *cursor)) is not None:
        fired += 1
    assert fired == steps * repeat


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        ((Target(kind="primary"),), [1]),
        ((Target(kind="secondary"),), [2]),
        ((Target(kind="primary"), Target(kind="secondary")), [1, 2]),
        ((Target(kind="managers"),), [9, 1]),
        ((Target(kind="team"),), [1, 2, 3, 9]),
        ((Target(kind="person", user_id=3), Target(kind="primary")), [3, 1]),
        # The primary is also a manager: paged once.
        ((Target(kind="primary"), Target(kind="managers")), [1, 9]),
    ],
)
def test_a_step_pages_each_person_once_in_order(targets, expected) -> None:
    assert resolve_targets(targets, primary=1, secondary=2, managers=[9, 1], team=[1, 2, 3, 9]) == (
        expected
    )


def test_nobody_on_call_pages_nobody_for_that_target() -> None:
    targets = (Target(kind="primary"), Target(kind="secondary"))
    assert resolve_targets(targets, primary=None, secondary=None, managers=[], team=[]) == []


def test_a_person_target_needs_a_person_and_only_it_does() -> None:
    with pytest.raises(ValueError):
        Target(kind="person")
    with pytest.raises(ValueError):
        Target(kind="primary", user_id=3)


@pytest.mark.parametrize(
    ("attempts", "retry_after", "seconds"),
    [
        (1, None, 5),
        (2, None, 10),
        (3, None, 20),
        (8, None, 600),
        (20, None, 600),
        (1, 30, 30),
        (3, 5, 20),
        (1, 99999, 3600),
    ],
)
def test_retries_back_off_and_respect_retry_after(attempts, retry_after, seconds) -> None:
    assert backoff(attempts, retry_after) == timedelta(seconds=seconds)


def message(body: str, title: str = "Fuite d’eau") -> Message:
    return Message(
        type="alert",
        title=title,
        body=body,
        url="/alerts/1",
        tag="alert-1",
        urgency="high",
        ack_url="/api/v1/push/ack",
        ack_token="t" * 32,
        labels={"ack": "Je prends", "open": "Ouvrir"},
    )


@given(st.text(max_size=6000))
def test_a_push_always_fits_in_4_kb_and_stays_valid_json(body: str) -> None:
    data = fit_payload(message(body))
    assert len(data) <= MAX_PLAINTEXT
    decoded = msgspec.json.decode(data)
    assert decoded["title"] == "Fuite d’eau"
    assert decoded["ack_token"] == "t" * 32


def test_a_short_push_is_sent_whole() -> None:
    assert msgspec.json.decode(fit_payload(message("Sous-sol B")))["body"] == "Sous-sol B"


@pytest.mark.parametrize(
    ("delays", "gap"), [((0,), 5), ((0, 2), 5), ((0, 5, 10), 10), ((3, 1), 5), ((0, 30), 30)]
)
def test_a_new_round_waits_the_longest_delay_and_at_least_5_minutes(
    delays: tuple[int, ...], gap: int
) -> None:
    policy = EscalationPolicy(
        steps=tuple(Step(delay_minutes=d, targets=(Target(kind="primary"),)) for d in delays)
    )
    fired = datetime(2026, 12, 1, 2, tzinfo=UTC)
    assert due_at(policy, fired, 0) == fired + timedelta(minutes=gap)


NOON = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "attempts", "expected"),
    [
        (201, 1, Outcome("sent", None)),
        (250, 1, Outcome("sent", None)),
        (410, 1, Outcome("gone", None)),
        (404, 3, Outcome("gone", None)),
        (503, 1, Outcome("pending", NOON + timedelta(seconds=5))),
        (0, 2, Outcome("pending", NOON + timedelta(seconds=10))),
        (429, MAX_ATTEMPTS - 1, Outcome("pending", NOON + timedelta(seconds=320))),
        (500, MAX_ATTEMPTS, Outcome("failed", None)),
        (400, 1, Outcome("failed", None)),
        (403, 1, Outcome("failed", None)),
        (PERMANENT, 1, Outcome("failed", None)),
    ],
)
def test_an_answer_makes_a_delivery_sent_gone_retried_or_failed(status, attempts, expected) -> None:
    # 404/410: the phone unsubscribed (forgotten); a busy or unreachable service is tried again
    # until the last attempt; a refusal (a wrong VAPID key, a malformed device) never is.
    assert outcome_of(SendResult(status=status), attempts, NOON) == expected
