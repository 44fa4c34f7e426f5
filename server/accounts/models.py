"""User values and the forms that create or change them."""

from __future__ import annotations

import re
from typing import Annotated, Literal

import msgspec

from server.models import Base, Value
from server.teams.models import check_timezone

Role = Literal["staff", "manager", "admin"]
ROLES: tuple[Role, ...] = ("staff", "manager", "admin")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 .()-]{6,20}$")
MIN_PASSWORD = 10


class User(Value):
    id: int
    email: str
    name: str
    phone: str
    locale: str | None
    timezone: str
    role: Role
    active: bool
    has_password: bool
    created_at: str
    reminder_minutes: str = "1440,60"


class CurrentUser(Value):
    """The person behind a request, with the teams they belong to and manage."""

    id: int
    email: str
    name: str
    role: Role
    locale: str | None
    timezone: str
    team_ids: tuple[int, ...] = ()
    managed_team_ids: tuple[int, ...] = ()
    session_id: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_manager(self) -> bool:
        return self.is_admin or bool(self.managed_team_ids)

    def manages(self, team_id: int) -> bool:
        return self.is_admin or team_id in self.managed_team_ids


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    email = normalise_email(email)
    if not _EMAIL.match(email) or len(email) > 254:
        raise ValueError("email is not a valid address")
    return email


def check_phone(phone: str) -> str:
    phone = phone.strip()
    if phone and not _PHONE.match(phone):
        raise ValueError("phone must be digits, spaces and an optional leading +")
    return phone


class UserForm(Base):
    """A person as a manager or admin types them in."""

    email: str
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    phone: str = ""
    role: Role = "staff"
    locale: Literal["", "fr", "en"] = ""
    timezone: str = "Europe/Paris"
    active: bool = True

    def __post_init__(self) -> None:
        self.email = check_email(self.email)
        self.name = self.name.strip()
        if not self.name:
            raise ValueError("name must not be empty")
        self.phone = check_phone(self.phone)
        check_timezone(self.timezone)


class PasswordChange(Base):
    current_password: str
    new_password: str
    confirm_password: str


class PasswordSet(Base):
    new_password: str
    confirm_password: str


REMINDER_CHOICES = ("1440,60", "60", "1440", "")


class Preferences(Base):
    locale: Literal["", "fr", "en"] = ""
    timezone: str = "Europe/Paris"
    phone: str = ""
    reminder_minutes: Literal["1440,60", "60", "1440", ""] = "1440,60"

    def __post_init__(self) -> None:
        check_timezone(self.timezone)
        self.phone = check_phone(self.phone)
