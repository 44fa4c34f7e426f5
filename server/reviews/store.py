"""The review's actions in SQL: those a month's review may show, one action, and its writes
(the caller holds the transaction and writes the audit entry: actions.py)."""

from __future__ import annotations

from datetime import date, datetime

from server.clock import from_db, to_db
from server.db import Database
from server.errors import NotFound
from server.i18n import gettext as _
from server.reviews.models import ActionInput, ReviewAction

_SELECT = (
    "SELECT a.id, a.team_id, a.month, a.what, a.assignee_id, u.name AS assignee_name, "
    "a.due_on, a.done_at, a.created_at, a.updated_at "
    "FROM review_actions a LEFT JOIN users u ON u.id = a.assignee_id "
)


def _action(row: dict) -> ReviewAction:
    return ReviewAction(
        id=row["id"],
        team_id=row["team_id"],
        month=row["month"],
        what=row["what"],
        assignee_id=row["assignee_id"],
        assignee_name=row["assignee_name"],
        due_on=date.fromisoformat(row["due_on"]),
        done_at=from_db(row["done_at"]) if row["done_at"] else None,
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
    )


def actions_up_to(
    database: Database, team_id: int, month: str, month_start: datetime
) -> list[ReviewAction]:
    """The team's actions decided in `month` or before and not done before it started: what
    `month`'s review may show (rules.review_lines decides)."""
    rows = database.query(
        _SELECT + "WHERE a.team_id = ? AND a.month <= ? AND (a.done_at IS NULL OR a.done_at >= ?) "
        "ORDER BY a.due_on, a.id",
        (team_id, month, to_db(month_start)),
    )
    return [_action(row) for row in rows]


def get_action(database: Database, action_id: int) -> ReviewAction:
    row = database.one(_SELECT + "WHERE a.id = ?", (action_id,))
    if row is None:
        raise NotFound(_("This action does not exist (it may have been deleted)."))
    return _action(row)


def insert_action(
    database: Database,
    team_id: int,
    month: str,
    data: ActionInput,
    *,
    by: int | None,
    now: datetime,
) -> int:
    return database.insert(
        "review_actions",
        {
            "team_id": team_id,
            "month": month,
            "what": data.what,
            "assignee_id": data.assignee_id,
            "due_on": data.due_on.isoformat(),
            "created_by": by,
            "created_at": to_db(now),
            "updated_at": to_db(now),
        },
    )


def update_action(database: Database, action_id: int, data: ActionInput, now: datetime) -> None:
    database.execute(
        "UPDATE review_actions SET what = ?, assignee_id = ?, due_on = ?, updated_at = ? "
        "WHERE id = ?",
        (data.what, data.assignee_id, data.due_on.isoformat(), to_db(now), action_id),
    )


def set_done_at(
    database: Database, action_id: int, done_at: datetime | None, now: datetime
) -> None:
    database.execute(
        "UPDATE review_actions SET done_at = ?, updated_at = ? WHERE id = ?",
        (to_db(done_at) if done_at else None, to_db(now), action_id),
    )


def delete_action_row(database: Database, action_id: int) -> None:
    database.execute("DELETE FROM review_actions WHERE id = ?", (action_id,))


def member_ids(database: Database, team_id: int) -> set[int]:
    """Who may be put in charge of the team's actions: its members now."""
    rows = database.query("SELECT user_id FROM memberships WHERE team_id = ?", (team_id,))
    return {row["user_id"] for row in rows}
