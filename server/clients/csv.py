"""Clients and sites as one CSV file, out and in (README, "Clients and sites").

One row per site, the client's columns repeated on each of its rows (a client without a site
has one row with the site's columns empty): one file a spreadsheet sorts and filters, that a
person edits without keeping two files' ids in step. `reference` matches a row to a client
already there, so importing the file again updates instead of doubling; a client made in the
app without a reference is exported as `#id`, which matches it back.

An import is checked whole before anything is written: a row in error names its line and
field, and nothing of that file is written. Access instructions and codes are neither exported
nor imported (they stay in the app, typed by a manager)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import datetime

from server.audit.models import Actor
from server.audit.store import record
from server.clients.models import Client
from server.clients.rules import (
    ClientInput,
    PhoneInput,
    SiteInput,
    client_input,
    fold,
    numbers_in,
    site_input,
    unique_numbers,
)
from server.clients.store import clients as store
from server.db import Database
from server.errors import DomainError, InvalidInput
from server.i18n import gettext as _

CLIENT_COLUMNS = (
    "reference",
    "kind",
    "name",
    "contact_name",
    "email",
    "phones",
    "locale",
    "timezone",
    "notes",
    "no_surveys",
)
SITE_COLUMNS = ("site_name", "site_address", "site_latitude", "site_longitude", "site_phones")
COLUMNS = CLIENT_COLUMNS + SITE_COLUMNS
REQUIRED = ("reference", "name")
# Named so a file carrying them is refused rather than silently half-read.
NEVER_IMPORTED = (
    "access_instructions",
    "access_codes",
    "site_access_instructions",
    "site_access_codes",
)
MAX_ERRORS = 10


def export_csv(clients: list[Client]) -> str:
    """The team's clients (erased ones left out), one row per site; no access details."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for client in clients:
        if client.erased:
            continue
        own = [p.number for p in client.phones if p.site_id is None]
        head = [
            client.reference or f"#{client.id}",
            client.kind,
            client.name,
            client.contact_name,
            client.email,
            "; ".join(own),
            client.locale,
            client.timezone,
            client.notes,
            "1" if client.no_surveys else "0",
        ]
        if not client.sites:
            writer.writerow(head + [""] * len(SITE_COLUMNS))
        for site in client.sites:
            numbers = [p.number for p in client.phones if p.site_id == site.id]
            writer.writerow(
                [
                    *head,
                    site.name,
                    site.address,
                    "" if site.latitude is None else site.latitude,
                    "" if site.longitude is None else site.longitude,
                    "; ".join(numbers),
                ]
            )
    return "\ufeff" + out.getvalue()  # a BOM: spreadsheets then read UTF-8 accents


class ImportedClient:
    """One client of the file: its fields (from its first row), sites and numbers."""

    def __init__(self, line: int, data: ClientInput, phones: list[str]) -> None:
        self.line = line
        self.data = data
        self.phones = phones
        self.sites: list[tuple[SiteInput, list[str]]] = []
        self.raw: dict[str, str] = {}


def decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")  # an older spreadsheet's save


def _line_error(line: int, error: DomainError, column: str | None = None) -> str:
    field = column or error.field or ""
    return _(
        "Line %(line)s, column “%(field)s”: %(problem)s",
        line=line,
        field=field,
        problem=error.message,
    )


def parse_file(text: str) -> list[ImportedClient]:
    """The file's clients, checked; InvalidInput listing the first errors (line and column)."""
    sample = text[:2000]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InvalidInput(
            _("Line 1: the file needs the columns %(columns)s.", columns=", ".join(missing)),
            field="file",
        )
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        hint = ""
        if any(name in NEVER_IMPORTED for name in unknown):
            hint = " " + _("Access instructions and codes are typed in the app, never imported.")
        raise InvalidInput(
            _("Line 1: unknown columns %(columns)s.", columns=", ".join(unknown)) + hint,
            field="file",
        )
    errors: list[str] = []
    found: dict[str, ImportedClient] = {}
    for row in reader:
        line = reader.line_num
        values = {key: (value or "").strip() for key, value in row.items() if key}
        if not any(values.values()):
            continue
        try:
            _read_row(found, values, line)
        except DomainError as error:
            errors.append(_line_error(line, error))
            if len(errors) >= MAX_ERRORS:
                break
    if errors:
        raise InvalidInput("\n".join(errors), field="file")
    if not found:
        raise InvalidInput(_("The file has no client."), field="file")
    return list(found.values())


