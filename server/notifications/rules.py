"""Pure rules of delivery: a person's default channels, what an attempt's answer makes of the
delivery, and how long to wait before the next try."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from server.notifications.models import PERMANENT, SendResult

# Without rules of their own, a person is pushed at once and e-mailed after five minutes.
DEFAULT_RULES: tuple[tuple[str, int], ...] = (("push", 0), ("email", 5))

MAX_ATTEMPTS = 8


def backoff(attempts: int, retry_after: int | None) -> timedelta:
    """5 s, 10 s, 20 s … capped at 10 minutes; a push service's Retry-After wins if longer."""
    delay = timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 600))
    if retry_after:
        delay = max(delay, timedelta(seconds=min(retry_after, 3600)))
    return delay


class Outcome(NamedTuple):
    """A delivery after one attempt: sent, gone (the device unsubscribed: forget it), pending
    (tried again at `next_at`) or failed."""

    status: str
    next_at: datetime | None


def outcome_of(result: SendResult, attempts: int, now: datetime) -> Outcome:
    """What the `attempts`-th try's answer makes of the delivery: 2xx (250 for a mail) is
    sent, 404/410 gone, an unreachable service (0), 429 or 5xx pending until MAX_ATTEMPTS,
    anything else failed at once."""
    status = result.status
    if 200 <= status < 300 or status == 250:
        return Outcome("sent", None)
    if status in (404, 410):
        return Outcome("gone", None)
    retryable = status != PERMANENT and (status == 0 or status == 429 or status >= 500)
    if retryable and attempts < MAX_ATTEMPTS:
        return Outcome("pending", now + backoff(attempts, result.retry_after))
    return Outcome("failed", None)
