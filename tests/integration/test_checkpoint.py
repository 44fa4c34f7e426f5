"""WAL checkpoints from a thread: the server's commits no longer copy the log back themselves,
and what they wrote still reaches the database file (read by a fresh connection without the
log) soon after."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from server.checkpoint import Checkpointer
from server.db import open_database


def rows_in_main_file(path: Path, into: Path) -> int:
    """Teams in the database file alone, without its write-ahead log (a copy of the file)."""
    into.write_bytes(path.read_bytes())
    reader = sqlite3.connect(into)
    try:
        return reader.execute("SELECT COUNT(*) FROM teams").fetchone()[0]
    finally:
        reader.close()


# Under `make test-anytime`, libfaketime 0.9.10 fakes the monotonic clock but not glibc's
# sem_clockwait, so a thread's timed wait (threading.Event.wait) sleeps for hours: the thread
# never wakes. This test is about that thread's timing, not the date, and every `make test`
# runs it.
UNDER_LIBFAKETIME = "faketime" in os.environ.get("LD_PRELOAD", "")


@pytest.mark.skipif(UNDER_LIBFAKETIME, reason="libfaketime stops timed thread waits")
def test_writes_reach_the_database_file_from_the_checkpoint_thread(tmp_path: Path) -> None:
    path = tmp_path / "astreinte.db"
    database = open_database(path)
    checkpointer = Checkpointer(database, interval=0.05)
    checkpointer.start()
    try:
        assert database.scalar("PRAGMA wal_autocheckpoint") == 0
        write_teams(database, 2000)
        deadline = time.monotonic() + 5
        while checkpointer.checkpoints == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert checkpointer.checkpoints >= 1
        # The connection is still open and its commit did not checkpoint (the test below shows
        # the rows stay in the log while the thread is idle): the thread copied them there.
        assert rows_in_main_file(path, tmp_path / "copy.db") == 2000
    finally:
        checkpointer.stop()
    assert database.scalar("PRAGMA wal_autocheckpoint") == 1000
    database.close()


def write_teams(database, count: int) -> None:
    with database.write():
        for n in range(count):
            database.execute(
                "INSERT INTO teams (name, created_at, updated_at) VALUES (?, ?, ?)",
                (f"Équipe {n}", "2026-11-30T09:00:00Z", "2026-11-30T09:00:00Z"),
            )


@pytest.mark.skipif(UNDER_LIBFAKETIME, reason="libfaketime stops timed thread waits")
def test_the_copy_to_the_file_is_the_threads_work_not_the_commits(tmp_path: Path) -> None:
    """A started thread proves nothing: with the thread idle (a round an hour away), the
    committed rows are in the log only; the thread's checkpoint when it stops copies them."""
    path = tmp_path / "astreinte.db"
    database = open_database(path)
    # The schema in the file itself, so the file alone answers (with no team) before the rows.
    database.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpointer = Checkpointer(database, interval=3600)
    checkpointer.start()
    try:
        write_teams(database, 2000)
        assert rows_in_main_file(path, tmp_path / "before.db") == 0
    finally:
        checkpointer.stop()
    assert rows_in_main_file(path, tmp_path / "after.db") == 2000
    database.close()


def test_a_memory_database_has_no_thread() -> None:
    from server.db import Database

    database = Database(":memory:")
    checkpointer = Checkpointer(database)
    checkpointer.start()
    checkpointer.stop()
    assert checkpointer.checkpoints == 0
    database.close()
