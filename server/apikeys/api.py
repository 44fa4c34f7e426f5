"""`whoami` under /api/v1: which team an integration's API key belongs to."""

from __future__ import annotations

from litestar import Controller, Request, get

from server.apikeys.models import WhoAmI
from server.auth.guards import requires_api_key
from server.openapi import refusals


class WhoAmIController(Controller):
    path = "/api/v1"
    guards = [requires_api_key]
    tags = ["integrations"]

    @get("/whoami", summary="Which team this API key belongs to", responses=refusals(401))
    async def whoami(self, request: Request) -> WhoAmI:
        key = request.scope["auth"]
        return WhoAmI(team_id=key.team_id, team_name=key.team_name, key_name=key.name)