def _read_row(found: dict[str, ImportedClient], values: Mapping[str, str], line: int) -> None:
    reference = values.get("reference", "")
    if not reference:
        raise InvalidInput(
            _("every row needs the client's reference (what a later import matches it by)."),
            field="reference",
        )
    client = found.get(reference)
    if client is None:
        data = client_input(values)
        phones = numbers_in(values.get("phones", ""), "phones")
        client = found[reference] = ImportedClient(line, data, phones)
        client.raw = {name: values.get(name, "") for name in CLIENT_COLUMNS}
    else:
        # A later row of the client: its client columns are empty or the same as the first.
        for name in CLIENT_COLUMNS:
            value = values.get(name, "")
            if value and value != client.raw[name]:
                raise InvalidInput(
                    _("differs from line %(first)s, the client's first row.", first=client.line),
                    field=name,
                )
    site_values = {
        "s_name": values.get("site_name", ""),
        "s_address": values.get("site_address", ""),
        "s_latitude": values.get("site_latitude", ""),
        "s_longitude": values.get("site_longitude", ""),
    }
    try:
        site = site_input(site_values, "s_", with_access=False)
    except DomainError as error:
        column = (error.field or "").replace("s_", "site_", 1)
        raise InvalidInput(error.message, field=column) from None
    numbers = numbers_in(values.get("site_phones", ""), "site_phones")
    if site is None:
        if numbers:
            raise InvalidInput(
                _("numbers of a site need the site's name or address."), field="site_phones"
            )
        return
    client.sites.append((site, numbers))


def _match_site(existing: list, site: SiteInput, taken: set[int]) -> int | None:
    """The stored site a row describes: the same name, else the same address (folded)."""
    for key in ("name", "address"):
        wanted = fold(getattr(site, key))
        if not wanted:
            continue
        for stored in existing:
            if stored.id not in taken and fold(getattr(stored, key)) == wanted:
                return stored.id
    return None


def _resolve(database: Database, team_id: int, item: ImportedClient) -> Client | None:
    reference = item.data.reference or ""
    if reference.startswith("#") and reference[1:].isdigit():
        client = store.find_client(database, int(reference[1:]))
        if client is None or client.team_id != team_id or client.erased:
            raise InvalidInput(
                _(
                    "Line %(line)s, column “reference”: no client %(reference)s in this team.",
                    line=item.line,
                    reference=reference,
                ),
                field="file",
            )
        return client
    found = store.by_reference(database, team_id, reference)
    client = store.get_client(database, found) if found else None
    if client is not None and client.erased:
        raise InvalidInput(
            _(
                "Line %(line)s, column “reference”: this client's data was erased on request; "
                "it is not imported again.",
                line=item.line,
            ),
            field="file",
        )
    return client


def import_clients(
    database: Database, team_id: int, content: bytes, *, actor: Actor, now: datetime
) -> tuple[int, int]:
    """Apply the file in one transaction: (clients created, clients updated). Checked first;
    a refusal in the middle (a database check) undoes the whole file too."""
    items = parse_file(decode(content))
    created = updated = 0
    with database.write():
        for item in items:
            client = _resolve(database, team_id, item)
            data = item.data
            if client is not None and data.reference and data.reference.startswith("#"):
                data = ClientInput(**{**_as_dict(data), "reference": client.reference})
            if client is None:
                client_id = store.insert_client(database, team_id, data, now)
                existing: list = []
                created += 1
            else:
                client_id = client.id
                store.update_client_row(database, client_id, data, now)
                existing = list(client.sites)
                updated += 1
            taken: set[int] = set()
            phones = [PhoneInput(number=number) for number in item.phones]
            for site, numbers in item.sites:
                match = _match_site(existing, site, taken)
                site_id = store.save_site(
                    database, client_id, SiteInput(**{**_as_dict(site), "id": match}), now
                )
                taken.add(site_id)
                phones += [PhoneInput(number=number, site_id=site_id) for number in numbers]
            store.replace_phones(database, client_id, unique_numbers(phones))
            store.refresh_search(database, client_id)
            after = store.get_client(database, client_id)
            record(
                database,
                at=now,
                actor=actor,
                action="client.import",
                entity_type="client",
                entity_id=client_id,
                team_id=team_id,
                after={
                    "id": client_id,
                    "version": after.version,
                    "sites": len(after.sites),
                    "phones": len(after.phones),
                    "created": client is None,
                },
            )
    return created, updated


def _as_dict(value) -> dict:
    return {name: getattr(value, name) for name in value.__struct_fields__}
