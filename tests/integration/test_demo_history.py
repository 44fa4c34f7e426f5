"""The demo's year of history on a first start: twelve months of shifts, alerts, pages,
interventions and fatigue reports, consistent with each other and with the schedule (whoever
was on call answered), all resolved and read, and the same on every seed. The suite's clock
starts on Monday 30 November 2026 at 10:00 in Paris; other starts (in summer time, on the night
the clocks go back) check nothing depends on the day the demo is first started."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from server.clock import ManualClock, to_db
from server.db import Database, open_database
from server.demo import IT_SUPPORT, MAINTENANCE, seed_demo
from server.demo.history import QUIET_DAYS
from server.schedules.lookup import who_is_on_call
from server.staffing.needs import team_needs
from server.teams.store import find_team, get_team
from tests.integration.schedule_helpers import PARIS

SUMMER_START = datetime(2027, 6, 16, 15, 45, tzinfo=PARIS)
# 02:30 on the night the clocks go back, the first one (summer time).
CLOCKS_BACK = datetime(2026, 10, 25, 2, 30, tzinfo=PARIS)


@pytest.fixture(
    params=[None, SUMMER_START, CLOCKS_BACK], ids=["suite-clock", "summer", "clocks-back"]
)
def seeded(request, database: Database, clock: ManualClock) -> datetime:
    if request.param is not None:
        clock.set(request.param)
    assert seed_demo(database, clock.now())
    return clock.now()


def count(database: Database, sql: str, params: tuple = ()) -> int:
    return database.scalar(sql, params)


def test_a_year_of_alerts_every_month_all_resolved_and_read(
    database: Database, seeded: datetime
) -> None:
    local = seeded.astimezone(PARIS).date()
    quiet = datetime.combine(local - timedelta(days=QUIET_DAYS), time(), PARIS)
    for name in (MAINTENANCE, IT_SUPPORT):
        team = find_team(database, name).id
        months = {
            row["month"]
            for row in database.query(
                "SELECT DISTINCT substr(created_at, 1, 7) AS month FROM alerts WHERE team_id = ?",
                (team,),
            )
        }
        # Each of the twelve months before this one (the "12 months" period) has alerts.
        day = local.replace(day=1)
        for _ in range(12):
            day = (day - timedelta(days=1)).replace(day=1)
            assert f"{day:%Y-%m}" in months, (name, day)
        per_day = count(database, "SELECT COUNT(*) FROM alerts WHERE team_id = ?", (team,)) / 365
        assert 2 <= per_day <= 8, per_day  # a few a day
    # Nothing of the history is open, waiting or unread: lists and badges stay the demo's own.
    assert count(database, "SELECT COUNT(*) FROM alerts WHERE status != 'resolved'") == 0
    assert (
        count(database, "SELECT COUNT(*) FROM alerts WHERE resolved_at >= ?", (to_db(quiet),)) == 0
    )
    assert count(database, "SELECT COUNT(*) FROM alerts WHERE next_step_at IS NOT NULL") == 0
    assert (
        count(
            database, "SELECT COUNT(*) FROM notifications WHERE kind = 'alert' AND read_at IS NULL"
        )
        == 0
    )
    assert count(database, "SELECT COUNT(*) FROM deliveries WHERE status = 'pending'") == 0


def test_times_are_in_order_and_rows_agree(database: Database, seeded: datetime) -> None:
    checks = {
        "acknowledged before created": "SELECT COUNT(*) FROM alerts "
        "WHERE acknowledged_at < created_at",
        "resolved before acknowledged": "SELECT COUNT(*) FROM alerts "
        "WHERE resolved_at < COALESCE(acknowledged_at, created_at)",
        "acknowledged by nobody": "SELECT COUNT(*) FROM alerts "
        "WHERE (acknowledged_at IS NULL) != (acknowledged_by IS NULL)",
        "intervention ends before it starts": "SELECT COUNT(*) FROM interventions "
        "WHERE ended_at <= started_at",
        "intervention before its alert": "SELECT COUNT(*) FROM interventions i "
        "JOIN alerts a ON a.id = i.alert_id WHERE i.started_at < a.acknowledged_at "
        "OR i.team_id != a.team_id OR i.user_id != a.acknowledged_by",
        "intervention by someone outside the team": "SELECT COUNT(*) FROM interventions i "
        "WHERE NOT EXISTS (SELECT 1 FROM memberships m "
        "WHERE m.team_id = i.team_id AND m.user_id = i.user_id)",
        "timeline not starting with creation": "SELECT COUNT(*) FROM alerts a "
        "WHERE (SELECT kind || at FROM alert_events e WHERE e.alert_id = a.id "
        "ORDER BY e.id LIMIT 1) != 'created' || a.created_at",
        "timeline out of order": "SELECT COUNT(*) FROM alert_events e JOIN alert_events f "
        "ON f.alert_id = e.alert_id AND f.id = e.id + 1 WHERE f.at < e.at",
        "acknowledgement not on the timeline": "SELECT COUNT(*) FROM alerts a "
        "WHERE acknowledged_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM alert_events e "
        "WHERE e.alert_id = a.id AND e.kind = 'acknowledged' AND e.at = a.acknowledged_at)",
        "delivery of another person's notification": "SELECT COUNT(*) FROM deliveries d "
        "JOIN notifications n ON n.id = d.notification_id WHERE n.user_id != d.user_id "
        "OR json_extract(n.params, '$.alert_id') != d.alert_id",
        "sent before it was due": "SELECT COUNT(*) FROM deliveries "
        "WHERE status = 'sent' AND (sent_at < next_attempt_at OR sent_at IS NULL)",
        "sent delivery not on the timeline": "SELECT COUNT(*) FROM deliveries d "
        "WHERE status = 'sent' AND NOT EXISTS (SELECT 1 FROM alert_events e "
        "WHERE e.alert_id = d.alert_id AND e.kind = 'delivery' AND e.at = d.sent_at)",
        "page before the alert": "SELECT COUNT(*) FROM notifications n "
        "JOIN alerts a ON a.id = json_extract(n.params, '$.alert_id') "
        "WHERE n.kind = 'alert' AND (n.created_at < a.created_at OR n.read_at < n.created_at)",
    }
    found = {name: count(database, sql) for name, sql in checks.items()}
    assert found == dict.fromkeys(checks, 0)


def test_whoever_was_on_call_was_paged_and_answered(database: Database, seeded: datetime) -> None:
    # At night the primary is paged first; past five minutes, the backup (step 2).
    first_pages = database.query(
        "SELECT a.id, a.team_id, a.created_at, e.detail FROM alerts a JOIN alert_events e "
        "ON e.alert_id = a.id AND e.kind = 'paged' AND json_extract(e.detail, '$.step') = 1"
    )
    assert len(first_pages) > 300
    for row in first_pages[::25]:
        moment = datetime.fromisoformat(row["created_at"])
        primary = who_is_on_call(database, row["team_id"], moment).primary
        assert primary is not None
        assert '"people":["' + primary.name + '"]' in row["detail"], row
    escalated = count(
        database,
        "SELECT COUNT(DISTINCT alert_id) FROM alert_events WHERE kind = 'paged' "
        "AND json_extract(detail, '$.step') = 2",
    )
    assert 0.05 * len(first_pages) < escalated < 0.4 * len(first_pages)
    # Business hours: nobody is on call, the managers are paged for the gap.
    gaps = count(
        database,
        "SELECT COUNT(*) FROM alert_events WHERE kind = 'paged' "
        "AND json_extract(detail, '$.reason') = 'coverage_gap'",
    )
    assert gaps > 300
    # Whoever acknowledged a night alert had been paged for it.
    strangers = count(
        database,
        "SELECT COUNT(*) FROM alerts a WHERE a.acknowledged_by IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM alert_events e WHERE e.alert_id = a.id AND e.kind = 'paged' "
        "AND json_extract(e.detail, '$.step') = 1) "
        "AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.kind = 'alert' "
        "AND json_extract(n.params, '$.alert_id') = a.id AND n.user_id = a.acknowledged_by)",
    )
    assert strangers == 0


def test_interruptions_interventions_fatigue_and_problems_have_data(
    database: Database, seeded: datetime
) -> None:
    channels = {
        row["channel"]: row["n"]
        for row in database.query(
            "SELECT channel, COUNT(*) AS n FROM deliveries WHERE status = 'sent' GROUP BY channel"
        )
    }
    assert channels["push"] > channels["webhook"] > 0 and channels["email"] > 0
    modes = {
        row["mode"]: row["n"]
        for row in database.query(
            "SELECT mode, COUNT(*) AS n FROM interventions WHERE alert_id IS NOT NULL GROUP BY mode"
        )
    }
    assert modes["on_site"] > 100 and modes["remote"] > 100
    assert count(database, "SELECT COUNT(*) FROM interventions WHERE travel_minutes > 0") > 100
    nights = count(
        database,
        "SELECT COUNT(*) FROM interventions WHERE alert_id IS NOT NULL "
        "AND (CAST(strftime('%H', started_at) AS INTEGER) >= 21 "
        "OR CAST(strftime('%H', started_at) AS INTEGER) < 6)",
    )
    assert nights > 50
    assert count(database, "SELECT COUNT(*) FROM fatigue_reports WHERE score >= 7") >= 5
    assert count(database, "SELECT COUNT(*) FROM fatigue_reports WHERE score < 7") >= 5
    # Problems come back within 7 days of being resolved, some of them.
    returns = count(
        database,
        "SELECT COUNT(*) FROM alerts a WHERE EXISTS (SELECT 1 FROM alerts b "
        "WHERE b.team_id = a.team_id AND b.source = a.source AND b.title = a.title "
        "AND b.id != a.id AND b.resolved_at <= a.created_at "
        "AND julianday(a.created_at) - julianday(b.resolved_at) <= 7)",
    )
    alerts = count(database, "SELECT COUNT(*) FROM alerts")
    assert 0.05 * alerts < returns < 0.6 * alerts
    top = database.one(
        "SELECT title, COUNT(*) AS n FROM alerts GROUP BY team_id, title ORDER BY n DESC LIMIT 1"
    )
    assert top is not None and top["n"] >= 30


def test_on_call_a_year_back_on_holidays_nights_and_weekends(
    database: Database, seeded: datetime
) -> None:
    quiet = seeded.astimezone(PARIS).date() - timedelta(days=QUIET_DAYS)

    def latest(month: int, day: int, hour: int, minute: int = 0) -> datetime:
        """The last such day before the history's end (within the twelve months)."""
        year = quiet.year if date(quiet.year, month, day) < quiet else quiet.year - 1
        return datetime.combine(date(year, month, day), time(hour, minute), PARIS)

    moments = [
        latest(7, 14, 15),  # Bastille Day: on call all day
        latest(12, 25, 11),  # Christmas
        latest(9, 8, 23, 30),  # a night
    ]
    for name in (MAINTENANCE, IT_SUPPORT):
        team = find_team(database, name).id
        for moment in moments:
            answer = who_is_on_call(database, team, moment)
            assert answer.primary is not None and answer.secondary is not None, (name, moment)
        # No two shifts of one layer overlap where the history meets the seeded schedule.
        overlaps = count(
            database,
            "SELECT COUNT(*) FROM shifts s JOIN shifts t ON t.team_id = s.team_id "
            "AND t.layer = s.layer AND t.id > s.id AND t.starts_at < s.ends_at "
            "AND s.starts_at < t.ends_at WHERE s.team_id = ? AND s.kind = 'regular' "
            "AND t.kind = 'regular'",
            (team,),
        )
        assert overlaps == 0


