"""Who acts in a request, as the audit log records it: one helper for every controller."""

from __future__ import annotations

from typing import Any

from litestar import Request

from server.audit.models import Actor


def actor_for(user: Any) -> Actor:
    """The audit actor of a signed-in person (a CurrentUser: its email and id)."""
    return Actor(label=user.email, user_id=user.id)


def actor_of(request: Request) -> Actor:
    """The audit actor of the person making the request (the route is behind a login guard)."""
    return actor_for(request.user)
