"""The integration API of schedules: who is on call (JSON and plain text) and shift listings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, QueryParameter

from server.auth.guards import requires_api_key
from server.db import Database
from server.deps import Db, Now
from server.errors import Forbidden, InvalidInput, NotFound
from server.i18n import gettext as _
from server.models import Value
from server.openapi import refusals, success
from server.schedules.lookup import (
    QUICK_HORIZON,
    UNTIL_HORIZON,
    OnCall,
    who_is_on_call,
)
from server.schedules.models import TOLD
from server.schedules.oncall_cache import valid_until
from server.schedules.store import list_shifts

# The instants a request may name: year 1 or 9999 made the look-ahead overflow (a 500).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def _instant(description: str, name: str | None = None) -> QueryParameter:
    """How a time parameter is documented (its parsing is parse_instant's, with its messages):
    an RFC 3339 instant, or empty for the default (a phone system's template may leave the
    variable empty)."""
    return QueryParameter(
        name=name,
        description=description,
        schema_extra={
            "oneOf": [
                {"type": "string", "format": "date-time"},
                {"type": "string", "maxLength": 0},
                {"type": "null"},
            ]
        },
    )


Instant = Annotated[
    str | None,
    _instant("RFC 3339 with an offset (Z or +01:00), between 1970 and 9000; default: now."),
]


class ShiftOut(Value, kw_only=True):
    id: int
    layer: str
    kind: str
    status: str
    name: str
    phone: str
    email: str
    starts_at: datetime
    ends_at: datetime


def parse_instant(value: str | None, field: str, default: datetime) -> datetime:
    if value is None or value == "":
        return default
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            _(
                "%(field)s must be an RFC 3339 timestamp, e.g. 2026-12-24T22:00:00+01:00.",
                field=field,
            ),
            field=field,
        ) from None
    if moment.tzinfo is None:
        raise InvalidInput(
            _("%(field)s needs a time zone offset (Z or +01:00).", field=field), field=field
        )
    if not EARLIEST <= moment < LATEST:
        raise InvalidInput(
            _("%(field)s must be between the years 1970 and 9000.", field=field), field=field
        )
    return moment


def _check_team(request: Request, team_id: int) -> None:
    if request.scope["auth"].team_id != team_id:
        raise Forbidden(_("This API key belongs to another team."))


def answer_valid_until(db: Database, answer: OnCall) -> datetime:
    """Until when `answer` holds (see oncall_cache.valid_until); an end that was cut at the
    horizon moves with the instant asked, so that answer holds for its instant only."""
    horizon = answer.at + UNTIL_HORIZON
    if any(p is not None and p.until >= horizon for p in (answer.primary, answer.secondary)):
        return answer.at
    return valid_until(db, answer.team_id, answer, answer.at + QUICK_HORIZON)


def _answer(request: Request, db: Database, team_id: int, at: datetime) -> OnCall:
    """The phone system asks on every call: the answer comes from the cache while it holds."""
    return request.app.state.on_call.answer(
        db,
        team_id,
        at,
        lambda moment: who_is_on_call(db, team_id, moment),
        lambda answer: answer_valid_until(db, answer),
    )


class OnCallApiController(Controller):
    path = "/api/v1/teams"
    guards = [requires_api_key]
    tags = ["schedules"]

    @get(
        "/{team_id:int}/oncall",
        summary="Who is on call (primary and backup) now or at a time",
        responses=refusals(400, 401, 403, 404),
    )
    async def oncall(
        self,
        request: Request,
        team_id: FromPath[int],
        db: Db,
        clock: Now,
        at: Instant = None,
    ) -> OnCall:
        _check_team(request, team_id)
        return _answer(request, db, team_id, parse_instant(at, "at", clock.now()))

    @get(
        "/{team_id:int}/oncall.txt",
        summary="The primary's phone number, as plain text",
        responses={
            **success(
                200, str, "The primary's number, spaces removed, then a line break.", "text/plain"
            ),
            **refusals(400, 401, 403, 404),
        },
    )
    async def oncall_text(
        self,
        request: Request,
        team_id: FromPath[int],
        db: Db,
        clock: Now,
        at: Instant = None,
    ) -> Response:
        _check_team(request, team_id)
        now = _answer(request, db, team_id, parse_instant(at, "at", clock.now()))
        if now.primary is None:
            raise NotFound(_("Nobody is on call for this team at this time."))
        if not now.primary.phone:
            # Still a 404 (there is no number to dial), so a PBX script falls back to its
            # default route as it does when nobody is on call; the words tell its operator
            # that the fix is a phone number on the person's profile, not the schedule.
            raise NotFound(
                _(
                    "%(name)s is on call for this team at this time but has no phone number. "
                    "Add one to their profile.",
                    name=now.primary.name,
                )
            )
        return Response(content=now.primary.phone.replace(" ", "") + "\n", media_type="text/plain")

    @get(
        "/{team_id:int}/shifts",
        summary="Published shifts of the team in a time range",
        responses=refusals(400, 401, 403, 404),
    )
    async def shifts(
        self,
        request: Request,
        team_id: FromPath[int],
        db: Db,
        clock: Now,
        from_: Annotated[str | None, _instant("Default: now.", name="from")] = None,
        to: Annotated[str | None, _instant("Default: from + 28 days.")] = None,
    ) -> list[ShiftOut]:
        _check_team(request, team_id)
        start = parse_instant(from_, "from", clock.now())
        end = parse_instant(to, "to", start + timedelta(days=28))
        if end <= start:
            raise InvalidInput(_("“to” must be after “from”."), field="to")
        if end - start > timedelta(days=400):
            raise InvalidInput(_("Ask for at most 400 days at a time."), field="to")
        return [
            ShiftOut(
                id=s.id,
                layer=s.layer,
                kind=s.kind,
                status=s.status,
                name=s.user_name,
                phone=s.user_phone,
                email=s.user_email,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
            )
            for s in list_shifts(db, team_ids=[team_id], start=start, end=end, statuses=TOLD)
        ]
