"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's recommendations)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.accounts.models import MIN_PASSWORD
from server.i18n import N_

_hasher = PasswordHasher()
# A hash of a random string, so a login for an unknown email costs as much as a real one.
_DUMMY_HASH = _hasher.hash("not-a-real-password-used-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def password_problem(password: str, confirm: str | None = None) -> str | None:
    """Why a new password is refused, as an English message id, or None."""
    if len(password) < MIN_PASSWORD:
        return N_("The password must have at least %(min)s characters.")
    if len(password) > 1024:
        return N_("The password is too long.")
    if confirm is not None and password != confirm:
        return N_("The two passwords are different.")
    return None
