"""Schedule pages for everyone: the team agenda, week and month grids, my shifts and my
answers to them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar_htmx import HTMXRequest

from server.auth.guards import requires_login
from server.deps import Db, Now
from server.errors import Forbidden, InvalidInput
from server.i18n import gettext as _
from server.page_cache import MAX_KEPT, kept_page
from server.schedules import views
from server.schedules.models import TOLD, DeclineForm
from server.schedules.rotation import is_public_holiday
from server.schedules.store import get_shift, list_shifts
from server.schedules.workflow import accept, accept_all, decline
from server.teams.store import list_teams, teams_of
from server.web import read_form, render_page

VIEWS = ("agenda", "week", "month")


def visible_teams(request: Request, db) -> list:
    me = request.user
    return list_teams(db) if me.is_admin else [t for t, _role in teams_of(db, me.id)]


def parse_day(value: str | None, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        return default


class ScheduleController(Controller):
    include_in_schema = False
    path = "/schedule"
    guards = [requires_login]

    @get("/")
    async def index(
        self,
        request: Request,
        db: Db,
        clock: Now,
        team: FromQuery[int | None] = None,
        view: FromQuery[str] = "agenda",
        start: FromQuery[str | None] = None,
    ) -> Response:
        now = clock.now()
        return kept_page(
            request, db, now, lambda: self._agenda(request, db, now, team, view, start)
        )

    def _agenda(
        self, request: Request, db, now: datetime, team: int | None, view: str, start: str | None
    ) -> tuple[str, datetime]:
        """The page, and when it changes with no write: at midnight, when "today" moves on."""
        teams = visible_teams(request, db)
        chosen = next((t for t in teams if t.id == team), teams[0] if teams else None)
        view = view if view in VIEWS else "agenda"
        context = {"area": "schedule", "teams": teams, "team": chosen, "view": view}
        if chosen is None:
            return render_page(request, "schedules/index.html", context), now + MAX_KEPT
        zone = ZoneInfo(chosen.timezone)
        today = now.astimezone(zone).date()
        first = parse_day(start, today)
        if view == "week":
            first -= timedelta(days=first.weekday())
            count, step = 7, timedelta(days=7)
        elif view == "month":
            month_start = first.replace(day=1)
            first, count = views.month_grid(month_start)
            step = None
            context["month"] = month_start
        else:
            count, step = 14, timedelta(days=14)
        window_start = datetime.combine(first, time(0), tzinfo=zone)
        window_end = datetime.combine(first + timedelta(days=count), time(0), tzinfo=zone)
        shifts = list_shifts(
            db,
            team_ids=[chosen.id],
            start=window_start - views.CONTEXT,
            end=window_end + views.CONTEXT,
            statuses=TOLD,
        )
        alsace = chosen.policy.alsace_moselle_holidays
        context["days"] = views.days(
            shifts, first, count, chosen.timezone, lambda d: is_public_holiday(d, alsace)
        )
        if view == "month":
            month = context["month"]
            previous = (month - timedelta(days=1)).replace(day=1)
            following = (month + timedelta(days=32)).replace(day=1)
        else:
            previous, following = first - step, first + step
        context.update(previous=previous, following=following, today=today, first=first)
        midnight = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
        return render_page(request, "schedules/index.html", context), midnight

    @get("/mine")
    async def mine(self, request: Request, db: Db, clock: Now) -> Template:
        now = clock.now()
        shifts = list_shifts(
            db, user_id=request.user.id, start=now, end=now + timedelta(weeks=26), statuses=TOLD
        )
        teams = {t.id: t for t in list_teams(db)}
        pending = [s for s in shifts if s.status == "published"]
        return Template(
            "schedules/mine.html",
            context={
                "area": "schedule",
                "shifts": shifts,
                "teams": teams,
                "now": now,
                "pending": pending,
                "done": request.query_params.get("done"),
            },
        )

    @post("/shifts/{shift_id:int}/accept")
    async def accept(
        self, request: HTMXRequest, shift_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        now = clock.now()
        shift = accept(db, shift_id, request.user, now)
        if request.htmx:
            teams = {t.id: t for t in list_teams(db)}
            return Template(
                "schedules/_my_shift.html", context={"shift": shift, "teams": teams, "now": now}
            )
        return Redirect("/schedule/mine?done=accepted", status_code=303)

    @post("/accept-all")
    async def accept_all(self, request: Request, db: Db, clock: Now) -> Response:
        count = accept_all(db, request.user, clock.now())
        return Redirect(f"/schedule/mine?done=accepted-{count}", status_code=303)

    @get("/shifts/{shift_id:int}/decline")
    async def decline_form(self, request: Request, shift_id: FromPath[int], db: Db) -> Template:
        shift = get_shift(db, shift_id)
        if shift.user_id != request.user.id:
            raise Forbidden(_("This shift is not yours."))
        return Template("schedules/decline.html", context={"area": "schedule", "shift": shift})

    @post("/shifts/{shift_id:int}/decline")
    async def decline(
        self, request: Request, shift_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        if get_shift(db, shift_id).user_id != request.user.id:
            raise Forbidden(_("This shift is not yours."))
        try:
            form = await read_form(request, DeclineForm)
        except InvalidInput as error:
            shift = get_shift(db, shift_id)
            return Template(
                "schedules/decline.html",
                status_code=400,
                context={"area": "schedule", "shift": shift, "error": error.message},
            )
        decline(db, shift_id, request.user, form.reason, clock.now())
        return Redirect("/schedule/mine?done=declined", status_code=303)
