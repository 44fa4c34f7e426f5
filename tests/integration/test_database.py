"""The database file: migrations match the committed schema, apply once, fail whole; WAL and
foreign keys; backups that restore; one writer whose transactions are all or nothing."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

import server.db
from server.app import create_app
from server.clock import ManualClock
from server.db import (
    Database,
    backup,
    migrate,
    migration_files,
    open_database,
    schema_snapshot,
)
from server.settings import Settings, load_settings
from tests.conftest import Client, Company

SNAPSHOT = server.db.SCHEMA_DIR / "schema.sql"


def tables(database: Database) -> set[str]:
    rows = database.query("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row["name"] for row in rows}


def applied(database: Database) -> list[str]:
    return [r["version"] for r in database.query("SELECT version FROM schema_migrations")]


def test_migrating_a_fresh_database_gives_the_committed_snapshot(tmp_path: Path) -> None:
    database = open_database(tmp_path / "fresh.db")
    try:
        assert schema_snapshot(database) == SNAPSHOT.read_text(encoding="utf-8"), (
            "schema/schema.sql differs from the migrated schema: run "
            "`astreinte migrate --snapshot schema/schema.sql` on an empty data dir and commit it"
        )
    finally:
        database.close()


def test_every_migration_is_numbered_and_says_why() -> None:
    files = migration_files()
    assert files, "no migrations found"
    numbers = [int(path.name[:4]) for path in files]
    assert numbers == list(range(1, len(files) + 1)), [p.name for p in files]
    for path in files:
        assert path.read_text(encoding="utf-8").startswith("-- Why"), path.name


def test_migrations_apply_once(tmp_path: Path) -> None:
    database = Database(tmp_path / "once.db")
    try:
        first = migrate(database)
        assert first == [path.stem for path in migration_files()]
        snapshot = schema_snapshot(database)
        assert migrate(database) == []
        assert schema_snapshot(database) == snapshot
        assert applied(database) == first
    finally:
        database.close()


def test_a_failing_migration_changes_nothing_and_is_not_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema_dir = tmp_path / "schema"
    schema_dir.mkdir()
    initial = migration_files()[0]
    (schema_dir / initial.name).write_text(initial.read_text(encoding="utf-8"), encoding="utf-8")
    (schema_dir / "0002_broken.sql").write_text(
        "-- Why: a test of a migration that fails half-way.\n"
        "CREATE TABLE half_done (id INTEGER PRIMARY KEY);\n"
        "INSERT INTO half_done (id) VALUES (1);\n"
        "ALTER TABLE users ADD COLUMN nickname TEXT;\n"
        "INSERT INTO no_such_table (id) VALUES (1);\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(server.db, "SCHEMA_DIR", schema_dir)
    database = Database(tmp_path / "broken.db")
    try:
        with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
            migrate(database)
        assert applied(database) == [initial.stem]
        assert "half_done" not in tables(database)
        columns = {row["name"] for row in database.query("PRAGMA table_info(users)")}
        assert "nickname" not in columns
        # The database is still usable, and the same failure happens again, not a half state.
        with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
            migrate(database)
        assert applied(database) == [initial.stem]
    finally:
        database.close()


def test_wal_and_foreign_keys_are_on(database: Database, company: Company) -> None:
    assert database.scalar("PRAGMA journal_mode") == "wal"
    assert database.scalar("PRAGMA foreign_keys") == 1
    with pytest.raises(sqlite3.IntegrityError), database.write():
        database.insert(
            "memberships",
            {"team_id": 9999, "user_id": company.staff_a.id, "created_at": "2026-11-30T09:00:00Z"},
        )
    assert database.scalar("SELECT count(*) FROM memberships WHERE team_id = 9999") == 0


def test_a_second_process_sees_committed_writes(
    database: Database, company: Company, settings: Settings
) -> None:
    other = Database(settings.database_path)
    try:
        assert other.scalar("PRAGMA journal_mode") == "wal"
        emails = {r["email"] for r in other.query("SELECT email FROM users")}
        assert "staff.a@test.fr" in emails
    finally:
        other.close()


def test_backup_while_serving_restores_the_same_people(
    client: Client,
    company: Company,
    database: Database,
    tmp_path: Path,
    clock: ManualClock,
) -> None:
    client.login("admin@test.fr")
    created = client.post_form("/admin/teams/new", {"name": "Astreinte réseau"})
    assert created.status_code == 303
    target = tmp_path / "backups" / "astreinte-backup.db"
    backup(database, target)
    # The app keeps writing after the backup; the copy is the state at backup time.
    client.post_form("/admin/teams/new", {"name": "Après la sauvegarde"})

    restored = open_database(target)
    try:
        people = "SELECT email, name, role, password_hash FROM users ORDER BY id"
        assert restored.query(people) == database.query(people)
        teams = {r["name"] for r in restored.query("SELECT name FROM teams")}
        assert teams == {"Maintenance", "Informatique", "Astreinte réseau"}
        assert schema_snapshot(restored) == schema_snapshot(database)
        # A server started on the restored file lets people log in with their passwords.
        settings = load_settings({}, data_dir=str(tmp_path / "restored"))
        app = create_app(settings, clock=clock, database=restored)
        with Client(app=app, base_url="http://testserver.local") as browser:
            browser.login("staff.a@test.fr")
            assert "Sophie Staff" in browser.get("/team").text
    finally:
        restored.close()


def test_backup_replaces_an_older_file(database: Database, company: Company, tmp_path: Path):
    target = tmp_path / "backup.db"
    target.write_bytes(b"an old backup that is not even a database")
    backup(database, target)
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("SELECT count(*) FROM users").fetchone()[0] == 6
    finally:
        copy.close()


def team_names(database: Database) -> set[str]:
    return {row["name"] for row in database.query("SELECT name FROM teams")}


def insert_team(database: Database, name: str) -> None:
    database.insert(
        "teams",
        {"name": name, "created_at": "2026-11-30T09:00:00Z", "updated_at": "2026-11-30T09:00:00Z"},
    )


def test_a_nested_write_that_fails_rolls_back_everything(database: Database) -> None:
    with pytest.raises(RuntimeError, match="inner"), database.write():
        insert_team(database, "Outer")
        with database.write():
            insert_team(database, "Inner")
            raise RuntimeError("inner failure")
    assert team_names(database) == set()
    # The writer is usable again and commits normally.
    with database.write():
        insert_team(database, "After")
    assert team_names(database) == {"After"}


def test_nested_writes_commit_together(database: Database) -> None:
    with database.write():
        insert_team(database, "Outer")
        with database.write():
            insert_team(database, "Inner")
        # Not yet visible to another connection: the outer transaction is still open.
        other = sqlite3.connect(database.path)
        try:
            assert other.execute("SELECT count(*) FROM teams").fetchone()[0] == 0
        finally:
            other.close()
    assert team_names(database) == {"Outer", "Inner"}


def test_a_write_outside_the_writer_is_refused(database: Database) -> None:
    with pytest.raises(RuntimeError, match="write"):
        insert_team(database, "Sneaky")
    assert team_names(database) == set()


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_the_data_folder_and_every_database_file_are_the_owners_only(tmp_path: Path) -> None:
    """Password hashes, tokens and the VAPID key: nobody else on the machine reads them, whatever
    the umask of the shell that started the server."""
    previous = os.umask(0o022)
    try:
        settings = load_settings({}, data_dir=str(tmp_path / "data"), engine_interval=0)
        database = open_database(settings.database_path)
        create_app(settings, database=database)  # writes the VAPID key too
        with database.write():
            database.execute("CREATE TABLE scratch (x)")
        copy = tmp_path / "backups" / "astreinte.db"
        backup(database, copy)
        data = settings.data_path
        assert mode(data) == 0o700
        files = [settings.database_path, data / "astreinte.db-wal", data / "astreinte.db-shm"]
        files.append(copy)
        assert [(path.name, mode(path)) for path in files] == [(p.name, 0o600) for p in files]
        assert all(mode(path) == 0o600 for path in data.iterdir())
    finally:
        database.close()
        os.umask(previous)


def test_an_older_world_readable_database_is_tightened_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "astreinte.db"
    sqlite3.connect(path).close()
    path.chmod(0o644)
    open_database(path).close()
    assert mode(path) == 0o600
