"""Sections other domains add to an intervention's page: a registry the layers above fill
when the app is wired (the quality review shows its summary there), so this package imports
none of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.db import Database
from server.interventions.models import Intervention

# (database, the intervention, the person reading) -> (template, its `panel` value), or None
# when that domain shows nothing to this person.
Panel = Callable[[Database, Intervention, Any], tuple[str, Any] | None]
_PANELS: dict[str, Panel] = {}


def register_panel(name: str, panel: Panel) -> None:
    """A second registration under the same name replaces the first (wiring twice is fine)."""
    _PANELS[name] = panel


def panels_for(database: Database, item: Intervention, viewer: Any) -> list[tuple[str, Any]]:
    return [found for panel in _PANELS.values() if (found := panel(database, item, viewer))]
