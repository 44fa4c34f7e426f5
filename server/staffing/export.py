"""The needs analysis as CSV: one line per hour of the week, the numbers the page shows."""

from __future__ import annotations

import csv
import io

from server.staffing.models import Needs

COLUMNS = (
    "weekday",
    "hour",
    "alerts",
    "calls_per_hour",
    "traffic_erlangs",
    "needed",
    "service_level",
    "provided",
    "coverage",
    # Appended after the existing columns, so a sheet reading them by position still works.
    "primary",
    "backup",
)
# ISO weekday names: the file is read by programs and spreadsheets, whatever the language.
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def needs_csv(needs: Needs) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for item in needs.hours:
        writer.writerow(
            [
                _WEEKDAYS[item.weekday],
                f"{item.hour:02d}:00",
                item.alerts,
                item.calls_per_hour,
                item.traffic_erlangs,
                item.needed,
                item.service_level,
                item.provided,
                item.coverage,
                item.primary,
                item.backup,
            ]
        )
    return out.getvalue()


def csv_name(needs: Needs) -> str:
    """`needs-<team id>-<first day>-<weeks>w-<volume>.csv`: ASCII, whatever the team's name."""
    return (
        f"needs-{needs.team_id}-{needs.history_start.isoformat()}-{needs.weeks}w-"
        f"{needs.volume_percent}.csv"
    )
