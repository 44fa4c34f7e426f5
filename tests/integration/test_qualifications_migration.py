"""Migrations 0029 and 0032: every skill becomes the qualification of its name (one for two
teams' same name, whatever its case) and every assignment to a person, a rotation and a shift
is kept, including those made between the two migrations; then the skill tables are gone."""

from __future__ import annotations

from pathlib import Path

from server.db import Database, migrate, migration_files, split_statements

T = "2026-01-01T00:00:00Z"


def _migrate_before(database: Database, version: str) -> None:
    conn = database.conn
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT "
        "NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))"
    )
    done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    for path in migration_files():
        if path.stem >= version:
            break
        if path.stem in done:
            continue
        for statement in split_statements(path.read_text(encoding="utf-8")):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations (version) VALUES (?)", (path.stem,))


def _insert(conn, table: str, row: dict) -> int:
    marks = ", ".join("?" * len(row))
    return conn.execute(
        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({marks})", tuple(row.values())
    ).lastrowid


def test_every_skill_assignment_survives_as_a_qualification(tmp_path: Path) -> None:
    database = Database(tmp_path / "old.db")
    conn = database.conn
    _migrate_before(database, "0029")
    teams = [
        _insert(conn, "teams", {"name": n, "policy": "{}", "created_at": T, "updated_at": T})
        for n in ("Bâtiments", "Informatique")
    ]
    people = [
        _insert(
            conn,
            "users",
            {
                "email": f"p{i}@t.fr",
                "name": f"P{i}",
                "role": "staff",
                "created_at": T,
                "updated_at": T,
            },
        )
        for i in range(3)
    ]
    rotation = _insert(
        conn,
        "rotations",
        {
            "team_id": teams[0],
            "name": "Nuits",
            "layer": "primary",
            "spec": "{}",
            "created_at": T,
            "updated_at": T,
        },
    )
    shift = _insert(
        conn,
        "shifts",
        {
            "team_id": teams[0],
            "rotation_id": rotation,
            "layer": "primary",
            "user_id": people[0],
            "starts_at": T,
            "ends_at": "2026-01-02T00:00:00Z",
            "created_at": T,
            "updated_at": T,
        },
    )
    electric = _insert(
        conn, "skills", {"team_id": teams[0], "name": "Électricité", "created_at": T}
    )
    # The same skill in the other team, another case: one qualification (SQLite's NOCASE
    # folds ASCII letters only, so "É" and "é" would stay two).
    electric_it = _insert(
        conn, "skills", {"team_id": teams[1], "name": "ÉLECTRICITé", "created_at": T}
    )
    heating = _insert(conn, "skills", {"team_id": teams[0], "name": "Chauffage", "created_at": T})
    conn.executemany(
        "INSERT INTO person_skills (skill_id, user_id) VALUES (?, ?)",
        [(electric, people[0]), (electric_it, people[1]), (heating, people[0])],
    )
    conn.execute("INSERT INTO rotation_skills VALUES (?, ?)", (heating, rotation))
    conn.execute("INSERT INTO shift_skills VALUES (?, ?)", (electric, shift))
    _migrate_before(database, "0030")  # 0029 ran; the old code still wrote skills afterwards
    network = _insert(conn, "skills", {"team_id": teams[1], "name": "Réseau", "created_at": T})
    conn.execute("INSERT INTO person_skills VALUES (?, ?)", (network, people[2]))
    conn.execute("INSERT INTO person_skills VALUES (?, ?)", (heating, people[1]))

    applied = migrate(database)
    assert "0032_qualifications_switch" in applied

    names = {
        row["id"]: row["name"] for row in database.query("SELECT id, name FROM qualifications")
    }
    assert sorted(n.casefold() for n in names.values()) == ["chauffage", "réseau", "électricité"]
    held = {
        (row["user_id"], names[row["qualification_id"]].casefold())
        for row in database.query("SELECT user_id, qualification_id FROM person_qualifications")
    }
    assert held == {
        (people[0], "électricité"),
        (people[1], "électricité"),
        (people[0], "chauffage"),
        (people[2], "réseau"),
        (people[1], "chauffage"),
    }
    rotations = database.query("SELECT qualification_id, rotation_id FROM rotation_qualifications")
    assert [(names[r["qualification_id"]], r["rotation_id"]) for r in rotations] == [
        ("Chauffage", rotation)
    ]
    shifts = database.query("SELECT qualification_id, shift_id FROM shift_qualifications")
    assert [(names[r["qualification_id"]].casefold(), r["shift_id"]) for r in shifts] == [
        ("électricité", shift)
    ]
    tables = {r["name"] for r in database.query("SELECT name FROM sqlite_master")}
    assert not tables & {"skills", "person_skills", "rotation_skills", "shift_skills"}
    database.close()
