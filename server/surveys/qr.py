"""The survey as a QR code the technician shows, offline if need be (README, "The survey as a
QR code"): the phone's pool of pre-issued tokens, the client's answer to one, and the binding
of a token to an intervention that the phone's sync brings; whichever of the answer and the
binding comes second joins them, in its own transaction, so an answer counts once."""

from __future__ import annotations

import logging
from datetime import datetime

import segno

from server.clock import from_db, to_db
from server.db import Database
from server.errors import NotFound
from server.i18n import gettext as _
from server.surveys.answers import pass_on_answer
from server.surveys.qr_rules import (
    ANSWER_WINDOW,
    TOKEN_LIFE,
    SurveyState,
    TokenState,
    judge_answer,
    judge_join,
    to_issue,
    use_by,
)
from server.surveys.store import qr as store
from server.tokens import hash_token, new_token

log = logging.getLogger("astreinte.surveys")


def qr_svg(url: str) -> str:
    """The link as a QR code in SVG, drawn once here so the phone needs no QR library."""
    code = segno.make(url, error="m")
    return code.svg_inline(scale=6, dark="#000", light="#fff", border=2, omitsize=False)


def refill_pool(
    database: Database, user_id: int, held: list[int], base_url: str, now: datetime
) -> dict:
    """Which of the tokens a phone holds it may still show, and new ones to fill its pool.
    A new token's link and QR code are given once: only their hash is kept."""
    if not store.team_ids_of(database, user_id):
        return {"kept": [], "tokens": []}
    # A held token stays usable while a client who scans it would have its whole time to
    # answer (use_by); older ones are left to expire.
    shown_until = now + ANSWER_WINDOW
    kept = store.fresh_ids(database, user_id, held[:100], shown_until)
    if not to_issue(len(kept), store.outstanding(database, user_id, now)):
        # Most openings of the form: the pool is full, nothing is written (so no page copy
        # kept for anyone is emptied by it).
        return {"kept": kept, "tokens": []}
    expires = now + TOKEN_LIFE
    with database.write():
        # Again under the write lock: another phone of the person may have taken some.
        kept = store.fresh_ids(database, user_id, held[:100], shown_until)
        count = to_issue(len(kept), store.outstanding(database, user_id, now))
        issued = []
        for _i in range(count):
            raw = new_token(16)  # 128 bits
            issued.append(
                (store.insert_token(database, user_id, hash_token(raw), now, expires), raw)
            )
    # Drawn once the lock is let go: a few milliseconds a code.
    tokens = []
    for token_id, raw in issued:
        url = f"{base_url}/s/q/{raw}"
        tokens.append(
            {"id": token_id, "url": url, "svg": qr_svg(url), "use_by": to_db(use_by(expires))}
        )
    return {"kept": kept, "tokens": tokens}


# The client's answer -------------------------------------------------------------------------


def exists(database: Database, raw: str) -> bool:
    return len(raw) <= 100 and store.token_by_hash(database, hash_token(raw)) is not None


def _token(database: Database, raw: str) -> dict:
    found = store.token_by_hash(database, hash_token(raw)) if len(raw) <= 100 else None
    if found is None:
        raise NotFound(_("This survey link does not exist."))
    return found


def _state(token: dict) -> TokenState:
    return TokenState(
        expires_at=token["expires_at"],
        used=token["used_at"] is not None,
        bound=token["intervention_uuid"] is not None,
    )


def _where(database: Database, token: dict) -> tuple[dict | None, SurveyState | None]:
    """The bound intervention as the server has it, and its survey if it has one."""
    if token["intervention_uuid"] is None:
        return None, None
    found = store.intervention(database, token["intervention_uuid"])
    planned = None if found is None else store.survey_of(database, found["id"])
    return found, None if planned is None else SurveyState(**planned)


