"""Training in SQL: sessions and their attendees, the catalogue of qualifications a session
may grant, the holding a grant writes (person_qualifications, as 0029 defines it), and who a
manager may name (the caller holds the transaction and writes the audit entry: workflow.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from server.clock import from_db, to_db
from server.db import Database
from server.errors import NotFound
from server.i18n import gettext as _
from server.training.models import Attendee, Holding, SessionInput, TrainingSession

_SELECT = (
    "SELECT s.*, t.name AS team_name, q.name AS qualification_name, tu.name AS trainer_person "
    "FROM training_sessions s JOIN teams t ON t.id = s.team_id "
    "LEFT JOIN qualifications q ON q.id = s.qualification_id "
    "LEFT JOIN users tu ON tu.id = s.trainer_id "
)


def _attendees(database: Database, session_ids: Sequence[int]) -> dict[int, list[Attendee]]:
    if not session_ids:
        return {}
    marks = ",".join("?" * len(session_ids))
    rows = database.query(
        "SELECT a.session_id, u.id AS user_id, u.name, "
        "(SELECT group_concat(m.team_id) FROM memberships m WHERE m.user_id = u.id) AS teams "
        "FROM training_attendees a JOIN users u ON u.id = a.user_id "
        f"WHERE a.session_id IN ({marks}) ORDER BY u.name, u.id",
        tuple(session_ids),
    )
    found: dict[int, list[Attendee]] = {}
    for row in rows:
        teams = tuple(sorted(int(t) for t in (row["teams"] or "").split(",") if t))
        found.setdefault(row["session_id"], []).append(
            Attendee(user_id=row["user_id"], name=row["name"], team_ids=teams)
        )
    return found


def _sessions(database: Database, rows: list[dict]) -> list[TrainingSession]:
    attendees = _attendees(database, [row["id"] for row in rows])
    return [
        TrainingSession(
            id=row["id"],
            team_id=row["team_id"],
            team_name=row["team_name"],
            topic=row["topic"],
            kind=row["kind"],
            held_on=date.fromisoformat(row["held_on"]),
            trainer_id=row["trainer_id"],
            trainer_name=row["trainer_person"] or row["trainer_name"],
            qualification_id=row["qualification_id"],
            qualification_name=row["qualification_name"],
            notes=row["notes"],
            attendees=tuple(attendees.get(row["id"], [])),
            created_at=from_db(row["created_at"]),
            updated_at=from_db(row["updated_at"]),
        )
        for row in rows
    ]


def get_session(database: Database, session_id: int) -> TrainingSession:
    rows = database.query(_SELECT + "WHERE s.id = ?", (session_id,))
    if not rows:
        raise NotFound(_("This training session does not exist (it may have been deleted)."))
    return _sessions(database, rows)[0]


def team_sessions(database: Database, team_id: int) -> list[TrainingSession]:
    """The sessions the team held and those a member of it attended, latest first."""
    rows = database.query(
        _SELECT + "WHERE s.team_id = ? OR s.id IN (SELECT a.session_id FROM training_attendees a "
        "JOIN memberships m ON m.user_id = a.user_id WHERE m.team_id = ?) "
        "ORDER BY s.held_on DESC, s.id DESC",
        (team_id, team_id),
    )
    return _sessions(database, rows)


def person_sessions(database: Database, user_id: int) -> list[TrainingSession]:
    """The sessions the person attended, latest first."""
    rows = database.query(
        _SELECT + "WHERE s.id IN (SELECT session_id FROM training_attendees WHERE user_id = ?) "
        "ORDER BY s.held_on DESC, s.id DESC",
        (user_id,),
    )
    return _sessions(database, rows)


def _row(data: SessionInput, now: datetime) -> dict:
    return {
        "topic": data.topic,
        "kind": data.kind,
        "held_on": data.held_on.isoformat(),
        "trainer_id": data.trainer_id,
        "trainer_name": data.trainer_name,
        "qualification_id": data.qualification_id,
        "notes": data.notes,
        "updated_at": to_db(now),
    }


def insert_session(
    database: Database, team_id: int, data: SessionInput, *, by: int | None, now: datetime
) -> int:
    session_id = database.insert(
        "training_sessions",
        {"team_id": team_id, **_row(data, now), "created_by": by, "created_at": to_db(now)},
    )
    set_attendees(database, session_id, data.attendee_ids)
    return session_id


def update_session(database: Database, session_id: int, data: SessionInput, now: datetime) -> None:
    row = _row(data, now)
    database.execute(
        f"UPDATE training_sessions SET {', '.join(f'{k} = ?' for k in row)} WHERE id = ?",
        (*row.values(), session_id),
    )
    set_attendees(database, session_id, data.attendee_ids)


def set_attendees(database: Database, session_id: int, user_ids: Sequence[int]) -> None:
    database.execute("DELETE FROM training_attendees WHERE session_id = ?", (session_id,))
    database.executemany(
        "INSERT INTO training_attendees (session_id, user_id) VALUES (?, ?)",
        [(session_id, user_id) for user_id in user_ids],
    )


def delete_session_row(database: Database, session_id: int) -> None:
    database.execute("DELETE FROM training_sessions WHERE id = ?", (session_id,))


def nameable_people(database: Database, team_ids: Sequence[int] | None) -> list[dict]:
    """Active people of these teams (every active person with None: an administrator), with
    the name of one of their teams, by team then name: whom a writer may name."""
    where = ""
    params: tuple = ()
    if team_ids is not None:
        where = f"AND m.team_id IN ({','.join('?' * len(team_ids)) or 'NULL'}) "
        params = tuple(team_ids)
    return database.query(
        "SELECT DISTINCT u.id AS user_id, u.name, t.id AS team_id, t.name AS team_name "
        "FROM users u JOIN memberships m ON m.user_id = u.id JOIN teams t ON t.id = m.team_id "
        f"WHERE u.active = 1 {where}ORDER BY t.name, u.name, u.id",
        params,
    )


def qualification_catalogue(database: Database) -> list[dict]:
    """id, name and validity (months, None: never expires) of each qualification, by name."""
    return database.query(
        "SELECT id, name, validity_months FROM qualifications ORDER BY name COLLATE NOCASE, id"
    )


def validity_months(database: Database, qualification_id: int) -> int | None:
    return database.scalar(
        "SELECT validity_months FROM qualifications WHERE id = ?", (qualification_id,)
    )


def holdings(database: Database, qualification_id: int, user_ids: Sequence[int]) -> dict:
    """{user id: (row id, Holding)} of those of these people who hold the qualification."""
    if not user_ids:
        return {}
    marks = ",".join("?" * len(user_ids))
    rows = database.query(
        "SELECT id, user_id, obtained_on, expires_on FROM person_qualifications "
        f"WHERE qualification_id = ? AND user_id IN ({marks})",
        (qualification_id, *user_ids),
    )
    return {
        row["user_id"]: (
            row["id"],
            Holding(
                obtained_on=date.fromisoformat(row["obtained_on"]) if row["obtained_on"] else None,
                expires_on=date.fromisoformat(row["expires_on"]) if row["expires_on"] else None,
            ),
        )
        for row in rows
    }


def write_holding(
    database: Database,
    user_id: int,
    qualification_id: int,
    holding: Holding,
    now: datetime,
) -> int:
    """Insert or update the person's holding with these dates (its document, if any, stays:
    the holder or a manager replaces it on the qualifications pages)."""
    obtained = holding.obtained_on.isoformat() if holding.obtained_on else None
    expires = holding.expires_on.isoformat() if holding.expires_on else None
    database.execute(
        "INSERT INTO person_qualifications "
        "(user_id, qualification_id, obtained_on, expires_on, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, qualification_id) DO UPDATE SET "
        "obtained_on = excluded.obtained_on, expires_on = excluded.expires_on, "
        "updated_at = excluded.updated_at",
        (user_id, qualification_id, obtained, expires, to_db(now), to_db(now)),
    )
    return database.scalar(
        "SELECT id FROM person_qualifications WHERE user_id = ? AND qualification_id = ?",
        (user_id, qualification_id),
    )


def current_holdings(database: Database, user_ids: Sequence[int]) -> dict[tuple[int, int], dict]:
    """{(user id, qualification id): its dates} for these people: what the session page shows."""
    if not user_ids:
        return {}
    marks = ",".join("?" * len(user_ids))
    rows = database.query(
        "SELECT user_id, qualification_id, obtained_on, expires_on FROM person_qualifications "
        f"WHERE user_id IN ({marks})",
        tuple(user_ids),
    )
    return {(row["user_id"], row["qualification_id"]): row for row in rows}


def person_named(database: Database, user_id: int) -> dict | None:
    """A person's id, name, e-mail, role, locale and zone (their training page's heading)."""
    return database.one(
        "SELECT id, name, email, role, locale, timezone FROM users WHERE id = ?", (user_id,)
    )


def team_ids_of(database: Database, user_id: int) -> list[int]:
    rows = database.query("SELECT team_id FROM memberships WHERE user_id = ?", (user_id,))
    return sorted(row["team_id"] for row in rows)
