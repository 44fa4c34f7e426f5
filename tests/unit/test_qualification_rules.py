"""Qualification rules: the default expiry, whether a holding covers a shift to its end, which
expiry reminder is due, and the team matrix."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from server.qualifications import matrix, rules
from server.qualifications.models import Holding, Qualification

PARIS = "Europe/Paris"
# A night ending on Tuesday 22 December 2026 at 08:00 in Paris (07:00 UTC).
NIGHT_ENDS = datetime(2026, 12, 22, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("obtained", "months", "expected"),
    [
        (date(2024, 3, 12), 36, date(2027, 3, 12)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 8, 31), 24, date(2027, 8, 31)),
        (date(2025, 12, 15), 60, date(2030, 12, 15)),
        (date(2025, 12, 15), None, None),
    ],
)
def test_the_expiry_defaults_to_obtained_plus_validity(obtained, months, expected) -> None:
    assert rules.default_expiry(obtained, months) == expected


@pytest.mark.parametrize(
    ("held", "ends", "reasons"),
    [
        ({}, NIGHT_ENDS, ["missing"]),  # not held at all
        ({1: None}, NIGHT_ENDS, []),  # held, never expires
        ({1: date(2027, 6, 1)}, NIGHT_ENDS, []),  # expires long after
        # Expires on the 22nd: no longer held from 00:00 that day, before the 08:00 end.
        ({1: date(2026, 12, 22)}, NIGHT_ENDS, ["expires"]),
        ({1: date(2026, 12, 23)}, NIGHT_ENDS, []),  # valid through the whole 22nd
        # Expiry exactly at the shift's end (midnight Paris = 23:00 UTC): still covered.
        ({1: date(2026, 12, 23)}, datetime(2026, 12, 22, 23, 0, tzinfo=UTC), []),
        # One minute past that end: not covered.
        ({1: date(2026, 12, 23)}, datetime(2026, 12, 22, 23, 1, tzinfo=UTC), ["expires"]),
        ({1: date(2026, 1, 1)}, NIGHT_ENDS, ["expires"]),  # already expired
        ({2: None}, NIGHT_ENDS, ["missing"]),  # holds another one only
    ],
)
def test_a_holding_must_last_until_the_shift_ends(held, ends, reasons) -> None:
    gaps = rules.gaps_for_shift(7, {1: "Habilitation BR"}, held, ends, PARIS)
    assert [g.reason for g in gaps] == reasons
    assert all(g.user_id == 7 and g.qualification == "Habilitation BR" for g in gaps)


def test_gaps_are_named_and_sorted() -> None:
    gaps = rules.gaps_for_shift(3, {1: "SST", 2: "CACES R489"}, {}, NIGHT_ENDS, PARIS)
    assert [g.qualification for g in gaps] == ["CACES R489", "SST"]


EXPIRES = date(2027, 3, 1)


@pytest.mark.parametrize(
    ("today", "sent", "due"),
    [
        (date(2026, 12, 30), set(), None),  # 61 days before: nothing yet
        (date(2026, 12, 31), set(), 60),  # 60 days before
        (date(2027, 1, 5), {60}, None),  # already sent
        (date(2027, 1, 30), {60}, 30),
        (date(2027, 2, 22), {60, 30}, 7),
        (date(2027, 2, 28), {60, 30, 7}, None),
        (date(2027, 3, 2), set(), None),  # expired: no reminder any more
        # Down from before 60 days until 20 days before: one late reminder, the 30-day one.
        (date(2027, 2, 9), set(), 30),
        # Down through everything: the 7-day one alone.
        (date(2027, 2, 27), set(), 7),
    ],
)
def test_the_due_reminder(today, sent, due) -> None:
    assert rules.due_reminder(EXPIRES, today, sent) == due


def test_a_late_reminder_stands_for_the_earlier_ones() -> None:
    assert rules.skipped_with(30) == [60, 30]
    assert rules.skipped_with(7) == [60, 30, 7]


def test_the_matrix_highlights_what_expires_and_what_is_missing() -> None:
    today = date(2026, 12, 1)
    catalogue = [
        Qualification(id=1, name="SST", validity_months=24),
        Qualification(id=2, name="Habilitation B1V", validity_months=36),
        Qualification(id=3, name="Interne", validity_months=None),
    ]
    holdings = [
        Holding(id=10, user_id=5, qualification_id=1, name="SST", expires_on=date(2027, 2, 1)),
        Holding(id=11, user_id=5, qualification_id=2, name="B1V", expires_on=date(2028, 1, 1)),
        Holding(id=12, user_id=6, qualification_id=2, name="B1V", expires_on=date(2026, 11, 1)),
    ]
    built = matrix.build([(5, "Ana"), (6, "=Bob")], catalogue, holdings, {2}, today)
    assert [c.name for c in built.columns] == ["Habilitation B1V", "SST"]  # required first
    ana, bob = built.rows
    assert [c.state for c in ana.cells] == ["valid", "expiring"]
    assert [c.state for c in bob.cells] == ["expired", "none"]
    assert (built.expiring, built.missing) == (1, 1)
    text = matrix.to_csv(built)
    assert "Ana;SST;no;expiring;2027-02-01" in text
    assert "'=Bob;Habilitation B1V;yes;expired;2026-11-01" in text  # inert in a spreadsheet
