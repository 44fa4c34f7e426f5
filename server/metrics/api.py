"""The figures for an integration: a team's figures over any run of days, beside the run of
the same length just before, as JSON (team API key). The same computation as the dashboard
and its CSV files (figures.py), so the numbers agree."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Request, get
from litestar.params import QueryParameter

from server.auth.guards import requires_api_key
from server.deps import Db, Now
from server.errors import Forbidden, InvalidInput
from server.i18n import gettext as _
from server.metrics.figures import team_figures
from server.metrics.models import TeamFigures
from server.metrics.periods import MAX_CUSTOM_DAYS, Period, custom_period
from server.openapi import RowId, refusals
from server.teams.store import get_team

DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


# Documented, not enforced by the framework: the handler answers a bad day with a sentence
# naming the parameter, not the pattern's regex.
FromDay = Annotated[
    str | None,
    QueryParameter(
        name="from",
        description="The first day, YYYY-MM-DD, in the team's time zone.",
        schema_extra={"pattern": DAY_PATTERN},
        required=True,
    ),
]
ToDay = Annotated[
    str | None,
    QueryParameter(
        description="The last day, YYYY-MM-DD, included, in the team's time zone.",
        schema_extra={"pattern": DAY_PATTERN},
        required=True,
    ),
]


def checked_day(text: str | None, name: str) -> date:
    try:
        if text is None or len(text) != 10:
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("“%(name)s” must be a day written YYYY-MM-DD.", name=name), field=name
        ) from None
    if not 1900 <= day.year <= 2199:
        raise InvalidInput(
            _("“%(name)s” must be a day between 1900 and 2199.", name=name), field=name
        )
    return day


def checked_range(first: str | None, last: str | None) -> Period:
    """The run of days of `from` and `to`; 400 naming the parameter at fault."""
    start, end = checked_day(first, "from"), checked_day(last, "to")
    if end < start:
        raise InvalidInput(_("“to” must not be before “from”."), field="to")
    if (end - start).days + 1 > MAX_CUSTOM_DAYS:
        raise InvalidInput(
            _("From “from” to “to” is at most %(days)s days.", days=MAX_CUSTOM_DAYS), field="to"
        )
    return custom_period(start, end)


class MetricsApiController(Controller):
    path = "/api/v1/teams"
    guards = [requires_api_key]
    tags = ["figures"]

    @get(
        "/{team_id:int}/metrics",
        summary="The team's figures over a run of days, beside the run just before",
        description=(
            "Response times (mean, median, 90th percentile, in seconds), alert volume, rates "
            "and the heat map by local hour of the week, on-call load and fairness per person, "
            "rest health and recurring problems, from `from` to `to` included (days in the "
            "team's time zone, at most 400), and the same over the as many days just before "
            "(`previous`). A run that has not ended counts so far (`under_way`). The numbers "
            "of the managers' dashboard and its CSV files; each is defined in the README, "
            '"Figures".'
        ),
        responses=refusals(400, 401, 403, 404),
    )
    async def metrics(
        self,
        request: Request,
        team_id: RowId,
        db: Db,
        clock: Now,
        from_: FromDay = None,
        to: ToDay = None,
    ) -> TeamFigures:
        if request.scope["auth"].team_id != team_id:
            raise Forbidden(_("This API key belongs to another team."))
        period = checked_range(from_, to)
        return team_figures(db, get_team(db, team_id), period, clock.now())
