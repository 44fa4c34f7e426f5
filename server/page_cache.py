"""Pages kept rendered: the bottom bar's pages and Alerts are served from a kept copy while
nothing under them changed (no write of any process, and no instant reached at which their
content changes). Below the domains, so each domain's controller keeps its own page."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime, timedelta

from litestar import MediaType, Request, Response
from litestar_htmx import HTMXRequest

from server.badges import badges_change_at
from server.db import Database
from server.i18n import current_locale
from server.web import with_csrf_inputs

# A safety net: a page whose content has no timed change of its own is still rendered again
# after this long.
MAX_KEPT = timedelta(hours=1)


class ViewCache:
    """Each entry is keyed by the database version it was rendered from, so any committed write
    of this process makes it unreachable, and expires at the first instant its content would
    change on its own (a hand-off, midnight). Pages read far more often than data changes:
    the app opens on Today every time a phone wakes it."""

    def __init__(self, limit: int = 5_000, max_chars: int = 40_000_000) -> None:
        # The bottom bar's six pages are kept, 5–25 kB each: the size is bounded as well as the
        # count, so a company of a few hundred stays well under 100 MB.
        self.limit = limit
        self.max_chars = max_chars
        self._chars = 0
        self._entries: dict[Hashable, tuple[str, datetime]] = {}

    def get(self, key: Hashable, now: datetime) -> str | None:
        hit = self._entries.get(key)
        if hit is None:
            return None
        if now >= hit[1]:
            del self._entries[key]
            self._chars -= len(hit[0])
            return None
        return hit[0]

    def put(self, key: Hashable, html: str, valid_until: datetime) -> None:
        if len(self._entries) >= self.limit or self._chars + len(html) > self.max_chars:
            self._entries.clear()
            self._chars = 0
        old = self._entries.get(key)
        if old is not None:
            self._chars -= len(old[0])
        self._entries[key] = (html, valid_until)
        self._chars += len(html)


def next_minute(now: datetime) -> datetime:
    """The end of the current minute: pages that show the time to the minute hold until then."""
    return now.replace(second=0, microsecond=0) + timedelta(minutes=1)


def chrome_fresh_until(db: Database, request: Request, now: datetime) -> datetime:
    """Until when the frame around every page (base.html) holds: a navigation count can change
    with no write (a manager's count of swaps to approve drops when a request expires); each
    domain registers when its count next changes (server/badges.py)."""
    change = badges_change_at(db, request.user, now)
    return min(change, now + MAX_KEPT) if change else now + MAX_KEPT


def kept_page(
    request: HTMXRequest,
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
        bool(request.htmx),
        request.user.id,
        current_locale.get(),
        db.seen_writes(),
    )
    html = cache.get(key, now)
    if html is None:
        html, fresh_until = render()
        cache.put(key, html, min(fresh_until, chrome_fresh_until(db, request, now)))
    return Response(content=with_csrf_inputs(request, html), media_type=MediaType.HTML)
