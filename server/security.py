"""Security headers on every response (CSP allows only our own scripts and styles)."""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
# The API viewer (Swagger UI) runs an inline script and inline styles, but it too may reach
# nothing outside this server: no CDN, no online validator.
VIEWER_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)
# The public survey page (/s/{token}, server/surveys/routes.py) is one small page for clients
# on slow networks: its few lines of CSS inline (no second request), and no script at all.
SURVEY_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
_BASE = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=()",
}


def _encoded(headers: dict[str, str]) -> tuple[frozenset[bytes], list[tuple[bytes, bytes]]]:
    pairs = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    return frozenset(name for name, _value in pairs), pairs


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, https: bool = False) -> None:
        self.app = app
        self.https = https
        base = dict(_BASE)
        if https:
            base["strict-transport-security"] = "max-age=31536000"
        # Encoded once: every answer (the phone system's lookup too) only swaps them in.
        self._strict = _encoded({**base, "content-security-policy": CSP})
        self._viewer = _encoded({**base, "content-security-policy": VIEWER_CSP})
        self._survey = _encoded({**base, "content-security-policy": SURVEY_CSP})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The OpenAPI viewer needs inline code, the survey page inline CSS; everything else
        # gets the strict policy.
        path = scope["path"]
        if path.startswith("/schema"):
            names, pairs = self._viewer
        elif path.startswith("/s/"):
            names, pairs = self._survey
        else:
            names, pairs = self._strict

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Ours replace any of the same name the handler set.
                kept = [h for h in message.get("headers", ()) if bytes(h[0]).lower() not in names]
                message["headers"] = kept + pairs
            await send(message)

        await self.app(scope, receive, send_with_headers)
