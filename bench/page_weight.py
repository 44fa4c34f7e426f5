"""Bytes a phone downloads for a page: first visit in a fresh browser, then a repeat visit.

The page's own requests are read from Chrome DevTools (`encodedDataLength`: headers plus the
compressed body); the service worker's requests from Playwright's context events. The server's
access log is the ground truth of what reached the network: a request it lists that the browser
did not size (the service worker scripts) is fetched again here to size it.
"""

from __future__ import annotations

import collections
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import BrowserContext, Page, Request

from bench.servers import Server

# uvicorn's access log: `INFO:     127.0.0.1:51234 - "GET /rest HTTP/1.1" 200 OK`
ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3})')
# What Chromium sends, so the server compresses as it would for a phone.
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
SETTLE_S = 3.0  # Chromium checks for a new worker ~1.7 s after each navigation
SETTLE_MAX_S = 10.0

# Resolves once the service worker controls the page (clients.claim() on activate), or fails.
# A function, not a string expression: the app's CSP forbids eval, which wait_for_function uses.
WAIT_FOR_CONTROLLER = """async () => {
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error("no service worker after 20 s")), 20000));
  const controlled = (async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
    }
    return navigator.serviceWorker.controller.scriptURL;
  })();
  return Promise.race([controlled, timeout]);
}"""


@dataclass
class Fetch:
    """One request as the browser saw it: where the answer came from and its bytes on the wire."""

    path: str
    kind: str
    source: str  # network, service worker, HTTP cache, failed
    bytes: int = 0
    by_worker: bool = False


@dataclass
class Load:
    name: str
    page: list[Fetch]
    worker: list[Fetch]
    server_log: list[str]

    @property
    def page_bytes(self) -> int:
        return sum(f.bytes for f in self.page if f.source == "network")

    @property
    def worker_bytes(self) -> int:
        return sum(f.bytes for f in self.worker if f.source == "network")

    @property
    def network(self) -> list[Fetch]:
        return [f for f in self.page + self.worker if f.source == "network"]


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Recorder:
    """Collects the requests of one page (DevTools) and of its service worker (Playwright)."""

    context: BrowserContext
    page: Page
    _page_events: dict[str, dict] = field(default_factory=dict)
    _worker_requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        cdp = self.context.new_cdp_session(self.page)
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.requestServedFromCache", self._from_cache)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        self.context.on("requestfinished", self._worker_request)

    def _event(self, params: dict) -> dict:
        return self._page_events.setdefault(params["requestId"], {})

    def _sent(self, params: dict) -> None:
        self._event(params).update(url=params["request"]["url"], kind=params.get("type", ""))

    def _received(self, params: dict) -> None:
        response = params["response"]
        self._event(params).update(
            worker=response.get("fromServiceWorker", False),
            cached=response.get("fromDiskCache", False) or response.get("fromPrefetchCache", False),
        )

    def _from_cache(self, params: dict) -> None:
        self._event(params)["cached"] = True

    def _finished(self, params: dict) -> None:
        self._event(params)["bytes"] = int(params["encodedDataLength"])

    def _failed(self, params: dict) -> None:
        self._event(params)["failed"] = True

    def _worker_request(self, request: Request) -> None:
        if request.service_worker is not None:
            self._worker_requests.append(request)

    def take(self) -> tuple[list[Fetch], list[Fetch]]:
        """The page's and the service worker's requests since the last take."""
        page = []
        for event in self._page_events.values():
            if "url" not in event or event["url"].startswith("data:"):
                continue
            if event.get("failed"):
                source = "failed"
            elif event.get("worker"):
                source = "service worker"
            elif event.get("cached"):
                source = "HTTP cache"
            else:
                source = "network"
            size = event.get("bytes", 0) if source == "network" else 0
            page.append(Fetch(_path(event["url"]), event["kind"].lower(), source, size))
        worker = []
        for request in self._worker_requests:
            sizes = request.sizes()
            body = sizes["responseBodySize"]
            # A negative or empty body: Playwright did not see the bytes (HTTP cache, or the
            # worker's own scripts); the server log settles which of them reached the network.
            if body > 0:
                fetch = Fetch(_path(request.url), request.resource_type, "network", by_worker=True)
                fetch.bytes = sizes["responseHeadersSize"] + body
                worker.append(fetch)
        self._page_events.clear()
        self._worker_requests.clear()
        return page, worker


def settle(server: Server) -> None:
    """Wait until the server's access log has been quiet for SETTLE_S (at most SETTLE_MAX_S)."""
    deadline = time.monotonic() + SETTLE_MAX_S
    size, quiet_since = server.log_size(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now_size = server.log_size()
        if now_size != size:
            size, quiet_since = now_size, time.monotonic()
        elif time.monotonic() - quiet_since >= SETTLE_S:
            return


def wire_bytes(server: Server, path: str, cookies: dict[str, str]) -> int:
    """Status line, headers and compressed body of GET path, as a browser would receive it."""
    with (
        httpx.Client(base_url=server.url, cookies=cookies, timeout=10) as client,
        client.stream("GET", path, headers={"accept-encoding": ACCEPT_ENCODING}) as response,
    ):
        body = sum(len(chunk) for chunk in response.iter_raw())
        head = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n") + 2
        head += sum(len(name) + len(value) + 4 for name, value in response.headers.raw)
        return head + body


def _reconcile(
    server: Server, log: list[str], page: list[Fetch], worker: list[Fetch], cookies: dict
) -> None:
    """Add what the server answered but the browser did not size (service worker scripts)."""
    seen = collections.Counter(f.path for f in page + worker if f.source == "network")
    for line in log:
        method, path = line.split(" ", 1)
        if seen[path]:
            seen[path] -= 1
            continue
        size = wire_bytes(server, path, cookies) if method == "GET" else 0
        worker.append(Fetch(path, "worker script (sized by re-fetch)", "network", size, True))


def measure(name: str, recorder: Recorder, server: Server, action) -> Load:
    """Run `action` (a navigation) and sort out what it fetched, from where, and its bytes."""
    offset = server.log_size()
    action()
    settle(server)
    page, worker = recorder.take()
    # Re-fetch with the browser's own cookies, so the answers carry the same headers.
    cookies = {c["name"]: c["value"] for c in recorder.context.cookies(server.url)}
    log = [f"{m['method']} {m['path']}" for m in ACCESS_LINE.finditer(server.log_since(offset))]
    _reconcile(server, log, page, worker, cookies)
    return Load(name, page, worker, log)


def first_and_repeat(
    context: BrowserContext,
    server: Server,
    path: str,
    *,
    must_show: str,
    repeat: bool,
) -> list[Load]:
    """First load of `path` in a fresh context, then (optionally) a reload under the worker.

    `must_show` is a CSS selector the page must match, so a redirect is never measured.
    """
    page = context.new_page()
    recorder = Recorder(context, page)

    def check() -> None:
        if _path(page.url) != path or page.locator(must_show).count() != 1:
            raise RuntimeError(f"{path} showed {page.url} without {must_show!r}")

    def first() -> None:
        page.goto(server.url + path, wait_until="load")
        check()
        page.evaluate(WAIT_FOR_CONTROLLER)

    def again() -> None:
        page.reload(wait_until="load")
        check()

    loads = [measure(f"{path} first load", recorder, server, first)]
    if repeat:
        loads.append(measure(f"{path} repeat load", recorder, server, again))
    return loads
