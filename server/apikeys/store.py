"""API keys in SQL: created, looked up by hash, revoked."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from server.apikeys.models import ApiKey
from server.audit.models import Actor
from server.audit.store import record
from server.clock import from_db, to_db
from server.db import Database
from server.errors import NotFound
from server.i18n import gettext as _
from server.tokens import hash_token, new_token

_SELECT = "SELECT k.*, t.name AS team_name FROM api_keys k JOIN teams t ON t.id = k.team_id "
# Last use is written at most once a minute: a busy integration must not turn reads into writes.
_TOUCH_EVERY = timedelta(minutes=1)


def _key(row: dict) -> ApiKey:
    return ApiKey(
        id=row["id"],
        team_id=row["team_id"],
        team_name=row["team_name"],
        name=row["name"],
        prefix=row["prefix"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )


def create_key(
    database: Database, team_id: int, name: str, *, actor: Actor, now: datetime
) -> tuple[str, ApiKey]:
    """The full key is returned once, here; only its hash is kept."""
    prefix = secrets.token_hex(4)
    token = f"ast_{prefix}_{new_token(32)}"
    with database.write():
        if not database.one("SELECT id FROM teams WHERE id = ?", (team_id,)):
            raise NotFound(_("This team does not exist."))
        key_id = database.insert(
            "api_keys",
            {
                "team_id": team_id,
                "name": name,
                "prefix": prefix,
                "key_hash": hash_token(token),
                "created_by": actor.user_id,
                "created_at": to_db(now),
            },
        )
        key = get_key(database, key_id)
        record(
            database,
            at=now,
            actor=actor,
            action="apikey.create",
            entity_type="api_key",
            entity_id=key_id,
            team_id=team_id,
            after=key,
        )
    return token, key


def get_key(database: Database, key_id: int) -> ApiKey:
    row = database.one(_SELECT + "WHERE k.id = ?", (key_id,))
    if row is None:
        raise NotFound(_("This API key does not exist."))
    return _key(row)


def list_keys(database: Database) -> list[ApiKey]:
    return [_key(row) for row in database.query(_SELECT + "ORDER BY t.name, k.name")]


def key_for_token(database: Database, token: str, *, now: datetime) -> ApiKey | None:
    row = database.one(
        _SELECT + "WHERE k.key_hash = ? AND k.revoked_at IS NULL", (hash_token(token),)
    )
    if row is None:
        return None
    if row["last_used_at"] is None or now - from_db(row["last_used_at"]) >= _TOUCH_EVERY:
        with database.write(bookkeeping=True):
            database.execute(
                "UPDATE api_keys SET last_used_at = ? WHERE id = ?", (to_db(now), row["id"])
            )
        row["last_used_at"] = to_db(now)
    return _key(row)


class KeyCache:
    """Which key each known bearer token is, kept until the next write of this process (or of
    another: `astreinte apikey revoke`) and for a minute at most.

    The phone system sends its key on every call; a revocation is a write, which empties the
    cache, and a reading expires after a minute so the last use is still written once a minute
    (as bookkeeping: that write empties no cache)."""

    def __init__(self, database: Database, limit: int = 1_000) -> None:
        self.database = database
        self.limit = limit
        self._seen: tuple[int, int] = (-1, -1)
        self._entries: dict[str, tuple[ApiKey | None, datetime]] = {}

    def key(self, token: str, *, now: datetime) -> ApiKey | None:
        seen = self.database.seen_writes()
        if seen != self._seen or len(self._entries) > self.limit:
            self._entries.clear()
            self._seen = seen
        hit = self._entries.get(token)
        if hit is not None and now < hit[1]:
            return hit[0]
        key = key_for_token(self.database, token, now=now)
        if key is not None:  # unknown tokens are not kept: a flood of them would evict the rest
            self._entries[token] = (key, now + _TOUCH_EVERY)
        return key


def revoke_key(database: Database, key_id: int, *, actor: Actor, now: datetime) -> ApiKey:
    with database.write():
        before = get_key(database, key_id)
        database.execute(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
            (to_db(now), key_id),
        )
        after = get_key(database, key_id)
        record(
            database,
            at=now,
            actor=actor,
            action="apikey.revoke",
            entity_type="api_key",
            entity_id=key_id,
            team_id=before.team_id,
            before=before,
            after=after,
        )
    return after
