"""The team's interventions as CSV for a payroll clerk's spreadsheet, every cell inert: text a
person typed is never run as a formula when the file is opened."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from litestar import Response

from server.interventions.models import Intervention

HEADER = (
    "uuid",
    "person",
    "start",
    "end",
    "hours",
    "travel_minutes",
    "mode",
    "place",
    "alert",
    "outcome",
    "found",
    "done",
    "corrected",
    # Ids only: a client's details stay on its page (never its access codes in a file).
    "client_id",
    "site_id",
)
# Spreadsheets read a cell starting with these as a formula (OWASP, "CSV Injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula, prefixed with a quote so it shows as
    typed; numbers and other text unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _cells(item: Intervention, zone: ZoneInfo) -> list[object]:
    return [
        item.uuid,
        item.user_name,
        item.started_at.astimezone(zone).isoformat(timespec="minutes"),
        item.ended_at.astimezone(zone).isoformat(timespec="minutes"),
        f"{(item.ended_at - item.started_at).total_seconds() / 3600:.2f}",
        item.travel_minutes,
        item.mode,
        item.place,
        item.alert_id or "",
        item.outcome,
        item.found,
        item.done,
        "yes" if item.corrected_by else "",
        item.client_id or "",
        item.site_id or "",
    ]


def csv_response(items: Iterable[Intervention], timezone: str) -> Response:
    zone = ZoneInfo(timezone)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    for item in items:
        writer.writerow([spreadsheet_safe(cell) for cell in _cells(item, zone)])
    # A byte-order mark so that spreadsheet software opens the accents correctly.
    return Response(
        content="\ufeff" + out.getvalue(),
        media_type="text/csv",  # Litestar adds "; charset=utf-8" itself
        headers={"Content-Disposition": 'attachment; filename="interventions.csv"'},
    )
