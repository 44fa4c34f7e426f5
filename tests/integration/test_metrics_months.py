"""A team's figures summed from monthly tallies, the ended months' kept (server/metrics/
months.py), stay exactly the figures read live from the period's alerts (store/alerts.py)
after every kind of change to an ended month: a late alert, an acknowledgement or resolution
after the month ended, an escalation, an intervention synced late, corrected or deleted, an
alert deleted, a return undone by the previous alert's new resolution, the month under way
ending (clock moved past midnight) and the team moving to another zone. Clocks are pinned."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.alerts.workflow import acknowledge, resolve
from server.clock import to_db
from server.db import Database, open_database
from server.interventions.store import mark_deleted
from server.metrics import months
from server.metrics.alerts import alert_figures, ranked_problems
from server.metrics.figures import team_figures
from server.metrics.periods import Period, bounds, clipped, period_of
from server.metrics.routes import _timeline
from server.metrics.store.volume import alerts_per_day
from server.metrics.tally import alert_figures_of, problems_of
from server.metrics.volume import timeline
from server.teams.store import get_team
from tests.conftest import Company
from tests.integration.schedule_helpers import paris
from tests.integration.test_metrics_alerts import escalate_at, log_work, raise_at
from tests.integration.test_metrics_alerts import team as team

YEAR = period_of("year", date(2026, 12, 1))
MINUTE = timedelta(minutes=1)


def live(database: Database, team_id: int, period: Period, now: datetime):
    """The figures read from the period's alerts at once (the reference)."""
    team = get_team(database, team_id)
    start, end = clipped(period, team.timezone, now)
    today = now.astimezone(ZoneInfo(team.timezone)).date()
    return (
        alert_figures(database, [team_id], start, end, team.timezone),
        ranked_problems(database, team_id, start, end),
        timeline(database, [team_id], period, start, end, team.timezone, today),
    )


def shown(database: Database, team_id: int, period: Period, now: datetime):
    """What the dashboard shows: the figures from the months' tallies."""
    team = get_team(database, team_id)
    current = team_figures(database, team, period, now).current
    return (
        current.alerts,
        (current.problems, current.problems_by_time),
        _timeline(database, team, period, now),
    )


def same(database: Database, team_id: int, now: datetime, period: Period = YEAR):
    figures = shown(database, team_id, period, now)
    assert figures == live(database, team_id, period, now)
    return figures[0], figures[1][0]


@pytest.fixture
def tallied(monkeypatch: pytest.MonkeyPatch) -> list[tuple[datetime, datetime]]:
    """The spans tallied from the database (not taken from a kept month)."""
    spans: list[tuple[datetime, datetime]] = []
    original = months.tally

    def counting(database, team_id, zone, start, end):
        spans.append((start, end))
        return original(database, team_id, zone, start, end)

    monkeypatch.setattr(months, "tally", counting)
    return spans


def test_ended_months_are_kept_until_one_of_their_alerts_changes(
    database: Database, company: Company, team: int, tallied: list
) -> None:
    sophie = company.staff_a.id
    now = paris(2026, 12, 10, 9)
    october = raise_at(database, team, paris(2026, 10, 12, 9))
    november = raise_at(database, team, paris(2026, 11, 20, 3))
    acknowledge(database, november, user_id=sophie, actor="s", now=paris(2026, 11, 20, 3, 4))
    raise_at(database, team, paris(2026, 12, 2, 14))
    before, _ = same(database, team, now)
    assert before.alerts == 3 and before.time_to_acknowledge.count == 1

    # A write that changes no figure (the team's settings saved as they were): the 11 ended
    # months are kept, only December (under way) is read again.
    tallied.clear()
    with database.write():
        database.execute("UPDATE teams SET updated_at = updated_at WHERE id = ?", (team,))
    assert same(database, team, now)[0] == before
    assert [start for start, _end in tallied] == [paris(2026, 12, 1, 0)]

    # The October alert acknowledged and resolved in December: October's times change.
    acknowledge(database, october, user_id=sophie, actor="s", now=now)
    resolve(database, october, user_id=sophie, actor="s", now=now + MINUTE)
    after, _ = same(database, team, now + MINUTE)
    assert after.time_to_acknowledge.count == 2
    assert after.time_to_resolve.count == 1
    assert (
        after.time_to_resolve.median_seconds
        == ((now + MINUTE).astimezone(UTC) - paris(2026, 10, 12, 9).astimezone(UTC)).total_seconds()
    )

    # An alert of November arriving late (synced, dated when it happened), then escalated.
    late = raise_at(database, team, paris(2026, 11, 3, 2))
    assert same(database, team, now)[0].alerts == 4
    escalate_at(database, paris(2026, 11, 3, 2, 5))
    assert same(database, team, now)[0].escalated == 1
    # Deleted (as a team's deletion or a purge would): gone from November again.
    with database.write():
        database.execute("DELETE FROM alert_events WHERE alert_id = ?", (late,))
        database.execute("DELETE FROM alerts WHERE id = ?", (late,))
    gone, _ = same(database, team, now)
    assert (gone.alerts, gone.escalated) == (3, 0)


