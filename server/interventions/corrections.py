"""A manager's correction of an intervention: checked with the rules, then written and audited
with both versions in one transaction."""

from __future__ import annotations

from datetime import datetime

import msgspec

from server.accounts.models import CurrentUser
from server.audit.models import Actor
from server.audit.store import record
from server.clients.store.lookup import link_owners
from server.db import Database
from server.errors import Forbidden, InvalidInput
from server.i18n import gettext as _
from server.interventions import store
from server.interventions.models import Intervention, InterventionData
from server.interventions.rules import (
    client_problem,
    correction_alert_problem,
    stored_fields,
    to_second,
)


def correct(
    database: Database, uuid: str, data: InterventionData, *, manager: CurrentUser, now: datetime
) -> Intervention:
    """A manager's correction, audited with both versions; a later phone edit loses to it
    unless made after it (rules.phone_wins)."""
    with database.write():
        before = store.get_intervention(database, uuid)
        if before.team_id is None or not manager.manages(before.team_id):
            raise Forbidden(_("You can only correct interventions of the teams you manage."))
        if data.alert_id is not None and data.alert_id != before.alert_id:
            alert_team = store.alert_team(database, data.alert_id)
            wrong = correction_alert_problem(alert_team, before.team_id)
            if wrong is not None:
                raise InvalidInput(_(wrong), field="alert_id")
        if (data.client_id, data.site_id) != (before.client_id, before.site_id):
            # A correction names a client of the intervention's own team.
            client_team, site_client = link_owners(database, data.client_id, data.site_id)
            wrong = client_problem(
                data.client_id, data.site_id, client_team, site_client, (before.team_id,)
            )
            if wrong is not None:
                raise InvalidInput(_(wrong[0]), field=wrong[1])
        corrected = msgspec.structs.replace(
            before,
            **stored_fields(data),
            server_changed_at=to_second(now),
            corrected_by=manager.id,
        )
        store.save_intervention(database, corrected)
        after = store.get_intervention(database, uuid)
        record(
            database,
            at=now,
            actor=Actor(label=manager.email, user_id=manager.id),
            action="intervention.correct",
            entity_type="intervention",
            entity_id=uuid,
            team_id=before.team_id,
            before=before,
            after=after,
        )
        return after
