"""The public survey page at /s/{token}: no login, in the client's language, one small page
without script (a plain form posted back to the same address).

No CSRF cookie: the page has no session to protect, and the form posts to the link itself, so
only someone holding the secret link can answer or say "do not ask me again" (another site
cannot guess it). Rate-limited per address, with the QR code's page (server/surveys/public.py)."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from server.auth.guards import public
from server.deps import Config, Db, Now
from server.errors import InvalidInput
from server.surveys import rules
from server.surveys.answers import Opened, answer_survey, open_link, stop_asking
from server.surveys.public import public_page, read_answer, wait_seconds

TEMPLATE = "surveys/page.html"
STATUS = {"open": 200, "answered": 409, "closed": 410, "unknown": 404}


def _page(
    request: Request,
    settings: Config,
    opened: Opened,
    page: str | None = None,
    *,
    status: int | None = None,
    error: str = "",
    wait: int | None = None,
) -> Response:
    """The page for the link's state (or `page`), in the client's language."""
    survey = opened.survey or {}
    locale = survey.get("locale") or settings.default_locale
    started = survey.get("started_at")
    context = {
        "page": page or opened.state,
        "lang": locale,
        # Written out by the page, in the client's language, in the client's zone.
        "day": datetime.fromisoformat(started) if started else None,
        "zone": survey.get("timezone") or "UTC",
        "technician": rules.first_name(survey.get("technician") or ""),
        "team": survey.get("team_name") or "",
        "error": error,
        "comment_length": rules.COMMENT_LENGTH,
    }
    status = STATUS[opened.state] if status is None else status
    return public_page(request, TEMPLATE, context, locale=locale, status=status, wait=wait)


async def _limited(request: Request) -> Response | None:
    """Before either handler: the "too many attempts" page when the address is over the
    limit (the request is counted either way)."""
    wait = wait_seconds(request)
    if not wait:
        return None
    settings = request.app.state["settings"]
    return _page(request, settings, Opened("unknown", None), "limited", status=429, wait=wait)


class SurveyPageController(Controller):
    path = "/s"
    include_in_schema = False
    before_request = _limited

    @get("/{token:str}", guards=[public], exclude_from_csrf=True)
    async def show(
        self, request: Request, token: FromPath[str], db: Db, clock: Now, settings: Config
    ) -> Response:
        return _page(request, settings, open_link(db, token, clock.now()))

    @post("/{token:str}", guards=[public], exclude_from_csrf=True)
    async def answer(
        self, request: Request, token: FromPath[str], db: Db, clock: Now, settings: Config
    ) -> Response:
        now = clock.now()
        form = await request.form()
        if form.get("action") == "stop":
            opened = stop_asking(db, token, now)
            if opened.state == "unknown":
                return _page(request, settings, opened)
            return _page(request, settings, opened, "stopped", status=200)
        try:
            read = read_answer(form)
        except InvalidInput as refused:
            opened = open_link(db, token, now)
            if opened.state != "open":
                return _page(request, settings, opened)
            return _page(request, settings, opened, status=400, error=refused.message)
        opened = answer_survey(db, token, read, now)
        if opened.state != "open":
            return _page(request, settings, opened)
        engine = request.app.state.get("engine")
        if engine is not None:
            engine.wake()  # a manager's notification goes out now, not at the next round
        return _page(request, settings, opened, "thanks", status=200)
