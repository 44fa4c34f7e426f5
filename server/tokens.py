"""Secret tokens (sessions, invitations, API keys, calendar feeds, acknowledgement and approval
links): made random, shown once, stored only as their SHA-256, so a copy of the database
gives nobody a way in."""

from __future__ import annotations

import hashlib
import secrets


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token of `nbytes` bytes of entropy (32: 256 bits)."""
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """What is stored and looked up in place of the token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()
