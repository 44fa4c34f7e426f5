"""A shift's history, with the qualifications it requires (its rotation's and its own); the
team's managers choose its own."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from server.auth.actor import actor_of
from server.auth.guards import requires_login
from server.deps import Db, Now
from server.errors import Forbidden
from server.i18n import gettext as _
from server.qualifications.store import catalogue, own_requirement_ids, required_for_shift
from server.qualifications.workflow import set_shift_requirements
from server.schedules.store import get_shift
from server.swaps.store.requests import live_for_shift
from server.swaps.texts import WORDS
from server.swaps.views import shift_history
from server.teams.store import get_team


class ShiftHistoryController(Controller):
    include_in_schema = False
    path = "/swaps/shifts/{shift_id:int}"
    guards = [requires_login]

    @get("/")
    async def history(
        self, request: Request, shift_id: FromPath[int], db: Db, clock: Now
    ) -> Template:
        shift = get_shift(db, shift_id)
        me = request.user
        if not (me.is_admin or shift.team_id in me.team_ids):
            raise Forbidden(_("This shift belongs to another team."))
        team = get_team(db, shift.team_id)
        now = clock.now()
        return Template(
            "swaps/shift.html",
            context={
                **WORDS,
                "area": "schedule",
                "shift": shift,
                "team": team,
                "now": now,
                "mine": shift.user_id == me.id,
                "manages": me.manages(team.id),
                "live": live_for_shift(db, shift.id, now),
                "required": required_for_shift(db, shift.id),
                "own": own_requirement_ids(db, shift.id),
                "qualifications": catalogue(db),
                "done": request.query_params.get("done"),
                **shift_history(db, shift.id),
            },
        )

    @post("/qualifications")
    async def set_qualifications(
        self, request: Request, shift_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        shift = get_shift(db, shift_id)
        if not request.user.manages(shift.team_id):
            raise Forbidden(_("Only a manager of this team can change what a shift requires."))
        form = await request.form()
        chosen = [int(v) for v in form.getall("qualification", []) if str(v).isdigit()]
        set_shift_requirements(
            db, shift.team_id, shift.id, chosen, actor=actor_of(request), now=clock.now()
        )
        return Redirect(f"/swaps/shifts/{shift.id}?done=qualifications", status_code=303)
