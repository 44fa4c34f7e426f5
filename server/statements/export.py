"""A team's month for payroll: one line per person with the figures of the manager's month
(the documents handed out once closed, the provisional ones before), as the CSV a payroll
clerk opens in a spreadsheet and as the API's JSON. Pure: the same lines make both, so they
cannot disagree with each other nor with the page."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Literal

from server.interventions.export import spreadsheet_safe
from server.models import Value
from server.statements.models import Minutes, TeamMonth

KINDS = ("weekday", "saturday", "sunday", "holiday", "night", "total")


class PayrollLine(Value, kw_only=True):
    """One person's month: minutes and cents (exact), hours and euros (two decimals, for people)."""

    person_id: int
    name: str
    email: str
    month: str
    # "closed": the version handed out (the latest); "provisional": the month as it stands.
    status: Literal["closed", "provisional"]
    version: int | None
    sha256: str | None
    oncall_minutes: Minutes
    intervention_minutes: Minutes
    intervention_count: int
    oncall_pay_cents: int
    intervention_pay_cents: int
    oncall_rest_minutes: int


class PayrollMonth(Value, kw_only=True):
    team_id: int
    team_name: str
    month: str
    # The month is closed: every line is a document handed out, and will only change by a
    # rectifying version.
    closed: bool
    lines: list[PayrollLine]


def payroll_month(month: TeamMonth, emails: Mapping[int, str]) -> PayrollMonth:
    """The manager's month as payroll lines, in the page's order (by name)."""
    lines = []
    for line in month.lines:
        figures = line.content.statement
        lines.append(
            PayrollLine(
                person_id=line.user_id,
                name=line.person_name,
                email=emails.get(line.user_id, ""),
                month=month.month,
                status="provisional" if line.content.provisional else "closed",
                version=line.version,
                sha256=line.sha256,
                oncall_minutes=figures.oncall_minutes,
                intervention_minutes=figures.intervention_minutes,
                intervention_count=figures.intervention_count,
                oncall_pay_cents=figures.oncall_pay_cents,
                intervention_pay_cents=figures.intervention_pay_cents,
                oncall_rest_minutes=figures.oncall_rest_minutes,
            )
        )
    return PayrollMonth(
        team_id=month.team_id,
        team_name=month.team_name,
        month=month.month,
        closed=month.closing is not None,
        lines=lines,
    )


# The CSV's columns, in order; documented in the README ("Payroll export"): add new ones at
# the end, never rename or move one (a payroll import reads them by position or by name).
COLUMNS = (
    "person_id",
    "name",
    "email",
    "month",
    "status",
    "version",
    "sha256",
    *(f"oncall_minutes_{kind}" for kind in KINDS),
    *(f"intervention_minutes_{kind}" for kind in KINDS),
    "intervention_count",
    "oncall_pay_cents",
    "intervention_pay_cents",
    "oncall_rest_minutes",
    *(f"oncall_hours_{kind}" for kind in KINDS),
    *(f"intervention_hours_{kind}" for kind in KINDS),
    "oncall_pay_euros",
    "intervention_pay_euros",
    "oncall_rest_hours",
)


def hours(minutes: int) -> str:
    """Minutes as hours with two decimals and a dot, exact to the half-up hundredth: 90 ->
    "1.50", 20 -> "0.33". Integer arithmetic: no float drift in a payroll file."""
    hundredths = (minutes * 100 * 2 + 60) // 120
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def euros(cents: int) -> str:
    """8700 -> "87.00"."""
    return f"{cents // 100}.{cents % 100:02d}"


def _cells(line: PayrollLine) -> list[object]:
    oncall, intervention = line.oncall_minutes, line.intervention_minutes
    return [
        line.person_id,
        line.name,
        line.email,
        line.month,
        line.status,
        line.version or "",
        line.sha256 or "",
        *(getattr(oncall, kind) for kind in KINDS),
        *(getattr(intervention, kind) for kind in KINDS),
        line.intervention_count,
        line.oncall_pay_cents,
        line.intervention_pay_cents,
        line.oncall_rest_minutes,
        *(hours(getattr(oncall, kind)) for kind in KINDS),
        *(hours(getattr(intervention, kind)) for kind in KINDS),
        euros(line.oncall_pay_cents),
        euros(line.intervention_pay_cents),
        hours(line.oncall_rest_minutes),
    ]


def payroll_csv(month: PayrollMonth) -> str:
    """The CSV text: a byte-order mark (spreadsheets then read UTF-8 accents), `;` between
    cells (what a French spreadsheet splits on, as the app's other CSVs), a header row, one
    row per person; every text cell inert (a name starting with = is shown, never run)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for line in month.lines:
        writer.writerow([spreadsheet_safe(cell) for cell in _cells(line)])
    return "\ufeff" + out.getvalue()


def payroll_file_name(month: PayrollMonth) -> str:
    """`statements-<team id>-<YYYY-MM>.csv`: ASCII, whatever the team's name."""
    return f"statements-{month.team_id}-{month.month}.csv"
