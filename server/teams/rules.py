"""Pure rules about a team: its wall clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from server.teams.models import Team


def local_input(value: datetime, team: Team) -> datetime:
    """A datetime-local field is the team's wall clock."""
    if value.tzinfo is None:
        return value.replace(tzinfo=ZoneInfo(team.timezone))
    return value
