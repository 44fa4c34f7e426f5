"""The demo's pending cover request, so a new user sees the flow: Thomas's child is sick on
the night of one of his coming shifts, and he asks his team."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.audit.models import Actor
from server.audit.store import record
from server.clock import to_db
from server.db import Database
from server.schedules.store import list_shifts
from server.swaps.rules import print_of
from server.swaps.store.requests import get_swap, insert_swap, user_id_by_email

ASKER = "thomas.petit@astreinte.test"
NOTE = "Mon fils est malade, je dois rester à la maison cette nuit-là. Merci !"


def seed_cover_request(database: Database, team_id: int, now: datetime) -> None:
    """Inside the demo's transaction; no notification is sent (nobody is subscribed yet)."""
    user_id = user_id_by_email(database, ASKER)
    coming = [
        s
        for s in list_shifts(
            database, team_ids=[team_id], user_id=user_id, start=now, statuses=["accepted"]
        )
        if s.starts_at > now + timedelta(days=2)
    ]
    if not coming:
        return
    shift = coming[0]
    stamp = to_db(now)
    swap_id = insert_swap(
        database,
        {
            "team_id": team_id,
            "kind": "cover",
            "requester_id": user_id,
            "created_by": user_id,
            "shift_id": shift.id,
            "shift_fingerprint": print_of(shift),
            "starts_at": to_db(shift.starts_at),
            "ends_at": to_db(shift.ends_at),
            "note": NOTE,
            "expires_at": to_db(shift.starts_at),
            "created_at": stamp,
            "updated_at": stamp,
        },
    )
    record(
        database,
        at=now,
        actor=Actor(label="demo"),
        action="swap.request",
        entity_type="swap",
        entity_id=swap_id,
        team_id=team_id,
        after=get_swap(database, swap_id),
    )
