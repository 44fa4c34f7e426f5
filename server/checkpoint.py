"""WAL checkpoints in a thread of their own, off the event loop.

By default SQLite copies the write-ahead log back into the database file inside the COMMIT
that pushes the log past 1,000 pages: that commit then waits on the copy and its fsyncs (5 to
20 ms here), and with it every request and push behind it on the event loop. The server turns
that off for its connection and checkpoints from this thread, on a connection of its own,
soon after writes happen. PASSIVE checkpoints never wait for readers or the writer, so the
event loop is never held up by them.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from server.db import Database

log = logging.getLogger("astreinte.checkpoint")

# How often the thread looks for new writes; the log stays a few batches long at most.
INTERVAL_SECONDS = 0.2
# SQLite's own default, given back to the connection when the thread stops.
AUTOCHECKPOINT_PAGES = 1000


class Checkpointer:
    def __init__(self, database: Database, interval: float = INTERVAL_SECONDS) -> None:
        self.database = database
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.checkpoints = 0

    def start(self) -> None:
        if self._thread is not None or str(self.database.path) == ":memory:":
            return
        self.database.conn.execute("PRAGMA wal_autocheckpoint=0")
        self._stop.clear()
        self._thread = threading.Thread(
            # The version is read here, not in the thread: a thread slow to start would
            # otherwise take writes committed meanwhile as already copied, and skip them.
            target=self._run,
            args=(self.database.path, self.database.version),
            name="wal-checkpoint",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        self.database.conn.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")

    def _run(self, path: Path, seen: int) -> None:
        conn = sqlite3.connect(str(path), timeout=10, isolation_level=None)
        try:
            while not self._stop.wait(self.interval):
                if self.database.version == seen:
                    continue
                seen = self.database.version
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    self.checkpoints += 1
                except sqlite3.Error:
                    # Busy or locked: the next round tries again; nothing is lost meanwhile.
                    log.warning("WAL checkpoint failed; will retry", exc_info=True)
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()
