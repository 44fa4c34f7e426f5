"""The phone's copy of its teams' clients (GET /api/v1/me/clients): the intervention form
searches it offline. Access codes come only for the teams where the person is on call now,
and say until when; the ETag lets the phone ask again for nothing when nothing changed."""

from __future__ import annotations

import hashlib
from datetime import datetime

import msgspec
from litestar import Controller, Request, Response, get

from server.accounts.models import CurrentUser
from server.auth.guards import requires_login
from server.clients.offline import ListedTeam, PhoneList
from server.clients.store.lookup import listed_clients
from server.db import Database
from server.deps import Db, Now
from server.openapi import SESSION, refusals, success
from server.schedules.lookup import who_is_on_call


def duty_ends(database: Database, user_id: int, team_ids: list[int], now: datetime) -> dict:
    """{team: end of the person's duty} for the teams where they are on call (primary or
    backup) now."""
    ends = {}
    for team_id in team_ids:
        answer = who_is_on_call(database, team_id, now)
        for person in (answer.primary, answer.secondary):
            if person is not None and person.user_id == user_id:
                ends[team_id] = person.until
    return ends


def phone_list(database: Database, user: CurrentUser, now: datetime) -> PhoneList:
    # Their own teams only, admins included: the list is for the form, which links a client of
    # the person's teams (sync refuses any other).
    team_ids = sorted(user.team_ids)
    ends = duty_ends(database, user.id, team_ids, now)
    clients = tuple(listed_clients(database, team_ids, set(ends)))
    teams = tuple(ListedTeam(id=t, codes_until=ends.get(t)) for t in team_ids)
    # The version is the content's own digest: any change the phone would see (a number, a
    # site, codes given or taken back) changes it, whoever made it and however.
    digest = hashlib.sha256(msgspec.json.encode((teams, clients))).hexdigest()[:32]
    return PhoneList(version=digest, teams=teams, clients=clients)


class PhoneClientsController(Controller):
    path = "/api/v1/me"
    guards = [requires_login]
    tags = ["clients"]

    @get(
        "/clients",
        summary="The clients of my teams, for the intervention form's offline search",
        security=SESSION,
        responses={
            **success(200, PhoneList, "The list; its `version` is also the ETag."),
            **refusals(401),
        },
    )
    async def mine(self, request: Request, db: Db, clock: Now) -> Response:
        listed = phone_list(db, request.user, clock.now())
        etag = f'"{listed.version}"'
        headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
        if request.headers.get("if-none-match") == etag:
            return Response(content=b"", status_code=304, headers=headers)
        return Response(content=listed, headers=headers)
