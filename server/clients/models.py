"""A client, its sites and numbers, as the pages, the API and the phone's list read them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from server.models import Value

ClientKind = Literal["company", "person"]
Locale = Literal["fr", "en"]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Short = Annotated[str, msgspec.Meta(max_length=200)]
Long = Annotated[str, msgspec.Meta(max_length=4000)]


class Phone(Value, kw_only=True):
    id: int
    number: str  # E.164
    label: str = ""
    site_id: int | None = None


class Site(Value, kw_only=True):
    id: int
    client_id: int
    name: str
    address: str
    latitude: float | None = None
    longitude: float | None = None
    # Members of the client's team only: never in exports, notifications or surveys.
    access_instructions: str = ""
    access_codes: str = ""


class Client(Value, kw_only=True):
    id: int
    team_id: int
    kind: ClientKind
    name: str
    email: str
    contact_name: str
    locale: Locale
    timezone: str
    notes: str
    reference: str | None
    no_surveys: bool
    erased: bool
    version: int
    created_at: datetime
    updated_at: datetime
    sites: tuple[Site, ...] = ()
    phones: tuple[Phone, ...] = ()


class CallerMatch(Value, kw_only=True):
    """Whom a caller's number names: the client, and the site when the number is a site's or
    the client has a single site."""

    client_id: int
    site_id: int | None
