"""Coverage gaps of a team ahead of time: what the manage page lists and publishing warns of."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

import msgspec

from server.db import Database
from server.schedules.coverage import Interval, coverage_window, has_layer, held, split_gaps
from server.schedules.models import LAYERS, Layer, Shift
from server.schedules.store import list_rotations, list_shifts

# The manage page looks this far ahead (the "next four weeks").
GAP_LOOKAHEAD = timedelta(weeks=4)


class LayerGaps(NamedTuple):
    layer: Layer
    holes: list[Interval]
    unpublished: list[Interval]


def coverage_gaps(
    database: Database,
    team_id: int,
    start: datetime,
    end: datetime,
    publishing: Sequence[Shift] = (),
) -> list[LayerGaps]:
    """Per layer the team plans, the stretches of its coverage window over [start, end) with
    nobody on call; `publishing` are drafts counted as published (a publication's preview)."""
    rotations = list_rotations(database, team_id)
    window = coverage_window(rotations, start, end)
    if not window:
        return []
    published = {s.id for s in publishing}
    shifts = [
        msgspec.structs.replace(s, status="published") if s.id in published else s
        for s in list_shifts(database, team_ids=[team_id], start=start, end=end)
    ]
    found = []
    for layer in LAYERS:
        if layer != "primary" and not has_layer(rotations, layer):
            continue
        drafts = [
            (s.starts_at, s.ends_at) for s in shifts if s.layer == layer and s.status == "draft"
        ]
        holes, unpublished = split_gaps(window, held(shifts, layer, start, end), drafts)
        if holes or unpublished:
            found.append(LayerGaps(layer, holes, unpublished))
    return found
