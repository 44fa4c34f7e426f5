"""Rotations in SQL. Saving one and generating its drafts is server/schedules/rotations.py's."""

from __future__ import annotations

from datetime import datetime

import msgspec

from server.clock import to_db
from server.db import Database
from server.errors import NotFound
from server.i18n import gettext as _
from server.schedules.models import Layer, Rotation, RotationSpec


def _rotation(row: dict) -> Rotation:
    return Rotation(
        id=row["id"],
        team_id=row["team_id"],
        name=row["name"],
        layer=row["layer"],
        spec=msgspec.json.decode(row["spec"], type=RotationSpec),
        horizon_weeks=row["horizon_weeks"],
        active=bool(row["active"]),
        version=row["version"],
    )


def get_rotation(database: Database, rotation_id: int) -> Rotation:
    row = database.one("SELECT * FROM rotations WHERE id = ?", (rotation_id,))
    if row is None:
        raise NotFound(_("This rotation does not exist."))
    return _rotation(row)


def list_rotations(database: Database, team_id: int | None = None) -> list[Rotation]:
    if team_id is None:
        rows = database.query("SELECT * FROM rotations ORDER BY team_id, layer, name")
    else:
        rows = database.query(
            "SELECT * FROM rotations WHERE team_id = ? ORDER BY layer, name", (team_id,)
        )
    return [_rotation(row) for row in rows]


def insert_rotation(
    database: Database,
    *,
    team_id: int,
    name: str,
    layer: Layer,
    spec: RotationSpec,
    horizon_weeks: int,
    now: datetime,
) -> int:
    return database.insert(
        "rotations",
        {
            "team_id": team_id,
            "name": name,
            "layer": layer,
            "spec": msgspec.json.encode(spec).decode(),
            "horizon_weeks": horizon_weeks,
            "created_at": to_db(now),
            "updated_at": to_db(now),
        },
    )


def update_rotation(
    database: Database,
    rotation_id: int,
    *,
    version: int | None,
    name: str,
    layer: Layer,
    spec: RotationSpec,
    horizon_weeks: int,
    now: datetime,
) -> bool:
    """Change a rotation if it is still at `version`; False when someone changed it since."""
    changed = database.execute(
        "UPDATE rotations SET name = ?, layer = ?, spec = ?, horizon_weeks = ?, "
        "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
        (
            name,
            layer,
            msgspec.json.encode(spec).decode(),
            horizon_weeks,
            to_db(now),
            rotation_id,
            version,
        ),
    ).rowcount
    return changed == 1


def set_rotation_spec(
    database: Database, rotation_id: int, spec: RotationSpec, now: datetime
) -> None:
    database.execute(
        "UPDATE rotations SET spec = ?, version = version + 1, updated_at = ? WHERE id = ?",
        (msgspec.json.encode(spec).decode(), to_db(now), rotation_id),
    )


def delete_rotation_row(database: Database, rotation_id: int) -> None:
    database.execute("DELETE FROM rotations WHERE id = ?", (rotation_id,))
