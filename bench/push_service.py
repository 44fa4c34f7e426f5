"""A local Web Push service for the alert benchmark, and the phones subscribed to it: real
P-256 key pairs that decrypt what they receive (RFC 8291 aes128gcm), as a browser would."""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import http_ece
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bench import servers
from server.push.models import SubscriptionKeys

# How long to wait for pushes after the last request; what has not come by then is missing.
DRAIN_TIMEOUT_S = 30.0


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class Device:
    """A phone's subscription: a P-256 key pair and a 16-byte auth secret, as a browser makes."""

    number: int
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def keys(self) -> SubscriptionKeys:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return SubscriptionKeys(p256dh=_b64(public), auth=_b64(self.auth_secret))

    def open(self, body: bytes) -> bytes:
        """Decrypt an RFC 8291 (aes128gcm) message as the phone would."""
        return http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )


@dataclass(frozen=True)
class Arrival:
    at: float  # time.perf_counter() once the body was read (CLOCK_MONOTONIC, as the client's)
    device: int
    body: bytes
    encoding: str
    authorization: str


class PushService:
    """`POST /push/<device>` answered 201 at once; each arrival kept, opened after the run."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or servers.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.arrivals: list[Arrival] = []
        self._runner: web.AppRunner | None = None

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.arrivals.append(
            Arrival(
                at=time.perf_counter(),
                device=int(request.match_info["device"]),
                body=body,
                encoding=request.headers.get("Content-Encoding", ""),
                authorization=request.headers.get("Authorization", ""),
            )
        )
        return web.Response(status=201)

    async def _health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/push/{device:\\d+}", self._receive)
        app.router.add_get("/healthz", self._health)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for(self, count: int, timeout: float = DRAIN_TIMEOUT_S) -> None:
        deadline = time.perf_counter() + timeout
        while len(self.arrivals) < count and time.perf_counter() < deadline:
            await asyncio.sleep(0.005)


@contextlib.contextmanager
def push_service() -> Iterator[PushService]:
    """The push service on its own thread and event loop, so the alert client never delays it."""
    service = PushService()
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(service.start())
            started.set()
            loop.run_forever()
            loop.run_until_complete(service.stop())
        finally:
            loop.close()

    thread = threading.Thread(target=serve, name="push-service", daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError("the local push service did not start")
    try:
        yield service
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def push_sink(data_dir: Path) -> contextlib.AbstractContextManager[servers.Server]:
    """The same push service in a child process (for the profile: no GIL shared with it)."""
    port = servers.free_port()
    command = [sys.executable, "-m", "bench.push_service", "--port", str(port)]
    return servers.serving("push sink", command, port=port, log_path=data_dir / "sink.log", env={})


def main() -> None:
    parser = argparse.ArgumentParser(description="The local push service alone, on PORT.")
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port

    async def serve() -> None:
        await PushService(port).start()
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
