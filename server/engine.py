"""The background engine: timed work (rotation horizons, reminders, escalation steps, sending
and retrying notifications) run from the database state, so a restart loses nothing; the clock
is injected, so tests move time instead of sleeping."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from server.alerts.escalation import escalate_due
from server.alerts.store import next_escalation
from server.clock import Clock
from server.db import Database
from server.demo import keep_demo_schedule
from server.notifications.dispatch import Dispatcher
from server.notifications.store import next_due
from server.procedures.workflow import remind_stale_procedures
from server.qualifications.reminders import send_expiry_reminders
from server.quality.queue import refresh_queue
from server.rest.prompts import send_fatigue_prompts
from server.schedules.reminders import send_shift_reminders
from server.schedules.rotations import extend_rotations
from server.statements.closing import close_due_months, recheck_closed_months
from server.surveys.scheduling import close_surveys
from server.surveys.sending import SurveySender
from server.swaps.workflow import expire_due

log = logging.getLogger("astreinte.engine")

Job = Callable[[Database, datetime], int]

# Jobs whose work moves by weeks: once an hour is plenty. A pass over every rotation holds the
# event loop about 1 ms per rotation (0.2 s at a hundred teams), which requests and alert
# pages should not wait on every round.
HOURLY_JOBS = frozenset({"extend_rotations", "demo_schedule", "qualification_reminders"})
HOURLY_SECONDS = 3600.0


class Engine:
    def __init__(
        self, database: Database, clock: Clock, dispatcher: Dispatcher, interval_seconds: float = 30
    ) -> None:
        self.database = database
        self.clock = clock
        self.dispatcher = dispatcher
        self.interval = interval_seconds
        self._task: asyncio.Task | None = None
        # Satisfaction surveys are sent by a task of their own (server/surveys/sending.py): a
        # thousand due at 08:00 never make an alert wait for the round to end.
        self.surveys = SurveySender(database, dispatcher.settings)
        self._survey_task: asyncio.Task | None = None
        self._wake: asyncio.Event | None = None

    def jobs(self) -> tuple[tuple[str, Job], ...]:
        channels = self.dispatcher.channels
        jobs: tuple[tuple[str, Job], ...] = (
            ("extend_rotations", extend_rotations),
            ("shift_reminders", send_shift_reminders),
            ("swap_expiry", expire_due),
            ("fatigue_prompts", send_fatigue_prompts),
            ("escalations", lambda db, now: escalate_due(db, now, channels)),
            # Monthly statements: close after the grace period, rectify on late changes.
            ("statement_closing", lambda db, now: close_due_months(db, now, channels)),
            ("statement_recheck", lambda db, now: recheck_closed_months(db, now, channels)),
            # Satisfaction surveys closed (expired, intervention deleted); the survey task plans
            # and sends them (server/surveys/sending.py).
            ("survey_close", close_surveys),
            # The quality review's queue: interventions and answers noted since the last run.
            ("quality_queue", refresh_queue),
            # Qualifications expiring in 60, 30 and 7 days: days ahead, so once an hour.
            ("qualification_reminders", send_expiry_reminders),
            # Procedures whose review date passed remind their owner once (an indexed look-up).
            ("procedure_reviews", remind_stale_procedures),
        )
        if not self.dispatcher.settings.production:
            # A demo left running for weeks keeps a published schedule (demo teams only).
            jobs += (("demo_schedule", keep_demo_schedule),)
        return jobs

    def run_once(self, *, hourly: bool = True) -> dict[str, int]:
        """Every timed job once at the clock's now (the hourly ones too unless told otherwise);
        a failing job is logged and others go on."""
        now = self.clock.now()
        done = {}
        for name, job in self.jobs():
            if not hourly and name in HOURLY_JOBS:
                continue
            try:
                done[name] = job(self.database, now)
            except Exception:
                log.exception("engine job %s failed", name)
                done[name] = -1
        return done

    def run_urgent(self) -> dict[str, int]:
        """Only what cannot wait for the next round: escalation steps due now."""
        now = self.clock.now()
        try:
            return {"escalations": escalate_due(self.database, now, self.dispatcher.channels)}
        except Exception:
            log.exception("engine job escalations failed")
            return {"escalations": -1}

    async def tick(
        self, full: bool = True, hourly: bool = True, surveys: bool = True
    ) -> dict[str, int]:
        """The jobs (all of them, or on a wake only the urgent ones), then every delivery they
        (or requests) made due, then (unless told otherwise: the loop sends them apart) the
        survey messages due."""
        done = self.run_once(hourly=hourly) if full else self.run_urgent()
        try:
            done["deliveries"] = await self.dispatcher.deliver_due(self.clock.now())
        except Exception:
            log.exception("delivering notifications failed")
            done["deliveries"] = -1
        if full and surveys:
            done["surveys"] = await self.send_surveys()
        return done

    async def send_surveys(self) -> int:
        try:
            return await self.surveys.send_due(self.clock.now())
        except Exception:
            log.exception("sending surveys failed")
            return -1

    def _start_surveys(self) -> None:
        """The survey messages due, sent beside the loop (one sending at a time)."""
        if self._survey_task is None or self._survey_task.done():
            self._survey_task = asyncio.get_running_loop().create_task(
                self.send_surveys(), name="astreinte-surveys"
            )

    def wake(self) -> None:
        """A request queued something to send now (an alert): don't wait for the next round."""
        if self._wake is not None:
            self._wake.set()

    def _seconds_to_next(self) -> float:
        now = self.clock.now()
        moments = [m for m in (next_due(self.database), next_escalation(self.database)) if m]
        soonest = min(moments, default=None)
        if soonest is None:
            return self.interval
        return max(0.0, min(self.interval, (soonest - now).total_seconds()))

    async def _loop(self) -> None:
        self._wake = asyncio.Event()
        loop = asyncio.get_running_loop()
        last_full = last_hourly = float("-inf")
        async with self.dispatcher.connections():
            while True:
                self._wake.clear()
                # Reminders and the like run once per interval, rotation horizons once an hour;
                # a wake for a new alert or a due page goes straight to escalations and sending
                # (milliseconds, not tens of seconds).
                full = loop.time() - last_full >= self.interval
                hourly = full and loop.time() - last_hourly >= HOURLY_SECONDS
                if full:
                    last_full = loop.time()
                if hourly:
                    last_hourly = loop.time()
                await self.tick(full=full, hourly=hourly, surveys=False)
                if full:
                    self._start_surveys()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._seconds_to_next())

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
        if self._survey_task is not None:
            self._survey_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._survey_task
            self._survey_task = None
