"""Qualifications in SQL: the catalogue, people's holdings, what rotations and shifts require,
and the expiry reminders sent. Writes run inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from server.clock import to_db
from server.db import Database
from server.errors import NotFound
from server.i18n import gettext as _
from server.qualifications.models import Holding, Qualification

_HOLDING = (
    "SELECT p.id, p.user_id, p.qualification_id, q.name, p.obtained_on, p.expires_on, "
    "p.document_name, p.document_type, p.document_size "
    "FROM person_qualifications p JOIN qualifications q ON q.id = p.qualification_id"
)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _holding(row: dict) -> Holding:
    return Holding(
        **{**row, "obtained_on": _day(row["obtained_on"]), "expires_on": _day(row["expires_on"])}
    )


# The catalogue


def catalogue(database: Database) -> list[Qualification]:
    rows = database.query(
        "SELECT id, name, description, validity_months FROM qualifications "
        "ORDER BY name COLLATE NOCASE"
    )
    return [Qualification(**row) for row in rows]


def get_qualification(database: Database, qualification_id: int) -> Qualification:
    row = database.one(
        "SELECT id, name, description, validity_months FROM qualifications WHERE id = ?",
        (qualification_id,),
    )
    if row is None:
        raise NotFound(_("This qualification does not exist."))
    return Qualification(**row)


def named(database: Database, name: str, *, other_than: int = 0) -> bool:
    """Whether another qualification has this name, whatever its case (accented letters too:
    SQLite's NOCASE folds ASCII only, so the comparison is Python's)."""
    rows = database.query("SELECT name FROM qualifications WHERE id != ?", (other_than,))
    wanted = name.casefold()
    return any(row["name"].casefold() == wanted for row in rows)


def insert_qualification(
    database: Database, name: str, description: str, validity_months: int | None, now: datetime
) -> int:
    stamp = to_db(now)
    return database.insert(
        "qualifications",
        {
            "name": name,
            "description": description,
            "validity_months": validity_months,
            "created_at": stamp,
            "updated_at": stamp,
        },
    )


def update_qualification(
    database: Database,
    qualification_id: int,
    name: str,
    description: str,
    validity_months: int | None,
    now: datetime,
) -> None:
    database.execute(
        "UPDATE qualifications SET name = ?, description = ?, validity_months = ?, "
        "updated_at = ? WHERE id = ?",
        (name, description, validity_months, to_db(now), qualification_id),
    )


def document_paths_of(database: Database, qualification_id: int) -> list[str]:
    """The certificates' files of every holding of a qualification."""
    rows = database.query(
        "SELECT document_path FROM person_qualifications "
        "WHERE qualification_id = ? AND document_path IS NOT NULL",
        (qualification_id,),
    )
    return [row["document_path"] for row in rows]


def delete_qualification(database: Database, qualification_id: int) -> None:
    database.execute("DELETE FROM qualifications WHERE id = ?", (qualification_id,))


# Holdings


def holdings_of(database: Database, user_id: int) -> list[Holding]:
    rows = database.query(
        f"{_HOLDING} WHERE p.user_id = ? ORDER BY q.name COLLATE NOCASE", (user_id,)
    )
    return [_holding(row) for row in rows]


def get_holding(database: Database, holding_id: int) -> Holding:
    row = database.one(f"{_HOLDING} WHERE p.id = ?", (holding_id,))
    if row is None:
        raise NotFound(_("This qualification record does not exist."))
    return _holding(row)


def holding_of(database: Database, user_id: int, qualification_id: int) -> Holding | None:
    row = database.one(
        f"{_HOLDING} WHERE p.user_id = ? AND p.qualification_id = ?", (user_id, qualification_id)
    )
    return _holding(row) if row else None


def document_path(database: Database, holding_id: int) -> str | None:
    return database.scalar(
        "SELECT document_path FROM person_qualifications WHERE id = ?", (holding_id,)
    )


