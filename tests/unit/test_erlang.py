"""Erlang C (server/staffing/erlang.py): the contract's public cases, the recursion against the
textbook formula with factorials, and properties (the fewest people, service level rising with
people, huge volumes finishing with finite figures)."""

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.staffing.erlang import (
    Demand,
    erlang_b,
    service_level,
    staffing,
    wait_probability,
)


def textbook_wait_probability(agents: int, traffic: float) -> float:
    """Erlang C as textbooks print it, exactly (fractions), for small N:
    (A^N/N! · N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N! · N/(N−A))."""
    a = Fraction(traffic)
    top = a**agents / math.factorial(agents) * agents / (agents - a)
    bottom = sum(a**k / math.factorial(k) for k in range(agents)) + top
    return float(top / bottom)


def demand(calls: float, handle: float, within: float = 20, level: float = 0.8) -> Demand:
    return Demand(
        calls_per_hour=calls,
        handle_seconds=handle,
        answer_within_seconds=within,
        service_level=level,
    )


def test_the_contracts_first_public_case() -> None:
    answer = staffing(demand(100, 180))
    assert (answer.agents, answer.traffic_erlangs, answer.wait_probability) == (8, 5.0, 0.1673)
    assert (answer.service_level, answer.average_answer_seconds, answer.occupancy) == (
        0.8801,
        10.0,
        0.625,
    )


def test_the_contracts_second_public_case() -> None:
    answer = staffing(demand(200, 180))
    assert (answer.agents, answer.service_level) == (14, 0.8884)


@pytest.mark.parametrize(
    ("agents", "traffic"),
    [(1, 0.5), (2, 1.0), (3, 2.0), (8, 5.0), (6, 5.5), (14, 10.0), (20, 12.25), (30, 29.9)],
)
def test_the_recursion_gives_the_textbook_wait_probability(agents: int, traffic: float) -> None:
    assert wait_probability(agents, traffic) == pytest.approx(
        textbook_wait_probability(agents, traffic), rel=1e-12
    )


def textbook_agents(calls: float, handle: float, within: float, level: float) -> int:
    """The fewest N > A reaching the level, searched with the textbook formula."""
    traffic = calls * handle / 3600
    agents = math.floor(traffic) + 1
    while (
        1
        - textbook_wait_probability(agents, traffic)
        * math.exp(-(agents - traffic) * within / handle)
        < level
    ):
        agents += 1
    return agents


@pytest.mark.parametrize(
    ("calls", "handle", "within", "level"),
    [
        (100, 180, 20, 0.8),
        (200, 180, 20, 0.8),
        (1, 1800, 900, 0.9),  # one call an hour of half an hour: A = 0.5 → 2 people
        (120, 240, 20, 0.8),
        (30, 600, 60, 0.95),
        (7, 2700, 900, 0.9),
    ],
)
def test_staffing_agrees_with_the_textbook_search(calls, handle, within, level) -> None:
    assert staffing(demand(calls, handle, within, level)).agents == textbook_agents(
        calls, handle, within, level
    )


def test_one_call_an_hour_of_half_an_hour() -> None:
    # A = 0.5: one person leaves half the calls waiting (Pw = 0.5), 61 % answered within
    # 15 minutes; two reach 90 %.
    answer = staffing(demand(1, 1800, 900, 0.9))
    assert (answer.agents, answer.wait_probability, answer.service_level) == (2, 0.1, 0.9528)


def test_answering_at_once_is_the_share_that_never_waits() -> None:
    # answer_within_seconds = 0 is allowed: the service level is then 1 − Pw.
    answer = staffing(demand(100, 180, within=0))
    assert answer.service_level == round(1 - answer.wait_probability, 4)


def test_traffic_is_exact_as_written_not_a_float_artefact() -> None:
    # 0.1 × 36000 / 3600 is 1 exactly: N must be 2 at least (N > A), and A prints as 1.0.
    answer = staffing(demand(0.1, 36000, level=0.01))
    assert (answer.traffic_erlangs, answer.agents) == (1.0, 2)