def test_a_late_intervention_changes_an_ended_month_and_its_deletion_undoes_it(
    database: Database, company: Company, team: int
) -> None:
    sophie = company.staff_a.id
    now = paris(2026, 12, 10, 9)
    alert = raise_at(database, team, paris(2026, 11, 30, 23, 30), title="Chaudière")
    assert same(database, team, now)[0].interventions == 0

    # Synced in December: started in November at 23:50 for 40 minutes, 10 of travel.
    work = log_work(database, sophie, team, alert, paris(2026, 11, 30, 23, 50), 40, travel=10)
    figures, problems = same(database, team, now)
    assert figures.time_to_intervene.median_seconds == 20 * 60
    assert figures.intervention_duration.median_seconds == 50 * 60
    assert problems[0].intervention_seconds == 50 * 60

    with database.write():
        mark_deleted(database, work, now)
    figures, problems = same(database, team, now)
    assert (figures.interventions, figures.time_to_intervene.count) == (0, 0)
    assert problems[0].intervention_seconds == 0


def test_a_return_across_a_month_end_follows_the_previous_alerts_resolution(
    database: Database, company: Company, team: int
) -> None:
    sophie = company.staff_a.id
    now = paris(2026, 12, 10, 9)
    first = raise_at(database, team, paris(2026, 10, 30, 9), title="Disque plein")
    resolve(database, first, user_id=sophie, actor="s", now=paris(2026, 10, 31, 9))
    raise_at(database, team, paris(2026, 11, 3, 9), title="disque plein ")
    _figures, problems = same(database, team, now)
    assert [(p.title, p.alerts, p.returns) for p in problems] == [("disque plein", 2, 1)]

    # October's alert now resolved 20 days before November's: no longer a return, though
    # November's alerts did not change.
    with database.write():
        database.execute(
            "UPDATE alerts SET resolved_at = ? WHERE id = ?",
            (to_db(paris(2026, 10, 14, 9)), first),
        )
    assert [p.returns for p in same(database, team, now)[1]] == [0]

    # Back to 31 October, then an alert of the same problem synced late, raised on 30 October
    # after the first (before its resolution: no return) and never resolved: November's alert
    # now follows it and is no longer a return, though only October changed.
    with database.write():
        database.execute(
            "UPDATE alerts SET resolved_at = ? WHERE id = ?",
            (to_db(paris(2026, 10, 31, 9)), first),
        )
    assert [p.returns for p in same(database, team, now)[1]] == [1]
    raise_at(database, team, paris(2026, 10, 30, 10), title="Disque plein")
    assert [(p.alerts, p.returns) for p in same(database, team, now)[1]] == [(3, 0)]


def test_the_month_under_way_ends_at_midnight_and_is_then_kept_exactly(
    database: Database, team: int, tallied: list
) -> None:
    before_midnight = paris(2026, 11, 30, 23, 30)
    raise_at(database, team, paris(2026, 11, 30, 23, 0))
    assert (
        same(database, team, before_midnight, period_of("year", date(2026, 11, 1)))[0].alerts == 1
    )

    # Midnight passed: November has ended, December begins; the year is now the one ending in
    # December, November tallied once then kept.
    after_midnight = paris(2026, 12, 1, 0, 30)
    raise_at(database, team, paris(2026, 12, 1, 0, 10))
    assert same(database, team, after_midnight)[0].alerts == 2
    tallied.clear()
    assert same(database, team, after_midnight)[0].alerts == 2
    assert [start for start, _end in tallied] == [paris(2026, 12, 1, 0)]

    # An alert of 30 November, 23:50 Paris (22:50 UTC), synced late: November read again.
    raise_at(database, team, paris(2026, 11, 30, 23, 50))
    figures, _ = same(database, team, after_midnight)
    assert figures.alerts == 3
    assert figures.heat_map[0][23] == 2  # Monday 30 November, 23:00 Paris


