"""Run wrk (bounded in time) against one URL and read its summary and latency distribution."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

WRK = shutil.which("wrk") or "/usr/bin/wrk"
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_BYTES = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


@dataclass(frozen=True)
class WrkRun:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    bytes_read: float
    not_2xx_3xx: int
    socket_errors: int

    @property
    def bytes_per_response(self) -> float:
        return self.bytes_read / self.requests if self.requests else 0.0


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * _UNITS[unit]


def parse(output: str) -> WrkRun:
    """The figures of `wrk --latency` output; raises if a line is missing."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB) read", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    if not (rate and total and p50 and p99):
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkRun(
        requests_per_s=float(rate[1]),
        p50_ms=_ms(p50[1]),
        p99_ms=_ms(p99[1]),
        requests=int(total[1]),
        bytes_read=float(total[2]) * _BYTES[total[3]],
        not_2xx_3xx=int(bad[1]) if bad else 0,
        socket_errors=sum(map(int, errors.groups())) if errors else 0,
    )


def version() -> str:
    """`wrk 4.1.0` or the like (wrk prints its version before the usage text)."""
    done = subprocess.run([WRK, "-v"], capture_output=True, text=True, timeout=10)
    match = re.search(r"wrk \S+", done.stdout + done.stderr)
    return match[0] if match else "wrk"


def run(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    threads: int = 2,
    connections: int = 16,
    seconds: int = 10,
) -> WrkRun:
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "5s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=seconds + 30, check=True
    )
    return parse(done.stdout)
