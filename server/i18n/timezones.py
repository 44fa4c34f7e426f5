"""The time zones offered in a select (a team's, a person's): the usual ones of a French
company, overseas departments included."""

from __future__ import annotations

COMMON_TIMEZONES = (
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Luxembourg",
    "Europe/Zurich",
    "Europe/London",
    "America/Guadeloupe",
    "America/Martinique",
    "America/Cayenne",
    "Indian/Reunion",
    "Indian/Mayotte",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "UTC",
)


def timezone_choices(current: str | None = None) -> list[tuple[str, str]]:
    """(value, label) pairs for a time zone select; the current zone is kept if unusual."""
    zones = list(COMMON_TIMEZONES)
    if current and current not in zones:
        zones.insert(0, current)
    return [(z, z.replace("_", " ")) for z in zones]
