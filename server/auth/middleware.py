"""Who is asking: the session cookie or an API key, and which language to answer in."""

from __future__ import annotations

from litestar import Litestar
from litestar.datastructures import Headers
from litestar.types import ASGIApp, Receive, Scope, Send

from server.auth.identity import identify, read_cookies
from server.i18n import current_locale, current_timezone


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
        visitor = identify(state, read_cookies(headers), headers.get("accept-language"))
        api_key = None
        authorization = headers.get("authorization", "")
        if scope["path"].startswith("/api/") and authorization.lower().startswith("bearer "):
            api_key = state.api_keys.key(authorization[7:].strip(), now=state.clock.now())
        scope["user"] = visitor.user
        scope["auth"] = api_key
        locale_token = current_locale.set(visitor.locale)
        zone_token = current_timezone.set(visitor.timezone)
        try:
            await self.app(scope, receive, send)
        finally:
            current_locale.reset(locale_token)
            current_timezone.reset(zone_token)
