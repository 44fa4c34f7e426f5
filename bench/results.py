"""bench/RESULTS.md: one section per benchmark, replaced whole when that benchmark runs again."""

from __future__ import annotations

import contextlib
import os
import platform
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = (
    "# Benchmark results\n\n"
    "Written by `python -m bench` (`make bench`). Each section is replaced when its benchmark "
    "runs again; the others are kept. Figures from a shared, noisy machine: compare ratios "
    "within one run rather than absolute numbers across runs.\n"
)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} × {cpu} (nproc {len(os.sched_getaffinity(0))}), {platform.system()}"


def command() -> str:
    """The command as typed from the repository root."""
    python = Path(sys.executable)
    with contextlib.suppress(ValueError):
        python = python.relative_to(RESULTS.parent.parent)
    return " ".join([str(python), "-m", "bench", *sys.argv[1:]])


def revision() -> str:
    """The commit measured, and whether the working tree differed from it."""
    root = RESULTS.parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown commit"
    return f"commit {commit or 'unknown'}" + (" with uncommitted changes" if dirty else "")


def table(rows: list[dict]) -> str:
    """A Markdown table of rows that share their keys (the default rendering)."""
    if not rows:
        return "(no rows)"
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(f"{row.get(key, '')}" for key in keys) + " |" for row in rows]
    return "\n".join(lines)


def section(name: str, title: str, body: str) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"<!-- bench:{name} -->\n## {title}\n\n"
        f"Run {when} on {machine()}, Python {platform.python_version()}, {revision()}.  \n"
        f"Command: `{command()}`\n\n{body}\n<!-- /bench:{name} -->\n"
    )


def write_section(name: str, text: str) -> None:
    """Put `text` (from section()) in place of the benchmark's old section, or at the end."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    pattern = re.compile(
        rf"<!-- bench:{re.escape(name)} -->\n.*?<!-- /bench:{re.escape(name)} -->\n", re.S
    )
    if pattern.search(current):
        updated = pattern.sub(lambda _match: text, current)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(updated, encoding="utf-8")
