"""What a person's phones and links may still do once their access ends or shrinks, in SQL
(the tables of push, alerts, swaps and calendars the person's access reaches into).

Each function runs inside the caller's transaction (logging out everywhere, a new password,
deactivation, leaving a team), so the event and its consequences commit together. A lost phone
must stop ringing: its push subscription goes, and so do the single-use secrets pushes carried
(acknowledge an alert, approve a swap), which work without a session."""

from __future__ import annotations

from datetime import datetime

from server.audit.models import Actor
from server.audit.store import record
from server.clock import to_db
from server.db import Database


def _devices(database: Database, user_id: int) -> list[dict]:
    return database.query(
        "SELECT id, user_agent FROM push_subscriptions WHERE user_id = ? ORDER BY id", (user_id,)
    )


def cut_off_person(
    database: Database,
    user_id: int,
    *,
    actor: Actor,
    now: datetime,
    why: str,
    feeds: bool = False,
    all_channels: bool = False,
) -> dict[str, int]:
    """Forget every device of the person, void the secrets their pushes and links carried, and
    drop their push deliveries not yet sent (every channel's with `all_channels`, for a person
    who no longer works here). `feeds` also revokes their calendar addresses, which a lost phone's
    calendar app keeps. Returns what was cut, as the audit entry says."""
    devices = _devices(database, user_id)
    database.execute("DELETE FROM push_subscriptions WHERE user_id = ?", (user_id,))
    for device in devices:
        record(
            database,
            at=now,
            actor=actor,
            action="device.remove",
            entity_type="device",
            entity_id=device["id"],
            before={"user_agent": device["user_agent"]},
            after={"why": why},
        )
    channel = "" if all_channels else "AND channel = 'push' "
    cut = {
        "devices": len(devices),
        "deliveries": database.execute(
            "UPDATE deliveries SET status = 'cancelled', last_error = ? "
            f"WHERE user_id = ? AND status = 'pending' {channel}",
            (why, user_id),
        ).rowcount,
        "ack_tokens": database.execute(
            "DELETE FROM ack_tokens WHERE user_id = ? AND used_at IS NULL", (user_id,)
        ).rowcount,
        "approval_tokens": database.execute(
            "DELETE FROM swap_approval_tokens WHERE user_id = ? AND used_at IS NULL", (user_id,)
        ).rowcount,
        "invitations": database.execute(
            "UPDATE invitations SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
            (to_db(now), user_id),
        ).rowcount,
        "feeds": database.execute(
            "UPDATE calendar_feeds SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            (to_db(now), user_id),
        ).rowcount
        if feeds
        else 0,
    }
    record(
        database,
        at=now,
        actor=actor,
        action="user.cut_off",
        entity_type="user",
        entity_id=user_id,
        after={"why": why, **cut},
    )
    return cut


def cut_off_from_team(
    database: Database, user_id: int, team_id: int, *, actor: Actor, now: datetime
) -> dict[str, int]:
    """The person left the team. Devices belong to the person, not to a team, so while they are
    still in another team their phones stay and only this team's reach ends: its alerts' pages
    not yet sent are dropped, its acknowledgement and approval secrets voided, its calendar feed
    revoked. Once in no team at all, no alert should reach them: the membership service
    (accounts/memberships.py) then cuts off their devices too."""
    why = "left the team"
    cut = {
        "deliveries": database.execute(
            "UPDATE deliveries SET status = 'cancelled', last_error = ? WHERE user_id = ? "
            "AND status = 'pending' AND alert_id IN (SELECT id FROM alerts WHERE team_id = ?)",
            (why, user_id, team_id),
        ).rowcount,
        "ack_tokens": database.execute(
            "DELETE FROM ack_tokens WHERE user_id = ? AND used_at IS NULL "
            "AND alert_id IN (SELECT id FROM alerts WHERE team_id = ?)",
            (user_id, team_id),
        ).rowcount,
        "approval_tokens": database.execute(
            "DELETE FROM swap_approval_tokens WHERE user_id = ? AND used_at IS NULL "
            "AND swap_id IN (SELECT id FROM swap_requests WHERE team_id = ?)",
            (user_id, team_id),
        ).rowcount,
        "feeds": database.execute(
            "UPDATE calendar_feeds SET revoked_at = ? WHERE user_id = ? AND team_id = ? "
            "AND revoked_at IS NULL",
            (to_db(now), user_id, team_id),
        ).rowcount,
    }
    record(
        database,
        at=now,
        actor=actor,
        action="membership.cut_off",
        entity_type="membership",
        entity_id=f"{team_id}:{user_id}",
        team_id=team_id,
        after={"why": why, **cut},
    )
    return cut
