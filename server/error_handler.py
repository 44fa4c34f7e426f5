"""The one handler that turns errors into responses: a JSON problem under /api, an htmx
partial, or a full page, in the visitor's language."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar_htmx import HTMXRequest

from server.auth.identity import identify
from server.errors import DomainError
from server.i18n import current_locale, current_timezone
from server.i18n import gettext as _

log = logging.getLogger("astreinte.errors")
# Litestar's default details are the English status phrase: our translated titles say more.
_HTTP_PHRASES = frozenset(status.phrase for status in HTTPStatus)


def _status_title(status: int) -> str:
    titles = {
        400: _("The request could not be understood."),
        401: _("Please log in."),
        403: _("You are not allowed to do this."),
        404: _("This page does not exist."),
        405: _("This action is not possible here."),
        409: _("This was changed in the meantime."),
        413: _("What was sent is too large."),
        422: _("This is not allowed by the rules."),
        429: _("Too many attempts. Please wait and try again."),
        500: _("Something went wrong on our side. Nothing you did was lost."),
    }
    return titles.get(status, titles[400] if status < 500 else titles[500])


def _describe(exc: Exception) -> tuple[int, str, dict[str, str]]:
    if isinstance(exc, DomainError):
        return exc.status, exc.message, exc.headers
    if isinstance(exc, ValidationException):
        return 400, _describe_validation(exc), {}
    if isinstance(exc, OverflowError) and "SQLite INTEGER" in str(exc):
        # A number past SQLite's 64 bits in a page's path (/alerts/99999999999999999999)
        # names no record; the API's ids are bounded before any query (server/openapi.RowId).
        return 404, _status_title(404), {}
    if isinstance(exc, HTTPException):
        headers = dict(exc.headers or {})
        # Our own raises carry a sentence for people; Litestar's defaults only a status phrase.
        detail = exc.detail if exc.detail and exc.detail[0].isupper() and " " in exc.detail else ""
        if detail in _HTTP_PHRASES:
            detail = ""
        return exc.status_code, detail or _status_title(exc.status_code), headers
    return HTTP_500_INTERNAL_SERVER_ERROR, _status_title(500), {}


def _describe_validation(exc: ValidationException) -> str:
    extra = exc.extra if isinstance(exc.extra, list) else []
    details = []
    for item in extra:
        if isinstance(item, dict) and item.get("message"):
            key = item.get("key")
            details.append(f"{key}: {item['message']}" if key else str(item["message"]))
    base = _("The request could not be understood.")
    return f"{base} {'; '.join(details)}" if details else base


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def is_htmx(request: HTMXRequest) -> bool:
    # The app's requests are HTMXRequest (HTMXPlugin sets the class for the whole app).
    return bool(request.htmx)


def problem(
    status: int, detail: str, headers: dict[str, str] | None = None, code: str = ""
) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": _status_title(status), "status": status}
    body["detail"] = detail
    if code:
        body["code"] = code
    return Response(
        content=body, status_code=status, media_type="application/problem+json", headers=headers
    )


def handle_exception(request: Request, exc: Exception) -> Response:
    """The one place errors become responses: JSON problem, htmx partial, or a full page."""
    _speak_the_visitors_language(request)
    status, message, headers = _describe(exc)
    if status >= 500:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if isinstance(exc, NotAuthorizedException) and not is_api(request):
        return _to_login(request)
    if isinstance(exc, PermissionDeniedException):
        status, message = 403, _status_title(403)
    if is_api(request):
        code = getattr(exc, "code", "")
        return problem(status, message, headers, code)
    context = {"status": status, "title": _status_title(status), "message": message}
    if is_htmx(request):
        headers = {**headers, "HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
        return Template("_error.html", context=context, status_code=status, headers=headers)
    return Template("error.html", context=context, status_code=status, headers=headers)


def _speak_the_visitors_language(request: Request) -> None:
    """Unknown paths never reach the middleware that picks the language: pick it here."""
    if "user" in request.scope:
        return
    visitor = identify(request.app.state, request.cookies, request.headers.get("accept-language"))
    current_locale.set(visitor.locale)
    if visitor.user:
        current_timezone.set(visitor.timezone)


def _to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = "/login" if target in ("", "/") else f"/login?next={_quote(target)}"
    if is_htmx(request):
        return Response(content="", status_code=401, headers={"HX-Redirect": location})
    return Redirect(path=location, status_code=303)


def _quote(value: str) -> str:
    return quote(value, safe="/")
