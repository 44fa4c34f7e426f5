"""A shift's history (with the skills it needs), and the managers' skills screen: the team's
skills, who holds them, which rotations need them."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from server.auth.actor import actor_of
from server.auth.guards import requires_login, requires_manager
from server.auth.team_scope import MANAGED_TEAM, ManagedTeam, managed_team, managed_teams
from server.deps import Db, Now
from server.errors import Conflict, Forbidden, InvalidInput
from server.i18n import gettext as _
from server.schedules.store import get_shift, list_rotations
from server.swaps.models import SkillForm
from server.swaps.skills import create_skill, delete_skill, set_matrix, set_shift_skills
from server.swaps.store.requests import live_for_shift
from server.swaps.store.skills import (
    get_skill,
    own_skill_ids,
    person_pairs,
    required_for,
    rotation_pairs,
    team_skills,
)
from server.swaps.texts import WORDS
from server.swaps.views import shift_history
from server.teams.models import Team
from server.teams.store import get_team, members
from server.web import read_form


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
                "required": required_for(db, shift.id),
                "own": own_skill_ids(db, shift.id),
                "skills": team_skills(db, team.id),
                "done": request.query_params.get("done"),
                **shift_history(db, shift.id),
            },
        )

    @post("/skills")
    async def set_skills(
        self, request: Request, shift_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        shift = get_shift(db, shift_id)
        if not request.user.manages(shift.team_id):
            raise Forbidden(_("Only a manager of this team can change what a shift needs."))
        form = await request.form()
        chosen = [int(v) for v in form.getall("skill", []) if str(v).isdigit()]
        set_shift_skills(
            db, shift.team_id, shift.id, chosen, actor=actor_of(request), now=clock.now()
        )
        return Redirect(f"/swaps/shifts/{shift.id}?done=skills", status_code=303)


class SkillsController(Controller):
    include_in_schema = False
    path = "/swaps/skills"
    guards = [requires_manager]
    dependencies = MANAGED_TEAM

    def _context(self, request: Request, db, team: Team, **extra) -> dict:
        return {
            "area": "schedule",
            "teams": managed_teams(request, db),
            "team": team,
            "skills": team_skills(db, team.id),
            "people": [m for m in members(db, team.id) if m.active],
            "rotations": list_rotations(db, team.id),
            "held": person_pairs(db, team.id),
            "needed": rotation_pairs(db, team.id),
            "done": request.query_params.get("done"),
            **extra,
        }

    @get("/")
    async def index(self, request: Request, db: Db, chosen: ManagedTeam) -> Template:
        return Template("swaps/skills.html", context=self._context(request, db, chosen))

    @post("/")
    async def add(self, request: Request, db: Db, clock: Now, chosen: ManagedTeam) -> Response:
        try:
            form = await read_form(request, SkillForm)
            create_skill(db, chosen.id, form.name, actor=actor_of(request), now=clock.now())
        except (InvalidInput, Conflict) as error:
            context = self._context(request, db, chosen, error=error.message)
            return Template("swaps/skills.html", context=context, status_code=error.status)
        return Redirect(f"/swaps/skills?team={chosen.id}&done=added", status_code=303)

    @post("/matrix")
    async def save(self, request: Request, db: Db, clock: Now, chosen: ManagedTeam) -> Response:
        form = await request.form()
        people, rotations = [], []
        for key in form:
            kind, _sep, rest = key.partition(":")
            skill, _sep, other = rest.partition(":")
            if not (skill.isdigit() and other.isdigit()):
                continue
            if kind == "person":
                people.append((int(skill), int(other)))
            elif kind == "rotation":
                rotations.append((int(skill), int(other)))
        team_people = {m.user_id for m in members(db, chosen.id)}
        team_rotations = {r.id for r in list_rotations(db, chosen.id)}
        set_matrix(
            db,
            chosen.id,
            [p for p in people if p[1] in team_people],
            [r for r in rotations if r[1] in team_rotations],
            actor=actor_of(request),
            now=clock.now(),
        )
        return Redirect(f"/swaps/skills?team={chosen.id}&done=saved", status_code=303)

    @post("/{skill_id:int}/delete")
    async def remove(
        self, request: Request, skill_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        skill = get_skill(db, skill_id)
        team = managed_team(request, db, skill.team_id)
        delete_skill(db, skill_id, actor=actor_of(request), now=clock.now())
        return Redirect(f"/swaps/skills?team={team.id}&done=deleted", status_code=303)
