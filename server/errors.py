"""Domain errors: what a rule refused, knowing nothing of HTTP (server/error_handler.py maps
them to responses)."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request; `message` is already in the user's language."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.headers = headers or {}


class InvalidInput(DomainError):
    status = 400
    code = "invalid-input"


class NotFound(DomainError):
    status = 404
    code = "not-found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class RuleViolation(DomainError):
    status = 422
    code = "rule-violation"


class TooManyRequests(DomainError):
    status = 429
    code = "too-many-requests"
