"""Alert figures of a period (contract; implemented by the alert-figures work)."""

from __future__ import annotations

from datetime import datetime

from server.db import Database
from server.metrics.models import AlertFigures, Problem


def alert_figures(
    database: Database,
    team_ids: list[int],
    start: datetime,
    end: datetime,
    zone: str,
    user_id: int | None = None,
) -> AlertFigures:
    raise NotImplementedError


def recurring_problems(
    database: Database, team_id: int, start: datetime, end: datetime, limit: int = 20
) -> list[Problem]:
    raise NotImplementedError
