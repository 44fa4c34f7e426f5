"""Routing uses fatigue: with the team's option on, an alert goes to the backup first when the
person on call declared fatigue 8 or more in the last 12 hours, and the alert says why.

Tonight (see alert_helpers): Sophie primary, Samuel secondary, Marc manager; alert at 23:00."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from server.alerts.models import EscalationPolicy
from server.alerts.rules import backup_first
from server.alerts.store import save_policy
from server.audit.models import Actor
from server.clock import ManualClock
from server.rest.fatigue import record_fatigue
from tests.conftest import Company, LocalOrigins
from tests.integration.alert_helpers import NIGHT, Night, alert_pushes, deliver, events, tick
from tests.integration.schedule_helpers import Browsers, page_text
from tests.push_service import PushService


@pytest.fixture
def push(clock: ManualClock, local_origins: LocalOrigins) -> Iterator[PushService]:
    with PushService(clock=clock.now, listener=local_origins.push) as service:
        yield service


def tired_routing(database, company: Company, on: bool = True) -> None:
    save_policy(
        database,
        company.team_a.id,
        EscalationPolicy(backup_first_when_tired=on),
        actor=Actor(label="test"),
        now=NIGHT,
    )


@pytest.mark.parametrize(
    ("enabled", "primary", "secondary", "score", "expected"),
    [
        (True, 1, 2, 8, True),
        (True, 1, 2, 9, True),
        (True, 1, 2, 7, False),
        (True, 1, 2, None, False),
        (False, 1, 2, 9, False),
        (True, 1, None, 9, False),  # nobody to send it to instead
        (True, 1, 1, 9, False),
        (True, None, 2, 9, False),
    ],
)
def test_when_the_backup_goes_first(enabled, primary, secondary, score, expected) -> None:
    assert backup_first(enabled, primary, secondary, score) is expected


def test_a_tired_primary_is_paged_after_the_backup(
    night: Night, app, database, push: PushService, company: Company, browsers: Browsers
) -> None:
    tired_routing(database, company)
    record_fatigue(
        database, company.staff_a.id, 8, context="shift_start", now=NIGHT - timedelta(hours=3)
    )
    alert = night.raise_alert("Chaudière en panne")
    deliver(app)
    # Samuel (the backup) is woken first; Sophie is not, yet.
    assert len(alert_pushes(push, night.samuel)) == 1
    assert alert_pushes(push, night.sophie) == []
    kinds = events(database, alert["id"])
    backup = next(detail for kind, detail in kinds if kind == "backup_first")
    assert backup["name"] == "Samuel Staff" and backup["score"] == 8
    # Five minutes later the second step pages the primary, as the backup would have been.
    night.advance(minutes=5)
    tick(app)
    assert len(alert_pushes(push, night.sophie)) == 1
    # The alert's timeline says why.
    marc = browsers(company.manager_a.email)
    text = page_text(marc.get(f"/alerts/{alert['id']}").text)
    assert "Envoyée d’abord au renfort, Samuel Staff" in text
    assert "fatigue de 8/9 à 20:00" in text


@pytest.mark.parametrize(
    ("score", "hours_ago", "option"),
    [(7, 1, True), (9, 13, True), (9, 1, False)],
    ids=["score 7", "13 hours ago", "option off"],
)
def test_otherwise_the_primary_goes_first(
    night: Night,
    app,
    database,
    push: PushService,
    company: Company,
    score: int,
    hours_ago: int,
    option: bool,
) -> None:
    tired_routing(database, company, on=option)
    record_fatigue(
        database,
        company.staff_a.id,
        score,
        context="today",
        now=NIGHT - timedelta(hours=hours_ago),
    )
    alert = night.raise_alert("Chaudière en panne")
    deliver(app)
    assert len(alert_pushes(push, night.sophie)) == 1
    assert alert_pushes(push, night.samuel) == []
    assert "backup_first" not in [kind for kind, _ in events(database, alert["id"])]


def test_the_option_is_set_on_the_escalation_page(
    night: Night, database, company: Company, browsers: Browsers
) -> None:
    marc = browsers(company.manager_a.email)
    response = marc.post_form(
        f"/alerts/policy?team={company.team_a.id}",
        {
            "target_0": "primary",
            "delay_1": "5",
            "target_1": "secondary",
            "repeat": "2",
            "backup_first_when_tired": "on",
        },
    )
    assert response.status_code == 303, response.text
    page = marc.get(f"/alerts/policy?team={company.team_a.id}").text
    assert 'name="backup_first_when_tired" checked' in page
