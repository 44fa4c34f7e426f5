"""Migration 0012: a team's policy saved with the old float compensation fields still opens
(the policy is read strictly), without them: compensation is the statements' now."""

from __future__ import annotations

import json
from pathlib import Path

from server.db import Database, migrate, migration_files, split_statements
from server.teams.store import get_team


def test_old_compensation_fields_are_dropped_from_team_policies(tmp_path: Path) -> None:
    database = Database(tmp_path / "old.db")
    conn = database.conn
    conn.execute(
        "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL "
        "DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))"
    )
    for path in migration_files():
        if path.stem >= "0012":
            break
        for statement in split_statements(path.read_text(encoding="utf-8")):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations (version) VALUES (?)", (path.stem,))
    old = {
        "notice_days": 20,
        "compensation_per_oncall_hour": 3.5,
        "compensation_holiday_multiplier": 2.0,
    }
    conn.execute(
        "INSERT INTO teams (name, policy, created_at, updated_at) VALUES (?, ?, ?, ?)",
        ("Ancienne", json.dumps(old), "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
    )
    assert "0012_statements_old_compensation" in migrate(database)
    team = get_team(database, 1)
    assert team.policy.notice_days == 20  # the rest of the policy kept
    stored = json.loads(database.scalar("SELECT policy FROM teams WHERE id = 1"))
    assert stored == {"notice_days": 20}
    database.close()
