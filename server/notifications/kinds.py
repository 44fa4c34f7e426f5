"""What the domains tell the notifications package about their kinds of notification: how one
reads, which button its push carries and the single-use token behind it, and the app badge.

Notifications sit below the domains that send them (alerts, swaps, schedules, rest): they
import none of them. Each domain registers its kinds here when the app is wired
(`server/app.py: register_domains`), and the renderer and the dispatcher ask."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from server.db import Database
from server.notifications.models import Notification, Rendered

Render = Callable[[Notification], Rendered]
# (the URL the service worker posts the token to, the button's words), in the reader's
# language: called with the reader's locale set.
Action = Callable[[], tuple[str, dict[str, str]]]
# A single-use token for one due delivery (a dict of the dispatcher's row), issued inside the
# dispatcher's transaction; None when this delivery carries none.
Token = Callable[[Database, dict, datetime], str | None]
Badge = Callable[[Database, int], int]


@dataclass(frozen=True, slots=True)
class Kind:
    render: Render | None = None
    action: Action | None = None
    token: Token | None = None


_KINDS: dict[str, Kind] = {}
_PREFIXES: dict[str, Kind] = {}
_BADGE: list[Badge] = []


def register(
    name: str,
    *,
    render: Render | None = None,
    action: Action | None = None,
    token: Token | None = None,
    prefix: bool = False,
) -> None:
    """Registers a kind (or, with `prefix`, every kind whose name starts with `name`); a second
    registration of the same name replaces the first, so wiring twice is harmless."""
    (_PREFIXES if prefix else _KINDS)[name] = Kind(render=render, action=action, token=token)


def kind_of(name: str) -> Kind:
    """The registered kind (an exact name wins over a prefix), or an empty one."""
    if name in _KINDS:
        return _KINDS[name]
    for prefix, kind in _PREFIXES.items():
        if name.startswith(prefix):
            return kind
    return Kind()


def register_badge(count: Badge) -> None:
    """The number on the app's icon for a person (one counter: the latest registered)."""
    _BADGE[:] = [count]


def badge_of(database: Database, user_id: int) -> int | None:
    """The app badge of a person, or None when no domain counts one."""
    return _BADGE[0](database, user_id) if _BADGE else None
