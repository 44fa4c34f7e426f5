"""What a client form or a CSV row says, checked: values of a client, its sites and numbers, or
a clear error naming the field. Pure: no database, no clock."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping

from server.clients.models import ClientKind, Locale
from server.clients.phones import for_display, to_e164
from server.errors import InvalidInput
from server.i18n import N_
from server.i18n import gettext as _
from server.models import Value
from server.teams.models import check_timezone

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SHORT, LONG = 200, 4000
KINDS: tuple[ClientKind, ...] = ("company", "person")
LOCALES: tuple[Locale, ...] = ("fr", "en")

# The label of each field, for messages that name it (pages and CSV lines alike).
LABELS = {
    "name": N_("Name"),
    "kind": N_("Kind"),
    "email": N_("Email"),
    "contact_name": N_("Contact person"),
    "locale": N_("Language"),
    "timezone": N_("Time zone"),
    "notes": N_("Notes"),
    "reference": N_("Reference"),
    "no_surveys": N_("Do not send satisfaction surveys"),
    "site_name": N_("Site name"),
    "address": N_("Address"),
    "latitude": N_("Latitude"),
    "longitude": N_("Longitude"),
    "access_instructions": N_("Access instructions"),
    "access_codes": N_("Access codes and keys"),
    "number": N_("Phone number"),
    "label": N_("Label"),
    "site_id": N_("Site"),
}


class ClientInput(Value, kw_only=True):
    kind: ClientKind = "company"
    name: str
    email: str = ""
    contact_name: str = ""
    locale: Locale = "fr"
    timezone: str = "Europe/Paris"
    notes: str = ""
    reference: str | None = None
    no_surveys: bool = False


# The client's own columns, as stored and as an edit compares them (its sites and numbers apart).
CLIENT_FIELDS: tuple[str, ...] = ClientInput.__struct_fields__


class SiteInput(Value, kw_only=True):
    id: int | None = None  # an existing site of the client, or a new one
    name: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    # None: keep what is stored (a CSV import never carries them).
    access_instructions: str | None = None
    access_codes: str | None = None


class PhoneInput(Value, kw_only=True):
    number: str  # E.164
    label: str = ""
    site_id: int | None = None


def invalid(field: str, message: str, *, name: str | None = None) -> InvalidInput:
    """An error that names the field by its label ("Phone number: …")."""
    label = _(LABELS.get(field, field))
    return InvalidInput(
        _("%(field)s: %(problem)s", field=label, problem=message), field=name or field
    )


def text(values: Mapping[str, str], key: str, field: str, *, limit: int = SHORT) -> str:
    value = (values.get(key) or "").strip()
    if len(value) > limit:
        raise invalid(field, _("at most %(limit)s characters.", limit=limit), name=key)
    return value


def check_name(value: str, key: str = "name") -> str:
    if not value:
        raise invalid("name", _("a client needs a name."), name=key)
    return value


def check_email(value: str, key: str = "email") -> str:
    value = value.strip().lower()
    if value and (not _EMAIL.match(value) or len(value) > 254):
        raise invalid("email", _("this is not an e-mail address."), name=key)
    return value


def check_number(raw: str, key: str = "number") -> str:
    e164 = to_e164(raw)
    if e164 is None:
        raise invalid(
            "number", _("“%(number)s” is not a possible phone number.", number=raw), name=key
        )
    return e164


def check_coordinate(raw: str, key: str, field: str, limit: float) -> float | None:
    raw = raw.strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise invalid(field, _("a number in degrees, such as 45.76."), name=key) from None
    if not -limit <= value <= limit:
        raise invalid(field, _("between -%(limit)s and %(limit)s.", limit=int(limit)), name=key)
    return value


def client_input(values: Mapping[str, str], prefix: str = "") -> ClientInput:
    """The client's own fields from a form (or a CSV row: `prefix` is then empty too)."""

    def key(name: str) -> str:
        return prefix + name

    kind = (values.get(key("kind")) or "company").strip()
    if kind not in KINDS:
        raise invalid("kind", _("company or person."), name=key("kind"))
    locale = (values.get(key("locale")) or "fr").strip()
    if locale not in LOCALES:
        raise invalid("locale", _("fr or en."), name=key("locale"))
    zone = (values.get(key("timezone")) or "Europe/Paris").strip()
    try:
        check_timezone(zone)
    except ValueError:
        raise invalid("timezone", _("this time zone is unknown."), name=key("timezone")) from None
    reference = text(values, key("reference"), "reference") or None
    return ClientInput(
        kind=kind,  # type: ignore[arg-type]
        name=check_name(text(values, key("name"), "name"), key("name")),
        email=check_email(text(values, key("email"), "email"), key("email")),
        contact_name=text(values, key("contact_name"), "contact_name"),
        locale=locale,  # type: ignore[arg-type]
        timezone=zone,
        notes=text(values, key("notes"), "notes", limit=LONG),
        reference=reference,
        no_surveys=(values.get(key("no_surveys")) or "").strip().lower()
        in ("1", "true", "on", "yes", "oui"),
    )


