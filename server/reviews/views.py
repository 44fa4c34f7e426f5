"""What a month's review shows, gathered once for the page and the PDF: who may read and who
may write it, the month asked for (checked), the figures against the previous month (the one
computation in server/metrics/figures.py) and the actions as that month's review shows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from server.accounts.models import CurrentUser
from server.db import Database
from server.errors import Forbidden, NotFound
from server.i18n import gettext as _
from server.metrics.figures import team_figures
from server.metrics.models import TeamFigures
from server.metrics.periods import bounds, period_of
from server.reviews import store
from server.reviews.lines import Section, sections
from server.reviews.models import ActionLine
from server.reviews.rules import review_lines
from server.statements.views import checked_month, first_of, shift_month, this_month
from server.teams.models import Member, Team
from server.teams.store import get_team, members


def readable_team(database: Database, viewer: CurrentUser, team_id: int) -> Team:
    """A team whose reviews the viewer reads: its members (what the team decided is shared
    with the team), its managers and administrators; Forbidden otherwise."""
    team = get_team(database, team_id)
    if not (viewer.manages(team_id) or team_id in viewer.team_ids):
        raise Forbidden(_("Only the team's members and managers read its service review."))
    return team


def managed_team(database: Database, viewer: CurrentUser, team_id: int) -> Team:
    """A team whose review's actions the viewer writes: its managers and administrators."""
    team = get_team(database, team_id)
    if not viewer.manages(team_id):
        raise Forbidden(_("Only the team's managers change the actions of its review."))
    return team


def review_month(month: str, now: datetime, team: Team) -> str:
    """A month of the address, YYYY-MM (400 otherwise), not after the one under way in the
    team's zone (404: nothing to review yet)."""
    checked_month(month)
    if month > this_month(now, team.timezone):
        raise NotFound(_("This month has not started yet: there is no review for it."))
    return month


def last_complete_month(now: datetime, team: Team) -> str:
    return shift_month(this_month(now, team.timezone), -1)


def today(now: datetime, team: Team) -> date:
    return now.astimezone(ZoneInfo(team.timezone)).date()


def action_lines(database: Database, team: Team, month: str, now: datetime) -> list[ActionLine]:
    start, _end = bounds(period_of("month", first_of(month)), team.timezone)
    found = store.actions_up_to(database, team.id, month, start)
    return review_lines(found, month, team.timezone, today(now, team))


@dataclass
class Review:
    team: Team
    month: str
    previous_month: str
    so_far: bool  # the month under way: its figures so far
    figures: TeamFigures
    sections: list[Section]
    actions: list[ActionLine]


def review(database: Database, team: Team, month: str, now: datetime) -> Review:
    figures = team_figures(database, team, period_of("month", first_of(month)), now)
    return Review(
        team=team,
        month=month,
        previous_month=shift_month(month, -1),
        so_far=figures.current.under_way,
        figures=figures,
        sections=sections(figures),
        actions=action_lines(database, team, month, now),
    )


def assignable(database: Database, team: Team) -> list[Member]:
    """Who the form offers to put in charge: the team's active members."""
    return [member for member in members(database, team.id) if member.active]
