"""Phone numbers as people type them, normalised to E.164 so a call finds its client.

France first: a number without a country code is read as French ("06 12 34 56 78"); one with
"+" or "00" as written. libphonenumber (the phonenumbers package) knows each country's lengths.
"""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "FR"


def to_e164(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """The number in E.164 ("+33612345678"), or None when it is not a possible number.

    Possible rather than valid: a new number range, or a private switchboard's extension
    forwarded as a full number, should still match what the client gave us."""
    text = raw.strip()
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def for_display(e164: str) -> str:
    """A stored number as its country writes it ("06 12 34 56 78" in France, international
    elsewhere)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
