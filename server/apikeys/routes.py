"""API keys: the admin page that creates and revokes them (`whoami` for an integration is in
api.py)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from server.apikeys.models import ApiKeyForm
from server.apikeys.store import create_key, list_keys, revoke_key
from server.auth.actor import actor_of
from server.auth.guards import requires_admin
from server.db import Database
from server.deps import Db, Now
from server.errors import InvalidInput
from server.teams.store import list_teams
from server.web import read_form


class ApiKeysAdminController(Controller):
    include_in_schema = False
    path = "/admin/api-keys"
    guards = [requires_admin]

    def _context(self, db: Database, **extra) -> dict:
        return {"area": "team", "keys": list_keys(db), "teams": list_teams(db), **extra}

    @get("/")
    async def index(self, db: Db) -> Template:
        return Template("apikeys/index.html", context=self._context(db))

    @post("/")
    async def create(self, request: Request, db: Db, clock: Now) -> Template:
        try:
            form = await read_form(request, ApiKeyForm)
        except InvalidInput as error:
            return Template(
                "apikeys/index.html",
                context=self._context(db, error=error.message),
                status_code=400,
            )
        token, key = create_key(
            db, form.team_id, form.name, actor=actor_of(request), now=clock.now()
        )
        # The key is shown in this response only; it is never retrievable again.
        return Template(
            "apikeys/index.html",
            context=self._context(db, new_token=token, new_key=key),
            status_code=201,
        )

    @post("/{key_id:int}/revoke")
    async def revoke(self, request: Request, key_id: FromPath[int], db: Db, clock: Now) -> Response:
        revoke_key(db, key_id, actor=actor_of(request), now=clock.now())
        return Redirect("/admin/api-keys", status_code=303)
