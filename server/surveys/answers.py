"""A client's answer through their link: the survey it opens, the answer recorded once (a low
score told to the team's managers, a 5 with a comment to the technician, in the same
transaction), and "do not ask me again"."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, NamedTuple

from server.audit.models import Actor
from server.audit.store import record
from server.db import Database
from server.notifications.store import notify
from server.surveys import rules
from server.surveys.store import answers as store
from server.tokens import hash_token

LOW_SCORE_KIND = "survey_low_score"
PRAISE_KIND = "survey_praise"
# What a notification quotes of a comment (a push carries little); the page has it all.
QUOTED = 300

State = Literal["open", "answered", "closed", "unknown"]


class Opened(NamedTuple):
    state: State
    survey: dict | None


class Answer(NamedTuple):
    score: int
    solved: bool | None
    comment: str


def open_link(database: Database, token: str, now: datetime) -> Opened:
    """What a link leads to: the survey to answer, one already answered, one closed (expired,
    cancelled), or nothing."""
    survey = store.survey_of_link(database, hash_token(token)) if token else None
    if survey is None:
        return Opened("unknown", None)
    if survey["status"] == "answered":
        return Opened("answered", survey)
    expired = any(
        value is not None and now >= datetime.fromisoformat(value)
        for value in (survey["link_expires_at"], survey["expires_at"])
    )
    if survey["status"] not in ("scheduled", "sent") or expired:
        return Opened("closed", survey)
    return Opened("open", survey)


def answer_survey(database: Database, token: str, answer: Answer, now: datetime) -> Opened:
    """Records the answer if the link's survey still waits for one; the state it was found in
    otherwise (answered twice, expired, unknown), nothing written."""
    with database.write():
        opened = open_link(database, token, now)
        if opened.state != "open" or opened.survey is None:
            return opened
        survey = opened.survey
        comment = rules.clean_comment(answer.comment)
        if not store.save_answer(
            database,
            survey["survey_id"],
            score=answer.score,
            solved=answer.solved,
            comment=comment,
            now=now,
        ):
            return Opened("answered", survey)
        pass_on(database, survey, answer.score, comment, now)
    return Opened("open", survey)


def pass_on(database: Database, survey: dict, score: int, comment: str, now: datetime) -> None:
    """A score of 1 or 2 notifies the team's managers to follow it up; a 5 with a comment
    reaches the technician. Inside the caller's transaction. Nothing of the site (no access
    codes): the client's name, the day, the score and the comment. Also for answers given
    another way (the QR code)."""
    params = {
        # Ids too, so that erasing the client (GDPR) finds the notifications that quote it.
        "survey_id": survey["survey_id"],
        "client_id": survey.get("client_id"),
        "score": score,
        "client": survey.get("client_name") or "",
        "technician": survey.get("technician") or "",
        "date": survey.get("started_at") or "",
        "comment": comment[:QUOTED],
    }
    url = (
        f"/interventions/{survey['intervention_uuid']}" if survey.get("intervention_uuid") else "/"
    )
    if score <= 2:
        for manager in store.managers_of(database, survey["team_id"]):
            # Normal urgency: a follow-up for the working day, not a page that wakes anyone.
            notify(database, manager, LOW_SCORE_KIND, params, now=now, url=url, urgency="normal")
    elif score == 5 and comment:
        notify(database, survey["user_id"], PRAISE_KIND, params, now=now, url=url, urgency="low")


def stop_asking(database: Database, token: str, now: datetime) -> Opened:
    """ "Do not ask me again" from any link of the client's, even after answering or once it
    expired: kept on the client (audited), their waiting surveys cancelled."""
    with database.write():
        survey = store.survey_of_link(database, hash_token(token)) if token else None
        if survey is None or survey["client_id"] is None:
            return Opened("unknown", None)
        if store.stop_asking(database, survey["client_id"], now):
            record(
                database,
                at=now,
                actor=Actor(label="client (survey link)"),
                action="client.no_surveys",
                entity_type="client",
                entity_id=survey["client_id"],
                team_id=survey["team_id"],
                before={"no_surveys": False},
                after={"no_surveys": True},
            )
    return Opened("closed", survey)


def pass_on_answer(database: Database, survey_id: int, now: datetime) -> None:
    """`pass_on` for an answer recorded another way (the QR code page), by the survey's id,
    inside the caller's transaction."""
    survey = store.answered_survey(database, survey_id)
    if survey is not None:
        pass_on(database, survey, survey["score"], survey["comment"], now)
