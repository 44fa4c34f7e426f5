"""The one computation of the satisfaction results: a team's (or a person's) month with the
month before, each person's, the twelve months to it, and the month's comments. The pages, the
CSV and the figures dashboard read these, so their numbers agree."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from server.clock import from_db
from server.db import Database
from server.models import Value
from server.surveys.results_rules import (
    Answer,
    Satisfaction,
    SatisfactionFigures,
    month_start,
    months_ending,
    satisfaction,
    satisfaction_figures,
)
from server.surveys.store import results as store

MONTHS_SHOWN = 12


class PersonSatisfaction(Value, kw_only=True):
    user_id: int
    name: str
    current: Satisfaction
    previous: Satisfaction


class MonthSatisfaction(Value, kw_only=True):
    month: str
    satisfaction: Satisfaction


class Results(Value, kw_only=True):
    """A team's (or one person's) satisfaction for `month`."""

    month: str
    previous_month: str
    current: Satisfaction
    previous: Satisfaction
    people: list[PersonSatisfaction]
    months: list[MonthSatisfaction]
    comments: list[Answer]  # the month's answers with a comment, newest first


def current_month(now: datetime, zone: str) -> str:
    return now.astimezone(ZoneInfo(zone)).strftime("%Y-%m")


def _span(months: list[str], zone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    first = month_start(months[0])
    last = month_start(months[-1])
    after = (
        last.replace(year=last.year + 1, month=1)
        if last.month == 12
        else last.replace(month=last.month + 1)
    )
    start = datetime(first.year, first.month, 1, tzinfo=tz)
    return start, datetime(after.year, after.month, 1, tzinfo=tz)


def _answers(rows: list[dict], zone: str) -> list[Answer]:
    tz = ZoneInfo(zone)
    found = []
    for row in rows:
        at = from_db(row["at"])
        found.append(
            Answer(
                user_id=row["user_id"],
                user_name=row["user_name"],
                month=at.astimezone(tz).strftime("%Y-%m"),
                at=at,
                score=row["score"],
                solved=row["solved"],
                comment=row["comment"],
                channel=row["channel"],
                client_name=row["client_name"],
            )
        )
    return found


def _results(answers: list[Answer], months: list[str]) -> Results:
    month, before = months[-1], months[-2]
    this = [a for a in answers if a.month == month]
    last = [a for a in answers if a.month == before]
    names = {a.user_id: a.user_name for a in this + last}
    people = [
        PersonSatisfaction(
            user_id=user_id,
            name=name,
            current=satisfaction(a for a in this if a.user_id == user_id),
            previous=satisfaction(a for a in last if a.user_id == user_id),
        )
        for user_id, name in sorted(names.items(), key=lambda item: item[1].lower())
    ]
    return Results(
        month=month,
        previous_month=before,
        current=satisfaction(this),
        previous=satisfaction(last),
        people=people,
        months=[
            MonthSatisfaction(
                month=m, satisfaction=satisfaction(a for a in answers if a.month == m)
            )
            for m in months
        ],
        comments=[a for a in this if a.comment],
    )


def team_results(database: Database, team_id: int, zone: str, month: str) -> Results:
    months = months_ending(month, MONTHS_SHOWN)
    start, end = _span(months, zone)
    return _results(_answers(store.team_answers(database, team_id, start, end), zone), months)


def own_results(database: Database, user_id: int, zone: str, month: str) -> Results:
    """A person's own answers, all their teams together, in their own zone."""
    months = months_ending(month, MONTHS_SHOWN)
    start, end = _span(months, zone)
    return _results(_answers(store.person_answers(database, user_id, start, end), zone), months)


def period_satisfaction(
    database: Database,
    team_ids: list[int],
    start: datetime,
    end: datetime,
    *,
    user_id: int | None = None,
) -> SatisfactionFigures:
    """The figures dashboard's satisfaction over [start, end): the same answers and rule as the
    satisfaction pages, over the dashboard's period."""
    rows = store.teams_answers(database, team_ids, start, end, user_id)
    return satisfaction_figures(_answers(rows, "UTC"))
