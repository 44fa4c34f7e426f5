"""The bottom bar's pages served from a kept copy (pages/cache.py) while nothing under them
changed: no write of any process, and no instant reached at which their content changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from litestar import MediaType, Request, Response

from server.db import Database
from server.i18n import current_locale
from server.swaps.store import next_awaiting_expiry
from server.web import with_csrf_inputs

# A safety net: a page whose content has no timed change of its own is still rendered again
# after this long.
MAX_KEPT = timedelta(hours=1)


def next_minute(now: datetime) -> datetime:
    """The end of the current minute: pages that show the time to the minute hold until then."""
    return now.replace(second=0, microsecond=0) + timedelta(minutes=1)


def chrome_fresh_until(db: Database, request: Request, now: datetime) -> datetime:
    """Until when the frame around every page (base.html) holds: a manager's count of swaps to
    approve drops when a request expires, with no write."""
    user = request.user
    if not user.is_manager:
        return now + MAX_KEPT
    team_ids = None if user.is_admin else list(user.managed_team_ids)
    expiry = next_awaiting_expiry(db, team_ids, now)
    return min(expiry, now + MAX_KEPT) if expiry else now + MAX_KEPT


def kept_page(
    request: Request,
    db: Database,
    now: datetime,
    render: Callable[[], tuple[str, datetime]],
) -> Response:
    """The page from this person's kept copy, or `render()` (the html, from web.render_page,
    and the first instant its content changes on its own) kept for next time. The copy is per
    person, language, address (path and query) and htmx-or-not; the browser's CSRF token is
    written in as it is served."""
    cache = request.app.state.views
    key = (
        request.scope["path"],
        request.scope["query_string"],
        "hx-request" in request.headers,
        request.user.id,
        current_locale.get(),
        db.seen_writes(),
    )
    html = cache.get(key, now)
    if html is None:
        html, fresh_until = render()
        cache.put(key, html, min(fresh_until, chrome_fresh_until(db, request, now)))
    return Response(content=with_csrf_inputs(request, html), media_type=MediaType.HTML)
