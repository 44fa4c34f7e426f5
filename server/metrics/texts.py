"""How the figures read, in the reader's language: each figure's name and its definition
(written once here, shown as the page's "?" and in README "Figures"), durations ("4 min 30 s"),
rates, and a change against the previous period ("↓ 1 min 10 s", better or worse)."""

from __future__ import annotations

from babel.numbers import format_percent

from server.i18n import N_, format_locale, format_number
from server.i18n import gettext as _
from server.metrics.models import (
    HIGH_FATIGUE_SCORE,
    INTERRUPTION_GAP_SECONDS,
    RETURN_WITHIN_DAYS,
)

# figure key -> (name, definition). The keys are the CSV's and the page's anchors.
FIGURES: dict[str, tuple[str, str]] = {
    "time_to_acknowledge": (
        N_("Time to acknowledge"),
        N_("From an alert's creation to its first acknowledgement, over the alerts acknowledged."),
    ),
    "time_to_resolve": (
        N_("Time to resolve"),
        N_("From an alert's creation to its resolution, over the alerts resolved."),
    ),
    "time_to_intervene": (
        N_("Time to intervene"),
        N_("From an alert's creation to the start of its first linked intervention."),
    ),
    "intervention_duration": (
        N_("Intervention duration"),
        N_("Length of the interventions started in the period, travel included."),
    ),
    "alerts": (N_("Alerts"), N_("Alerts created in the period.")),
    "alerts_per_hour": (
        N_("Alerts per hour"),
        N_("Alerts created divided by the hours of the period (so far, for a period under way)."),
    ),
    "acknowledgement_rate": (
        N_("Acknowledgement rate"),
        N_("Share of the period's alerts that someone acknowledged."),
    ),
    "escalation_rate": (
        N_("Escalation rate"),
        N_("Share of the period's alerts paged past their first escalation step."),
    ),
    "interventions": (N_("Interventions"), N_("Interventions started in the period.")),
    "heat_map": (
        N_("Alerts by hour of the week"),
        N_("Alerts created in each hour of each weekday, in the team's time zone."),
    ),
    "interruptions": (
        N_("Interruptions"),
        N_(
            "Notifications sent to a person by push or text message (webhook), e-mail "
            "excluded; several to the same person within %(seconds)s s count once."
        ),
    ),
    "sleep_interruptions": (
        N_("Sleep-hour interruptions"),
        N_("Interruptions between 22:00 and 08:00 in the person's time zone."),
    ),
    "off_hours_interruptions": (
        N_("Off-hours interruptions"),
        N_(
            "Interruptions outside working hours: Monday to Friday 08:00–18:00, public "
            "holidays excluded."
        ),
    ),
    "oncall_hours": (
        N_("On-call hours"),
        N_("Hours held on call, primary or backup, overrides and swaps applied."),
    ),
    "weekday_night_hours": (
        N_("Weekday nights"),
        N_("On-call hours between 22:00 and 08:00, Monday to Friday, public holidays excluded."),
    ),
    "weekend_hours": (
        N_("Weekends"),
        N_("On-call hours on Saturdays and Sundays, public holidays excluded."),
    ),
    "holiday_hours": (
        N_("Public holidays"),
        N_("On-call hours on the public holidays of the team's calendar."),
    ),
    "night_interventions": (
        N_("Night interventions"),
        N_("Interventions started between 22:00 and 08:00 in the person's time zone."),
    ),
    "share": (
        N_("Share of the mean"),
        N_("A person's on-call hours against the team's mean: 100 %% is the mean."),
    ),
    "mean_oncall_hours": (
        N_("Mean on-call hours"),
        N_("On-call hours per person, over the people who held on-call time."),
    ),
    "max_min_ratio": (
        N_("Max/min ratio"),
        N_(
            "The most on-call hours held by one person divided by the fewest (among those who "
            "held some): 1 is perfectly even."
        ),
    ),
    "mean_interventions": (
        N_("Mean interventions"),
        N_("Interventions per person, over the people who held on-call time."),
    ),
    "violations": (
        N_("Rest violations"),
        N_("Rest-rule violations touching the period, as the rest engine finds them."),
    ),
    "people_with_violations": (
        N_("People with a violation"),
        N_("People with at least one rest-rule violation in the period."),
    ),
    "high_fatigue_reports": (
        N_("High fatigue reports"),
        N_("Fatigue reports scored %(score)s or more out of 10."),
    ),
    "problems": (
        N_("Recurring problems"),
        N_(
            "Alerts grouped by source and title, ranked by count and by total intervention "
            "time; a return is the same problem created again within %(days)s days of the "
            "previous one's resolution."
        ),
    ),
}
STATISTICS = {
    "mean": N_("mean"),
    "median": N_("median"),
    "p90": N_("90th percentile"),
}


def name(key: str) -> str:
    return _(FIGURES[key][0])


def definition(key: str) -> str:
    return _(
        FIGURES[key][1],
        seconds=INTERRUPTION_GAP_SECONDS,
        score=HIGH_FATIGUE_SCORE,
        days=RETURN_WITHIN_DAYS,
    )


def statistic(key: str) -> str:
    return _(STATISTICS[key])


def duration(seconds: float | None) -> str:
    """45 -> "45 s", 270 -> "4 min 30 s", 3900 -> "1 h 05 min", 97200 -> "1 d 3 h"."""
    if seconds is None:
        return "–"
    total = round(abs(seconds))
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return _("%(days)s d %(hours)s h", days=days, hours=hours)


def hours(value: float | None) -> str:
    """On-call hours with one decimal, as the locale writes it: "12,5 h"."""
    if value is None:
        return "–"
    return f"{format_number(round(value, 1))} h"


def rate(value: float | None) -> str:
    """0.875 -> "87,5 %" (fr), "87.5%" (en)."""
    if value is None:
        return "–"
    return format_percent(value, "#,##0.#%", locale=format_locale())


def number(value: float | None) -> str:
    if value is None:
        return "–"
    return format_number(round(value, 2))


def per_hour(value: float | None) -> str:
    """Three decimals: a team's alerts are often far below one an hour."""
    if value is None:
        return "–"
    return format_number(round(value, 3))


def ratio(value: float | None) -> str:
    """A max/min ratio: "× 1,5"."""
    if value is None:
        return "–"
    return f"× {format_number(round(value, 2))}"


FORMATS = {
    "seconds": duration,
    "hours": hours,
    "rate": rate,
    "count": number,
    "per_hour": per_hour,
    "ratio": ratio,
}


def formatted(unit: str, value: float | None) -> str:
    return FORMATS[unit](value)


def change_text(unit: str, delta: float) -> str:
    """The size of a change, written as the figure is: a rate's change in points."""
    if unit == "rate":
        return _("%(points)s pt", points=format_number(round(abs(delta) * 100, 1)))
    return formatted(unit, abs(delta))
