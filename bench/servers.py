"""Web servers for the benchmarks: child processes on free ports, always stopped afterwards."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ASTREINTE = Path(sys.executable).with_name("astreinte")
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:
    """In the child: SIGTERM when the benchmark dies, so no server outlives a killed run."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Server:
    """A started server: its address and the file its output goes to."""

    name: str
    url: str
    log_path: Path
    process: subprocess.Popen

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def log_since(self, offset: int) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT_S)


@contextlib.contextmanager
def serving(
    name: str, command: list[str], *, port: int, log_path: Path, env: dict[str, str]
) -> Iterator[Server]:
    """Run `command` (which listens on 127.0.0.1:port) until the block ends, whatever happens."""
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
    server = Server(name, url, log_path, process)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start on {url}:\n{server.log_since(0)[-2000:]}")
            time.sleep(0.1)
        yield server
    except BaseException:
        _stop(process)
        print(f"--- last lines of {name}'s output ({log_path}):", file=sys.stderr)
        print(server.log_since(0)[-3000:], file=sys.stderr)
        raise
    finally:
        _stop(process)


def astreinte(
    data_dir: Path, *, log_level: str, push_allow: str = "", env: dict[str, str] | None = None
) -> contextlib.AbstractContextManager[Server]:
    """`astreinte serve` on a fresh data folder: migrates and seeds the demo company. A local
    push service must be named in `push_allow` (ASTREINTE_PUSH_ALLOW) for the server to use it;
    `env` sets other ASTREINTE_* settings (e.g. the engine's interval)."""
    port = free_port()
    return serving(
        "astreinte",
        [str(ASTREINTE), "serve", "--host", "127.0.0.1", "--port", str(port)],
        port=port,
        log_path=data_dir / "server.log",
        env={
            "ASTREINTE_DATA_DIR": str(data_dir),
            "ASTREINTE_BASE_URL": f"http://127.0.0.1:{port}",
            "ASTREINTE_LOG_LEVEL": log_level.upper(),
            "ASTREINTE_PUSH_ALLOW": push_allow,
            **(env or {}),
        },
    )


def bare_app(data_dir: Path, *, log_level: str) -> contextlib.AbstractContextManager[Server]:
    """The baseline of bench/bare_app.py, served by uvicorn the same way."""
    port = free_port()
    return serving(
        "bare app",
        [sys.executable, "-m", "bench.bare_app", "--port", str(port), "--log-level", log_level],
        port=port,
        log_path=data_dir / "bare.log",
        env={"BENCH_BARE_DB": str(data_dir / "bare.db")},
    )


@contextlib.contextmanager
def side_by_side(
    folder: Path, *, log_level: str, env: dict[str, str] | None = None
) -> Iterator[tuple[Server, Server]]:
    """The app on the demo company (data in `folder`/real) and the bare baseline (`folder`/bare),
    both up for the block: a benchmark reads the app against the bare page in the same run."""
    real_dir, bare_dir = folder / "real", folder / "bare"
    real_dir.mkdir()
    bare_dir.mkdir()
    with (
        astreinte(real_dir, log_level=log_level, env=env) as real,
        bare_app(bare_dir, log_level=log_level) as bare,
    ):
        yield real, bare
