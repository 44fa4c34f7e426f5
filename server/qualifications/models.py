"""Qualifications: the company catalogue, what a person holds, and the forms that change them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec

from server.models import Base, Value

# Reminders go out this many days before a holding expires (README "Qualifications").
REMINDER_DAYS = (60, 30, 7)
# The team matrix highlights what expires within this many days.
EXPIRING_WITHIN_DAYS = 90


class Qualification(Value, kw_only=True):
    id: int
    name: str
    description: str = ""
    validity_months: int | None = None


class Holding(Value, kw_only=True):
    """A person's qualification, with its dates and the certificate's description if any."""

    id: int
    user_id: int
    qualification_id: int
    name: str
    obtained_on: date | None = None
    expires_on: date | None = None
    document_name: str | None = None
    document_type: str | None = None
    document_size: int | None = None


class Gap(Value, kw_only=True):
    """A required qualification a person lacks for a shift: missing, or expiring before its end."""

    user_id: int
    qualification: str
    reason: Literal["missing", "expires"]
    expires_on: date | None = None
    shift_ends: str = ""  # ISO instant the shift ends, for the message


def _clean(text: str) -> str:
    return " ".join(text.split())


class QualificationForm(Base, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    description: Annotated[str, msgspec.Meta(max_length=500)] = ""
    # Empty: the qualification does not expire.
    validity_months: Annotated[int, msgspec.Meta(ge=1, le=240)] | None = None

    def __post_init__(self) -> None:
        self.name = _clean(self.name)
        self.description = self.description.strip()
        if not self.name:
            raise ValueError("name must not be empty")
