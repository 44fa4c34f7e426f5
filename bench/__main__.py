"""`python -m bench [NAME …]`: run the benchmarks (all by default), print and record the results."""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from bench import results

# name → module. Each module has `run() -> list[dict]`, and may have TITLE (else the first line
# of its docstring) and `markdown(rows) -> str` (else the rows become one table).
BENCHMARKS = {
    "alerts": "bench.alerts",
    "clients": "bench.clients",
    "foundation": "bench.foundation",
    "hot_paths": "bench.hot_paths",
    "interventions": "bench.interventions",
    "metrics": "bench.metrics",
    "nobody_on_call": "bench.nobody_on_call",
    "procedures": "bench.procedures",
    "rest_engine": "bench.rest_engine",
    "schedules": "bench.schedules",
    "statements": "bench.statements",
    "statement_outputs": "bench.statement_outputs",
    "surveys": "bench.surveys",
}


def run_one(name: str) -> None:
    module = importlib.import_module(BENCHMARKS[name])
    title = getattr(module, "TITLE", None) or (module.__doc__ or name).strip().splitlines()[0]
    print(f"== {name}: {title}", flush=True)
    began = time.monotonic()
    rows = module.run()
    render = getattr(module, "markdown", results.table)
    body = render(rows) + f"\n\n(took {time.monotonic() - began:.0f} s)"
    print(body, flush=True)
    results.write_section(name, results.section(name, title, body))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    for name in args.names or BENCHMARKS:
        run_one(name)
    print(f"results written to {results.RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