def test_months_across_the_october_clock_change_and_a_new_zone(
    database: Database, company: Company, team: int
) -> None:
    now = paris(2026, 12, 10, 9)
    # 25 October 2026: 02:30 Paris happens twice (summer time, then winter time).
    for at in (
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 02:30 CET
        datetime(2026, 10, 31, 22, 30, tzinfo=UTC),  # 23:30 CET, still October
        datetime(2026, 10, 31, 23, 30, tzinfo=UTC),  # 1 November, 00:30 CET
    ):
        raise_at(database, team, at)
    figures, _ = same(database, team, now)
    assert figures.heat_map[6][2] == 2  # Sunday 02:00–03:00 Paris, twice
    assert _month_alerts(database, team, now, "Europe/Paris") == {10: 3, 11: 1}

    # The team moves to New York: its months (and the one that held 1 November's alert) are
    # New York's, read again rather than taken from Paris' kept months.
    with database.write():
        database.execute(
            "UPDATE teams SET timezone = 'America/New_York' WHERE id = ?", (company.team_a.id,)
        )
    same(database, team, now)
    assert _month_alerts(database, team, now, "America/New_York") == {10: 4}


def _month_alerts(database: Database, team_id: int, now: datetime, zone: str) -> dict[int, int]:
    """Alerts per month of the 12-month timeline, months without any left out."""
    buckets = _timeline(database, get_team(database, team_id), YEAR, now)
    assert get_team(database, team_id).timezone == zone
    return {bucket.first.month: bucket.alerts for bucket in buckets if bucket.alerts}


# Random alerts over two Paris months (28 October to 6 November), some in the same second,
# open or resolved, spelt three ways, some with interventions: the months' tallies, kept from
# one example to the next while the triggers count the rewrites, give the figures of the
# period's alerts read at once.
ORIGIN = datetime(2026, 10, 28, tzinfo=UTC)
random_alert = st.tuples(
    st.integers(min_value=0, max_value=9 * 86400 // 3000).map(lambda n: n * 3000),
    st.integers(min_value=0, max_value=2),
    st.one_of(st.none(), st.integers(min_value=0, max_value=5000)),
    st.one_of(st.none(), st.integers(min_value=0, max_value=9 * 86400)),
    st.sampled_from(
        [("nagios", "Disque plein"), (" Nagios", "disque PLEIN "), ("zabbix", "Porte")]
    ),
    st.one_of(st.none(), st.tuples(st.integers(-600, 7200), st.integers(60, 7200))),
)


@pytest.fixture(scope="module")
def bare() -> Iterator[Database]:
    db = open_database(":memory:")
    # Alerts and interventions alone: what they point at is beside the point here.
    db.conn.execute("PRAGMA foreign_keys=OFF")
    yield db
    db.close()


def store_random(database: Database, alerts: list[tuple]) -> None:
    with database.write():
        database.execute("DELETE FROM interventions")
        database.execute("DELETE FROM alerts")
        for n, (at, jitter, ack, res, (source, title), work) in enumerate(alerts):
            created = ORIGIN + timedelta(seconds=at + jitter)
            alert_id = database.insert(
                "alerts",
                {
                    "team_id": 1,
                    "title": title,
                    "severity": "critical",
                    "source": source,
                    "created_at": to_db(created),
                    "acknowledged_at": None if ack is None else to_db(created + ack * SECOND),
                    "resolved_at": None if res is None else to_db(created + res * SECOND),
                    "policy": "{}",
                },
            )
            if work is None:
                continue
            begins = created + work[0] * SECOND
            database.insert(
                "interventions",
                {
                    "uuid": f"u{n}",
                    "user_id": 1,
                    "team_id": 1,
                    "alert_id": alert_id,
                    "started_at": to_db(begins),
                    "ended_at": to_db(begins + work[1] * SECOND),
                    "travel_minutes": n % 3 * 10,
                    "mode": "remote",
                    "outcome": "resolved",
                    "client_changed_at": to_db(begins),
                    "server_changed_at": to_db(begins),
                    "created_at": to_db(begins),
                    "updated_at": to_db(begins),
                },
            )


SECOND = timedelta(seconds=1)


@settings(max_examples=40, deadline=None)
@given(st.lists(random_alert, min_size=1, max_size=40))
def test_random_months_add_up_to_the_periods_figures(bare: Database, alerts: list[tuple]) -> None:
    store_random(bare, alerts)
    zone = "Europe/Paris"
    period = Period(kind="quarter", first=date(2026, 10, 1), last=date(2026, 12, 31))
    now = datetime(2027, 1, 15, tzinfo=UTC)
    for first, last in (
        (date(2026, 10, 1), date(2026, 12, 31)),
        (date(2026, 10, 29), date(2026, 11, 4)),
    ):
        start, end = bounds(Period(kind="custom", first=first, last=last), zone)
        counted = months.tallies(bare, 1, zone, start, end, now)
        hours = (end - start).total_seconds() / 3600
        assert alert_figures_of(counted, hours) == alert_figures(bare, [1], start, end, zone)
        assert problems_of(counted) == ranked_problems(bare, 1, start, end)
    start, end = bounds(period, zone)
    assert months.alerts_per_day(bare, 1, zone, start, end, now) == alerts_per_day(
        bare, [1], start, end, zone
    )