def survey_page(database: Database, raw: str, now: datetime) -> dict:
    """What the public page shows: whether it can still be answered, the technician's first
    name, the intervention's date when known, and the client's language when known."""
    token = _token(database, raw)
    found, planned = _where(database, token)
    verdict = judge_answer(_state(token), planned, intervention_known=found is not None, now=now)
    client = None if found is None else found["client_id"]
    return {
        "state": verdict if verdict in ("already", "expired") else "open",
        "first_name": store.first_name(database, token["user_id"]),
        "day": None if found is None else from_db(found["started_at"]),
        "locale": store.client_locale(database, client),
    }


def record_answer(database: Database, raw: str, answer: dict, now: datetime) -> str:
    """The client's answer to a token, once: 'answered', or why not ('already', 'expired')."""
    with database.write():
        token = _token(database, raw)
        found, planned = _where(database, token)
        verdict = judge_answer(
            _state(token), planned, intervention_known=found is not None, now=now
        )
        if verdict in ("already", "expired"):
            return verdict
        if verdict == "onto_survey":
            store.answer_survey(database, planned.id, answer, to_db(now))
            survey_id = planned.id
        elif verdict == "new_for_intervention":
            survey_id = store.insert_answered(
                database,
                team_id=found["team_id"] or _provisional_team(database, token["user_id"]),
                user_id=token["user_id"],
                client_id=found["client_id"],
                intervention_id=found["id"],
                intervention_uuid=found["uuid"],
                answer=answer,
                now=now,
            )
        else:  # waiting: the phone has not synced the intervention it showed this token for
            survey_id = store.insert_answered(
                database,
                team_id=_provisional_team(database, token["user_id"]),
                user_id=token["user_id"],
                client_id=None,
                intervention_id=None,
                intervention_uuid=None,
                answer=answer,
                now=now,
            )
        store.mark_used(database, token["id"], survey_id, now)
        if verdict != "waiting":
            # A low score to the managers, a 5 with a comment to the technician (as a link's
            # answer); an answer still waiting is passed on when it joins its intervention.
            pass_on_answer(database, survey_id, now)
    return "answered"


def _provisional_team(database: Database, user_id: int) -> int:
    """The team an answer waiting for its intervention counts in until the binding comes:
    the technician's first (the intervention's own replaces it when they join)."""
    teams = store.team_ids_of(database, user_id)
    if not teams:
        raise NotFound(_("This survey link does not exist."))
    return teams[0]


# The phone's binding, brought by the intervention's sync ------------------------------------


def bind_tokens(database: Database, user_id: int, bindings: list[tuple[str, int]], now) -> None:
    """(intervention uuid, token id) pairs the phone sent with its interventions, in the sync's
    transaction after the interventions are written. A token binds once, to one intervention
    of its own person; anything else is ignored (the intervention itself is kept)."""
    for uuid, token_id in bindings:
        token = store.token_by_id(database, token_id)
        if token is None or token["user_id"] != user_id:
            log.warning("survey token %s is not %s's: not bound to %s", token_id, user_id, uuid)
            continue
        if token["intervention_uuid"] is not None or store.token_bound_to(database, uuid):
            continue  # bound before (a replay, or a second code shown for it): the first stays
        found = store.intervention(database, uuid)
        if found is None or found["user_id"] != user_id:
            continue
        store.bind_token(database, token_id, uuid, now)
        _join(database, token, found, now)


def _join(database: Database, token: dict, found: dict, now: datetime) -> None:
    waiting = None if token["survey_id"] is None else store.survey(database, token["survey_id"])
    planned = store.survey_of(database, found["id"])
    verdict = judge_join(
        None if waiting is None else SurveyState(id=waiting["id"], status=waiting["status"]),
        None if planned is None else SurveyState(**planned),
    )
    if verdict == "attach":
        store.attach_survey(database, waiting["id"], found)
        pass_on_answer(database, waiting["id"], now)
    elif verdict == "merge":
        store.delete_survey(database, waiting["id"])
        store.answer_survey(
            database,
            planned["id"],
            {k: waiting[k] for k in ("score", "solved", "comment")},
            waiting["answered_at"],
        )
        store.point_token(database, token["id"], planned["id"])
        pass_on_answer(database, planned["id"], now)
    elif verdict == "superseded":
        store.set_survey_status(database, waiting["id"], "cancelled")
