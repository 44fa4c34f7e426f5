"""Clients written: create, edit (with its sites and numbers, checked against the version the
form was opened at), delete a site, "do not ask me again", and the erasure of a client's
personal data. Each is one transaction with its audit entry.

The audit log records which fields changed and the counts of sites and numbers, never their
values: the log is kept when a client asks to be erased, and access codes never go to logs."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from server.audit.models import Actor
from server.audit.store import record_change
from server.clients.models import Client
from server.clients.rules import (
    CLIENT_FIELDS,
    ClientInput,
    PhoneInput,
    SiteInput,
    personal_strings,
)
from server.clients.store import clients as store
from server.clients.store.erasure import erase_rows
from server.db import Database
from server.errors import Conflict, InvalidInput, NotFound
from server.i18n import gettext as _


def _summary(client: Client, changed: list[str] | None = None) -> dict:
    """What the audit log keeps of a client: nothing that identifies it."""
    summary = {
        "id": client.id,
        "team_id": client.team_id,
        "version": client.version,
        "sites": len(client.sites),
        "phones": len(client.phones),
        "no_surveys": client.no_surveys,
        "erased": client.erased,
    }
    if changed is not None:
        summary["changed"] = changed
    return summary


_audit = partial(record_change, entity_type="client")


def _saved(
    database: Database,
    action: str,
    client_id: int,
    *,
    before: Client | None,
    changed: list[str] | None = None,
    actor: Actor,
    now: datetime,
) -> Client:
    """The client as the change left it, the change logged (summaries only)."""
    after = store.get_client(database, client_id)
    summary = None if before is None else _summary(before)
    _audit(database, action, actor, now, before=summary, after=_summary(after, changed))
    return after


def _changed(before: Client, data: ClientInput) -> list[str]:
    return [field for field in CLIENT_FIELDS if getattr(before, field) != getattr(data, field)]


def _check_reference(database: Database, team_id: int, data: ClientInput, own: int | None):
    if data.reference is None:
        return
    holder = store.by_reference(database, team_id, data.reference)
    if holder is not None and holder != own:
        raise InvalidInput(
            _(
                "Reference: another client of the team already has “%(reference)s”.",
                reference=data.reference,
            ),
            field="reference",
        )


def _write_sites_and_phones(
    database: Database,
    client: Client | None,
    client_id: int,
    sites: list[SiteInput],
    phones: list[PhoneInput],
    now: datetime,
) -> None:
    """Save the sites (those with an id must be this client's), then the numbers (a number's
    site must be this client's). Refused ids say so instead of touching another's site."""
    own_sites = {site.id for site in client.sites} if client else set()
    for site in sites:
        if site.id is not None and site.id not in own_sites:
            raise InvalidInput(_("Site: this site is not one of the client's."), field="site_id")
        store.save_site(database, client_id, site, now)
    for phone in phones:
        if phone.site_id is not None and phone.site_id not in own_sites:
            raise InvalidInput(_("Site: this site is not one of the client's."), field="site_id")
    store.replace_phones(database, client_id, phones)


def create_client(
    database: Database,
    team_id: int,
    data: ClientInput,
    sites: list[SiteInput],
    phones: list[PhoneInput],
    *,
    actor: Actor,
    now: datetime,
) -> Client:
    with database.write():
        _check_reference(database, team_id, data, None)
        client_id = store.insert_client(database, team_id, data, now)
        # A new client has no site yet for a number to name: numbers go unassigned.
        unassigned = [PhoneInput(number=p.number, label=p.label) for p in phones]
        _write_sites_and_phones(database, None, client_id, sites, unassigned, now)
        store.refresh_search(database, client_id)
        return _saved(database, "client.create", client_id, before=None, actor=actor, now=now)


def _current(database: Database, client_id: int, version: int | None) -> Client:
    client = store.get_client(database, client_id)
    if client.erased:
        raise Conflict(_("This client's data was erased: it cannot be changed."))
    if version is not None and version != client.version:
        raise Conflict(
            _(
                "Someone changed this client after you opened the form. Reload it to see the "
                "changes, then make yours again."
            )
        )
    return client


def update_client(
    database: Database,
    client_id: int,
    version: int | None,
    data: ClientInput,
    sites: list[SiteInput],
    phones: list[PhoneInput],
    *,
    actor: Actor,
    now: datetime,
) -> Client:
    """Save the client's fields, its sites (new ones added, listed ones changed, none deleted:
    that is explicit) and its numbers (the list replaces the old one). `version` None: the
    caller matched the client otherwise (a CSV import)."""
    with database.write():
        before = _current(database, client_id, version)
        _check_reference(database, before.team_id, data, client_id)
        changed = _changed(before, data)
        store.update_client_row(database, client_id, data, now)
        _write_sites_and_phones(database, before, client_id, sites, phones, now)
        store.refresh_search(database, client_id)
        after = store.get_client(database, client_id)
        if after.sites != before.sites:
            changed.append("sites")
        if after.phones != before.phones:
            changed.append("phones")
        _audit(
            database,
            "client.update",
            actor,
            now,
            before=_summary(before),
            after=_summary(after, changed),
        )
    return after


def delete_site(
    database: Database, client_id: int, site_id: int, *, actor: Actor, now: datetime
) -> Client:
    with database.write():
        before = _current(database, client_id, None)
        if site_id not in {site.id for site in before.sites}:
            raise NotFound(_("This site does not exist (it may have been deleted)."))
        store.delete_site_row(database, client_id, site_id)
        store.touch(database, client_id, now)
        store.refresh_search(database, client_id)
        return _saved(
            database,
            "client.site.delete",
            client_id,
            before=before,
            changed=["sites"],
            actor=actor,
            now=now,
        )


def set_no_surveys(
    database: Database, client_id: int, flag: bool, *, actor: Actor, now: datetime
) -> Client:
    """ "Do not ask me again", set or lifted; the same state again writes nothing."""
    with database.write():
        before = _current(database, client_id, None)
        if before.no_surveys == flag:
            return before
        store.set_no_surveys_row(database, client_id, flag, now)
        return _saved(
            database,
            "client.no_surveys",
            client_id,
            before=before,
            changed=["no_surveys"],
            actor=actor,
            now=now,
        )


def erase_client(database: Database, client_id: int, *, actor: Actor, now: datetime) -> Client:
    """Erase the client's personal data (GDPR, on request): the row stays as "#id" so its
    interventions, calls and survey scores still count, anonymously. Once only."""
    with database.write():
        before = _current(database, client_id, None)
        secrets = personal_strings(
            before.name,
            before.contact_name,
            before.email,
            [phone.number for phone in before.phones],
            [part for site in before.sites for part in (site.name, site.address)],
        )
        erase_rows(database, before, secrets, now)
        return _saved(database, "client.erase", client_id, before=before, actor=actor, now=now)
