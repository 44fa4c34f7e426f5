"""Training sessions, written: record, change and delete one, each checked then written in one
transaction with its audit entries; a session that grants a qualification writes each
attendee's holding (obtained on the session's day, expiring after the validity) with it."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from functools import partial

from server.audit.models import Actor
from server.audit.store import record, record_change
from server.db import Database
from server.training import store
from server.training.models import SessionInput, TrainingSession
from server.training.rules import granted, session_input

_audit = partial(record_change, entity_type="training_session")


def _checked(
    database: Database,
    values: Mapping[str, object],
    attendee_ids: Sequence[str],
    people: Collection[int],
    today: date,
) -> SessionInput:
    catalogue = {row["id"] for row in store.qualification_catalogue(database)}
    return session_input(values, attendee_ids, people=people, qualifications=catalogue, today=today)


def _grant(database: Database, session: TrainingSession, actor: Actor, now: datetime) -> None:
    """Each attendee's holding of the session's qualification, obtained on its day; audited
    per person (their holding is theirs to read on the qualifications pages)."""
    if session.qualification_id is None:
        return
    validity = store.validity_months(database, session.qualification_id)
    ids = [a.user_id for a in session.attendees]
    held = store.holdings(database, session.qualification_id, ids)
    for user_id in ids:
        row_id, before = held.get(user_id, (None, None))
        after = granted(before, session.held_on, validity)
        if after is None:
            continue
        row_id = store.write_holding(database, user_id, session.qualification_id, after, now)
        record(
            database,
            at=now,
            actor=actor,
            action="person_qualification.training",
            entity_type="person_qualification",
            entity_id=row_id,
            before=None if before is None else {"user_id": user_id, **_dates(before)},
            after={"user_id": user_id, "session_id": session.id, **_dates(after)},
        )


def _dates(holding) -> dict:
    return {
        "obtained_on": holding.obtained_on.isoformat() if holding.obtained_on else None,
        "expires_on": holding.expires_on.isoformat() if holding.expires_on else None,
    }


def create_session(
    database: Database,
    team_id: int,
    values: Mapping[str, object],
    attendee_ids: Sequence[str],
    *,
    people: Collection[int],
    today: date,
    actor: Actor,
    now: datetime,
) -> TrainingSession:
    with database.write():
        data = _checked(database, values, attendee_ids, people, today)
        session_id = store.insert_session(database, team_id, data, by=actor.user_id, now=now)
        created = store.get_session(database, session_id)
        _audit(database, "training_session.create", actor, now, after=created)
        _grant(database, created, actor, now)
    return created


def edit_session(
    database: Database,
    session_id: int,
    values: Mapping[str, object],
    attendee_ids: Sequence[str],
    *,
    people: Collection[int],
    today: date,
    actor: Actor,
    now: datetime,
) -> TrainingSession:
    """Change a session. Its attendees from teams the writer does not manage stay nameable
    (a colleague who manages them added them); a grant moves holdings forward only, and one
    already written stays when the session changes (README, "Training")."""
    with database.write():
        before = store.get_session(database, session_id)
        allowed = set(people) | {a.user_id for a in before.attendees}
        if before.trainer_id is not None:
            allowed.add(before.trainer_id)
        data = _checked(database, values, attendee_ids, allowed, today)
        store.update_session(database, session_id, data, now)
        after = store.get_session(database, session_id)
        _audit(database, "training_session.update", actor, now, before=before, after=after)
        _grant(database, after, actor, now)
    return after


def delete_session(
    database: Database, session_id: int, *, actor: Actor, now: datetime
) -> TrainingSession:
    with database.write():
        before = store.get_session(database, session_id)
        store.delete_session_row(database, session_id)
        _audit(database, "training_session.delete", actor, now, before=before)
    return before
