"""Open the SQLite database (WAL, foreign keys), apply migrations, and the single writer."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from server.tokens import hash_token

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
# The data folder holds every password hash, the VAPID key and the backups: its owner only.
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def private_file(path: Path) -> None:
    """Create the file (and its folder) readable by their owner only, or tighten an existing
    file. SQLite gives the -wal and -shm files the database file's permissions, so they follow;
    those left by an older version are tightened too."""
    path.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if each.exists():
            os.chmod(each, PRIVATE_FILE)


def _sha256_hex(text: str | None) -> str | None:
    return None if text is None else hash_token(text)


class Database:
    """One connection per process, shared by the event loop; writes serialised by one lock.

    Every write runs inside `write()`: BEGIN IMMEDIATE takes SQLite's write lock up front, so a
    multi-row change is one transaction and other processes (the CLI) wait on busy_timeout
    instead of failing half-way.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            private_file(self.path)
        conn = sqlite3.connect(
            str(self.path), check_same_thread=False, isolation_level=None, timeout=10
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("PRAGMA synchronous=NORMAL")
        # For migrations that hash secrets stored in clear by older versions.
        conn.create_function("sha256_hex", 1, _sha256_hex, deterministic=True)
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self._write_lock = threading.RLock()
        self._depth = 0
        # Bumped by every committed write of this process: caches of derived data check it.
        self.version = 0

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def write(self, *, bookkeeping: bool = False) -> Iterator[sqlite_utils.Database]:
        """A write transaction; nested calls join the outer one. `bookkeeping`: it changes
        nothing a page or an answer shows (a session's or an API key's last use), so caches of
        derived data stay valid: without it, every person's session touch would empty them."""
        with self._write_lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.db
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self.db
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")
                if not bookkeeping:
                    self.version += 1
            finally:
                self._depth = 0

    def seen_writes(self) -> tuple[int, int]:
        """What a cache of derived data compares: this process's committed writes, and SQLite's
        data_version, which moves when another process (the `astreinte` command) commits."""
        return self.version, self.conn.execute("PRAGMA data_version").fetchone()[0]

    def query(self, sql: str, params: dict | tuple | list = ()) -> list[dict]:
        # Straight to sqlite3: pages run several queries each, and the wrapper's per-row work
        # showed in profiles. sqlite-utils stays for schema work and bulk writes.
        cursor = self.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def query_in(self, sql: str, ids: list, chunk: int = 500) -> list[dict]:
        """`sql` with `{marks}` where the ids go (`… WHERE id IN ({marks})`), read `chunk` ids
        at a time: SQLite limits the parameters of one statement. Rows in the order of the
        chunks, each chunk's as `sql` orders them."""
        rows: list[dict] = []
        for start in range(0, len(ids), chunk):
            part = list(ids[start : start + chunk])
            rows += self.query(sql.format(marks=",".join("?" * len(part))), part)
        return rows

    def one(self, sql: str, params: dict | tuple = ()) -> dict | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: dict | tuple = ()):
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def ping(self) -> None:
        """Raises when the database cannot answer a query (the health check's probe)."""
        self.conn.execute("SELECT 1").fetchone()

    def execute(self, sql: str, params: dict | tuple = ()) -> sqlite3.Cursor:
        """A write statement; must run inside `write()`."""
        if not self._depth:
            raise RuntimeError("writes go through Database.write()")
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        """One write statement for many rows; must run inside `write()`."""
        if not self._depth:
            raise RuntimeError("writes go through Database.write()")
        self.conn.executemany(sql, rows)

    def insert(self, table: str, row: dict) -> int:
        return self.execute(
            f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            tuple(row.values()),
        ).lastrowid


def migration_files() -> list[Path]:
    return sorted(SCHEMA_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))


def migrate(database: Database) -> list[str]:
    """Apply the migrations not yet applied, each in its own transaction; return their names."""
    conn = database.conn
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT"
        " NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))"
    )
    done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    applied = []
    for path in migration_files():
        version = path.stem
        if version in done:
            continue
        script = path.read_text(encoding="utf-8")
        try:
            conn.execute("BEGIN IMMEDIATE")
            for statement in split_statements(script):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


def split_statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit behind our back)."""
    statements, current = [], []
    for line in script.splitlines():
        current.append(line)
        candidate = "\n".join(current).strip()
        if candidate.endswith(";") and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            current = []
    rest = "\n".join(current).strip()
    if rest and not all(ln.strip().startswith("--") or not ln.strip() for ln in current):
        statements.append(rest)
    return statements


def schema_snapshot(database: Database) -> str:
    """The schema as SQL text, stable across runs, for the committed snapshot."""
    rows = database.conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
        "AND name NOT LIKE 'sqlite_%' ORDER BY type DESC, name"
    ).fetchall()
    return "".join(f"{sql.strip()};\n\n" for _type, _name, sql in rows)


def backup(database: Database, target: Path) -> None:
    """SQLite's online backup: a consistent copy while the app keeps running."""
    if target.exists():
        target.unlink()
    private_file(target)  # a copy of every password hash: as private as the database
    dest = sqlite3.connect(str(target))
    try:
        database.conn.backup(dest)
    finally:
        dest.close()


def open_database(path: Path | str) -> Database:
    database = Database(path)
    migrate(database)
    return database
