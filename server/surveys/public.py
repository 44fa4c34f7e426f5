"""What the two public survey pages share (the link's, server/surveys/routes.py, and the QR
code's, qr_routes.py): the per-address rate limit, the answer form read and checked, and the
small page answered (in the client's language, never cached: its address is a secret)."""

from __future__ import annotations

from collections.abc import Mapping

from litestar import Request, Response

from server.errors import InvalidInput
from server.i18n import current_locale
from server.i18n import gettext as _
from server.settings import Settings
from server.surveys.answers import Answer
from server.surveys.limits import SurveyLimiter
from server.surveys.rules import COMMENT_LENGTH, clean_comment
from server.web import render_page, with_csrf_inputs

_SOLVED = {"yes": True, "no": False, "": None}


def client_address(request: Request, settings: Settings) -> str:
    """The address the limit counts, as the login limit's (server/auth/routes.py): behind the
    proxy, the entry it appended to X-Forwarded-For (those to its left are the client's)."""
    if settings.trust_proxy:
        appended = request.headers.get("x-forwarded-for", "").rsplit(",", 1)[-1].strip()
        if appended:
            return appended
    return request.client.host if request.client else "unknown"


def wait_seconds(request: Request) -> int | None:
    """Counts this request against its address (one limit for both pages); the seconds to
    wait when the address is over it. Called before the pages' handlers (their controllers'
    `before_request`), so it reads the settings and the clock from the app's state."""
    state = request.app.state
    limiter = state.get("survey_limiter")
    if limiter is None:
        limiter = state["survey_limiter"] = SurveyLimiter()
    return limiter.wait_seconds(client_address(request, state["settings"]), state["clock"].now())


def read_answer(form: Mapping) -> Answer:
    """The answer posted: a score from 1 to 5, "was the problem solved?" yes, no or unsaid,
    a comment (control characters dropped); anything else refused with what to fix."""
    score = str(form.get("score", "")).strip()
    if score not in {"1", "2", "3", "4", "5"}:
        raise InvalidInput(_("Choose a score from 1 to 5."))
    solved = str(form.get("solved", "")).strip()
    if solved not in _SOLVED:
        raise InvalidInput(_("Answer “Was the problem solved?” with yes or no."))
    comment = str(form.get("comment", ""))
    # Counted as the page's textarea counts it (a line break is one character).
    if len(comment.replace("\r", "").strip()) > COMMENT_LENGTH:
        raise InvalidInput(
            _("The comment is too long: at most %(count)s characters.", count=COMMENT_LENGTH)
        )
    return Answer(score=int(score), solved=_SOLVED[solved], comment=clean_comment(comment))


def public_page(
    request: Request,
    template: str,
    context: dict,
    *,
    locale: str | None,
    status: int = 200,
    wait: int | None = None,
) -> Response:
    """The page in `locale` (None: the browser's), with this browser's CSRF token in a form
    that carries one, never kept by a cache; `wait`: a refusal's Retry-After."""
    token = current_locale.set(locale) if locale else None
    try:
        html = with_csrf_inputs(request, render_page(request, template, context))
    finally:
        if token is not None:
            current_locale.reset(token)
    headers = {"cache-control": "no-store"}
    if wait:
        headers["retry-after"] = str(wait)
    return Response(
        html, status_code=status, media_type="text/html; charset=utf-8", headers=headers
    )
