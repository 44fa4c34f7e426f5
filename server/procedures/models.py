"""Procedure values: the procedure with its current text, a kept version, a tag, a reader."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from server.models import Value

TagKind = Literal["source", "label", "client", "site"]
TAG_KINDS: tuple[TagKind, ...] = ("site", "client", "label", "source")


class Tag(Value, kw_only=True):
    """What a procedure serves: an alert source, a label "key=value", a client or a site id."""

    kind: TagKind
    value: str


class Procedure(Value, kw_only=True):
    """A procedure as its page shows it: the current version's title and Markdown body."""

    id: int
    team_id: int
    version: int
    title: str
    body: str
    owner_id: int | None
    owner_name: str | None
    review_on: date
    archived: bool
    created_at: datetime
    updated_at: datetime
    tags: tuple[Tag, ...] = ()


class Version(Value, kw_only=True):
    """One kept version: the text as it was, who wrote it and why."""

    procedure_id: int
    version: int
    title: str
    body: str
    note: str
    author_name: str | None
    created_at: datetime


class Reader(Value, kw_only=True):
    """A member of the team and the last version of a procedure they said they read."""

    user_id: int
    name: str
    version: int | None


class ProcedureDoc(Value, kw_only=True):
    """A procedure as the phone keeps it offline (server/procedures/store.py:
    procedures_for_user): the current version rendered to safe HTML."""

    id: int
    team_id: int
    version: int
    title: str
    html: str
    updated_at: datetime


class ProcedureInput(Value, kw_only=True):
    """The procedure form, checked (server/procedures/rules.py: procedure_input)."""

    title: str
    body: str
    note: str
    owner_id: int | None
    review_on: date | None
    tags: tuple[Tag, ...]


Change = Literal["same", "added", "removed"]


class DiffLine(Value, kw_only=True):
    """One line of the difference between two versions; `gap` marks unchanged lines left out."""

    change: Change
    text: str
    gap: bool = False
