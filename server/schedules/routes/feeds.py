"""Calendar feeds: the page where a person makes (and remakes) the secret addresses of their
own shifts' and their teams' calendars, and the public feeds those addresses serve."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from server.auth.actor import actor_of
from server.auth.guards import public, requires_login
from server.deps import Config, Db, Now
from server.errors import InvalidInput
from server.i18n import gettext as _
from server.schedules.feeds import (
    NEW_FEEDS_COOKIE,
    NEW_FEEDS_SECONDS,
    build_calendar,
    feed_owner,
    feed_slots,
    just_made,
    regenerate_feed,
    remember_new,
)
from server.schedules.store.feeds import active_feeds
from server.teams.store import teams_of


class FeedsController(Controller):
    include_in_schema = False
    path = "/schedule/feeds"
    guards = [requires_login]

    @get("/")
    async def feeds(self, request: Request, db: Db, settings: Config) -> Template:
        made = request.cookies.get(NEW_FEEDS_COOKIE)
        page = Template(
            "schedules/feeds.html",
            context={
                "area": "schedule",
                "active": active_feeds(db, request.user.id),
                "new": just_made(db, request.user.id, made),
                "teams": [t for t, _r in teams_of(db, request.user.id)],
                "base": settings.public_url,
            },
            headers={"Cache-Control": "no-store"},
        )
        if made is not None:  # shown once: the next visit has only the hashes
            page.delete_cookie(NEW_FEEDS_COOKIE, path="/schedule/feeds")
        return page

    @post("/")
    async def regenerate(self, request: Request, db: Db, clock: Now, settings: Config) -> Response:
        form = await request.form()
        raw = str(form.get("team_id", ""))
        team_id = int(raw) if raw.isdigit() else None
        if team_id is not None and team_id not in request.user.team_ids:
            raise InvalidInput(_("You are not in this team."))
        token = regenerate_feed(
            db, request.user.id, team_id, actor=actor_of(request), now=clock.now()
        )
        response = Redirect("/schedule/feeds", status_code=303)
        response.set_cookie(
            NEW_FEEDS_COOKIE,
            remember_new(request.cookies.get(NEW_FEEDS_COOKIE), team_id, token),
            max_age=NEW_FEEDS_SECONDS,
            path="/schedule/feeds",
            httponly=True,
            secure=settings.https,
            samesite="strict",
        )
        return response


class CalendarFeedController(Controller):
    include_in_schema = False
    guards = [public]

    @get("/calendar/{token:str}")
    async def feed(
        self, request: Request, token: FromPath[str], db: Db, clock: Now, settings: Config
    ) -> Response:
        owner = feed_owner(db, token.removesuffix(".ics"))
        now = clock.now()
        slots = feed_slots(db, owner, now)
        if owner["team_id"] is None:
            name, zone = "Astreinte", owner["user_timezone"]
        else:
            name, zone = f"Astreinte — {owner['team_name']}", owner["team_timezone"]
        host = settings.public_url.split("://", 1)[-1].split("/")[0]
        body = build_calendar(slots, name=name, timezone=zone, host=host, now=now)
        return Response(
            content=body,
            media_type="text/calendar",  # Litestar adds "; charset=utf-8" itself
            headers={"Cache-Control": "private, max-age=300"},
        )
