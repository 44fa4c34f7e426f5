"""The teams as the admin home lists them: who manages each, how many people, what is missing."""

from __future__ import annotations

from datetime import datetime

from server.db import Database
from server.models import Value
from server.schedules.gaps import GAP_LOOKAHEAD, coverage_gaps
from server.schedules.store import list_rotations
from server.teams.models import Team
from server.teams.store import list_teams, members


class TeamLine(Value):
    team: Team
    managers: tuple[str, ...]
    people: int
    has_rotation: bool
    # Stretches of the next four weeks with nobody on call (any level), and those only
    # unpublished drafts hold: the manage page's own figures.
    gaps: int
    unpublished: int


def team_lines(database: Database, now: datetime) -> list[TeamLine]:
    """One line per team. A few queries per team: an admin opens this page now and then, and a
    company has tens of teams, not thousands."""
    lines = []
    for team in list_teams(database):
        people = [m for m in members(database, team.id) if m.active]
        found = coverage_gaps(database, team.id, now, now + GAP_LOOKAHEAD)
        lines.append(
            TeamLine(
                team=team,
                managers=tuple(m.name for m in people if m.team_role == "manager"),
                people=len(people),
                has_rotation=any(r.active for r in list_rotations(database, team.id)),
                gaps=sum(len(layer.holes) for layer in found),
                unpublished=sum(len(layer.unpublished) for layer in found),
            )
        )
    return lines
