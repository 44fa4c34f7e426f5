"""Erlang C, pure: how many people must answer at once for a call volume to be answered within
a time for a share of calls (README "Needs analysis"). No I/O, no clock."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext

from server.models import Value

# Beyond this much traffic the search (one step of the Erlang B recursion per person) would take
# seconds; a million people on call at once is no on-call service.
MAX_TRAFFIC_ERLANGS = 1_000_000


class Demand(Value, kw_only=True):
    """The input: a call volume, how long a call keeps someone busy, and the objective."""

    calls_per_hour: float
    handle_seconds: float
    answer_within_seconds: float
    service_level: float

    def __post_init__(self) -> None:
        # Messages start with the field they are about (the command prints them as they are).
        for name in ("calls_per_hour", "handle_seconds", "answer_within_seconds", "service_level"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"{name} must be a finite number")
        if self.calls_per_hour <= 0:
            raise ValueError("calls_per_hour must be greater than 0")
        if self.handle_seconds <= 0:
            raise ValueError("handle_seconds must be greater than 0")
        # 0 is meaningful: the share of calls answered at once, without waiting (1 − Pw).
        if self.answer_within_seconds < 0:
            raise ValueError("answer_within_seconds must be 0 or more")
        if not 0 < self.service_level < 1:
            raise ValueError("service_level must be between 0 and 1, both excluded")
        if exact_traffic(self.calls_per_hour, self.handle_seconds) > MAX_TRAFFIC_ERLANGS:
            raise ValueError(
                f"calls_per_hour × handle_seconds / 3600 (the traffic) must be at most "
                f"{MAX_TRAFFIC_ERLANGS} erlangs"
            )


class Staffing(Value, kw_only=True):
    """The answer, rounded as the contract says; the keys in the contract's order."""

    agents: int
    traffic_erlangs: float
    wait_probability: float
    service_level: float
    average_answer_seconds: float
    occupancy: float


def exact_traffic(calls_per_hour: float, handle_seconds: float) -> Decimal:
    """A = calls × handle / 3600, exactly for the numbers as written (100 × 180 / 3600 is 5,
    not 5.000000000000001), so `agents > A` and the rounding are decided on the true value."""
    with localcontext() as context:
        context.prec = 60
        return Decimal(repr(calls_per_hour)) * Decimal(repr(handle_seconds)) / 3600


def erlang_b(agents: int, traffic: float) -> float:
    """Erlang B's blocking probability by its recursion, B(0) = 1, B(k) = A·B(k−1)/(k + A·B(k−1)):
    every step stays within [0, 1], so no factorial or power overflows, whatever the volume."""
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    return blocking


def wait_probability(agents: int, traffic: float, blocking: float | None = None) -> float:
    """Erlang C's Pw(N, A) = N·B / (N − A·(1 − B)), for N > A (B: Erlang B for N, A)."""
    if blocking is None:
        blocking = erlang_b(agents, traffic)
    return agents * blocking / (agents - traffic * (1 - blocking))


def service_level(pw: float, agents: int, traffic: float, within: float, handle: float) -> float:
    """The share of calls answered within `within` seconds: 1 − Pw·e^(−(N − A)·t/h)."""
    return 1 - pw * math.exp(-(agents - traffic) * within / handle)


def staffing(demand: Demand) -> Staffing:
    """The smallest N > A whose service level reaches the target, and its figures."""
    exact = exact_traffic(demand.calls_per_hour, demand.handle_seconds)
    traffic = float(exact)
    agents = int(exact) + 1  # the smallest whole number strictly above A
    # Erlang B up to N, then one more step per person tried: the whole search is linear in N.
    blocking = erlang_b(agents, traffic)
    while True:
        pw = wait_probability(agents, traffic, blocking)
        level = service_level(
            pw, agents, traffic, demand.answer_within_seconds, demand.handle_seconds
        )
        if level >= demand.service_level:
            break
        agents += 1
        blocking = traffic * blocking / (agents + traffic * blocking)
    return Staffing(
        agents=agents,
        traffic_erlangs=_rounded(exact, "0.0001"),
        wait_probability=_rounded(pw, "0.0001"),
        service_level=_rounded(level, "0.0001"),
        average_answer_seconds=_rounded(pw * demand.handle_seconds / (agents - traffic), "0.1"),
        occupancy=_rounded(exact / agents, "0.0001"),
    )


def _rounded(value: float | Decimal, step: str) -> float:
    """Half-up to `step` on the value as written (repr), so 0.12345 gives 0.1235 and a float
    artefact such as 0.30000000000000004 rounds as 0.3 would; -0.0 never appears."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    with localcontext() as context:
        # Enough digits for any float to 4 decimals (10^308 has 309), so quantize never fails.
        context.prec = 400
        rounded = float(exact.quantize(Decimal(step), rounding=ROUND_HALF_UP))
    return rounded + 0.0
