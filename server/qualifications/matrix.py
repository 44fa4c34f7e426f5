"""The team matrix: who holds what, what expires in the next 90 days, which required ones are
missing; and its CSV. Pure: values in, rows out."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal

from server.models import Value
from server.qualifications import rules
from server.qualifications.models import EXPIRING_WITHIN_DAYS, Holding, Qualification

State = Literal["valid", "expiring", "expired", "missing", "none"]


class Cell(Value, kw_only=True):
    state: State  # missing: required by a rotation of the team and not held; none: not required
    expires_on: date | None = None
    holding_id: int | None = None


class Row(Value, kw_only=True):
    user_id: int
    name: str
    cells: list[Cell]


class Matrix(Value, kw_only=True):
    columns: list[Qualification]
    required: frozenset[int]
    rows: list[Row]
    expiring: int  # cells expiring within the highlight window
    missing: int


def build(
    people: Sequence[tuple[int, str]],
    catalogue: Iterable[Qualification],
    holdings: Iterable[Holding],
    required: Iterable[int],
    today: date,
) -> Matrix:
    """Columns: the qualifications the team's rotations require, then those someone holds."""
    required = frozenset(required)
    held = {(h.user_id, h.qualification_id): h for h in holdings}
    used = required | {q for _u, q in held}
    columns = sorted(
        (q for q in catalogue if q.id in used), key=lambda q: (q.id not in required, q.name.lower())
    )
    rows, expiring, missing = [], 0, 0
    for user_id, name in people:
        cells = []
        for column in columns:
            holding = held.get((user_id, column.id))
            if holding is None:
                state: State = "missing" if column.id in required else "none"
                cells.append(Cell(state=state))
                missing += state == "missing"
                continue
            if rules.expired(holding.expires_on, today):
                state = "expired"
                missing += column.id in required
            elif rules.expiring_soon(holding.expires_on, today, EXPIRING_WITHIN_DAYS):
                state = "expiring"
                expiring += 1
            else:
                state = "valid"
            cells.append(Cell(state=state, expires_on=holding.expires_on, holding_id=holding.id))
        rows.append(Row(user_id=user_id, name=name, cells=cells))
    return Matrix(columns=columns, required=required, rows=rows, expiring=expiring, missing=missing)


def _inert(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (names are typed by people)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(matrix: Matrix) -> str:
    """One line per person and qualification of the matrix (held or required)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["person", "qualification", "required", "state", "expires_on"])
    for row in matrix.rows:
        for column, cell in zip(matrix.columns, row.cells, strict=True):
            if cell.state == "none":
                continue
            writer.writerow(
                [
                    _inert(row.name),
                    _inert(column.name),
                    "yes" if column.id in matrix.required else "no",
                    cell.state,
                    cell.expires_on.isoformat() if cell.expires_on else "",
                ]
            )
    return out.getvalue()
