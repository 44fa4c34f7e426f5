"""The phone's copy of its teams' clients (GET /api/v1/me/clients): the intervention form
searches it offline. Access codes come only for the teams where the person is on call now,
and say until when; the ETag lets the phone ask again for nothing when nothing changed."""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
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
    return _built(database, team_ids, ends)


def _built(database: Database, team_ids: list[int], ends: dict) -> PhoneList:
    clients = tuple(listed_clients(database, team_ids, set(ends)))
    teams = tuple(ListedTeam(id=t, codes_until=ends.get(t)) for t in team_ids)
    # The version is the content's own digest: any change the phone would see (a number, a
    # site, codes given or taken back) changes it, whoever made it and however.
    digest = hashlib.sha256(msgspec.json.encode((teams, clients))).hexdigest()[:32]
    return PhoneList(version=digest, teams=teams, clients=clients)


class PhoneListCache:
    """Lists built, by (teams, codes given and until when, the database's writes seen): 10,000
    clients take 0.5 s to read and encode, and every form opened asks; the same teams' people
    share an entry, and any committed write (of any process) makes them all unreachable."""

    def __init__(self, max_bytes: int = 64_000_000) -> None:
        self.max_bytes = max_bytes
        self._bytes = 0
        self._entries: dict[Hashable, tuple[str, bytes]] = {}

    def get(self, database: Database, user: CurrentUser, now: datetime) -> tuple[str, bytes]:
        team_ids = sorted(user.team_ids)
        ends = duty_ends(database, user.id, team_ids, now)
        key = (tuple(team_ids), tuple(sorted(ends.items())), database.seen_writes())
        hit = self._entries.get(key)
        if hit is None:
            built = _built(database, team_ids, ends)
            hit = (built.version, msgspec.json.encode(built))
            if self._bytes + len(hit[1]) > self.max_bytes:
                self._entries.clear()
                self._bytes = 0
            self._entries[key] = hit
            self._bytes += len(hit[1])
        return hit


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
        state = request.app.state
        if getattr(state, "phone_lists", None) is None:
            state.phone_lists = PhoneListCache()
        version, body = state.phone_lists.get(db, request.user, clock.now())
        etag = f'"{version}"'
        headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
        if request.headers.get("if-none-match") == etag:
            return Response(content=b"", status_code=304, headers=headers)
        return Response(content=body, media_type="application/json", headers=headers)
