"""Interventions in SQL: records, the answers a phone's operations got, and the few facts of
alerts the intervention pages need. Nothing is decided here (rules.py decides, sync.py and
corrections.py apply)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from server.clock import from_db, to_db
from server.db import Database
from server.errors import NotFound
from server.i18n import gettext as _
from server.interventions.models import AlertChoice, Intervention, OpResult

_SELECT = "SELECT i.*, u.name AS user_name FROM interventions i JOIN users u ON u.id = i.user_id "


def _intervention(row: dict) -> Intervention:
    return Intervention(
        id=row["id"],
        uuid=row["uuid"],
        user_id=row["user_id"],
        user_name=row["user_name"],
        team_id=row["team_id"],
        alert_id=row["alert_id"],
        started_at=from_db(row["started_at"]),
        ended_at=from_db(row["ended_at"]),
        travel_minutes=row["travel_minutes"],
        place=row["place"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        mode=row["mode"],
        found=row["found"],
        done=row["done"],
        outcome=row["outcome"],
        client_version=row["client_version"],
        client_changed_at=from_db(row["client_changed_at"]),
        server_changed_at=from_db(row["server_changed_at"]),
        corrected_by=row["corrected_by"],
        deleted=row["deleted_at"] is not None,
        created_at=from_db(row["created_at"]),
        client_id=row["client_id"],
        site_id=row["site_id"],
    )


def get_intervention(database: Database, uuid: str) -> Intervention:
    found = find_intervention(database, uuid)
    if found is None:
        raise NotFound(_("This intervention does not exist."))
    return found


def find_intervention(database: Database, uuid: str) -> Intervention | None:
    row = database.one(_SELECT + "WHERE i.uuid = ?", (uuid,))
    return None if row is None else _intervention(row)


def find_interventions(database: Database, uuids: list[str]) -> dict[str, Intervention | None]:
    """The stored record of each uuid, in one query; None where the server has none yet."""
    found: dict[str, Intervention | None] = dict.fromkeys(uuids)
    if not uuids:
        return found
    marks = ",".join("?" * len(uuids))
    for row in database.query(_SELECT + f"WHERE i.uuid IN ({marks})", uuids):
        found[row["uuid"]] = _intervention(row)
    return found


def list_interventions(
    database: Database,
    *,
    user_id: int | None = None,
    team_ids: list[int] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    alert_id: int | None = None,
    outcome: str | None = None,
    limit: int | None = 500,
) -> list[Intervention]:
    """Newest first, every filter in SQL; `limit=None` for all of them (an export)."""
    clauses, params = ["i.deleted_at IS NULL"], []
    if user_id is not None:
        clauses.append("i.user_id = ?")
        params.append(user_id)
    if team_ids is not None:
        clauses.append(f"i.team_id IN ({','.join('?' * len(team_ids)) or 'NULL'})")
        params += team_ids
    if start is not None:
        clauses.append("i.ended_at > ?")
        params.append(to_db(start))
    if end is not None:
        clauses.append("i.started_at < ?")
        params.append(to_db(end))
    if alert_id is not None:
        clauses.append("i.alert_id = ?")
        params.append(alert_id)
    if outcome:
        clauses.append("i.outcome = ?")
        params.append(outcome)
    # LIMIT -1 is SQLite's "no limit".
    rows = database.query(
        _SELECT + "WHERE " + " AND ".join(clauses) + " ORDER BY i.started_at DESC LIMIT ?",
        (*params, -1 if limit is None else limit),
    )
    return [_intervention(row) for row in rows]


# Writes ------------------------------------------------------------------------------------

# What a write stores of a record, beside its id, uuid, owner and times of creation and update.
_FIELDS = (
    "team_id",
    "started_at",
    "ended_at",
    "travel_minutes",
    "place",
    "latitude",
    "longitude",
    "mode",
    "found",
    "done",
    "outcome",
    "alert_id",
    "client_version",
    "client_changed_at",
    "server_changed_at",
    "corrected_by",
    "client_id",
    "site_id",
)
_COLUMNS = ("id", "uuid", "user_id", *_FIELDS, "created_at", "updated_at")
_INSERT = (
    f"INSERT INTO interventions ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
)
_UPDATE = (
    f"UPDATE interventions SET {', '.join(f'{name} = ?' for name in _FIELDS)}, updated_at = ? "
    "WHERE uuid = ?"
)


def _fields(item: Intervention) -> tuple:
    return (
        item.team_id,
        to_db(item.started_at),
        to_db(item.ended_at),
        item.travel_minutes,
        item.place,
        item.latitude,
        item.longitude,
        item.mode,
        item.found,
        item.done,
        item.outcome,
        item.alert_id,
        item.client_version,
        to_db(item.client_changed_at),
        to_db(item.server_changed_at),
        item.corrected_by,
        item.client_id,
        item.site_id,
    )


def _row(item: Intervention) -> tuple:
    # Its server_changed_at is when the row was written, so also its updated_at.
    changed = to_db(item.server_changed_at)
    return (item.id, item.uuid, item.user_id, *_fields(item), to_db(item.created_at), changed)


def next_intervention_id(database: Database) -> int:
    """The id the next new record gets; call it under the write lock (nobody else inserts)."""
    return database.scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM interventions")


def insert_interventions(database: Database, items: list[Intervention]) -> None:
    """New records with one statement; sqlite3.IntegrityError if the database refuses one."""
    database.executemany(_INSERT, [_row(item) for item in items])


def insert_intervention(database: Database, item: Intervention) -> None:
    database.execute(_INSERT, _row(item))


def stored_uuids(database: Database, uuids: list[str]) -> set[str]:
    marks = ",".join("?" * len(uuids))
    rows = database.query(f"SELECT uuid FROM interventions WHERE uuid IN ({marks})", uuids)
    return {row["uuid"] for row in rows}


def save_intervention(database: Database, item: Intervention) -> None:
    """Write a record's new values (the phone's edit or a manager's correction); its
    `server_changed_at` is also when the row was last updated."""
    database.execute(_UPDATE, (*_fields(item), to_db(item.server_changed_at), item.uuid))


def mark_deleted(database: Database, intervention_id: int, at: datetime) -> None:
    stamp = to_db(at)
    database.execute(
        "UPDATE interventions SET deleted_at = ?, updated_at = ? WHERE id = ?",
        (stamp, stamp, intervention_id),
    )


# What each operation was answered, so that a replay gets the same answer -------------------

_REMEMBER = (
    "INSERT INTO sync_operations (op_id, uuid, user_id, result, applied_at) VALUES (?, ?, ?, ?, ?)"
)
_RESULT = msgspec.json.Decoder(OpResult)


def first_answers(database: Database, user_id: int, op_ids: list[str]) -> dict[str, OpResult]:
    """What this person's operations were answered when first applied, by op_id."""
    marks = ",".join("?" * len(op_ids))
    rows = database.query(
        f"SELECT op_id, result FROM sync_operations WHERE user_id = ? AND op_id IN ({marks})",
        (user_id, *op_ids),
    )
    return {row["op_id"]: _RESULT.decode(row["result"]) for row in rows}


