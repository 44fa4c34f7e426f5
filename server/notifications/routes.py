"""The person's notification list (the bell in the top bar)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from server.auth.guards import requires_login
from server.deps import Db, Now
from server.notifications.store import mark_all_read, notifications_for
from server.notifications.texts import render


class NotificationsController(Controller):
    include_in_schema = False
    path = "/notifications"
    guards = [requires_login]

    @get("/")
    async def index(self, request: Request, db: Db) -> Template:
        items = [(n, render(n)) for n in notifications_for(db, request.user.id)]
        return Template("notifications.html", context={"area": None, "items": items})

    @post("/read")
    async def read(self, request: Request, db: Db, clock: Now) -> Response:
        mark_all_read(db, request.user.id, clock.now())
        return Redirect("/notifications", status_code=303)
