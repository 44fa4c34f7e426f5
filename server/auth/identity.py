"""Who is asking and in which language to answer: the one lookup the middleware and the error
handler share (cookie names, the session's person, the negotiated locale and time zone)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar.datastructures import Headers

from server.i18n import negotiate

SESSION_COOKIE = "astreinte_session"
LANG_COOKIE = "astreinte_lang"


def read_cookies(headers: Headers) -> dict[str, str]:
    """The request's cookies, the first of each name (as browsers send the most specific)."""
    jar: dict[str, str] = {}
    for header in headers.getall("cookie", []):
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep:
                jar.setdefault(name, value)
    return jar


@dataclass(frozen=True, slots=True)
class Visitor:
    """The person behind the session cookie (or None) and how to speak to them."""

    user: Any
    locale: str
    timezone: str


def identify(state: Any, cookies: Mapping[str, str], accept_language: str | None) -> Visitor:
    """The session's person, the language (theirs, else the cookie's, else the browser's) and
    the time zone (theirs, else the server's default)."""
    settings = state.settings
    user = None
    token = cookies.get(SESSION_COOKIE)
    if token:
        user = state.sessions.user(token, now=state.clock.now(), days=settings.session_days)
    preferred = user.locale if user else cookies.get(LANG_COOKIE)
    return Visitor(
        user=user,
        locale=negotiate(accept_language, preferred, settings.default_locale),
        timezone=user.timezone if user else settings.default_timezone,
    )
