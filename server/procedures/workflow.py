"""Procedures written: a new one, a change (a new version when the text changes, the team
asked to read it again), "I have read version N", and the stale reminder to the owner. Each
is one transaction with its audit entry and notifications."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from server.audit.models import Actor
from server.audit.store import record_change
from server.db import Database
from server.errors import Conflict, InvalidInput
from server.i18n import gettext as _
from server.notifications.store import notify
from server.procedures.models import Procedure, ProcedureInput
from server.procedures.rules import default_review_on, is_stale
from server.procedures.store import procedures as store
from server.teams.models import Team
from server.teams.store import members

CHANGED_KIND = "procedure_changed"
STALE_KIND = "procedure_stale"

_audit = partial(record_change, entity_type="procedure")


def team_today(team: Team, now: datetime) -> date:
    return now.astimezone(ZoneInfo(team.timezone)).date()


def _summary(procedure: Procedure) -> dict:
    return {
        "id": procedure.id,
        "team_id": procedure.team_id,
        "version": procedure.version,
        "title": procedure.title,
        "owner_id": procedure.owner_id,
        "review_on": procedure.review_on.isoformat(),
        "tags": [f"{tag.kind}:{tag.value}" for tag in procedure.tags],
    }


def _check(database: Database, team: Team, data: ProcedureInput, today: date) -> None:
    """The owner is an active member of the team; clients and sites are the team's; the
    review date is not passed."""
    if data.owner_id is not None:
        active = {m.user_id for m in members(database, team.id) if m.active}
        if data.owner_id not in active:
            raise InvalidInput(_("The owner must be a member of the team."), field="owner_id")
    places = store.team_places(database, team.id)
    clients = {str(row["client_id"]) for row in places}
    sites = {str(row["site_id"]) for row in places if row["site_id"] is not None}
    for tag in data.tags:
        if tag.kind == "client" and tag.value not in clients:
            raise InvalidInput(_("This client is not one of the team's."), field="clients")
        if tag.kind == "site" and tag.value not in sites:
            raise InvalidInput(_("This site is not one of the team's."), field="sites")
    if data.review_on is not None and data.review_on < today:
        raise InvalidInput(_("The review date is already passed."), field="review_on")


def _ask_to_read(
    database: Database, procedure: Procedure, author_id: int | None, now: datetime
) -> int:
    """Every active member but the author is asked to read this version."""
    asked = 0
    for member in members(database, procedure.team_id):
        if not member.active or member.user_id == author_id:
            continue
        notify(
            database,
            member.user_id,
            CHANGED_KIND,
            {
                "procedure_id": procedure.id,
                "team_id": procedure.team_id,
                "title": procedure.title,
                "version": procedure.version,
            },
            now=now,
            url=f"/procedures/{procedure.id}",
        )
        asked += 1
    return asked


def create_procedure(
    database: Database,
    team: Team,
    data: ProcedureInput,
    *,
    author_id: int,
    actor: Actor,
    now: datetime,
) -> Procedure:
    """Version 1; owned by the one named (the author when none is); the team asked to read it."""
    today = team_today(team, now)
    _check(database, team, data, today)
    owner = data.owner_id if data.owner_id is not None else author_id
    review_on = data.review_on or default_review_on(today, team.policy.procedure_review_months)
    with database.write():
        procedure_id = store.insert_procedure(database, team.id, owner, review_on, now)
        store.insert_version(database, procedure_id, 1, data, author_id, now)
        store.replace_tags(database, procedure_id, data.tags)
        # The author has read what they wrote.
        store.record_read(database, procedure_id, author_id, 1, now)
        created = store.get_procedure(database, procedure_id)
        _ask_to_read(database, created, author_id, now)
        _audit(database, "procedure.create", actor, now, after=_summary(created))
    return created


def update_procedure(
    database: Database,
    procedure: Procedure,
    team: Team,
    opened_version: int | None,
    data: ProcedureInput,
    *,
    author_id: int,
    actor: Actor,
    now: datetime,
) -> Procedure:
    """A changed title or text is a new version (the previous one kept) that the team is
    asked to read; the owner, review date and tags change without one. Refused when another
    version was saved since the form was opened."""
    if opened_version is not None and opened_version != procedure.version:
        raise Conflict(
            _(
                "Someone saved version %(version)s meanwhile: open the procedure again and "
                "redo your change on it.",
                version=procedure.version,
            )
        )
    _check(database, team, data, team_today(team, now))
    new_text = (data.title, data.body) != (procedure.title, procedure.body)
    owner = data.owner_id if data.owner_id is not None else procedure.owner_id
    review_on = data.review_on or procedure.review_on
    if not new_text and (owner, review_on, set(data.tags)) == (
        procedure.owner_id,
        procedure.review_on,
        set(procedure.tags),
    ):
        return procedure
    version = procedure.version + 1 if new_text else procedure.version
    with database.write():
        if new_text:
            store.insert_version(database, procedure.id, version, data, author_id, now)
            store.record_read(database, procedure.id, author_id, version, now)
        store.update_procedure_row(database, procedure.id, version, owner, review_on, now)
        store.replace_tags(database, procedure.id, data.tags)
        after = store.get_procedure(database, procedure.id)
        if new_text:
            _ask_to_read(database, after, author_id, now)
        _audit(
            database,
            "procedure.update",
            actor,
            now,
            before=_summary(procedure),
            after=_summary(after),
        )
    return after


def mark_read(
    database: Database, procedure: Procedure, user_id: int, version: int, now: datetime
) -> bool:
    """ "I have read version N": only the current version may be said read."""
    if version != procedure.version:
        raise Conflict(
            _(
                "Version %(version)s is the current one: read it, then say so.",
                version=procedure.version,
            )
        )
    with database.write():
        return store.record_read(database, procedure.id, user_id, version, now)


def remind_stale_procedures(database: Database, now: datetime) -> int:
    """The engine's job: each procedure whose review date has passed (in its team's zone)
    reminds its owner once for that date; without an owner in the team, its managers."""
    tomorrow = now.date() + timedelta(days=1)
    sent = 0
    for row in store.stale_unreminded(database, tomorrow):
        review_on = date.fromisoformat(row["review_on"])
        today = now.astimezone(ZoneInfo(row["timezone"])).date()
        if not is_stale(review_on, today):
            continue
        team_people = [m for m in members(database, row["team_id"]) if m.active]
        owners = [m.user_id for m in team_people if m.user_id == row["owner_id"]]
        recipients = owners or [m.user_id for m in team_people if m.team_role == "manager"]
        with database.write():
            if not store.mark_reminded(database, row["id"], row["review_on"], now):
                continue
            for user_id in recipients:
                notify(
                    database,
                    user_id,
                    STALE_KIND,
                    {
                        "procedure_id": row["id"],
                        "team_id": row["team_id"],
                        "title": row["title"],
                        "review_on": row["review_on"],
                    },
                    now=now,
                    url=f"/procedures/{row['id']}",
                )
                sent += 1
    return sent
