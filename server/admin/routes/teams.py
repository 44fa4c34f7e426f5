"""Team administration (/admin/teams): create and rename teams, set who belongs and who
manages."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from server.accounts import memberships
from server.accounts.store import list_users
from server.auth.actor import actor_of
from server.auth.guards import requires_admin
from server.db import Database
from server.deps import Db, Now
from server.errors import InvalidInput
from server.i18n.timezones import timezone_choices
from server.teams.models import MembershipForm, TeamForm
from server.teams.store import (
    create_team,
    get_team,
    list_teams,
    members,
    set_membership,
    update_team,
)
from server.web import read_form


class TeamsAdminController(Controller):
    include_in_schema = False
    path = "/admin/teams"
    guards = [requires_admin]

    @get("/")
    async def index(self, db: Db) -> Template:
        teams = [(team, members(db, team.id)) for team in list_teams(db)]
        return Template("admin/teams.html", context={"area": "team", "teams": teams})

    @get("/new")
    async def new(self) -> Template:
        return Template(
            "admin/team_form.html",
            context={"area": "team", "team": None, "values": {}, "timezones": timezone_choices()},
        )

    @post("/new")
    async def create(self, request: Request, db: Db, clock: Now) -> Response:
        try:
            form = await read_form(request, TeamForm)
            team = create_team(db, form, actor=actor_of(request), now=clock.now())
        except InvalidInput as error:
            raw = dict(await request.form())
            return Template(
                "admin/team_form.html",
                status_code=400,
                context={
                    "area": "team",
                    "team": None,
                    "values": raw,
                    "error": error.message,
                    "timezones": timezone_choices(),
                },
            )
        return Redirect(f"/admin/teams/{team.id}?done=created", status_code=303)

    def _detail(self, db: Database, team_id: int, **extra) -> dict:
        team = get_team(db, team_id)
        team_members = members(db, team_id)
        in_team = {m.user_id for m in team_members}
        others = [u for u in list_users(db) if u.id not in in_team and u.active]
        return {
            "area": "team",
            "team": team,
            "values": team,
            "members": team_members,
            "others": others,
            "timezones": timezone_choices(),
            **extra,
        }

    @get("/{team_id:int}")
    async def show(self, team_id: FromPath[int], db: Db) -> Template:
        return Template("admin/team_form.html", context=self._detail(db, team_id))

    @post("/{team_id:int}")
    async def update(
        self, request: Request, team_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        try:
            form = await read_form(request, TeamForm)
            update_team(db, team_id, form, actor=actor_of(request), now=clock.now())
        except InvalidInput as error:
            return Template(
                "admin/team_form.html",
                status_code=400,
                context=self._detail(db, team_id, error=error.message),
            )
        return Redirect(f"/admin/teams/{team_id}?done=saved", status_code=303)

    @post("/{team_id:int}/members")
    async def add_member(
        self, request: Request, team_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        try:
            form = await read_form(request, MembershipForm)
        except InvalidInput as error:
            return Template(
                "admin/team_form.html",
                status_code=400,
                context=self._detail(db, team_id, error=error.message),
            )
        set_membership(
            db, team_id, form.user_id, form.team_role, actor=actor_of(request), now=clock.now()
        )
        return Redirect(f"/admin/teams/{team_id}", status_code=303)

    @post("/{team_id:int}/members/{user_id:int}/remove")
    async def remove_member(
        self, request: Request, team_id: FromPath[int], user_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        memberships.remove_member(db, team_id, user_id, actor=actor_of(request), now=clock.now())
        return Redirect(f"/admin/teams/{team_id}", status_code=303)
