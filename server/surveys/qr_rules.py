"""The QR survey's rules, decided before anything is written: how big a phone's pool is, how
long a token lasts, and where a client's answer or a phone's binding goes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

import msgspec

# Tokens a phone keeps ready: enough for a day of interventions with no network.
POOL_SIZE = 5
# A person's tokens neither bound nor answered, whatever the number of their phones: a phone
# that lost its storage gets new ones, but nobody piles up answer slips.
MAX_OUTSTANDING = 20
# A token lives 30 days; the phone shows one only while 14 remain, so a client who scans it
# has at least the SMS link's 14 days to answer.
TOKEN_LIFE = timedelta(days=30)
ANSWER_WINDOW = timedelta(days=14)


def use_by(expires_at: datetime) -> datetime:
    """The last moment the phone may still show a token."""
    return expires_at - ANSWER_WINDOW


def to_issue(fresh_held: int, outstanding: int) -> int:
    """How many new tokens a phone that still holds `fresh_held` usable ones gets."""
    return max(0, min(POOL_SIZE - fresh_held, MAX_OUTSTANDING - outstanding))


class TokenState(msgspec.Struct, frozen=True, kw_only=True):
    expires_at: datetime
    used: bool
    bound: bool


class SurveyState(msgspec.Struct, frozen=True, kw_only=True):
    """The intervention's survey (the one sent by SMS or e-mail, or an earlier QR answer)."""

    id: int
    status: str


AnswerVerdict = Literal["already", "expired", "onto_survey", "new_for_intervention", "waiting"]


def judge_answer(
    token: TokenState, survey: SurveyState | None, *, intervention_known: bool, now: datetime
) -> AnswerVerdict:
    """Where a client's answer to a token goes: refused when the token already answered or the
    intervention's survey was answered another way; onto the intervention's survey when the
    binding reached the server; otherwise it waits for the binding."""
    if token.used:
        return "already"
    if now >= token.expires_at:
        return "expired"
    if not token.bound or not intervention_known:
        return "waiting"
    if survey is None:
        return "new_for_intervention"
    if survey.status == "answered":
        return "already"
    return "onto_survey"


JoinVerdict = Literal["attach", "merge", "superseded", "nothing"]


def judge_join(waiting_answer: SurveyState | None, survey: SurveyState | None) -> JoinVerdict:
    """What a binding that reaches the server does with a QR answer that waited for it:
    the answer becomes the intervention's survey (attach), goes into the survey already
    planned for it (merge; that survey is then never sent), or, when the intervention's
    survey was answered first another way, stays aside and uncounted (superseded)."""
    if waiting_answer is None:
        return "nothing"
    if survey is None:
        return "attach"
    if survey.status == "answered":
        return "superseded"
    return "merge"
