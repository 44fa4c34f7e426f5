"""The figures' pages: a team's dashboard (its managers, administrators), each of its tables
as CSV, and a person's own figures. Thin: parse the period, call figures.py (the one
computation), shape with views.py and charts.py, render. The pages are kept rendered per person
(server/page_cache.py) until a write or until their figures change on their own: a manager
going back to the dashboard does not wait for the year's figures again."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar_htmx import HTMXRequest

from server.auth.guards import requires_login
from server.auth.team_scope import managed_team, managed_teams
from server.db import Database
from server.deps import Db, Now
from server.errors import NotFound
from server.i18n import N_
from server.i18n import gettext as _
from server.metrics import charts, texts, views
from server.metrics.export import TABLES, file_name, side_of, table_csv
from server.metrics.figures import own_figures, team_figures
from server.metrics.models import TeamFigures
from server.metrics.months import alerts_per_day
from server.metrics.periods import PERIOD_KINDS, Period, clipped, is_under_way
from server.metrics.volume import Bucket, buckets
from server.page_cache import kept_page, next_minute
from server.teams.models import Team
from server.teams.store import teams_of
from server.web import render_page

PERIOD_NAMES = {"month": N_("Month"), "quarter": N_("Quarter"), "year": N_("12 months")}


def _timeline(db: Database, team: Team, period: Period, now: datetime) -> list[Bucket]:
    start, end = clipped(period, team.timezone, now)
    today = now.astimezone(ZoneInfo(team.timezone)).date()
    # Per day from the months' tallies, the ended months' kept (months.py), as the figures.
    return buckets(period, alerts_per_day(db, team.id, team.timezone, start, end, now), today)


def fresh_until(under_way: bool, zone: str, now: datetime) -> datetime:
    """Until when a kept copy of a figures page holds with no write: a period under way counts
    to now (a minute of it may pass unseen); an ended one changes only by a write, and the
    default month and the latest month one may choose move at midnight in the zone."""
    if under_way:
        return next_minute(now)
    tomorrow = now.astimezone(ZoneInfo(zone)).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(), ZoneInfo(zone))


def _period_context(period: Period, under_way: bool, zone: str, now: datetime) -> dict:
    return {
        "period": period,
        "under_way": under_way,
        "period_kinds": [(kind, _(PERIOD_NAMES[kind])) for kind in PERIOD_KINDS],
        "month_value": f"{period.last.year:04d}-{period.last.month:02d}",
        "current_month": views.this_month(now, zone).isoformat()[:7],
        "texts": texts,
        "section_title": views.section_title,
    }


def _heat_rows(heat_map: list[list[int]]) -> tuple[list[tuple[str, list[tuple[int, int]]]], int]:
    most = max((count for hours in heat_map for count in hours), default=0)
    names = views.weekday_names()
    rows = [
        (names[day], [(count, views.heat_level(count, most)) for count in hours])
        for day, hours in enumerate(heat_map)
    ]
    return rows, most


def _dashboard_context(figures: TeamFigures, buckets: list[Bucket], now: datetime) -> dict:
    current, previous = figures.current, figures.previous
    heat_rows, most = _heat_rows(current.alerts.heat_map)
    return {
        **_period_context(current.period, current.under_way, figures.timezone, now),
        "figures": figures,
        "summary": views.compared(views.TEAM_SUMMARY, side_of(current), side_of(previous)),
        "charts": [
            charts.response_chart(current.alerts, previous.alerts),
            charts.timeline_chart(current.period.kind, buckets),
            charts.load_chart(current.people),
        ],
        "heat_rows": heat_rows,
        "heat_most": most,
        "by_time": current.problems_by_time,
        "before": {person.user_id: person for person in previous.people},
        "rule_name": views.rule_name,
        "tables": list(TABLES),
    }


class FiguresController(Controller):
    include_in_schema = False
    guards = [requires_login]

    @get("/teams/{team_id:int}/figures")
    async def dashboard(
        self,
        request: HTMXRequest,
        db: Db,
        clock: Now,
        team_id: FromPath[int],
        period: FromQuery[str | None] = None,
        month: FromQuery[str | None] = None,
    ) -> Response:
        """A team's figures over a period, beside the previous one (its managers, admins)."""
        team = managed_team(request, db, team_id)
        now = clock.now()
        chosen = views.checked_period(period, month, team.timezone, now)

        def render() -> tuple[str, datetime]:
            figures = team_figures(db, team, chosen, now)
            context = _dashboard_context(figures, _timeline(db, team, chosen, now), now)
            context.update(area="team", team=team, teams=managed_teams(request, db))
            html = render_page(request, "metrics/dashboard.html", context)
            return html, fresh_until(figures.current.under_way, team.timezone, now)

        return kept_page(request, db, now, render)

    @get("/teams/{team_id:int}/figures/{table:str}")
    async def table(
        self,
        request: Request,
        db: Db,
        clock: Now,
        team_id: FromPath[int],
        table: FromPath[str],
        period: FromQuery[str | None] = None,
        month: FromQuery[str | None] = None,
    ) -> Response:
        """One table of the dashboard as CSV: summary, people, heat_map, problems, rest or
        timeline, `.csv` after its name."""
        team = managed_team(request, db, team_id)
        name = table.removesuffix(".csv")
        if not table.endswith(".csv") or name not in TABLES:
            raise NotFound(_("There is no such table of figures."))
        now = clock.now()
        chosen = views.checked_period(period, month, team.timezone, now)
        figures = team_figures(db, team, chosen, now)
        return Response(
            content=table_csv(name, figures, _timeline(db, team, chosen, now)),
            media_type="text/csv",
            headers={
                "content-disposition": f'attachment; filename="{file_name(name, figures)}"',
                "cache-control": "private, no-store",
            },
        )

    @get("/figures")
    async def own(
        self,
        request: HTMXRequest,
        db: Db,
        clock: Now,
        period: FromQuery[str | None] = None,
        month: FromQuery[str | None] = None,
    ) -> Response:
        """A person's own figures over all their teams, in their own time zone."""
        me = request.user
        now = clock.now()
        chosen = views.checked_period(period, month, me.timezone, now)

        def render() -> tuple[str, datetime]:
            team_ids = [team.id for team, _role in teams_of(db, me.id)]
            figures = own_figures(db, me, team_ids, me.timezone, chosen, now)
            current = views.Side(figures.alerts, [figures.load])
            previous = views.Side(figures.previous_alerts, [figures.previous_load])
            under_way = is_under_way(chosen, me.timezone, now)
            context = {
                **_period_context(chosen, under_way, me.timezone, now),
                "area": "schedule",
                "own": figures,
                "summary": views.compared(views.OWN_SUMMARY, current, previous),
                "charts": [charts.response_chart(figures.alerts, figures.previous_alerts)],
                "managed": managed_teams(request, db) if me.is_manager else [],
            }
            html = render_page(request, "metrics/own.html", context)
            return html, fresh_until(under_way, me.timezone, now)

        return kept_page(request, db, now, render)
