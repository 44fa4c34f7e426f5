"""How the needs page reads in the person's language: weekdays, hour runs, the layers held,
the handle time."""

from __future__ import annotations

from babel.dates import get_day_names

from server.i18n import format_locale, format_number
from server.i18n import gettext as _
from server.staffing.models import Band


def weekday_name(weekday: int) -> str:
    """Monday = 0, as the locale writes it ("lundi", "Monday")."""
    return get_day_names("wide", locale=format_locale())[weekday]


def hours_label(band: Band) -> str:
    """ "08:00–18:00"; a run to the end of the day ends at 24:00."""
    return f"{band.start_hour:02d}:00–{band.end_hour:02d}:00"


def calls_label(band: Band) -> str:
    """The calls an hour of a run: one number, or the lowest and highest."""
    if band.calls_min == band.calls_max:
        return format_number(band.calls_min)
    return _(
        "%(low)s to %(high)s", low=format_number(band.calls_min), high=format_number(band.calls_max)
    )


def layers_label(band: Band) -> str:
    """Which layers are held, short enough for a phone's cell: "primary 1, backup 0"."""
    return _("primary %(primary)s, backup %(backup)s", primary=band.primary, backup=band.backup)


def minutes_label(seconds: float) -> str:
    return _("%(minutes)s min", minutes=format_number(round(seconds / 60, 1)))
