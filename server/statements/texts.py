"""How a statement's figures read on its pages, in the reader's language: money ("1,50 €",
"€1.50"), durations ("2 h 30"), months ("décembre 2026") and the names of the figures a
rectifying version changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.numbers import format_currency

from server.i18n import N_, format_date, format_locale
from server.i18n import gettext as _
from server.statements.models import parse_month

# The engine's figures by their path (documents.figures), as the difference lists them.
FIGURE_LABELS = {
    "oncall_minutes.total": N_("On-call time"),
    "oncall_minutes.weekday": N_("On-call time, weekdays"),
    "oncall_minutes.saturday": N_("On-call time, Saturdays"),
    "oncall_minutes.sunday": N_("On-call time, Sundays"),
    "oncall_minutes.holiday": N_("On-call time, public holidays"),
    "oncall_minutes.night": N_("On-call time, at night"),
    "intervention_minutes.total": N_("Intervention time"),
    "intervention_minutes.weekday": N_("Intervention time, weekdays"),
    "intervention_minutes.saturday": N_("Intervention time, Saturdays"),
    "intervention_minutes.sunday": N_("Intervention time, Sundays"),
    "intervention_minutes.holiday": N_("Intervention time, public holidays"),
    "intervention_minutes.night": N_("Intervention time, at night"),
    "intervention_count": N_("Interventions"),
    "oncall_pay_cents": N_("On-call compensation"),
    "intervention_pay_cents": N_("Interventions paid"),
    "oncall_rest_minutes": N_("Rest given"),
}
CATEGORIES = (
    ("weekday", N_("Weekdays")),
    ("saturday", N_("Saturdays")),
    ("sunday", N_("Sundays")),
    ("holiday", N_("Public holidays")),
    ("night", N_("of which at night")),
)


def money(cents: int) -> str:
    """1,50 € in French, €1.50 in English."""
    return format_currency(Decimal(cents) / 100, "EUR", locale=format_locale())


def duration(minutes: int) -> str:
    """150 -> "2 h 30", 120 -> "2 h", 5 -> "0 h 05"."""
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    return f"{sign}{hours} h {rest:02d}" if rest else f"{sign}{hours} h"


def month_label(month: str) -> str:
    """ "décembre 2026", "December 2026"."""
    year, number = parse_month(month)
    return format_date(date(year, number, 1), "LLLL y")


def change(path: str, delta: int) -> str:
    """A figure's change as it reads: "+1 h 30", "−12,50 €", "+1"."""
    sign = "+" if delta > 0 else "−"
    if path.endswith("_cents"):
        return sign + money(abs(delta))
    if path == "intervention_count":
        return f"{sign}{abs(delta)}"
    return sign + duration(abs(delta))


def figure_label(path: str) -> str:
    return _(FIGURE_LABELS.get(path, path))
