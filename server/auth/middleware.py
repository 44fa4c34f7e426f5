"""Who is asking: the session cookie or an API key, and which language to answer in."""

from __future__ import annotations

from litestar import Litestar
from litestar.datastructures import Headers
from litestar.types import ASGIApp, Receive, Scope, Send

from server.i18n import current_locale, current_timezone, negotiate

SESSION_COOKIE = "astreinte_session"
LANG_COOKIE = "astreinte_lang"


def _cookies(headers: Headers) -> dict[str, str]:
    jar: dict[str, str] = {}
    for header in headers.getall("cookie", []):
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep:
                jar.setdefault(name, value)
    return jar


class IdentifyMiddleware:
    """Puts `user` (a CurrentUser or None) and `auth` (an ApiKey or None) in the scope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        state = Litestar.from_scope(scope).state
        headers = Headers.from_scope(scope)
        cookies = _cookies(headers)
        now = state.clock.now()
        user = None
        token = cookies.get(SESSION_COOKIE)
        if token:
            user = state.sessions.user(token, now=now, days=state.settings.session_days)
        api_key = None
        authorization = headers.get("authorization", "")
        if scope["path"].startswith("/api/") and authorization.lower().startswith("bearer "):
            api_key = state.api_keys.key(authorization[7:].strip(), now=now)
        scope["user"] = user
        scope["auth"] = api_key
        preferred = user.locale if user else cookies.get(LANG_COOKIE)
        locale = negotiate(headers.get("accept-language"), preferred, state.settings.default_locale)
        locale_token = current_locale.set(locale)
        zone_token = current_timezone.set(
            user.timezone if user else state.settings.default_timezone
        )
        try:
            await self.app(scope, receive, send)
        finally:
            current_locale.reset(locale_token)
            current_timezone.reset(zone_token)
