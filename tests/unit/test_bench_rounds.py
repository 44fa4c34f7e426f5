"""The shared measuring rounds of the benchmarks: the order, the check of each run, the ratios."""

from __future__ import annotations

import pytest

from bench import rounds, wrk


def _run(rate: float, *, bad: int = 0, size: float = 100.0) -> wrk.WrkRun:
    return wrk.WrkRun(rate, 1.0, 2.0, 10, size * 10, bad, 0)


def _measure(monkeypatch, rates: dict[str, list[float]], bad: int = 0) -> tuple[list, list]:
    calls: list[str] = []
    monkeypatch.setattr(rounds, "verified_size", lambda url, headers, text: 100)

    def fake(url, *, headers=None, threads=2, connections=16, seconds=10):
        calls.append(url)
        if seconds == 1:  # the warm-up
            return _run(1.0)
        return _run(rates[url].pop(0), bad=bad)

    monkeypatch.setattr(wrk, "run", fake)
    plan = {"bare": ("bare", "x", {}, None), "page": ("page", "y", {}, 0.5)}
    rows = rounds.measure(
        plan, bare="bare", rounds=2, seconds=5, warmup_seconds=1, threads=2, connections=16
    )
    return rows, calls


def test_rounds_reverse_the_order_and_rate_against_the_bare_target(monkeypatch):
    rows, calls = _measure(monkeypatch, {"bare": [100.0, 300.0], "page": [40.0, 60.0]})
    assert calls == ["bare", "page", "bare", "page", "page", "bare"]
    page = rows[1]
    assert page["requests_per_s"] == 50.0 and page["rounds"] == [40.0, 60.0]
    assert page["vs_bare"] == 0.25
    assert rounds.verdict(page) == "≥ 0.5: **NOT met**"
    assert rounds.verdict(rows[0]) == "—"


def test_a_run_that_did_not_get_the_checked_answer_stops_the_benchmark(monkeypatch):
    with pytest.raises(RuntimeError, match="did not get the verified answer"):
        _measure(monkeypatch, {"bare": [1.0, 1.0], "page": [1.0, 1.0]}, bad=3)
