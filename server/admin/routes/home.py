"""The admin home at /admin: teams, newcomers, latest sign-ins and the next things to do."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from server.admin.overview import team_lines
from server.admin.store import awaiting_first_login, recent_sign_ins
from server.auth.guards import requires_admin
from server.deps import Db, Now


class AdminHomeController(Controller):
    include_in_schema = False
    guards = [requires_admin]

    @get("/admin")
    async def home(self, request: Request, db: Db, clock: Now) -> Template:
        now = clock.now()
        context = {
            "area": "admin",
            "now": now,
            "teams": team_lines(db, now),
            "newcomers": awaiting_first_login(db, now),
            "sign_ins": recent_sign_ins(db),
            # Their own staff page, when they are on a team's roster too.
            "in_a_team": bool(request.user.team_ids),
            "welcome": request.query_params.get("welcome") == "1",
        }
        return Template("admin/home.html", context=context)
