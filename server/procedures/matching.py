"""The procedures an alert calls for, best first (rules.py: site > client > label > source),
for the alert's page, the page its notification opens."""

from __future__ import annotations

from collections.abc import Mapping

from server.db import Database
from server.procedures.models import Procedure
from server.procedures.rules import alert_facts, order_matches
from server.procedures.store.procedures import matching_candidates

SHOWN = 5  # a phone screen's worth; the team's list has the rest


def procedures_for_alert(
    database: Database,
    team_id: int,
    *,
    source: str,
    labels: Mapping[str, str],
    client_id: int | None,
    site_id: int | None,
    limit: int = SHOWN,
) -> list[Procedure]:
    facts = alert_facts(source, labels, client_id, site_id)
    candidates = matching_candidates(database, team_id, facts)
    ordered = order_matches(((p, p.tags, p.title) for p in candidates), facts)
    return ordered[:limit]