def save_holding(
    database: Database,
    user_id: int,
    qualification_id: int,
    obtained_on: date,
    expires_on: date | None,
    now: datetime,
) -> int:
    """Record or renew a holding (one per person and qualification); its id."""
    stamp = to_db(now)
    database.execute(
        "INSERT INTO person_qualifications (user_id, qualification_id, obtained_on, expires_on, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (user_id, qualification_id) DO UPDATE SET obtained_on = excluded.obtained_on, "
        "expires_on = excluded.expires_on, updated_at = excluded.updated_at",
        (
            user_id,
            qualification_id,
            obtained_on.isoformat(),
            expires_on.isoformat() if expires_on else None,
            stamp,
            stamp,
        ),
    )
    return database.scalar(
        "SELECT id FROM person_qualifications WHERE user_id = ? AND qualification_id = ?",
        (user_id, qualification_id),
    )


def set_document(
    database: Database, holding_id: int, path: str, name: str, kind: str, size: int, now: datetime
) -> None:
    database.execute(
        "UPDATE person_qualifications SET document_path = ?, document_name = ?, "
        "document_type = ?, document_size = ?, updated_at = ? WHERE id = ?",
        (path, name, kind, size, to_db(now), holding_id),
    )


def delete_holding(database: Database, holding_id: int) -> None:
    database.execute("DELETE FROM person_qualifications WHERE id = ?", (holding_id,))


def held_expiries(database: Database, user_id: int) -> dict[int, date | None]:
    """Qualification id → expiry (None: never) of everything the person holds."""
    rows = database.query(
        "SELECT qualification_id, expires_on FROM person_qualifications WHERE user_id = ?",
        (user_id,),
    )
    return {row["qualification_id"]: _day(row["expires_on"]) for row in rows}


def team_holdings(database: Database, team_id: int) -> list[Holding]:
    """Every holding of the team's active members."""
    rows = database.query(
        f"{_HOLDING} JOIN memberships m ON m.user_id = p.user_id "
        "JOIN users u ON u.id = p.user_id WHERE m.team_id = ? AND u.active = 1",
        (team_id,),
    )
    return [_holding(row) for row in rows]


# What rotations and shifts require


def required_for_shift(database: Database, shift_id: int) -> dict[int, str]:
    """Qualifications a shift requires: its rotation's and its own (id → name)."""
    rows = database.query(
        "SELECT q.id, q.name FROM qualifications q "
        "JOIN rotation_qualifications r ON r.qualification_id = q.id "
        "JOIN shifts h ON h.rotation_id = r.rotation_id WHERE h.id = ? "
        "UNION SELECT q.id, q.name FROM qualifications q "
        "JOIN shift_qualifications x ON x.qualification_id = q.id WHERE x.shift_id = ?",
        (shift_id, shift_id),
    )
    return {row["id"]: row["name"] for row in rows}


def required_for_rotation(database: Database, rotation_id: int) -> dict[int, str]:
    rows = database.query(
        "SELECT q.id, q.name FROM qualifications q "
        "JOIN rotation_qualifications r ON r.qualification_id = q.id WHERE r.rotation_id = ?",
        (rotation_id,),
    )
    return {row["id"]: row["name"] for row in rows}


def team_requirements(database: Database, team_id: int) -> set[int]:
    """Qualifications any rotation of the team requires."""
    rows = database.query(
        "SELECT DISTINCT r.qualification_id FROM rotation_qualifications r "
        "JOIN rotations o ON o.id = r.rotation_id WHERE o.team_id = ?",
        (team_id,),
    )
    return {row["qualification_id"] for row in rows}


def team_rotations(database: Database, team_id: int) -> list[dict]:
    """(id, name) of the team's rotations, for the requirements form."""
    return database.query(
        "SELECT id, name FROM rotations WHERE team_id = ? ORDER BY name COLLATE NOCASE",
        (team_id,),
    )


