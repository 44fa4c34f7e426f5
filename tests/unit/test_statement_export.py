"""The payroll CSV: its documented columns in a stable order, hours and euros exact to the
hundredth, and every text cell inert in a spreadsheet (a name starting with = is shown as
typed, never run)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.statements.documents import build_content
from server.statements.export import COLUMNS, euros, hours, payroll_csv, payroll_month
from server.statements.models import (
    Closing,
    DayRates,
    OnCallLine,
    StatementPolicy,
    TeamMonth,
    TeamMonthLine,
)

README = Path(__file__).resolve().parents[2] / "README.md"
PARIS = "Europe/Paris"


def month_of(*people: tuple[int, str], closed: bool = False) -> TeamMonth:
    lines = []
    for user_id, name in people:
        content = build_content(
            month="2026-12",
            team_id=1,
            team_name="Maintenance",
            user_id=user_id,
            person_name=name,
            compensation_set=True,
            holidays="FR",
            policy=StatementPolicy(oncall_cents_per_hour=DayRates(weekday=150)),
            oncall=[
                OnCallLine(
                    start=datetime(2026, 12, 1, 17, tzinfo=UTC),
                    end=datetime(2026, 12, 1, 18, 20, tzinfo=UTC),
                    layer="primary",
                )
            ],
            interventions=[],
            provisional=not closed,
        )
        lines.append(
            TeamMonthLine(
                user_id=user_id,
                person_name=name,
                content=content,
                version=1 if closed else None,
                sha256="ab" * 32 if closed else None,
            )
        )
    at = datetime(2027, 1, 4, tzinfo=UTC)
    closing = Closing(
        id=1,
        team_id=1,
        month="2026-12",
        starts_at=at,
        ends_at=at,
        closed_at=at,
        closed_by=None,
        checked_at=at,
    )
    return TeamMonth(
        team_id=1,
        team_name="Maintenance",
        month="2026-12",
        ended=True,
        closing=closing if closed else None,
        lines=lines,
        totals={},
        warnings=[],
    )


def rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://x")', "+33 6", "-1+1", "@SUM(A1)", "\tTab", "\rReturn"],
)
def test_a_cell_a_spreadsheet_would_run_is_prefixed_with_a_quote(name: str) -> None:
    emails = {7: "=cmd|' /C calc'!A0@example.net"}
    (header, row) = rows(payroll_csv(payroll_month(month_of((7, name)), emails)))
    cells = dict(zip(header, row, strict=True))
    assert cells["name"] == "'" + name
    assert cells["email"] == "'" + emails[7]


def test_plain_cells_and_numbers_are_left_as_they_are() -> None:
    text = payroll_csv(payroll_month(month_of((7, "Léa Dubœuf")), {7: "lea@example.net"}))
    (header, row) = rows(text)
    cells = dict(zip(header, row, strict=True))
    assert (cells["name"], cells["email"], cells["status"]) == (
        "Léa Dubœuf",
        "lea@example.net",
        "provisional",
    )
    # 18:00–19:20 in Paris on a Tuesday: 80 minutes, 1.33 h; 80 × 1.50 € / 60 = 2.00 €.
    assert (cells["oncall_minutes_weekday"], cells["oncall_hours_weekday"]) == ("80", "1.33")
    assert (cells["oncall_pay_cents"], cells["oncall_pay_euros"]) == ("200", "2.00")
    assert (cells["version"], cells["sha256"]) == ("", "")
    assert text.endswith("\r\n")


def test_the_columns_are_stable_and_documented_in_the_readme() -> None:
    assert COLUMNS[:7] == ("person_id", "name", "email", "month", "status", "version", "sha256")
    assert "oncall_hours_total" in COLUMNS and "intervention_count" in COLUMNS
    assert len(set(COLUMNS)) == len(COLUMNS)
    readme = README.read_text(encoding="utf-8")
    documented = re.search(r"<!-- payroll-columns -->(.*?)<!-- /payroll-columns -->", readme, re.S)
    assert documented, "the README lists the payroll CSV's columns between markers"
    assert re.findall(r"`([a-z0-9_]+)`", documented.group(1)) == list(COLUMNS)


def test_a_closed_month_gives_versions_and_sha256() -> None:
    (header, row) = rows(payroll_csv(payroll_month(month_of((7, "A"), closed=True), {})))
    cells = dict(zip(header, row, strict=True))
    assert (cells["status"], cells["version"], cells["sha256"]) == ("closed", "1", "ab" * 32)


@pytest.mark.parametrize(
    ("minutes", "text"), [(0, "0.00"), (1, "0.02"), (20, "0.33"), (90, "1.50"), (2281, "38.02")]
)
def test_hours_are_rounded_half_up_to_the_hundredth(minutes: int, text: str) -> None:
    assert hours(minutes) == text


def test_euros_from_cents() -> None:
    assert (euros(0), euros(5), euros(8700), euros(123456)) == ("0.00", "0.05", "87.00", "1234.56")
