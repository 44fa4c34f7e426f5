"""The needs page of a team (managers of the team, admins) and its CSV: thin, parse the
address, call the analysis (needs.py), render."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from server.auth.guards import requires_manager
from server.auth.team_scope import managed_team, managed_teams
from server.db import Database
from server.deps import Db, Now
from server.errors import InvalidInput
from server.i18n import gettext as _
from server.staffing import export, texts
from server.staffing.models import Needs
from server.staffing.needs import team_needs
from server.staffing.rules import (
    DEFAULT_HANDLE_SECONDS,
    DEFAULT_VOLUME_PERCENT,
    DEFAULT_WEEKS,
    MAX_VOLUME_PERCENT,
    MAX_WEEKS,
)
from server.teams.models import Team


def checked_whole(text: str | None, default: int, low: int, high: int, message: str) -> int:
    """A whole number of the address within [low, high]; 400 with `message` otherwise."""
    if text is None or text == "":
        return default
    if not text.strip().isascii() or not text.strip().isdigit():
        raise InvalidInput(message)
    value = int(text.strip())
    if not low <= value <= high:
        raise InvalidInput(message)
    return value


def _parameters(weeks: str | None, volume: str | None) -> tuple[int, int]:
    chosen_weeks = checked_whole(
        weeks,
        DEFAULT_WEEKS,
        1,
        MAX_WEEKS,
        _("Choose weeks as a whole number from 1 to %(high)s.", high=MAX_WEEKS),
    )
    chosen_volume = checked_whole(
        volume,
        DEFAULT_VOLUME_PERCENT,
        1,
        MAX_VOLUME_PERCENT,
        _(
            "Choose volume as a whole percentage from 1 to %(high)s (120 for 20 %% more calls).",
            high=MAX_VOLUME_PERCENT,
        ),
    )
    return chosen_weeks, chosen_volume


def _needs_of(
    db: Database, team: Team, now: datetime, weeks: str | None, volume: str | None
) -> Needs:
    """The page's and the CSV's one computation, from the address's parameters."""
    chosen_weeks, chosen_volume = _parameters(weeks, volume)
    return team_needs(db, team, now, chosen_weeks, chosen_volume)


class NeedsController(Controller):
    include_in_schema = False
    guards = [requires_manager]
    path = "/teams/{team_id:int}"

    @get("/needs")
    async def needs(
        self,
        request: Request,
        db: Db,
        clock: Now,
        team_id: FromPath[int],
        weeks: FromQuery[str | None] = None,
        volume: FromQuery[str | None] = None,
    ) -> Template:
        team = managed_team(request, db, team_id)
        found = _needs_of(db, team, clock.now(), weeks, volume)
        return Template(
            "staffing/needs.html",
            context={
                "area": "team",
                "team": team,
                "teams": managed_teams(request, db),
                "needs": found,
                "default_handle_minutes": DEFAULT_HANDLE_SECONDS // 60,
                "max_weeks": MAX_WEEKS,
                "max_volume": MAX_VOLUME_PERCENT,
                "weekday_name": texts.weekday_name,
                "hours_label": texts.hours_label,
                "calls_label": texts.calls_label,
                "layers_label": texts.layers_label,
                "minutes_label": texts.minutes_label,
            },
        )

    @get("/needs.csv")
    async def needs_csv(
        self,
        request: Request,
        db: Db,
        clock: Now,
        team_id: FromPath[int],
        weeks: FromQuery[str | None] = None,
        volume: FromQuery[str | None] = None,
    ) -> Response:
        found = _needs_of(db, managed_team(request, db, team_id), clock.now(), weeks, volume)
        return Response(
            content="\ufeff" + export.needs_csv(found),  # a BOM: spreadsheets read UTF-8
            media_type="text/csv",
            headers={"content-disposition": f'attachment; filename="{export.csv_name(found)}"'},
        )