def test_the_history_is_the_same_on_every_seed(
    database: Database, clock: ManualClock, tmp_path
) -> None:
    assert seed_demo(database, clock.now())
    other = open_database(tmp_path / "again.db")
    try:
        assert seed_demo(other, clock.now())
        sql = (
            "SELECT title, created_at, acknowledged_at, resolved_at, "
            "(SELECT email FROM users WHERE id = acknowledged_by) AS who FROM alerts ORDER BY id"
        )
        assert database.query(sql) == other.query(sql)
    finally:
        other.close()


def test_the_year_starts_with_the_month_twelve_months_back(
    database: Database, seeded: datetime
) -> None:
    local = seeded.astimezone(PARIS).date()
    index = local.year * 12 + local.month - 1 - 12
    first = datetime.combine(date(index // 12, index % 12 + 1, 1), time(), PARIS)
    oldest = database.scalar("SELECT MIN(created_at) FROM alerts")
    assert to_db(first) <= oldest < to_db(first + timedelta(days=2))


def test_the_needs_page_finds_under_covered_hours_in_the_demo(
    database: Database, seeded: datetime
) -> None:
    for name in (MAINTENANCE, IT_SUPPORT):
        team = get_team(database, find_team(database, name).id)
        needs = team_needs(database, team, seeded, 12, 100)
        # Handle time measured on the history's interventions, not the default.
        assert needs.handle_from_alerts > 100
        assert needs.alerts > 150
        by_hour = {(h.weekday, h.hour): h for h in needs.hours}
        # Monday morning's peak needs more than one person, and nobody is on call then.
        monday = by_hour[(0, 10)]
        assert monday.needed >= 2 and monday.provided == 0 and monday.coverage == "under"
        # Nights are quiet: the primary and the backup are more than enough.
        assert by_hour[(2, 3)].coverage in ("over", "met")
        assert needs.under_hours >= 40 and needs.worst
