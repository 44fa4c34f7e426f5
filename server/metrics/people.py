"""People figures of a period (contract; implemented by the people-figures work)."""

from __future__ import annotations

from datetime import datetime

from server.db import Database
from server.metrics.models import Fairness, PersonFigures, RestHealth
from server.teams.models import Team


def people_figures(
    database: Database, team: Team, start: datetime, end: datetime, now: datetime
) -> list[PersonFigures]:
    raise NotImplementedError


def own_load(
    database: Database, user_id: int, start: datetime, end: datetime, now: datetime
) -> PersonFigures:
    raise NotImplementedError


def fairness_of(people: list[PersonFigures]) -> Fairness:
    raise NotImplementedError


def rest_health(
    database: Database,
    team: Team,
    start: datetime,
    end: datetime,
    now: datetime,
    people: list[PersonFigures],
) -> RestHealth:
    raise NotImplementedError
