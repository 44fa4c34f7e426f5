"""The compensation form's pure parsing: euros as people type them into cents, every refusal
naming its field, and what the form shows back in each language."""

from __future__ import annotations

import pytest

from server.i18n import current_locale
from server.statements.form import (
    FormError,
    cents_to_input,
    compensation_from_form,
    euros_to_cents,
    form_values,
)
from server.statements.models import Compensation, DayRates


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("0", 0), ("1", 100), ("1,5", 150), ("1.50", 150), ("2,05", 205), (" 12,30 ", 1230)],
)
def test_euros_become_cents(typed: str, cents: int) -> None:
    assert euros_to_cents(typed) == cents


@pytest.mark.parametrize("typed", ["", "-1", "1,505", "1.2.3", "abc", "1e3", "1,", ",5", "∞"])
def test_anything_else_is_not_an_amount(typed: str) -> None:
    with pytest.raises(ValueError):
        euros_to_cents(typed)


def test_the_form_shows_what_its_reader_types() -> None:
    token = current_locale.set("fr")
    try:
        assert cents_to_input(150) == "1,50"
    finally:
        current_locale.reset(token)
    token = current_locale.set("en")
    try:
        assert cents_to_input(5) == "0.05"
    finally:
        current_locale.reset(token)


def test_a_saved_compensation_reads_back_the_same() -> None:
    saved = Compensation(
        holidays="FR-reunion",
        oncall_cents_per_hour=DayRates(weekday=100, saturday=150, sunday=200, holiday=250),
        oncall_night_cents_per_hour=50,
        grace_days=7,
    )
    assert compensation_from_form(form_values(saved)) == saved


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("oncall_weekday", "-1"),
        ("rest_holiday", "2,5"),
        ("premium_night", "x"),
        ("night_end", "6h"),
        ("grace_days", "32"),
        ("holidays", "DE"),
    ],
)
def test_a_refusal_names_its_field(field: str, typed: str) -> None:
    values = {**form_values(None), field: typed}
    with pytest.raises(FormError) as refused:
        compensation_from_form(values)
    assert refused.value.field == field


def test_a_missing_field_is_refused_not_read_as_zero() -> None:
    values = form_values(None)
    del values["oncall_sunday"]
    with pytest.raises(FormError) as refused:
        compensation_from_form(values)
    assert refused.value.field == "oncall_sunday"
