"""Why a sync item could not be read, from msgspec's error to a sentence naming the form's
field (in the request's language), or the fallback when no field is to blame."""

from __future__ import annotations

import msgspec
import pytest

from server.i18n import current_locale
from server.interventions.decoding import unreadable_reason


@pytest.fixture(autouse=True)
def english():
    token = current_locale.set("en")
    yield
    current_locale.reset(token)


FALLBACK = (
    "This change could not be read: update the app, or delete this change and type it again.",
    None,
)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            msgspec.ValidationError("Expected `str` of length <= 300 - at `$.data.place`"),
            ("“Place” is too long: at most 300 characters.", "place"),
        ),
        (
            msgspec.ValidationError("Expected `int` <= 600 - at `$.data.travel_minutes`"),
            ("“Travel time (minutes)” must be between 0 and 600.", "travel_minutes"),
        ),
        (
            msgspec.ValidationError("Expected `float` <= 90.0 - at `$.data.latitude`"),
            ("“Position” must be between -90 and 90.", "latitude"),
        ),
        (
            msgspec.ValidationError("Invalid enum value 'x' - at `$.data.outcome`"),
            ("Please check the field “Outcome”.", "outcome"),
        ),
        (msgspec.ValidationError("Object missing required field `op_id`"), FALLBACK),
        (msgspec.ValidationError("Expected `int` >= 1 - at `$.version`"), FALLBACK),
        (msgspec.ValidationError("Object contains unknown field `x` - at `$.data`"), FALLBACK),
        (msgspec.ValidationError("Expected `str` - at `$.data.unknown_field`"), FALLBACK),
        (msgspec.DecodeError("Input data was truncated"), FALLBACK),
    ],
    ids=[
        "too long",
        "out of range",
        "optional number",
        "unknown choice",
        "missing id",
        "not a data field",
        "unknown field",
        "field without a label",
        "not json",
    ],
)
def test_the_reason_names_the_field_or_falls_back(error: Exception, expected: tuple) -> None:
    assert unreadable_reason(error) == expected
