"""The public survey page at /s/{token}: no login, in the client's language, one small page
without script (a plain form posted back to the same address).

No CSRF cookie: the page has no session to protect, and the form posts to the link itself, so
only someone holding the secret link can answer or say "do not ask me again" (another site
cannot guess it). Rate-limited per address (server/surveys/limits.py)."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from server.auth.guards import public
from server.deps import Config, Db, Now
from server.i18n import current_locale, format_date
from server.i18n import gettext as _
from server.surveys import rules
from server.surveys.answers import Answer, Opened, answer_survey, open_link, stop_asking
from server.surveys.limits import SurveyLimiter
from server.web import render_page

TEMPLATE = "surveys/page.html"
STATUS = {"open": 200, "answered": 409, "closed": 410, "unknown": 404}


def _address(request: Request, settings: Config) -> str:
    # As the login limit counts (server/auth/routes.py: client_address): behind the proxy, the
    # entry it appended to X-Forwarded-For.
    if settings.trust_proxy:
        appended = request.headers.get("x-forwarded-for", "").rsplit(",", 1)[-1].strip()
        if appended:
            return appended
    return request.client.host if request.client else "unknown"


def _limited(request: Request, settings: Config, now: datetime) -> int | None:
    state = request.app.state
    limiter = state.get("survey_limiter")
    if limiter is None:
        limiter = state["survey_limiter"] = SurveyLimiter()
    return limiter.wait_seconds(_address(request, settings), now)


def _page(
    request: Request,
    settings: Config,
    opened: Opened,
    page: str,
    *,
    status: int,
    error: str = "",
    headers: dict | None = None,
) -> Response:
    survey = opened.survey or {}
    locale = survey.get("locale") or settings.default_locale
    token = current_locale.set(locale)
    try:
        day = ""
        if survey.get("started_at"):
            moment = datetime.fromisoformat(survey["started_at"])
            day = format_date(moment, "long", tz=survey.get("timezone") or "UTC")
        html = render_page(
            request,
            TEMPLATE,
            {
                "page": page,
                "lang": locale,
                "day": day,
                "technician": rules.first_name(survey.get("technician") or ""),
                "team": survey.get("team_name") or "",
                "error": error,
                "comment_length": rules.COMMENT_LENGTH,
            },
        )
    finally:
        current_locale.reset(token)
    return Response(
        html,
        status_code=status,
        media_type="text/html; charset=utf-8",
        # The link is a secret: never kept by a cache.
        headers={"cache-control": "no-store", **(headers or {})},
    )


def _too_many(request: Request, settings: Config, wait: int) -> Response:
    return _page(
        request,
        settings,
        Opened("unknown", None),
        "limited",
        status=429,
        headers={"retry-after": str(wait)},
    )


def _read_answer(form) -> Answer | str:
    """The answer posted, or the message saying what is missing."""
    try:
        score = int(str(form.get("score", "")))
    except ValueError:
        score = 0
    if not 1 <= score <= 5:
        return _("Choose a score from 1 to 5.")
    solved = {"yes": True, "no": False}.get(str(form.get("solved", "")))
    return Answer(score=score, solved=solved, comment=str(form.get("comment", "")))


class SurveyPageController(Controller):
    path = "/s"
    include_in_schema = False

    @get("/{token:str}", guards=[public], exclude_from_csrf=True)
    async def show(
        self, request: Request, token: FromPath[str], db: Db, clock: Now, settings: Config
    ) -> Response:
        now = clock.now()
        wait = _limited(request, settings, now)
        if wait:
            return _too_many(request, settings, wait)
        opened = open_link(db, token, now)
        return _page(request, settings, opened, opened.state, status=STATUS[opened.state])

    @post("/{token:str}", guards=[public], exclude_from_csrf=True)
    async def answer(
        self, request: Request, token: FromPath[str], db: Db, clock: Now, settings: Config
    ) -> Response:
        now = clock.now()
        wait = _limited(request, settings, now)
        if wait:
            return _too_many(request, settings, wait)
        form = await request.form()
        if form.get("action") == "stop":
            opened = stop_asking(db, token, now)
            if opened.state == "unknown":
                return _page(request, settings, opened, "unknown", status=404)
            return _page(request, settings, opened, "stopped", status=200)
        read = _read_answer(form)
        if isinstance(read, str):
            opened = open_link(db, token, now)
            if opened.state != "open":
                return _page(request, settings, opened, opened.state, status=STATUS[opened.state])
            return _page(request, settings, opened, "open", status=400, error=read)
        opened = answer_survey(db, token, read, now)
        if opened.state != "open":
            return _page(request, settings, opened, opened.state, status=STATUS[opened.state])
        engine = request.app.state.get("engine")
        if engine is not None:
            engine.wake()  # a manager's notification goes out now, not at the next round
        return _page(request, settings, opened, "thanks", status=200)
