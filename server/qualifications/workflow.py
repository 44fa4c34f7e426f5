"""Changes to qualifications, each one transaction with its audit entry: the catalogue (admins),
a person's holdings and certificate (their managers; the person adds a certificate), and what
rotations and shifts require (the team's managers)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from server.audit.models import Actor
from server.audit.store import record
from server.db import Database
from server.errors import Conflict, InvalidInput
from server.i18n import gettext as _
from server.qualifications import documents, rules, store
from server.qualifications.models import Holding, Qualification, QualificationForm


def save_qualification(
    database: Database,
    form: QualificationForm,
    *,
    qualification_id: int = 0,
    actor: Actor,
    now: datetime,
) -> Qualification:
    """Add to the catalogue (id 0) or change an entry."""
    with database.write():
        if store.named(database, form.name, other_than=qualification_id):
            raise Conflict(
                _("The catalogue already has a qualification of this name."), field="name"
            )
        before = store.get_qualification(database, qualification_id) if qualification_id else None
        if before is None:
            qualification_id = store.insert_qualification(
                database, form.name, form.description, form.validity_months, now
            )
        else:
            store.update_qualification(
                database, qualification_id, form.name, form.description, form.validity_months, now
            )
        after = store.get_qualification(database, qualification_id)
        record(
            database,
            at=now,
            actor=actor,
            action="qualification.update" if before else "qualification.create",
            entity_type="qualification",
            entity_id=qualification_id,
            before=before,
            after=after,
        )
    return after


def delete_qualification(
    database: Database, qualification_id: int, *, data_dir: Path, actor: Actor, now: datetime
) -> None:
    """Remove from the catalogue, with every holding and requirement of it; the certificates'
    files once that is written."""
    with database.write():
        before = store.get_qualification(database, qualification_id)
        files = store.document_paths_of(database, qualification_id)
        store.delete_qualification(database, qualification_id)
        record(
            database,
            at=now,
            actor=actor,
            action="qualification.delete",
            entity_type="qualification",
            entity_id=qualification_id,
            before=before,
        )
    for relative in files:
        documents.discard(data_dir, relative)


def save_holding(
    database: Database,
    user_id: int,
    qualification_id: int,
    obtained_on: date,
    expires_on: date | None,
    *,
    actor: Actor,
    now: datetime,
) -> Holding:
    """Record or renew what a person holds; the expiry defaults to obtained + validity. A
    renewed holding (new expiry) gets its own reminders: they are kept per expiry date."""
    with database.write():
        qualification = store.get_qualification(database, qualification_id)
        if expires_on is None:
            expires_on = rules.default_expiry(obtained_on, qualification.validity_months)
        if expires_on is not None and expires_on < obtained_on:
            raise InvalidInput(
                _("The expiry date must not be before the date obtained."), field="expires_on"
            )
        before = store.holding_of(database, user_id, qualification_id)
        holding_id = store.save_holding(
            database, user_id, qualification_id, obtained_on, expires_on, now
        )
        after = store.get_holding(database, holding_id)
        record(
            database,
            at=now,
            actor=actor,
            action="holding.save",
            entity_type="person_qualification",
            entity_id=holding_id,
            before=before,
            after=after,
        )
    return after


def attach_document(
    database: Database,
    holding: Holding,
    content: bytes,
    filename: str,
    *,
    data_dir: Path,
    max_bytes: int,
    margin: int,
    actor: Actor,
    now: datetime,
) -> Holding:
    """The certificate checked, written whole, then the row in one transaction; the file
    removed again when the transaction fails, and the one it replaces once it succeeded."""
    media, extension = documents.check(
        content, max_bytes=max_bytes, data_dir=data_dir, margin=margin
    )
    relative = documents.write(content, data_dir=data_dir, extension=extension)
    name = Path(filename or f"document.{extension}").name[:120] or f"document.{extension}"
    try:
        with database.write():
            old = store.document_path(database, holding.id)
            store.set_document(database, holding.id, relative, name, media, len(content), now)
            record(
                database,
                at=now,
                actor=actor,
                action="holding.document",
                entity_type="person_qualification",
                entity_id=holding.id,
                after={"name": name, "type": media, "size": len(content)},
            )
    except BaseException:
        documents.discard(data_dir, relative)
        raise
    documents.discard(data_dir, old)
    return store.get_holding(database, holding.id)


def delete_holding(
    database: Database, holding: Holding, *, data_dir: Path, actor: Actor, now: datetime
) -> None:
    with database.write():
        old = store.document_path(database, holding.id)
        store.delete_holding(database, holding.id)
        record(
            database,
            at=now,
            actor=actor,
            action="holding.delete",
            entity_type="person_qualification",
            entity_id=holding.id,
            before=holding,
        )
    documents.discard(data_dir, old)


def set_rotation_requirements(
    database: Database,
    team_id: int,
    pairs: Iterable[tuple[int, int]],
    *,
    actor: Actor,
    now: datetime,
) -> None:
    """Which of the team's rotations require which qualifications, replaced."""
    with database.write():
        known = {q.id for q in store.catalogue(database)}
        rotations = {r["id"] for r in store.team_rotations(database, team_id)}
        chosen = sorted({p for p in pairs if p[0] in known and p[1] in rotations})
        before = sorted(store.rotation_pairs(database, team_id))
        store.replace_rotation_pairs(database, team_id, chosen)
        record(
            database,
            at=now,
            actor=actor,
            action="qualifications.rotations",
            entity_type="team",
            entity_id=team_id,
            team_id=team_id,
            before={"rotations": before},
            after={"rotations": chosen},
        )


def set_shift_requirements(
    database: Database,
    team_id: int,
    shift_id: int,
    ids: Iterable[int],
    *,
    actor: Actor,
    now: datetime,
) -> None:
    """What a shift requires of its own (besides its rotation's), replaced."""
    with database.write():
        known = {q.id for q in store.catalogue(database)}
        chosen = sorted(set(ids) & known)
        before = sorted(store.own_requirement_ids(database, shift_id))
        store.replace_shift_requirements(database, shift_id, chosen)
        record(
            database,
            at=now,
            actor=actor,
            action="shift.qualifications",
            entity_type="shift",
            entity_id=shift_id,
            team_id=team_id,
            before={"qualifications": before},
            after={"qualifications": chosen},
        )
