"""The demo's statements on a first start: compensation and wages set, the two past months closed
with a statement for everyone on call in them (interventions with travel listed), none
acknowledged yet, the month so far provisional; the engine finds nothing to rectify, and the
manager's CSV and the PDF open. The clock starts on Monday 30 November 2026 at 10:00 in Paris,
so the past months are September and October 2026; the other starts are at any day of a month."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from server.clock import ManualClock
from server.db import Database
from server.demo import DEMO_PASSWORD, IT_SUPPORT, MAINTENANCE, seed_demo
from server.statements import monthly
from server.statements.closing import recheck_closed_months
from server.statements.links import payroll_csv_url, pdf_url
from server.statements.store import get_compensation
from server.teams.store import find_team, members
from tests.integration.schedule_helpers import PARIS


def closed_months(database: Database, team_id: int) -> list[str]:
    return sorted(
        row["month"]
        for row in database.query(
            "SELECT month FROM statement_closings WHERE team_id = ?", (team_id,)
        )
    )


@pytest.mark.parametrize(
    "start",
    [
        None,  # the suite's clock
        datetime(2027, 1, 1, 0, 30, tzinfo=PARIS),  # in the previous month's grace period
        datetime(2026, 3, 31, 23, 30, tzinfo=PARIS),  # a month of 31 days, summer time
    ],
)
def test_a_first_start_shows_closed_and_provisional_statements(
    database: Database, clock: ManualClock, start: datetime | None
) -> None:
    if start is not None:
        clock.set(start)
    now = clock.now()
    assert seed_demo(database, now)
    local = now.astimezone(PARIS).date().replace(day=1)
    before = (local - timedelta(days=1)).replace(day=1)
    earlier = (before - timedelta(days=1)).replace(day=1)
    expected = [f"{d:%Y-%m}" for d in (earlier, before)]
    for name in (MAINTENANCE, IT_SUPPORT):
        team = find_team(database, name).id
        compensation = get_compensation(database, team)
        assert compensation is not None
        assert compensation.oncall_cents_per_hour.saturday == 150
        assert closed_months(database, team) == expected
        on_call = {m.user_id for m in members(database, team)}
        for month in expected:
            month_view = monthly.team_month(database, team, month, now)
            assert {line.user_id for line in month_view.lines} == on_call, (name, month)
            assert all(line.version == 1 and line.sha256 for line in month_view.lines)
            assert month_view.totals["intervention_count"] >= 2
            assert month_view.totals["intervention_pay_cents"] > 0
            assert month_view.totals["oncall_pay_cents"] > 0
            assert "no_compensation" not in {w.code for w in month_view.warnings}
        current = monthly.team_month(database, team, f"{local:%Y-%m}", now)
        assert current.closing is None
    # Receipts are the people's to give (none given for them).
    assert database.scalar("SELECT COUNT(*) FROM statement_acknowledgements") == 0
    # Nothing the engine would rectify: the documents are what the database says.
    assert recheck_closed_months(database, now, frozenset()) == 0


def test_the_demo_manager_downloads_the_csv_and_a_person_their_pdf(
    database: Database, clock: ManualClock, browsers
) -> None:
    assert seed_demo(database, clock.now())
    team = find_team(database, MAINTENANCE).id
    manager = browsers()
    manager.login("claire.martin@astreinte.test", DEMO_PASSWORD)
    csv = manager.get(payroll_csv_url(team, "2026-10"))
    assert csv.status_code == 200
    assert "Nadia Lefebvre" in csv.text and "closed" in csv.text
    julien = database.scalar("SELECT id FROM users WHERE email = 'julien.moreau@astreinte.test'")
    phone = browsers()
    phone.login("julien.moreau@astreinte.test", DEMO_PASSWORD)
    document = phone.get(pdf_url(julien, "2026-10", 1, team))
    assert document.status_code == 200
    assert document.content.startswith(b"%PDF")


def test_the_interventions_on_a_statement_say_their_outcome_in_the_persons_words(
    database: Database, clock: ManualClock, browsers
) -> None:
    assert seed_demo(database, clock.now())
    phone = browsers()
    phone.login("julien.moreau@astreinte.test", DEMO_PASSWORD)
    page = phone.get("/statements/2026-10")
    assert page.status_code == 200
    # The demo's interventions are resolved: the French page says so in French.
    assert "résolue" in page.text
    assert ">resolved<" not in page.text
