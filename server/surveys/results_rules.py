"""Satisfaction results, pure: the score (share of answers scored 4 or 5), the "problem solved"
share, and the caution when too few answered to read much into it (README, "Satisfaction
results")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import msgspec

from server.models import Value

# Scores counted as satisfied.
SATISFIED = frozenset({4, 5})
# Fewer answers than this: the page says the score says little yet.
FEW_ANSWERS = 10


class Answer(Value, kw_only=True):
    """One counted answer (its survey answered and not superseded)."""

    user_id: int
    user_name: str
    month: str  # YYYY-MM of the intervention (of the answer while it waits), team's zone
    at: datetime  # when the intervention started (the answer while it waits)
    score: int
    solved: int | None  # 1 yes, 0 no, None not said
    comment: str
    channel: str
    client_name: str  # empty for a client whose data was erased


class Satisfaction(Value, kw_only=True):
    answers: int
    satisfied: int  # scored 4 or 5
    score: float | None  # satisfied / answers; None without answers
    solved_told: int  # answers that said yes or no to "was the problem solved?"
    solved: int
    solved_share: float | None  # solved / solved_told; None when nobody said
    few: bool  # fewer than FEW_ANSWERS: read with caution


def satisfaction(answers: Iterable[Answer]) -> Satisfaction:
    scores = [(a.score, a.solved) for a in answers]
    satisfied = sum(1 for score, _s in scores if score in SATISFIED)
    told = [solved for _score, solved in scores if solved is not None]
    return Satisfaction(
        answers=len(scores),
        satisfied=satisfied,
        score=satisfied / len(scores) if scores else None,
        solved_told=len(told),
        solved=sum(told),
        solved_share=sum(told) / len(told) if told else None,
        few=len(scores) < FEW_ANSWERS,
    )


def months_ending(month: str, count: int) -> list[str]:
    """`count` months (YYYY-MM) ending with `month`, oldest first."""
    year, number = int(month[:4]), int(month[5:7])
    found = []
    for _i in range(count):
        found.append(f"{year:04d}-{number:02d}")
        year, number = (year - 1, 12) if number == 1 else (year, number - 1)
    return found[::-1]


def month_start(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def parse_month(text: str | None) -> str | None:
    """A YYYY-MM month of the address, or None when it is not one."""
    if not text or len(text) != 7 or text[4] != "-":
        return None
    try:
        month_start(text)
    except ValueError:
        return None
    return text


def no_answers() -> Satisfaction:
    return satisfaction([])


class PersonSatisfactionFigures(Value, kw_only=True):
    user_id: int
    name: str
    satisfaction: Satisfaction


class SatisfactionFigures(Value, kw_only=True):
    """Satisfaction over a period of the figures dashboard: the team's (or person's) answers
    and each person's, counted in the period their intervention started."""

    overall: Satisfaction = msgspec.field(default_factory=no_answers)
    people: list[PersonSatisfactionFigures] = []


def satisfaction_figures(answers: list[Answer]) -> SatisfactionFigures:
    names = {a.user_id: a.user_name for a in answers}
    return SatisfactionFigures(
        overall=satisfaction(answers),
        people=[
            PersonSatisfactionFigures(
                user_id=user_id,
                name=name,
                satisfaction=satisfaction(a for a in answers if a.user_id == user_id),
            )
            for user_id, name in sorted(names.items(), key=lambda item: (item[1].lower(), item[0]))
        ],
    )
