"""API key values."""

from __future__ import annotations

from typing import Annotated

import msgspec

from server.models import Base, Value


class ApiKey(Value):
    id: int
    team_id: int
    team_name: str
    name: str
    prefix: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ApiKeyForm(Base):
    team_id: int
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]

    def __post_init__(self) -> None:
        self.name = self.name.strip()
        if not self.name:
            raise ValueError("name must not be empty")


class WhoAmI(Value):
    team_id: int
    team_name: str
    key_name: str
