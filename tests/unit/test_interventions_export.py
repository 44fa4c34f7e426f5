"""Cells of the CSV export that a spreadsheet would run as a formula are made inert (OWASP's
"CSV Injection": a leading quote), everything else is left exactly as typed."""

from __future__ import annotations

import pytest

from server.interventions.export import spreadsheet_safe


@pytest.mark.parametrize(
    ("cell", "exported"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://evil.example","clic")', '\'=HYPERLINK("http://evil.example","clic")'),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Bâtiment C = chaufferie", "Bâtiment C = chaufferie"),
        ("2-3 fuites", "2-3 fuites"),
        ("'déjà cité", "'déjà cité"),
        ("", ""),
        (25, 25),
        (None, None),
    ],
)
def test_only_cells_starting_like_a_formula_are_quoted(cell: object, exported: object) -> None:
    assert spreadsheet_safe(cell) == exported
