"""Who acts, as the audit log records them."""

from __future__ import annotations

import msgspec


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """A person (user_id set), an integration key, the background engine or the operator's CLI."""

    label: str
    user_id: int | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(label="system")

    @classmethod
    def cli(cls) -> Actor:
        return cls(label="cli")


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    at: str
    actor: str
    actor_user_id: int | None
    action: str
    entity_type: str
    entity_id: str
    team_id: int | None
    before: dict | None
    after: dict | None
