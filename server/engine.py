"""The background engine: timed work (rotation horizons, reminders, later escalations and push
retries) run from the database state, so a restart loses nothing; the clock is injected."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from server.clock import Clock
from server.db import Database
from server.schedules.reminders import send_shift_reminders
from server.schedules.store import extend_rotations

log = logging.getLogger("astreinte.engine")

Job = Callable[[Database, datetime], int]
JOBS: tuple[tuple[str, Job], ...] = (
    ("extend_rotations", extend_rotations),
    ("shift_reminders", send_shift_reminders),
)


class Engine:
    def __init__(self, database: Database, clock: Clock, interval_seconds: float = 30) -> None:
        self.database = database
        self.clock = clock
        self.interval = interval_seconds
        self._task: asyncio.Task | None = None

    def run_once(self) -> dict[str, int]:
        """Every job once at the clock's now; a failing job is logged and does not stop others."""
        now = self.clock.now()
        done = {}
        for name, job in JOBS:
            try:
                done[name] = job(self.database, now)
            except Exception:
                log.exception("engine job %s failed", name)
                done[name] = -1
        return done

    async def _loop(self) -> None:
        while True:
            self.run_once()
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._loop(), name="astreinte-engine"
            )

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
