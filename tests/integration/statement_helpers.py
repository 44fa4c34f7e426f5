"""Helpers shared by the statements' integration tests."""

from __future__ import annotations

from datetime import datetime

from server.audit.models import Actor
from server.db import Database
from server.statements.models import Compensation, DayRates, PremiumPercents
from server.statements.store import save_compensation


def pay(database: Database, team_id: int, now: datetime) -> None:
    """1.00 € an hour on weekdays, 0.50 € more at night, a 25 % premium on night interventions."""
    save_compensation(
        database,
        team_id,
        Compensation(
            oncall_cents_per_hour=DayRates(weekday=100, saturday=150, sunday=200, holiday=250),
            oncall_night_cents_per_hour=50,
            intervention_premium_percent=PremiumPercents(night=25),
        ),
        actor=Actor(label="test"),
        now=now,
    )