def rotation_pairs(database: Database, team_id: int) -> set[tuple[int, int]]:
    """(qualification id, rotation id) of the team's rotations' requirements."""
    rows = database.query(
        "SELECT r.qualification_id, r.rotation_id FROM rotation_qualifications r "
        "JOIN rotations o ON o.id = r.rotation_id WHERE o.team_id = ?",
        (team_id,),
    )
    return {(row["qualification_id"], row["rotation_id"]) for row in rows}


def replace_rotation_pairs(
    database: Database, team_id: int, pairs: Iterable[tuple[int, int]]
) -> None:
    database.execute(
        "DELETE FROM rotation_qualifications WHERE rotation_id IN "
        "(SELECT id FROM rotations WHERE team_id = ?)",
        (team_id,),
    )
    database.executemany(
        "INSERT INTO rotation_qualifications (qualification_id, rotation_id) VALUES (?, ?)",
        list(pairs),
    )


def own_requirement_ids(database: Database, shift_id: int) -> set[int]:
    rows = database.query(
        "SELECT qualification_id FROM shift_qualifications WHERE shift_id = ?", (shift_id,)
    )
    return {row["qualification_id"] for row in rows}


def replace_shift_requirements(database: Database, shift_id: int, ids: Iterable[int]) -> None:
    database.execute("DELETE FROM shift_qualifications WHERE shift_id = ?", (shift_id,))
    database.executemany(
        "INSERT INTO shift_qualifications (qualification_id, shift_id) VALUES (?, ?)",
        [(qualification_id, shift_id) for qualification_id in ids],
    )


def copy_shift_requirements(database: Database, from_shift: int, to_shift: int) -> None:
    """A piece split off a shift requires what the shift required."""
    database.execute(
        "INSERT OR IGNORE INTO shift_qualifications (qualification_id, shift_id) "
        "SELECT qualification_id, ? FROM shift_qualifications WHERE shift_id = ?",
        (to_shift, from_shift),
    )


# Reminders


def expiring_between(database: Database, first: date, last: date) -> list[dict]:
    """Holdings of active people expiring from `first` to `last`, with the reminders already
    sent for that expiry date (comma-separated days)."""
    return database.query(
        "SELECT p.id, p.user_id, p.expires_on, q.name, u.timezone, "
        "(SELECT group_concat(r.days_before) FROM qualification_reminders r "
        " WHERE r.person_qualification_id = p.id AND r.expires_on = p.expires_on) AS sent "
        "FROM person_qualifications p JOIN qualifications q ON q.id = p.qualification_id "
        "JOIN users u ON u.id = p.user_id "
        "WHERE u.active = 1 AND p.expires_on BETWEEN ? AND ? ORDER BY p.expires_on, p.id",
        (first.isoformat(), last.isoformat()),
    )


def mark_reminded(
    database: Database, holding_id: int, expires_on: date, days: Iterable[int], now: datetime
) -> None:
    database.executemany(
        "INSERT OR IGNORE INTO qualification_reminders "
        "(person_qualification_id, expires_on, days_before, sent_at) VALUES (?, ?, ?, ?)",
        [(holding_id, expires_on.isoformat(), d, to_db(now)) for d in days],
    )


def managers_of(database: Database, user_id: int) -> list[int]:
    """The active managers of every team the person is in (not the person)."""
    rows = database.query(
        "SELECT DISTINCT m2.user_id FROM memberships m1 "
        "JOIN memberships m2 ON m2.team_id = m1.team_id AND m2.team_role = 'manager' "
        "JOIN users u ON u.id = m2.user_id "
        "WHERE m1.user_id = ? AND m2.user_id != ? AND u.active = 1 ORDER BY m2.user_id",
        (user_id, user_id),
    )
    return [row["user_id"] for row in rows]


def name_of(database: Database, user_id: int) -> str:
    return database.scalar("SELECT name FROM users WHERE id = ?", (user_id,)) or "?"


def person_name(database: Database, user_id: int) -> str | None:
    """The person's name, or None when nobody has that id."""
    return database.scalar("SELECT name FROM users WHERE id = ?", (user_id,))