def test_half_way_values_round_up() -> None:
    # 3 calls of 180 s an hour: A = 0.15 exactly; occupancy 0.15 at N = 1.
    answer = staffing(demand(3, 180, within=20, level=0.5))
    assert answer.traffic_erlangs == 0.15
    # Half a call an hour of 9 s: A = 0.00125 exactly, half up to 4 decimals: 0.0013.
    assert staffing(demand(0.5, 9, level=0.5)).traffic_erlangs == 0.0013


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("calls_per_hour", 0),
        ("calls_per_hour", -1),
        ("handle_seconds", 0),
        ("handle_seconds", -5),
        ("answer_within_seconds", -1),
        ("service_level", 0),
        ("service_level", 1),
        ("service_level", 1.5),
        ("calls_per_hour", math.inf),
    ],
)
def test_bad_demand_is_refused_naming_the_field(field: str, value: float) -> None:
    fields = {
        "calls_per_hour": 100,
        "handle_seconds": 180,
        "answer_within_seconds": 20,
        "service_level": 0.8,
    } | {field: value}
    with pytest.raises(ValueError, match=f"^{field} "):
        Demand(**fields)


positive = st.floats(min_value=0.01, max_value=5000, allow_nan=False)
handles = st.floats(min_value=1, max_value=3600, allow_nan=False)
levels = st.floats(min_value=0.01, max_value=0.99)
withins = st.floats(min_value=0, max_value=3600)


@settings(max_examples=200, deadline=None)
@given(calls=positive, handle=handles, within=withins, level=levels)
def test_agents_is_the_fewest_people_reaching_the_target(calls, handle, within, level) -> None:
    wanted = demand(calls, handle, within, level)
    answer = staffing(wanted)
    traffic = calls * handle / 3600
    assert answer.agents > traffic

    def level_with(agents: int) -> float:
        return service_level(wait_probability(agents, traffic), agents, traffic, within, handle)

    assert level_with(answer.agents) >= level
    # One fewer person (still more than A) misses the target, or would not exceed A.
    if answer.agents - 1 > traffic:
        assert level_with(answer.agents - 1) < level


@settings(max_examples=100, deadline=None)
@given(traffic=st.floats(min_value=0.01, max_value=500), within=withins, handle=handles)
def test_service_level_rises_with_people(traffic, within, handle) -> None:
    first = math.floor(traffic) + 1
    levels_seen = [
        service_level(wait_probability(n, traffic), n, traffic, within, handle)
        for n in range(first, first + 30)
    ]
    assert all(b >= a for a, b in itertools.pairwise(levels_seen))
    assert all(0 <= value <= 1 for value in levels_seen)


@pytest.mark.parametrize("calls", [1_000, 100_000, 1_000_000])
def test_huge_volumes_finish_with_finite_figures(calls: int) -> None:
    answer = staffing(demand(calls, 180))
    assert answer.agents > calls * 180 / 3600
    figures = [
        answer.wait_probability,
        answer.service_level,
        answer.average_answer_seconds,
        answer.occupancy,
    ]
    assert all(math.isfinite(value) for value in figures)
    assert answer.service_level >= 0.8


def test_erlang_b_stays_a_probability_at_any_size() -> None:
    assert 0 < erlang_b(6000, 5000.0) < 1
    assert erlang_b(0, 3.0) == 1.0


def test_extreme_but_valid_numbers_still_answer() -> None:
    # A tiny volume of endless calls: a wait of 10^296 seconds is a number, not a crash.
    answer = staffing(demand(1e-300, 1e300, level=0.5))
    assert answer.agents == 1 and math.isfinite(answer.average_answer_seconds)
    assert staffing(demand(1e-300, 1e-300, within=1e300, level=0.999)).agents == 1