def site_input(values: Mapping[str, str], prefix: str, *, with_access: bool) -> SiteInput | None:
    """A site's fields (`site_0_name`, …); None for a blank new row of the form."""
    raw_id = (values.get(prefix + "id") or "").strip()
    site_id = None
    if raw_id:
        if not raw_id.isdigit():
            raise invalid("site_id", _("unknown site."), name=prefix + "id")
        site_id = int(raw_id)
    name = text(values, prefix + "name", "site_name")
    address = text(values, prefix + "address", "address", limit=500)
    latitude = check_coordinate(
        values.get(prefix + "latitude") or "", prefix + "latitude", "latitude", 90
    )
    longitude = check_coordinate(
        values.get(prefix + "longitude") or "", prefix + "longitude", "longitude", 180
    )
    access = {}
    if with_access:
        access = {
            "access_instructions": text(
                values, prefix + "access_instructions", "access_instructions", limit=LONG
            ),
            "access_codes": text(values, prefix + "access_codes", "access_codes", limit=LONG),
        }
    if site_id is None and not (name or address or any(access.values())):
        return None
    if not (name or address):
        raise invalid("site_name", _("a site needs a name or an address."), name=prefix + "name")
    return SiteInput(
        id=site_id, name=name, address=address, latitude=latitude, longitude=longitude, **access
    )


def phone_input(values: Mapping[str, str], prefix: str) -> PhoneInput | None:
    """A number's fields (`phone_0_number`, …); None for a blank row."""
    raw = (values.get(prefix + "number") or "").strip()
    label = text(values, prefix + "label", "label")
    if not raw:
        return None
    raw_site = (values.get(prefix + "site_id") or "").strip()
    if raw_site and not raw_site.isdigit():
        raise invalid("site_id", _("unknown site."), name=prefix + "site_id")
    return PhoneInput(
        number=check_number(raw, prefix + "number"),
        label=label,
        site_id=int(raw_site) if raw_site else None,
    )


def numbers_in(cell: str, key: str) -> list[str]:
    """The numbers of a CSV cell, separated by ";" or "," (a comma never appears in one)."""
    return [check_number(part, key) for part in re.split(r"[;,]", cell) if part.strip()]


def unique_numbers(phones: Iterable[PhoneInput]) -> list[PhoneInput]:
    """One row per number: the first one typed wins (the table allows a number once)."""
    seen: set[str] = set()
    kept = []
    for phone in phones:
        if phone.number not in seen:
            seen.add(phone.number)
            kept.append(phone)
    return kept


def fold(value: str) -> str:
    """Lower case, accents off, spaces collapsed: what search compares."""
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def search_text(client: ClientInput, sites: Iterable[SiteInput], numbers: Iterable[str]) -> str:
    """The folded text a client is found by: its names, e-mail, reference, sites' names and
    addresses, and each number in E.164 and as dialled at home (digits only: "0612345678"),
    so "06 12", "+33 6 12" and "612" all find it. Access details are left out: search results
    are shown to every member and sent to phones."""
    parts = [client.name, client.contact_name, client.email, client.reference or ""]
    for site in sites:
        parts += [site.name, site.address]
    for number in numbers:
        parts += [digits(number), digits(for_display(number))]
    return "\n".join(fold(part) for part in parts if part)


def search_terms(query: str) -> list[str]:
    """The folded words of a search (each must be found), numbers written any way read as
    digits: "06 12 34" is one term, "0612 34" too."""
    folded = fold(query)
    if not folded:
        return []
    if re.fullmatch(r"[+\d\s().-]+", folded):
        number = digits(folded)
        return [number] if number else []
    return folded.split()


SCRUBBED = "…"


def personal_strings(
    name: str, contact: str, email: str, numbers: Iterable[str], places: Iterable[str]
) -> list[str]:
    """What identifies an erased client in free text others wrote: its names, e-mail, site
    names and addresses, and each number as phone systems write it (E.164, "0033…", as
    dialled at home with and without spaces). Longest first, so a part never hides a whole."""
    found = {name, contact, email, *places}
    for number in numbers:
        national = for_display(number)
        found.update({number, "00" + number[1:], national, digits(national)})
    return sorted((s for s in found if len(s.strip()) >= 3), key=len, reverse=True)


def scrub(value: str, secrets: list[str]) -> str:
    for secret in secrets:
        value = value.replace(secret, SCRUBBED)
    return value


def scrub_json(value: str, secrets: list[str]) -> str:
    """A JSON document with every string scrubbed (parsed, so escaping cannot hide a name)."""
    try:
        data = json.loads(value)
    except ValueError:
        return scrub(value, secrets)

    def walk(item):
        if isinstance(item, str):
            return scrub(item, secrets)
        if isinstance(item, list):
            return [walk(each) for each in item]
        if isinstance(item, dict):
            return {key: walk(each) for key, each in item.items()}
        return item

    return json.dumps(walk(data), ensure_ascii=False)
