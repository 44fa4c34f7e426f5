"""The people figures keep each person's rest violations under what the rest engine reads, so a
write that changes none of it (an alert acknowledged, someone else's intervention) costs no new
run, and a change to any of it shows at once: each input is changed in turn below, and the
figures must then be what a run from nothing gives.

Sophie's weekly template has an 11-hour Monday in July 2026 (the daily maximum is 10 h), and
three interventions: Wednesday 8 July 08:00–17:30, Thursday 9 July 20:00–21:00 and Friday 10 July
06:00–18:00 (Paris), the last one over the maximum too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from server.audit.models import Actor
from server.clock import to_db
from server.db import Database
from server.metrics import people as metrics_people
from server.metrics.people import team_load
from server.metrics.periods import bounds, period_of
from server.rest.store import insert_declared_rest, replace_pattern
from server.rest.timeline import PatternRange
from server.teams.models import TeamPolicy
from server.teams.store import set_policy
from tests.conftest import Company
from tests.integration.intervention_helpers import raise_alert
from tests.integration.schedule_helpers import paris
from tests.integration.test_metrics_people import add_intervention, add_shift

JULY = period_of("month", datetime(2026, 7, 1).date())
NOW = datetime(2026, 8, 5, 9, 0, tzinfo=UTC)  # July is over


@pytest.fixture
def runs(monkeypatch) -> list[int]:
    """Whom the rest engine ran for."""
    ran: list[int] = []
    engine = metrics_people.violations_touching

    def counted(database, user_id, *args):
        ran.append(user_id)
        return engine(database, user_id, *args)

    monkeypatch.setattr(metrics_people, "violations_touching", counted)
    return ran


@pytest.fixture
def sophie(database: Database, company: Company) -> Company:
    user = company.staff_a.id
    with database.write():
        replace_pattern(
            database, user, [PatternRange(weekday=0, start_minute=480, end_minute=1140)]
        )
    add_intervention(
        database, company.team_a.id, user, paris(2026, 7, 8, 8), paris(2026, 7, 8, 17, 30)
    )
    add_intervention(
        database, company.team_a.id, user, paris(2026, 7, 9, 20), paris(2026, 7, 9, 21)
    )
    add_intervention(
        database, company.team_a.id, user, paris(2026, 7, 10, 6), paris(2026, 7, 10, 18)
    )
    return company


def violations(database: Database, company: Company) -> dict[int, int]:
    start, end = bounds(JULY, "Europe/Paris")
    load = team_load(database, company.team_a, start, end, NOW)
    return {line.user_id: line.violations for line in load.people}


def from_nothing(database: Database, company: Company) -> dict[int, int]:
    metrics_people._KEPT_VIOLATIONS.clear()
    return violations(database, company)


def _write(sql: str, params: tuple) -> Callable[[Database, Company], None]:
    def change(database: Database, company: Company) -> None:
        with database.write():
            database.execute(sql, params)

    return change


def _pattern(database: Database, company: Company) -> None:
    with database.write():
        replace_pattern(
            database,
            company.staff_a.id,
            [PatternRange(weekday=0, start_minute=480, end_minute=1020)],
        )


def _absence(database: Database, company: Company) -> None:
    with database.write():
        database.insert(
            "absences",
            {
                "user_id": company.staff_a.id,
                "kind": "leave",
                "first_day": "2026-07-06",
                "last_day": "2026-07-06",
                "created_at": to_db(NOW),
            },
        )


def _declared_rest(database: Database, company: Company) -> None:
    with database.write():
        rest = (paris(2026, 7, 13, 12), paris(2026, 7, 13, 14))
        insert_declared_rest(database, company.staff_a.id, *rest, NOW)


def _new_intervention(database: Database, company: Company) -> None:
    start, end = paris(2026, 7, 16, 6), paris(2026, 7, 16, 19)
    add_intervention(database, company.team_a.id, company.staff_a.id, start, end)


def _policy(database: Database, company: Company) -> None:
    policy = TeamPolicy(max_daily_work_hours=12)
    set_policy(
        database, company.team_a.id, policy, actor=Actor(label="test"), now=NOW, reason="accord"
    )


def _shift(database: Database, company: Company) -> None:
    start, end = paris(2026, 7, 18), paris(2026, 7, 19)
    add_shift(database, company.team_a.id, company.staff_a.id, start, end, status="accepted")


WED, THU, FRI = (to_db(paris(2026, 7, day, hour)) for day, hour in ((8, 8), (9, 20), (10, 6)))
# Changes to a team's rules are everyone's.
TEAM_WIDE = ("team policy", "team time zone")
CHANGES = {
    "work pattern": _pattern,
    "absence": _absence,
    "declared rest": _declared_rest,
    "new intervention": _new_intervention,
    "intervention moved": _write(
        "UPDATE interventions SET started_at = ? WHERE started_at = ?",
        (to_db(paris(2026, 7, 9, 8)), THU),
    ),
    "intervention travel": _write(
        "UPDATE interventions SET travel_minutes = 120 WHERE started_at = ?", (WED,)
    ),
    "intervention deleted": _write(
        "UPDATE interventions SET deleted_at = started_at WHERE started_at = ?", (FRI,)
    ),
    "team policy": _policy,
    "team time zone": _write(
        "UPDATE teams SET timezone = 'America/Cayenne' WHERE name = ?", ("Maintenance",)
    ),
    "told shift": _shift,
}


@pytest.mark.parametrize("name", CHANGES)
def test_a_change_to_what_the_rest_engine_reads_shows_at_once(
    database: Database, sophie: Company, runs: list[int], name: str
) -> None:
    before = violations(database, sophie)
    runs.clear()
    CHANGES[name](database, sophie)
    after = violations(database, sophie)
    if name in TEAM_WIDE:
        assert sophie.staff_a.id in runs
    else:
        assert runs == [sophie.staff_a.id]  # only Sophie's inputs changed
    assert after == from_nothing(database, sophie)
    if name not in ("told shift", "team time zone"):  # on call is no work; same hours there
        assert after[sophie.staff_a.id] != before[sophie.staff_a.id]


def test_a_write_elsewhere_runs_the_engine_for_nobody(
    database: Database, sophie: Company, runs: list[int]
) -> None:
    before = violations(database, sophie)
    runs.clear()
    alert = raise_alert(database, sophie.team_a.id, "Pompe P2", paris(2026, 7, 7, 22, 59))
    with database.write():
        database.execute(
            "UPDATE alerts SET acknowledged_by = ? WHERE id = ?", (sophie.staff_a.id, alert)
        )
    add_intervention(
        database, sophie.team_a.id, sophie.staff_a2.id, paris(2026, 9, 1, 8), paris(2026, 9, 1, 9)
    )
    assert violations(database, sophie) == before
    assert runs == []
    assert before[sophie.staff_a.id] == 5  # the four Mondays of July, 11 h each, and Friday 10 July
