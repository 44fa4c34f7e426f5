"""Browser tests: a real `astreinte serve` on a free port, driven by Debian's Chromium."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.e2e.field import Phones
from tests.e2e.helpers import ASTREINTE, CHROMIUM, CHROMIUM_ARGS, PHONE, REPO_ROOT, TIMEOUT_MS
from tests.push_service import listening_socket, origin_of

E2E_DIR = Path(__file__).resolve().parent
START_TIMEOUT_S = 30.0
# The tests' push services listen here, one after the other: the one local origin the servers
# may push to (ASTREINTE_PUSH_ALLOW), as an admin allows a push service on the LAN. Opened once,
# before any server starts; each service serves on a duplicate and closes only that.
PUSH_LISTENER = listening_socket()
PUSH_ORIGIN = origin_of(PUSH_LISTENER)

# uvicorn's access log: `INFO:     127.0.0.1:51234 - "GET /rest HTTP/1.1" 200 OK`
ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3})')


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


_LIBC = ctypes.CDLL(None, use_errno=True)  # loaded here: the forked child only makes a syscall
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the test process dies, so no server outlives a killed run."""
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


_RUNNING: set[subprocess.Popen] = set()


@atexit.register
def _kill_leftovers() -> None:
    for process in list(_RUNNING):
        with contextlib.suppress(Exception):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


class LiveServer:
    """`astreinte serve` in a child process; stop() and start() keep the port and the data."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.log: list[str] = []
        self.started_once = False
        self._process: subprocess.Popen | None = None
        # More settings for the next start (e.g. a new release label).
        self.extra_env: dict[str, str] = {}
        self._reader: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        assert not self.running, "the server is already running"
        for _attempt in range(3):
            first_line = len(self.log)
            self._spawn()
            if self._wait_ready(first_line):
                self.started_once = True
                return
            output = "".join(self.log[first_line:])
            self.stop()
            if "address already in use" not in output or self.started_once:
                # Only a server that never ran may move: a restart must keep its port.
                raise RuntimeError(f"astreinte serve did not start on {self.url}:\n{output}")
            self.port = free_port()
        raise RuntimeError("astreinte serve found no free port")

    def _spawn(self) -> None:
        # Only our settings: no ASTREINTE_* variable of the shell running the tests leaks in.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("ASTREINTE_")}
        env = {
            **inherited,
            "ASTREINTE_DATA_DIR": str(self.data_dir),
            "ASTREINTE_BASE_URL": self.url,
            "ASTREINTE_PUSH_ALLOW": PUSH_ORIGIN,
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        self._process = subprocess.Popen(
            [str(ASTREINTE), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            preexec_fn=_die_with_parent,
            # Its own process group, with the push encryption workers it starts: kill() ends
            # them all, as a service manager does, or they would hold the log pipe open.
            process_group=0,
        )
        _RUNNING.add(self._process)
        stream = self._process.stdout
        self._reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._reader.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.log.append(line)

    def _wait_ready(self, first_line: int) -> bool:
        """Our own process says it listens on our port, and /healthz answers 200."""
        banner = f"Uvicorn running on {self.url}"
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if not self.running:
                return False
            if any(banner in line for line in self.log[first_line:]):
                try:
                    with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                        if response.status == 200:
                            return True
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        # What it started and left behind (the push encryption workers outlive a SIGTERM, a
        # bug of their own): ended here, or they hold the log pipe and the reader never ends.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        if self._reader is not None:
            self._reader.join(5)
        if process.stdout is not None:
            process.stdout.close()
        _RUNNING.discard(process)
        self._process = None

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer does: no shutdown, no answer finished. Returns
        once the process is gone; start() then runs it again on the same port and data."""
        process = self._process
        assert process is not None and process.poll() is None, "the server is not running"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        self.stop()  # the process is gone: only the log reader and the pipe are left to close

    def waiting_in(self) -> str:
        """Where the server's main thread sleeps in the kernel (Linux's /proc/PID/wchan):
        `hrtimer_nanosleep` while SQLite waits for a lock, `do_epoll_wait` when idle."""
        assert self._process is not None, "the server is not running"
        return Path(f"/proc/{self._process.pid}/wchan").read_text()

    def requests(self, since: int = 0) -> list[tuple[str, str, int]]:
        """(method, path, status) of each access-log line from log line `since` on."""
        found = []
        for line in self.log[since:]:
            match = ACCESS_LINE.search(line)
            if match:
                found.append((match["method"], match["path"], int(match["status"])))
        return found


@contextlib.contextmanager
def running_server() -> Iterator[LiveServer]:
    with tempfile.TemporaryDirectory(prefix="astreinte-e2e-") as data_dir:
        live = LiveServer(Path(data_dir))
        try:
            live.start()
            yield live
        finally:
            live.stop()


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    """One server for the tests of a module that do not stop it."""
    with running_server() as live:
        yield live


@pytest.fixture
def own_server() -> Iterator[LiveServer]:
    """A server for one test alone (it may stop and start it)."""
    with running_server() as live:
        yield live


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


PhoneFactory = Callable[..., Page]


@pytest.fixture
def make_phone(browser: Browser) -> Iterator[PhoneFactory]:
    """New phones (each its own context: cookies, service worker, caches) on a given server."""
    contexts: list[BrowserContext] = []

    def make(live: LiveServer, **options) -> Page:
        context = browser.new_context(base_url=live.url, **{**PHONE, **options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        with contextlib.suppress(Exception):
            context.close()


@pytest.fixture
def phone(make_phone: PhoneFactory, server: LiveServer) -> Page:
    """A 360×640 touch phone speaking French, on the module's shared server."""
    return make_phone(server)


@pytest.fixture
def phones(browser: Browser, tmp_path: Path) -> Iterator[Phones]:
    """Phones with a profile on disk (tests/e2e/field.py), closed at the end of the test."""
    made = Phones(browser, tmp_path)
    yield made
    for context in made.open:
        with contextlib.suppress(Exception):
            context.close()
