"""The monthly statement from the database: who was on call (overrides and approved swaps
applied), the interventions that synced with their travel, closing (by a manager, twice at
once, by the engine after the grace period), rectifying versions, hand-out and receipts.

The clock starts on Monday 30 November 2026 at 10:00 in Paris; December 2026 is the month
looked at. Team A (Maintenance): Marc manages, Sophie and Samuel are on call."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from datetime import timedelta

import pytest

from server.accounts.store import current_user
from server.audit.models import Actor
from server.clock import ManualClock
from server.db import Database, open_database
from server.errors import Forbidden, NotFound, RuleViolation
from server.i18n import current_locale
from server.notifications.store import notifications_for
from server.notifications.texts import render
from server.statements import monthly
from server.statements.closing import (
    acknowledge,
    close_due_months,
    close_month,
    recheck_closed_months,
)
from server.statements.models import Compensation, DayRates
from server.statements.store import save_compensation, save_wage
from tests.conftest import Company
from tests.integration.intervention_helpers import create, sync_ok
from tests.integration.schedule_helpers import paris
from tests.integration.statement_helpers import pay
from tests.integration.swap_helpers import add_shift, approve, ask_ok, swap_row

MONTH = "2026-12"
EVERYWHERE = frozenset({"push", "email"})
# Monday 14 December: Sophie's night, of which Samuel takes 22:00–02:00 by an override.
SOPHIES_NIGHT = (paris(2026, 12, 14, 18), paris(2026, 12, 15, 8))
OVERRIDE = (paris(2026, 12, 14, 22), paris(2026, 12, 15, 2))
# Monday 21 December: Sophie's night, covered by Samuel through an approved request.
COVERED_NIGHT = (paris(2026, 12, 21, 18), paris(2026, 12, 22, 8))
AFTER_GRACE = paris(2027, 1, 4, 0, 30)  # December closes on 4 January at 00:00 (3 days)


def days(content) -> list[tuple[str, int, int]]:
    return [
        (line.date.isoformat(), line.oncall_minutes, line.intervention_minutes)
        for line in content.statement.days
    ]


def versions(database: Database, user_id: int) -> list[dict]:
    return database.query(
        "SELECT * FROM statements WHERE user_id = ? AND month = ? ORDER BY version",
        (user_id, MONTH),
    )


@pytest.fixture
def december(company: Company, database: Database, browsers, clock: ManualClock) -> Company:
    """Sophie's night of the 14th with Samuel's override in it, and her night of the 21st
    covered by Samuel: asked, taken and approved through the pages."""
    team = company.team_a.id
    sophie, samuel = company.staff_a, company.staff_a2
    add_shift(database, team, sophie.id, *SOPHIES_NIGHT)
    add_shift(database, team, samuel.id, *OVERRIDE, kind="override")
    night = add_shift(database, team, sophie.id, *COVERED_NIGHT)
    swap_id = ask_ok(browsers("staff.a@test.fr"), night)
    assert browsers("staff.a2@test.fr").post_form(f"/swaps/{swap_id}/accept").status_code == 303
    answer = approve(browsers("manager.a@test.fr"), database, swap_id, reason="D'accord")
    assert answer.status_code == 303, answer.text
    assert swap_row(database, swap_id)["status"] == "approved"
    return company


def test_who_was_on_call_is_the_schedule_after_overrides_and_approved_swaps(
    december: Company, database: Database
) -> None:
    team = december.team_a.id
    sophie = monthly.provisional_statement(database, team, december.staff_a.id, MONTH)
    samuel = monthly.provisional_statement(database, team, december.staff_a2.id, MONTH)
    # Sophie keeps her night but the four hours of the override; the 21st is Samuel's now.
    assert days(sophie) == [("2026-12-14", 240, 0), ("2026-12-15", 360, 0)]
    assert sophie.statement.oncall_minutes.total == 600
    assert sophie.provisional and sophie.person_name == "Sophie Staff"
    assert days(samuel) == [
        ("2026-12-14", 120, 0),
        ("2026-12-15", 120, 0),
        ("2026-12-21", 360, 0),
        ("2026-12-22", 480, 0),
    ]
    assert [(line.start, line.end) for line in samuel.oncall] == [
        OVERRIDE,
        COVERED_NIGHT,
    ]
    # The manager's month lists both with their totals and warns that nothing is paid.
    month = monthly.team_month(database, team, MONTH, paris(2026, 12, 31, 12))
    assert [line.person_name for line in month.lines] == ["Samuel Staff", "Sophie Staff"]
    assert month.totals["oncall_minutes.total"] == 1680
    assert [w.code for w in month.warnings] == ["no_compensation"]
    assert not month.ended and month.closing is None


def test_synced_interventions_count_with_their_travel_and_are_listed(
    december: Company, database: Database, browsers, clock: ManualClock
) -> None:
    team, sophie = december.team_a.id, december.staff_a
    pay(database, team, clock.now())
    save_wage(database, sophie.id, 2000, actor=Actor(label="test"), now=clock.now())
    clock.set(paris(2026, 12, 15, 9))
    phone = browsers("staff.a@test.fr")
    (result,) = sync_ok(
        phone,
        create(
            started_at=paris(2026, 12, 15, 3),
            ended_at=paris(2026, 12, 15, 4),
            travel_minutes=30,
            changed_at=paris(2026, 12, 15, 4, 5),
        ),
    )
    assert result["status"] == "applied"

    content = monthly.provisional_statement(database, team, sophie.id, MONTH)
    (listed,) = content.interventions
    assert (listed.uuid, listed.travel_minutes) == (result["uuid"], 30)
    figures = content.statement
    # 03:00–04:00 widened by 15 minutes each side: 90 minutes, all of them at night.
    assert (figures.intervention_count, figures.intervention_minutes.total) == (1, 90)
    assert figures.intervention_minutes.night == 90
    assert days(content) == [("2026-12-14", 240, 0), ("2026-12-15", 360, 90)]
    # 1.5 h × 20.00 € × 125 % = 37.50 €; 10 h × 1.00 € + 5 night hours × 0.50 € = 12.50 €.
    assert figures.intervention_pay_cents == 3750
    assert figures.oncall_pay_cents == 1250
    assert content.compensation_set and content.policy.hourly_wage_cents == 2000


def test_a_manager_closes_the_month_once_it_has_ended_and_each_person_is_told(
    december: Company, database: Database, clock: ManualClock
) -> None:
    team = december.team_a.id
    marc = current_user(database, december.manager_a.id)
    with pytest.raises(RuleViolation):
        close_month(
            database, team, MONTH, now=paris(2026, 12, 31, 23), channels=EVERYWHERE, by=marc
        )
    nina = current_user(database, december.manager_b.id)
    with pytest.raises(Forbidden):
        close_month(database, team, MONTH, now=paris(2027, 1, 1), channels=EVERYWHERE, by=nina)
    assert database.scalar("SELECT COUNT(*) FROM statement_closings") == 0

    # Earlier than the grace period: a manager may.
    result = close_month(
        database, team, MONTH, now=paris(2027, 1, 1, 9), channels=EVERYWHERE, by=marc
    )
    assert (result.created, result.statements, result.closing.closed_by) == (True, 2, marc.id)
    for person in (december.staff_a, december.staff_a2):
        (row,) = versions(database, person.id)
        assert row["version"] == 1 and row["difference"] is None
        assert json.loads(row["content"])["provisional"] is False
        (told,) = [n for n in notifications_for(database, person.id) if n.kind == "statement_ready"]
        assert told.url == f"/statements/{MONTH}"
        channels = {
            r["channel"]
            for r in database.query(
                "SELECT channel FROM deliveries WHERE notification_id = ?", (told.id,)
            )
        }
        assert channels == {"email"}  # no phone subscribed: e-mail only
        token = current_locale.set("fr")
        try:
            words = render(told)
        finally:
            current_locale.reset(token)
        assert words.title == "Votre relevé d’astreinte est prêt"
        assert words.body.startswith("décembre 2026, Maintenance")
    # Nobody else had anything in December: no empty statements.
    assert database.scalar("SELECT COUNT(*) FROM statements") == 2
    # Closing again writes nothing and answers the closing there is.
    again = close_month(database, team, MONTH, now=paris(2027, 1, 2), channels=EVERYWHERE, by=marc)
    assert (again.created, again.closing.id) == (False, result.closing.id)
    assert database.scalar("SELECT COUNT(*) FROM statements") == 2


def test_two_managers_closing_at_once_make_one_closing(
    december: Company, database: Database, settings
) -> None:
    team = december.team_a.id
    marc = current_user(database, december.manager_a.id)
    admin = current_user(database, december.admin.id)
    # Two connections, as two server processes (or the CLI and the server) would have.
    connections = [open_database(settings.database_path) for _ in range(2)]
    start = threading.Barrier(2)
    results, errors = [], []

    def close(db: Database, who) -> None:
        start.wait()
        try:
            results.append(
                close_month(db, team, MONTH, now=paris(2027, 1, 2), channels=EVERYWHERE, by=who)
            )
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [
        threading.Thread(target=close, args=(db, who))
        for db, who in zip(connections, (marc, admin), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for db in connections:
        db.close()
    assert errors == []
    assert sorted(r.created for r in results) == [False, True]
    assert len({r.closing.id for r in results}) == 1
    assert database.scalar("SELECT COUNT(*) FROM statement_closings") == 1
    assert database.scalar("SELECT COUNT(*) FROM statements") == 2
    assert database.scalar("SELECT COUNT(*) FROM notifications WHERE kind = 'statement_ready'") == 2


def test_the_engine_closes_the_month_after_the_grace_period(
    december: Company, database: Database, app, clock: ManualClock
) -> None:
    team = december.team_a.id
    clock.set(AFTER_GRACE - timedelta(hours=1))  # 3 January, 23:30: still in the grace period
    app.state.engine.run_once()
    # November (empty: the teams were made on its last day) is closed; December not yet.
    closed = database.query("SELECT month FROM statement_closings WHERE team_id = ?", (team,))
    assert [row["month"] for row in closed] == ["2026-11"]
    assert database.scalar("SELECT COUNT(*) FROM statements") == 0
    clock.set(AFTER_GRACE)
    done = app.state.engine.run_once()
    assert done["statement_closing"] == 2
    closing = database.one(
        "SELECT * FROM statement_closings WHERE team_id = ? AND month = ?", (team, MONTH)
    )
    assert closing["closed_by"] is None  # the engine
    assert database.scalar("SELECT COUNT(*) FROM statements") == 2
    # The next rounds find it closed: nothing more.
    assert app.state.engine.run_once()["statement_closing"] == 0
    assert database.scalar("SELECT COUNT(*) FROM statement_closings WHERE month = ?", (MONTH,)) == 2


def test_a_longer_grace_period_waits_longer(
    december: Company, database: Database, clock: ManualClock
) -> None:
    team = december.team_a.id
    save_compensation(
        database, team, Compensation(grace_days=10), actor=Actor(label="t"), now=clock.now()
    )
    assert close_due_months(database, AFTER_GRACE, EVERYWHERE) == 0
    assert close_due_months(database, paris(2027, 1, 11), EVERYWHERE) == 2


def test_a_late_intervention_writes_version_2_with_the_difference_and_keeps_version_1(
    december: Company, database: Database, app, browsers, clock: ManualClock
) -> None:
    sophie = december.staff_a
    clock.set(AFTER_GRACE)
    app.state.engine.run_once()
    (first,) = versions(database, sophie.id)

    # Her phone was off: an intervention of 28 December arrives on 5 January.
    clock.set(paris(2027, 1, 5, 8))
    sync_ok(
        browsers("staff.a@test.fr"),
        create(
            started_at=paris(2026, 12, 28, 23),
            ended_at=paris(2026, 12, 29, 0, 30),
            travel_minutes=40,
            changed_at=paris(2026, 12, 29, 0, 35),
        ),
    )
    done = app.state.engine.run_once()
    assert done["statement_recheck"] == 1
    old, new = versions(database, sophie.id)
    assert old == first  # version 1 is still there, unchanged
    assert new["version"] == 2
    content = json.loads(new["content"])
    difference = json.loads(new["difference"])
    assert content["difference"] == difference
    assert difference["previous_version"] == 1
    assert difference["previous_sha256"] == first["sha256"]
    assert difference["figures"] == {
        "intervention_count": 1,
        "intervention_minutes.night": 130,
        "intervention_minutes.total": 130,
        "intervention_minutes.weekday": 130,
    }
    assert len(difference["interventions_added"]) == 1
    # Samuel's document did not change: no new version for him.
    assert len(versions(database, december.staff_a2.id)) == 1
    kinds = [
        n.params["version"]
        for n in notifications_for(database, sophie.id)
        if n.kind == "statement_ready"
    ]
    assert sorted(kinds) == [1, 2]
    # The next round has nothing new to write.
    assert app.state.engine.run_once()["statement_recheck"] == 0
    assert len(versions(database, sophie.id)) == 2


def test_a_rectification_keeps_the_policy_the_month_was_closed_with(
    december: Company, database: Database, browsers, clock: ManualClock
) -> None:
    team, sophie = december.team_a.id, december.staff_a
    pay(database, team, clock.now())
    close_month(database, team, MONTH, now=AFTER_GRACE, channels=EVERYWHERE)
    # A new compensation from January on changes nothing of December by itself.
    save_compensation(
        database,
        team,
        Compensation(oncall_cents_per_hour=DayRates(weekday=999)),
        actor=Actor(label="t"),
        now=AFTER_GRACE,
    )
    assert recheck_closed_months(database, paris(2027, 1, 5), EVERYWHERE) == 0
    clock.set(paris(2027, 1, 5, 8))
    sync_ok(
        browsers("staff.a@test.fr"),
        create(
            started_at=paris(2026, 12, 15, 3),
            ended_at=paris(2026, 12, 15, 4),
            changed_at=paris(2026, 12, 15, 4, 5),
            travel_minutes=0,
        ),
    )
    assert recheck_closed_months(database, clock.now(), EVERYWHERE) == 1
    latest = monthly.statement_versions(database, team, sophie.id, MONTH)[-1]
    assert latest.version == 2
    assert latest.content.policy.oncall_cents_per_hour.weekday == 100
    assert latest.content.statement.oncall_pay_cents == 1250  # as in version 1


def test_closed_statements_never_change_and_each_carries_the_sha256_of_its_content(
    december: Company, database: Database, clock: ManualClock
) -> None:
    close_month(database, december.team_a.id, MONTH, now=AFTER_GRACE, channels=EVERYWHERE)
    rows = database.query("SELECT * FROM statements")
    assert len(rows) == 2
    for row in rows:
        assert hashlib.sha256(row["content"].encode()).hexdigest() == row["sha256"]
    with pytest.raises(sqlite3.IntegrityError, match="never changes"), database.write():
        database.execute("UPDATE statements SET content = '{}' WHERE id = ?", (rows[0]["id"],))
    with pytest.raises(sqlite3.IntegrityError, match="cannot be deleted"), database.write():
        database.execute("DELETE FROM statements")
    assert database.query("SELECT * FROM statements") == rows


def test_acknowledging_receipt_is_time_stamped_audited_and_only_the_persons_own(
    december: Company, database: Database, clock: ManualClock
) -> None:
    team = december.team_a.id
    close_month(database, team, MONTH, now=AFTER_GRACE, channels=EVERYWHERE)
    (statement,) = monthly.person_statements(database, december.staff_a.id)
    assert statement.acknowledged_at is None
    samuel = current_user(database, december.staff_a2.id)
    with pytest.raises(NotFound):
        acknowledge(database, statement.id, person=samuel, now=AFTER_GRACE)

    sophie = current_user(database, december.staff_a.id)
    at = paris(2027, 1, 6, 19, 12)
    receipt = acknowledge(database, statement.id, person=sophie, now=at)
    assert receipt.acknowledged_at == at
    again = acknowledge(database, statement.id, person=sophie, now=at + timedelta(days=1))
    assert again.acknowledged_at == at  # the first receipt stands
    (entry,) = database.query(
        "SELECT * FROM audit_log WHERE action = 'statement.acknowledge' AND entity_id = ?",
        (str(statement.id),),
    )
    assert (entry["actor_user_id"], entry["team_id"]) == (sophie.id, team)
    assert json.loads(entry["after"])["sha256"] == statement.sha256
    # The manager sees who has acknowledged and who has not.
    month = monthly.team_month(database, team, MONTH, at)
    acknowledged = {line.person_name: line.acknowledged_at for line in month.lines}
    assert acknowledged == {"Samuel Staff": None, "Sophie Staff": at}


def test_the_managers_month_warns_of_declined_shifts_and_phones_silent_since_it_ended(
    company: Company, database: Database, clock: ManualClock
) -> None:
    team = company.team_a.id
    add_shift(database, team, company.staff_a.id, *SOPHIES_NIGHT, status="declined")
    add_shift(database, team, company.staff_a2.id, *COVERED_NIGHT, status="published")
    month = monthly.team_month(database, team, MONTH, paris(2027, 1, 2))
    warned = {w.code: w.user_ids for w in month.warnings}
    assert warned == {
        "no_compensation": [],
        "declined_shifts": [company.staff_a.id],
        "unanswered_shifts": [company.staff_a2.id],
        # Neither has opened the app since 1 January: interventions may still arrive.
        "not_synced": sorted([company.staff_a.id, company.staff_a2.id]),
    }
    assert month.ended and month.closing is None
