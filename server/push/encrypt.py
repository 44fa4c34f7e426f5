"""Web Push encryption (RFC 8291 aes128gcm, by pywebpush) in worker processes, off the loop.

One message costs about 150 µs of CPU (an ephemeral P-256 key, ECDH, HKDF, AES-GCM), and
`cryptography` keeps the GIL for these small operations: two threads encrypt no faster than
one, and a thread would still take turns with the event loop. One alert to 1,000 devices was
0.3 s of encryption on the loop, with no page and no phone-system lookup answered meanwhile.
Worker processes encrypt in parallel with the loop, which only hands them batches.

Workers are spawned (a fresh interpreter importing this module and the main one, which the
`astreinte` command guards with `if __name__ == "__main__"`), never forked from a process whose
threads may hold locks.

Requests made in one turn of the loop go out as one batch, split across the workers; a batch of
a few messages (an ordinary alert to someone's two phones) is encrypted on the loop, where it
costs less than a round trip to a worker. Without workers (outside the engine's life: tests,
commands) everything is encrypted on the loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import os
from collections.abc import Sequence

from pywebpush import WebPusher

log = logging.getLogger("astreinte.push")

# Fewer messages than this in one turn of the loop are encrypted on it (≈ 1 ms at most).
ON_LOOP_BELOW = 8
# Workers: one per CPU but the one the event loop needs, at least one, at most four.
WORKERS = max(1, min(4, (os.cpu_count() or 2) - 1))

Item = tuple[str, str, str, bytes]  # endpoint, p256dh, auth, plaintext


class EncryptionFailed(ValueError):
    """The device's keys could not be used (malformed subscription): no retry can mend it."""


def encrypt(endpoint: str, p256dh: str, auth: str, payload: bytes) -> bytes:
    info = {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}
    return WebPusher(info).encode(payload, "aes128gcm")["body"]


def encrypt_batch(items: Sequence[Item]) -> list[bytes | str]:
    """In a worker: each body, or the error that stopped it (as text: it crosses processes)."""
    out: list[bytes | str] = []
    for item in items:
        try:
            out.append(encrypt(*item))
        except Exception as error:
            out.append(f"{type(error).__name__}: {error}"[:300])
    return out


def _settle(future: asyncio.Future, result: bytes | str) -> None:
    if future.done():
        return
    if isinstance(result, bytes):
        future.set_result(result)
    else:
        future.set_exception(EncryptionFailed(result))


class Encryptor:
    def __init__(self, workers: int = WORKERS) -> None:
        self.workers = workers
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._warming: list[concurrent.futures.Future] = []
        self._queue: list[tuple[Item, asyncio.Future]] = []
        # Messages encrypted so far, by where: what the benchmark and the tests look at.
        self.on_loop = 0
        self.in_workers = 0

    def start(self) -> None:
        """Start the workers (the engine's life); a first empty batch loads pywebpush in each."""
        if self.workers and self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn")
            )
            self._warming = [self._pool.submit(encrypt_batch, []) for _ in range(self.workers)]

    async def ready(self) -> None:
        """Wait until the workers have started (a benchmark times only what comes after).
        Workers that cannot start leave the encryption to the loop, as without workers."""
        try:
            for warming in self._warming:
                await asyncio.wrap_future(warming)
        except Exception as error:
            log.warning("push encryption workers did not start (%r): encrypting on the loop", error)
            self.stop()

    def stop(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def encrypting(self, item: Item) -> asyncio.Future[bytes]:
        """The encrypted body, later: the request joins this turn's batch."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        if not self._queue:
            loop.call_soon(self._flush)
        self._queue.append((item, future))
        return future

    def _flush(self) -> None:
        queue, self._queue = self._queue, []
        pool = self._pool
        if pool is None or len(queue) < ON_LOOP_BELOW:
            self._on_loop(queue)
            return
        loop = asyncio.get_running_loop()
        size = -(-len(queue) // self.workers)
        for start in range(0, len(queue), size):
            chunk = queue[start : start + size]
            try:
                done = loop.run_in_executor(pool, encrypt_batch, [item for item, _f in chunk])
            except RuntimeError:  # the pool was shut down or broke: no message is left waiting
                self._restart_if_current(pool)
                self._on_loop(chunk)
                continue
            done.add_done_callback(lambda done, chunk=chunk: self._settle_chunk(done, chunk, pool))

    def _restart_if_current(self, pool: concurrent.futures.ProcessPoolExecutor) -> None:
        if pool is self._pool:  # not after a deliberate stop
            log.warning("push encryption workers failed; starting them again")
            self.stop()
            self.start()

    def _on_loop(self, queue: list[tuple[Item, asyncio.Future]]) -> None:
        results = encrypt_batch([item for item, _future in queue])
        self.on_loop += len(queue)
        for (_item, future), result in zip(queue, results, strict=True):
            _settle(future, result)

    def _settle_chunk(
        self,
        done: asyncio.Future,
        chunk: list[tuple[Item, asyncio.Future]],
        pool: concurrent.futures.ProcessPoolExecutor,
    ) -> None:
        if done.cancelled() or done.exception() is not None:
            # A worker died (killed, out of memory), or the engine stopped the workers: these
            # messages are encrypted here rather than lost; after a death, the workers are
            # started again for the next batches (not after a stop).
            self._restart_if_current(pool)
            self._on_loop(chunk)
            return
        self.in_workers += len(chunk)
        for (_item, future), result in zip(chunk, done.result(), strict=True):
            _settle(future, result)
