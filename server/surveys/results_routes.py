"""Satisfaction results' pages: a team's for its managers (and its CSV), a person's own."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from server.auth.guards import requires_login, requires_manager
from server.auth.team_scope import managed_team, managed_teams
from server.deps import Db, Now
from server.errors import InvalidInput
from server.i18n import gettext as _
from server.surveys.results import current_month, own_results, team_results
from server.surveys.results_csv import results_csv
from server.surveys.results_rules import FEW_ANSWERS, month_start, parse_month


def _month(text: str | None, now, zone: str) -> str:
    if text is None or text == "":
        return current_month(now, zone)
    found = parse_month(text)
    if found is None:
        raise InvalidInput(_("Choose the month as YYYY-MM, e.g. 2026-11."))
    return found


class TeamSatisfactionController(Controller):
    include_in_schema = False
    guards = [requires_manager]
    path = "/teams/{team_id:int}"

    @get(["/satisfaction", "/satisfaction.csv"])
    async def page(
        self,
        request: Request,
        db: Db,
        clock: Now,
        team_id: FromPath[int],
        month: FromQuery[str | None] = None,
    ) -> Response:
        """The team's results for the month: the page, or the same numbers as CSV."""
        team = managed_team(request, db, team_id)
        chosen = _month(month, clock.now(), team.timezone)
        found = team_results(db, team.id, team.timezone, chosen)
        if request.url.path.endswith(".csv"):
            name = f"satisfaction-{team.id}-{chosen}.csv"
            return Response(
                content="\ufeff" + results_csv(found),  # a BOM: spreadsheets read UTF-8
                media_type="text/csv",
                headers={"content-disposition": f'attachment; filename="{name}"'},
            )
        return Template(
            "surveys/results_team.html",
            context={
                "area": "team",
                "team": team,
                "teams": managed_teams(request, db),
                "results": found,
                "few_answers": FEW_ANSWERS,
                "month_start": month_start,
            },
        )


class OwnSatisfactionController(Controller):
    include_in_schema = False
    guards = [requires_login]
    path = "/satisfaction"

    @get("/")
    async def page(
        self, request: Request, db: Db, clock: Now, month: FromQuery[str | None] = None
    ) -> Template:
        me = request.user
        chosen = _month(month, clock.now(), me.timezone)
        return Template(
            "surveys/results_own.html",
            context={
                "area": "figures",
                "results": own_results(db, me.id, me.timezone, chosen),
                "few_answers": FEW_ANSWERS,
                "month_start": month_start,
            },
        )
