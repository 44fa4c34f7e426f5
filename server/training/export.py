"""The CSV of a team's training: one line per session and attendee (a spreadsheet counts
either), semicolons and a byte-order mark as the other CSV files of the app; typed text is
never run as a formula (interventions/export.py: spreadsheet_safe)."""

from __future__ import annotations

import csv
import io
import unicodedata

from server.i18n import gettext as _
from server.interventions.export import spreadsheet_safe
from server.teams.models import Team
from server.training.models import TrainingSession
from server.training.texts import kind_label


def sessions_csv(sessions: list[TrainingSession]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("Session"),
            _("Date"),
            _("Team"),
            _("Topic"),
            _("Kind"),
            _("Trainer"),
            _("Qualification granted"),
            _("Attendee"),
            _("Attendee id"),
        ]
    )
    for session in sessions:
        for attendee in session.attendees:
            writer.writerow(
                spreadsheet_safe(cell)
                for cell in [
                    session.id,
                    session.held_on.isoformat(),
                    session.team_name,
                    session.topic,
                    kind_label(session.kind),
                    session.trainer_name,
                    session.qualification_name or "",
                    attendee.name,
                    attendee.user_id,
                ]
            )
    return "\ufeff" + out.getvalue()  # a BOM: spreadsheets read UTF-8


def csv_name(team: Team) -> str:
    """An ASCII file name (a header carries it): "Maintenance des bâtiments" gives
    training-maintenance-des-batiments.csv."""
    plain = unicodedata.normalize("NFKD", team.name.lower()).encode("ascii", "ignore").decode()
    safe = "-".join("".join(c if c.isalnum() else " " for c in plain).split())
    return f"training-{safe or team.id}.csv"
