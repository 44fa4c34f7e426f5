"""What the phone keeps of its teams' procedures (their current text, tags, the recent alerts
they serve) and the checklists ticked with an intervention."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from server.clock import to_db
from server.db import Database
from server.procedures.models import Tag

# The alerts whose procedures the phone keeps first and links from the form offline: the open
# ones and those of the last days, newest first, at most this many.
RECENT_ALERTS = 50


def _marks(values: list) -> str:
    return ",".join("?" * len(values))


def current_texts(database: Database, team_ids: Iterable[int]) -> list[dict]:
    """The live procedures of these teams with their current version's title and body."""
    teams = sorted(set(team_ids))
    if not teams:
        return []
    return database.query(
        "SELECT p.id, p.team_id, p.version, p.updated_at, v.title, v.body "
        "FROM procedures p JOIN procedure_versions v "
        "ON v.procedure_id = p.id AND v.version = p.version "
        f"WHERE p.archived_at IS NULL AND p.team_id IN ({_marks(teams)}) ORDER BY p.id",
        teams,
    )


def tags_of(database: Database, procedure_ids: Iterable[int]) -> dict[int, list[Tag]]:
    ids = sorted(set(procedure_ids))
    found: dict[int, list[Tag]] = {i: [] for i in ids}
    if not ids:
        return found
    for row in database.query(
        "SELECT procedure_id, kind, value FROM procedure_tags "
        f"WHERE procedure_id IN ({_marks(ids)})",
        ids,
    ):
        found[row["procedure_id"]].append(Tag(kind=row["kind"], value=row["value"]))
    return found


def recent_alerts(database: Database, team_ids: Iterable[int], since: datetime) -> list[dict]:
    """Open alerts of these teams and those raised since `since`, newest first, with what a
    procedure's tags match (labels as a dict)."""
    teams = sorted(set(team_ids))
    if not teams:
        return []
    rows = database.query(
        "SELECT id, team_id, source, labels, client_id, site_id FROM alerts "
        f"WHERE team_id IN ({_marks(teams)}) AND (status != 'resolved' OR created_at >= ?) "
        "ORDER BY created_at DESC, id DESC LIMIT ?",
        [*teams, to_db(since), RECENT_ALERTS],
    )
    for row in rows:
        try:
            labels = json.loads(row["labels"] or "{}")
        except ValueError:
            labels = {}
        row["labels"] = labels if isinstance(labels, dict) else {}
    return rows


def versions_of_teams(
    database: Database, pairs: Iterable[tuple[int, int]], team_ids: Iterable[int]
) -> dict[tuple[int, int], str]:
    """{(procedure, version): its body} for the pairs that exist in these teams' procedures."""
    wanted = sorted(set(pairs))
    teams = sorted(set(team_ids))
    if not wanted or not teams:
        return {}
    ids = sorted({procedure for procedure, _version in wanted})
    rows = database.query(
        "SELECT v.procedure_id, v.version, v.body FROM procedure_versions v "
        "JOIN procedures p ON p.id = v.procedure_id "
        f"WHERE v.procedure_id IN ({_marks(ids)}) AND p.team_id IN ({_marks(teams)})",
        [*ids, *teams],
    )
    found = {(r["procedure_id"], r["version"]): r["body"] for r in rows}
    return {pair: found[pair] for pair in wanted if pair in found}


def intervention_ids(database: Database, uuids: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(uuids))
    if not wanted:
        return {}
    rows = database.query(
        f"SELECT id, uuid FROM interventions WHERE uuid IN ({_marks(wanted)})", wanted
    )
    return {row["uuid"]: row["id"] for row in rows}


def save_ticks(database: Database, rows: list[tuple[int, int, int, list[int]]], now) -> None:
    """(intervention, procedure, version, items): each replaces that checklist's row. Called
    inside the sync's transaction."""
    stamp = to_db(now)
    database.executemany(
        "INSERT INTO intervention_checklists "
        "(intervention_id, procedure_id, version, items, saved_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (intervention_id, procedure_id) DO UPDATE SET "
        "version = excluded.version, items = excluded.items, saved_at = excluded.saved_at",
        [(i, p, v, json.dumps(sorted(set(items))), stamp) for i, p, v, items in rows],
    )


def ticks_of(database: Database, intervention_id: int) -> list[dict]:
    """The checklists saved with an intervention: procedure, version, its title and body then,
    the items ticked; in the order of the procedures' titles."""
    rows = database.query(
        "SELECT c.procedure_id, c.version, c.items, c.saved_at, v.title, v.body "
        "FROM intervention_checklists c JOIN procedure_versions v "
        "ON v.procedure_id = c.procedure_id AND v.version = c.version "
        "WHERE c.intervention_id = ? ORDER BY v.title COLLATE NOCASE, c.procedure_id",
        (intervention_id,),
    )
    for row in rows:
        row["items"] = json.loads(row["items"])
    return rows
