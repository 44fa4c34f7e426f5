"""Client rules: form and CSV values checked with the field named, numbers normalised, the
folded search text and terms, and what an erasure scrubs."""

from __future__ import annotations

import json

import pytest

from server.clients.csv import parse_file
from server.clients.rules import (
    ClientInput,
    SiteInput,
    client_input,
    fold,
    personal_strings,
    phone_input,
    scrub_json,
    search_terms,
    search_text,
    site_input,
)
from server.errors import InvalidInput


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "A", "email": "not-an-address"}, "email"),
        ({"name": "A", "kind": "robot"}, "kind"),
        ({"name": "A", "locale": "de"}, "locale"),
        ({"name": "A", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "A" * 201}, "name"),
    ],
)
def test_a_bad_client_field_is_named(values: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        client_input(values)
    assert refused.value.field == field


def test_a_client_is_read_trimmed_with_its_defaults() -> None:
    data = client_input({"name": "  Boulangerie  ", "email": " Paul@Example.FR ", "reference": ""})
    assert data == ClientInput(name="Boulangerie", email="paul@example.fr", reference=None)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_numbers_are_normalised(raw: str, e164: str) -> None:
    phone = phone_input({"p_number": raw, "p_label": "Gardien"}, "p_")
    assert phone is not None and phone.number == e164 and phone.label == "Gardien"


@pytest.mark.parametrize("raw", ["12", "abc", "+33 6"])
def test_an_impossible_number_names_its_field(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        phone_input({"phone_3_number": raw}, "phone_3_")
    assert refused.value.field == "phone_3_number"
    assert raw in refused.value.message


def test_blank_rows_are_skipped_and_a_site_needs_a_name_or_address() -> None:
    assert phone_input({"p_number": " "}, "p_") is None
    assert site_input({}, "s_", with_access=True) is None
    with pytest.raises(InvalidInput) as refused:
        site_input({"s_access_codes": "1234"}, "s_", with_access=True)
    assert refused.value.field == "s_name"
    with pytest.raises(InvalidInput) as out_of_range:
        site_input({"s_name": "A", "s_latitude": "91"}, "s_", with_access=True)
    assert out_of_range.value.field == "s_latitude"
    site = site_input({"s_name": "A", "s_latitude": "45,76"}, "s_", with_access=False)
    assert site == SiteInput(name="A", latitude=45.76)
    assert site.access_codes is None  # a CSV row leaves what is stored alone


def test_folding_and_search_terms() -> None:
    assert fold("  Élodie   CŒUR ") == "elodie cœur"
    assert search_terms("Résidence  tilleuls") == ["residence", "tilleuls"]
    assert search_terms("06 12 34") == ["061234"]
    assert search_terms("+33 (6) 12-34") == ["3361234"]
    assert search_terms("   ") == []


def test_the_search_text_holds_numbers_both_ways_and_never_access_codes() -> None:
    data = ClientInput(name="Résidence Les Tilleuls", contact_name="Mme Garnier")
    sites = [SiteInput(name="Chaufferie", address="12 rue des Tilleuls", access_codes="4821")]
    text = search_text(data, sites, ["+33612345678"])
    for term in ("residence les tilleuls", "garnier", "12 rue", "33612345678", "0612345678"):
        assert term in text
    assert "4821" not in text


def test_an_erasure_scrubs_names_and_numbers_as_phone_systems_write_them() -> None:
    secrets = personal_strings("Résidence", "Mme Garnier", "g@t.fr", ["+33612345678"], ["Rue X"])
    for form in ("+33612345678", "0033612345678", "06 12 34 56 78", "0612345678"):
        assert form in secrets
    params = json.dumps({"title": "Appel de 0612345678 (Mme Garnier)", "n": 2})
    assert json.loads(scrub_json(params, secrets)) == {"title": "Appel de … (…)", "n": 2}


HEADER = "reference;name;phones;site_name;site_address;site_phones\n"


def test_a_file_is_grouped_by_reference_one_row_per_site() -> None:
    clients = parse_file(HEADER + "C1;A;0612345678;S1;;\nC1;;;S2;;0472000000\nC2;B;;;;\n")
    assert [(c.data.reference, len(c.sites)) for c in clients] == [("C1", 2), ("C2", 0)]
    assert clients[0].phones == ["+33612345678"]
    assert clients[0].sites[1][1] == ["+33472000000"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("C1;A;;;;\n;B;;;;\n", "Ligne 3, colonne « reference »"),
        ("C1;A;;;;\nC1;Other;;;;\n", "Ligne 3, colonne « name »"),
        ("C1;A;;;;0612345678\n", "Ligne 2, colonne « site_phones »"),
        ("C1;A;;S;;12\n", "Ligne 2, colonne « site_phones »"),
        ("C1;;;;;\n", "Ligne 2, colonne « name »"),
    ],
)
def test_a_row_in_error_names_its_line_and_column(body: str, message: str) -> None:
    # In French, the default language (the header is line 1).
    with pytest.raises(InvalidInput) as refused:
        parse_file(HEADER + body)
    assert message in refused.value.message


def test_a_file_without_the_needed_columns_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_file("name;phones\nA;\n")
    assert "reference" in refused.value.message