def remember_answers(database: Database, answers: list[tuple[str, str, int, str, str]]) -> None:
    """(op_id, uuid, user_id, result as JSON, applied_at as stored) of each operation."""
    if answers:
        database.executemany(_REMEMBER, answers)


# Alerts, as the intervention pages know them ------------------------------------------------
# Read here rather than through the alerts package, which sits above this one (its fatigue
# routing reads rest, which reads interventions).

_ALERTS = "SELECT id, title, team_id, client_id, site_id FROM alerts "


def alert_team(database: Database, alert_id: int) -> int | None:
    """The team of an alert; None if there is no such alert."""
    return database.scalar("SELECT team_id FROM alerts WHERE id = ?", (alert_id,))


def alert_choices(database: Database, team_ids: list[int], *, limit: int) -> list[AlertChoice]:
    """The teams' alerts an intervention may answer, in the alerts list's order (open first,
    then newest)."""
    marks = ",".join("?" * len(team_ids)) or "NULL"
    rows = database.query(
        _ALERTS + f"WHERE team_id IN ({marks}) "
        "ORDER BY status = 'resolved', created_at DESC, id DESC LIMIT ?",
        (*team_ids, limit),
    )
    return [AlertChoice(**row) for row in rows]


def alert_choice(database: Database, alert_id: int) -> AlertChoice:
    row = database.one(_ALERTS + "WHERE id = ?", (alert_id,))
    if row is None:
        raise NotFound(_("This alert does not exist."))
    return AlertChoice(**row)
