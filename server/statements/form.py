"""The compensation form as a manager types it: euros with a comma or a point ("1,50"), whole
minutes and percents, the night window, the holiday calendar, the grace period. Pure: the
posted values in, a Compensation or the first field at fault out."""

from __future__ import annotations

import re
from collections.abc import Mapping

import msgspec

from server.i18n import N_, current_locale
from server.i18n import gettext as _
from server.statements.models import (
    HOLIDAY_CODES,
    Compensation,
    DayRates,
    PremiumPercents,
)

KINDS = ("weekday", "saturday", "sunday", "holiday")
# Euros as people write them: "2", "2,5", "2.50"; never more than two decimals (cents).
_EUROS = re.compile(r"^(\d{1,7})(?:[.,](\d{1,2}))?$")
_WHOLE = re.compile(r"^\d{1,7}$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

# Each field of the form, grouped as a manager reads them: (name, label, kind of value).
GROUPS = (
    (
        N_("On-call rate per hour"),
        (
            ("oncall_weekday", N_("Weekday, euros an hour"), "euros"),
            ("oncall_saturday", N_("Saturday, euros an hour"), "euros"),
            ("oncall_sunday", N_("Sunday, euros an hour"), "euros"),
            ("oncall_holiday", N_("Public holiday, euros an hour"), "euros"),
            ("oncall_night", N_("Night supplement, euros an hour"), "euros"),
        ),
    ),
    (
        N_("Rest given per hour of on-call"),
        (
            ("rest_weekday", N_("Weekday, minutes of rest an hour"), "minutes"),
            ("rest_saturday", N_("Saturday, minutes of rest an hour"), "minutes"),
            ("rest_sunday", N_("Sunday, minutes of rest an hour"), "minutes"),
            ("rest_holiday", N_("Public holiday, minutes of rest an hour"), "minutes"),
        ),
    ),
    (
        N_("Intervention premiums on the hourly wage"),
        (
            ("premium_weekday", N_("Weekday premium, %"), "percent"),
            ("premium_saturday", N_("Saturday premium, %"), "percent"),
            ("premium_sunday", N_("Sunday premium, %"), "percent"),
            ("premium_holiday", N_("Public holiday premium, %"), "percent"),
            ("premium_night", N_("Night premium, % (added)"), "percent"),
        ),
    ),
    (
        N_("Night and calendar"),
        (
            ("night_start", N_("Night starts at"), "time"),
            ("night_end", N_("Night ends at"), "time"),
            ("grace_days", N_("Days after the month's end before it closes"), "days"),
        ),
    ),
)
HOLIDAY_LABELS = {
    "FR": N_("Metropolitan France"),
    "FR-alsace-moselle": N_("Alsace-Moselle (Good Friday, 26 December)"),
    "FR-guadeloupe": N_("Guadeloupe (27 May)"),
    "FR-martinique": N_("Martinique (22 May)"),
    "FR-guyane": N_("French Guiana (10 June)"),
    "FR-reunion": N_("Réunion (20 December)"),
    "FR-mayotte": N_("Mayotte (27 April)"),
}
LABELS = {name: label for _title, fields in GROUPS for name, label, _kind in fields} | {
    "holidays": N_("Public holidays"),
    "reason": N_("Reason for the change"),
}
MAX_GRACE_DAYS = 31


class FormError(ValueError):
    """The field at fault and the message naming it, in the reader's language."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def euros_to_cents(text: str) -> int:
    """ "1,50" -> 150; ValueError for anything but a non-negative amount with 0–2 decimals."""
    found = _EUROS.fullmatch(text.strip().replace("\u00a0", "").replace(" ", ""))
    if not found:
        raise ValueError(text)
    return int(found[1]) * 100 + int((found[2] or "0").ljust(2, "0"))


def cents_to_input(cents: int) -> str:
    """150 -> "1,50" in French, "1.50" in English: the field shows what its reader types."""
    mark = "," if current_locale.get() == "fr" else "."
    return f"{cents // 100}{mark}{cents % 100:02d}"


def _message(name: str, kind: str, text: str) -> str:
    label = _(LABELS[name])
    if text.strip().startswith("-"):
        return _("“%(field)s”: must not be negative.", field=label)
    if kind == "euros":
        return _(
            "“%(field)s”: an amount in euros, with at most 2 decimals (e.g. 1,50).", field=label
        )
    if kind == "time":
        return _("“%(field)s”: a time written HH:MM.", field=label)
    if kind == "days":
        return _(
            "“%(field)s”: a whole number of days from 0 to %(most)s.",
            field=label,
            most=MAX_GRACE_DAYS,
        )
    return _("“%(field)s”: a whole number.", field=label)


def _value(form: Mapping[str, str], name: str, kind: str) -> int | str:
    text = str(form.get(name, "")).strip()
    try:
        if kind == "euros":
            return euros_to_cents(text)
        if kind == "time":
            if not _CLOCK.fullmatch(text):
                raise ValueError(text)
            return text
        if not _WHOLE.fullmatch(text):
            raise ValueError(text)
        number = int(text)
        if kind == "days" and number > MAX_GRACE_DAYS:
            raise ValueError(text)
        return number
    except ValueError:
        raise FormError(name, _message(name, kind, text)) from None


def compensation_from_form(form: Mapping[str, str]) -> Compensation:
    """The posted compensation; FormError naming the first field that is not right (every
    field is in the form, so a missing one is an error, not a silent 0)."""
    values = {
        name: _value(form, name, kind) for _t, fields in GROUPS for name, _label, kind in fields
    }
    holidays = str(form.get("holidays", ""))
    if holidays not in HOLIDAY_CODES:
        label = _(LABELS["holidays"])
        raise FormError("holidays", _("“%(field)s”: choose a calendar of the list.", field=label))
    try:
        return Compensation(
            holidays=holidays,  # type: ignore[arg-type]
            night_start=str(values["night_start"]),
            night_end=str(values["night_end"]),
            oncall_cents_per_hour=DayRates(**{k: values[f"oncall_{k}"] for k in KINDS}),
            oncall_night_cents_per_hour=int(values["oncall_night"]),
            oncall_rest_minutes_per_hour=DayRates(**{k: values[f"rest_{k}"] for k in KINDS}),
            intervention_premium_percent=PremiumPercents(
                **{k: values[f"premium_{k}"] for k in (*KINDS, "night")}
            ),
            grace_days=int(values["grace_days"]),
        )
    except (msgspec.ValidationError, ValueError, TypeError):  # pragma: no cover - checked above
        raise FormError("holidays", _("The request could not be understood.")) from None


def form_values(compensation: Compensation | None) -> dict[str, str]:
    """What the form shows for a saved compensation (or the empty defaults: nothing paid)."""
    compensation = compensation or Compensation()
    values: dict[str, str] = {
        "holidays": compensation.holidays,
        "night_start": compensation.night_start,
        "night_end": compensation.night_end,
        "grace_days": str(compensation.grace_days),
        "oncall_night": cents_to_input(compensation.oncall_night_cents_per_hour),
    }
    for kind in KINDS:
        values[f"oncall_{kind}"] = cents_to_input(getattr(compensation.oncall_cents_per_hour, kind))
        values[f"rest_{kind}"] = str(getattr(compensation.oncall_rest_minutes_per_hour, kind))
    for kind in (*KINDS, "night"):
        values[f"premium_{kind}"] = str(getattr(compensation.intervention_premium_percent, kind))
    return values
