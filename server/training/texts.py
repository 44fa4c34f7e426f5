"""How training reads, on the pages and in the CSV alike: each kind's name, each compared
figure's name and value, a change's direction."""

from __future__ import annotations

from datetime import date

from server.i18n import N_, format_date, ngettext
from server.i18n import gettext as _
from server.metrics.texts import duration, rate
from server.training.models import Comparison
from server.training.rules import MIN_COUNT, better

KIND_LABELS = {
    "technical": N_("Technical"),
    "communication": N_("Communication"),
    "stress": N_("Stress management"),
    "other": N_("Other"),
}
FIGURE_LABELS = {
    "ack": N_("Time to acknowledge (mean)"),
    "intervene": N_("Time to intervene (mean)"),
    "satisfaction": N_("Client satisfaction (answers scored 4 or 5)"),
    "quality": N_("Quality review score (mean)"),
}


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind])


def figure_label(key: str) -> str:
    return _(FIGURE_LABELS[key])


def value(key: str, amount: float | None) -> str:
    if key in ("ack", "intervene"):
        return duration(amount)
    if key == "quality":
        return rate(None if amount is None else amount / 100)
    return rate(amount)


def count_text(key: str, count: int) -> str:
    """What a figure's count counts: "12 alerts", "1 review"."""
    if key == "ack":
        return ngettext("%(num)s alert", "%(num)s alerts", count)
    if key == "intervene":
        return ngettext("%(num)s intervention", "%(num)s interventions", count)
    if key == "satisfaction":
        return ngettext("%(num)s answer", "%(num)s answers", count)
    return ngettext("%(num)s review", "%(num)s reviews", count)


def side(key: str, amount: float | None, count: int) -> str:
    """ "4 min 30 s (12 alerts)" """
    return f"{value(key, amount)} ({count_text(key, count)})"


def direction(comparison: Comparison) -> str:
    """better / worse / "" (no change to read): a class for the page's arrow."""
    found = better(comparison)
    return "" if found is None else ("better" if found else "worse")


def day(moment: date | str) -> str:
    """A day as the locale writes it (a stored YYYY-MM-DD too)."""
    return format_date(date.fromisoformat(moment) if isinstance(moment, str) else moment)


def page_helpers() -> dict:
    return {
        "kind_label": kind_label,
        "figure_label": figure_label,
        "side": side,
        "direction": direction,
        "day": day,
        "min_count": MIN_COUNT,
    }
