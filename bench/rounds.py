"""wrk against several targets in rounds, the order reversed every other round, and the goal
column of a results table: shared by the benchmarks that compare pages with the bare page."""

from __future__ import annotations

import statistics

from bench import wrk
from bench.foundation import verified_size


def measure(
    plan: dict[str, tuple[str, str, dict[str, str], float | None]],
    *,
    bare: str,
    rounds: int,
    seconds: int,
    warmup_seconds: int,
    threads: int,
    connections: int,
) -> list[dict]:
    """plan: name -> (url, text the answer must hold, headers, goal vs the bare target). A warm-up,
    then `rounds` rounds; every run must get the answer checked first (a login redirect or an
    error page would change its size), else the benchmark stops rather than report it."""
    sizes = {
        name: verified_size(url, headers, text) for name, (url, text, headers, _) in plan.items()
    }
    for url, _text, headers, _goal in plan.values():
        wrk.run(url, headers=headers, seconds=warmup_seconds)
    runs: dict[str, list[wrk.WrkRun]] = {name: [] for name in plan}
    for round_number in range(rounds):
        names = list(plan) if round_number % 2 == 0 else list(reversed(plan))
        for name in names:
            url, _text, headers, _goal = plan[name]
            run = wrk.run(
                url, headers=headers, threads=threads, connections=connections, seconds=seconds
            )
            if run.not_2xx_3xx or abs(run.bytes_per_response / sizes[name] - 1) > 0.1:
                raise RuntimeError(f"{name}: wrk did not get the verified answer each time: {run}")
            runs[name].append(run)
    bare_rate = statistics.median(r.requests_per_s for r in runs[bare])
    rows = []
    for name, found in runs.items():
        rate = statistics.median(r.requests_per_s for r in found)
        rows.append(
            {
                "kind": "throughput",
                "target": name,
                "requests_per_s": rate,
                "rounds": [r.requests_per_s for r in found],
                "p50_ms": statistics.median(r.p50_ms for r in found),
                "p99_ms": statistics.median(r.p99_ms for r in found),
                "response_bytes": sizes[name],
                "socket_errors": sum(r.socket_errors for r in found),
                "vs_bare": rate / bare_rate,
                "goal": plan[name][3],
            }
        )
    return rows


def verdict(row: dict) -> str:
    """The goal column: a dash for the bare target, else whether the ratio reached the goal."""
    goal = row["goal"]
    if goal is None:
        return "—"
    return f"≥ {goal}: {'met' if row['vs_bare'] >= goal else '**NOT met**'}"
