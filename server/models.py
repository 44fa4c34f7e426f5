"""The base Struct every payload and domain value derives from."""

from __future__ import annotations

import msgspec


class Base(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Payloads: unknown fields are refused so a typo never passes silently."""


class Value(Base, frozen=True):
    """Domain values: immutable once built."""
