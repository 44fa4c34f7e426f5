"""The person picker of the shift editor: each load warning says whose figure it is, the limit
and the period, and only the figures this choice changes are shown (one per rule at most).

Samuel and Sophie take turns weekly from Monday 30 November, on call outside business hours
(weeknights and the weekend, Monday 18:00 to the next Monday 08:00). Samuel's weeks are those of
30 November, 14 and 28 December; the night of Monday 7 December is Sophie's, and the manager
gives it to Samuel or to Marc, who is in no rotation."""

from __future__ import annotations

import msgspec
import pytest

from server.audit.models import Actor
from server.clock import ManualClock
from server.db import Database
from server.teams.store import get_team, set_policy
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import add_rotation, paris, parse, shift_at


@pytest.fixture
def manager(client: Client, company: Company) -> Client:
    client.login("manager.a@test.fr")
    return client


def picker(manager: Client, company: Company, database: Database, language: str) -> dict:
    """Each person's line in the picker: the name's label, and its warnings."""
    team = company.team_a.id
    add_rotation(manager, team, [company.staff_a2.id, company.staff_a.id])
    night = shift_at(database, team, "primary", paris(2026, 12, 7, 18))
    assert night["user_id"] == company.staff_a.id
    manager.headers["Accept-Language"] = language
    response = manager.get(f"/schedule/manage/shifts/{night['id']}")
    assert response.status_code == 200
    page = parse(response.text)
    lines = {}
    for user in (company.staff_a2, company.manager_a):
        label = page.one("label", for_=f"f-user-{user.id}")
        lines[user.id] = [chip.text for chip in label.find_all("span", class_="load-warning")]
    lines["hint"] = page.one("fieldset").text
    return lines


def tighten(database: Database, company: Company, clock: ManualClock, **limits: int) -> None:
    team = get_team(database, company.team_a.id)
    policy = msgspec.structs.replace(team.policy, **limits)
    set_policy(
        database,
        team.id,
        policy,
        actor=Actor(label="Marc Manager", user_id=company.manager_a.id),
        now=clock.now(),
        reason="test",
    )


def test_each_warning_says_whose_figure_the_limit_and_the_period_in_english(
    manager: Client, company: Company, database: Database
) -> None:
    lines = picker(manager, company, database, "en")
    # With the night of the 7th, Samuel's week of 30 November runs to Tuesday the 8th: 17 days
    # in the 28 to Monday 21 December (his week of the 14th), one over the limit of 16; and
    # only 6.4 days off before his next week starts on the 14th at 18:00.
    assert lines[company.staff_a2.id] == [
        "Samuel Staff would have 17 on-call days from Tue 24 Nov to Mon 21 Dec "
        "(limit 16 in 28 days)",
        "Samuel Staff would have only 6.4 days between two on-call stretches, "
        "from Tue 8 Dec to Mon 14 Dec (at least 7)",
    ]
    assert lines[company.manager_a.id] == []
    assert "with this shift given to them, against the team’s limits" in lines["hint"]


def test_each_warning_says_whose_figure_the_limit_and_the_period_in_french(
    manager: Client, company: Company, database: Database
) -> None:
    lines = picker(manager, company, database, "fr")
    assert lines[company.staff_a2.id] == [
        "Samuel Staff aurait 17 jours d’astreinte du mar. 24 nov. au lun. 21 déc. "
        "(limite 16 sur 28 jours)",
        "Samuel Staff n’aurait que 6,4 jours entre deux périodes d’astreinte, "
        "du mar. 8 déc. au lun. 14 déc. (au moins 7)",
    ]
    assert lines[company.manager_a.id] == []


def test_windows_the_choice_does_not_touch_show_no_chip(
    manager: Client, company: Company, database: Database, clock: ManualClock
) -> None:
    """With a limit of 15, every four weeks of Samuel's (two weeks on call, 16 days) are over
    it: only the busiest 28 days containing the night are shown, once, not one per window."""
    tighten(database, company, clock, max_oncall_days_per_28=15, min_days_between_oncall_weeks=1)
    lines = picker(manager, company, database, "en")
    assert lines[company.staff_a2.id] == [
        "Samuel Staff would have 17 on-call days from Tue 24 Nov to Mon 21 Dec "
        "(limit 15 in 28 days)"
    ]
