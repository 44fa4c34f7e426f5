"""Alert figures as a manager reads them, from alerts raised, escalated, acknowledged and
resolved by the real services under a pinned clock, and interventions stored as the phone's
sync stores them: response-time distributions (nearest rank), rates, escalations, the local
hour-of-week heat map across clock changes, recurring problems and a person's own figures.

Team A's policy here: Sophie (step 1, at once), then Samuel (step 2, 5 minutes later), once."""

from __future__ import annotations

import uuid as uuidlib
from datetime import UTC, datetime, timedelta

import pytest

from server.alerts.escalation import escalate_due
from server.alerts.models import AlertIn, EscalationPolicy, Step, Target
from server.alerts.store import save_policy
from server.alerts.workflow import acknowledge, create_alert, reassign, resolve
from server.audit.models import Actor
from server.clock import ManualClock
from server.db import Database
from server.interventions.models import Intervention
from server.interventions.store import insert_intervention, mark_deleted, next_intervention_id
from server.metrics.alerts import alert_figures, ranked_problems, recurring_problems
from tests.conftest import Company
from tests.integration.schedule_helpers import paris

MINUTE = timedelta(minutes=1)
DECEMBER = (paris(2026, 12, 1, 0), paris(2027, 1, 1, 0))
NONE = frozenset[str]()


@pytest.fixture
def team(database: Database, company: Company, clock: ManualClock) -> int:
    policy = EscalationPolicy(
        steps=(
            Step(delay_minutes=0, targets=(Target(kind="person", user_id=company.staff_a.id),)),
            Step(delay_minutes=5, targets=(Target(kind="person", user_id=company.staff_a2.id),)),
        ),
        repeat=1,
    )
    save_policy(database, company.team_a.id, policy, actor=Actor(label="test"), now=clock.now())
    return company.team_a.id


def raise_at(database: Database, team: int, at: datetime, title="Chaudière", source="") -> int:
    alert, _new = create_alert(
        database, team, AlertIn(title=title, source=source), now=at, channels=NONE
    )
    return alert.id


def escalate_at(database: Database, at: datetime) -> int:
    return escalate_due(database, at, NONE)


def log_work(
    database: Database,
    user_id: int,
    team: int,
    alert_id: int | None,
    start: datetime,
    minutes: int,
    travel: int = 0,
) -> int:
    """An intervention as the sync stores it; its id."""
    with database.write():
        item_id = next_intervention_id(database)
        insert_intervention(
            database,
            Intervention(
                id=item_id,
                uuid=str(uuidlib.uuid4()),
                user_id=user_id,
                user_name="",
                team_id=team,
                alert_id=alert_id,
                started_at=start,
                ended_at=start + minutes * MINUTE,
                travel_minutes=travel,
                place="",
                latitude=None,
                longitude=None,
                mode="on_site",
                found="",
                done="",
                outcome="resolved",
                client_version=1,
                client_changed_at=start,
                server_changed_at=start,
                corrected_by=None,
                deleted=False,
                created_at=start,
            ),
        )
    return item_id


def test_response_times_are_mean_median_and_90th_percentile_by_nearest_rank(
    database: Database, company: Company, team: int
) -> None:
    """Ten alerts acknowledged after 1, 2 … 10 minutes, the slow ones after Samuel was paged;
    two more never acknowledged (one still open, one closed by its monitoring)."""
    first = paris(2026, 12, 7, 10)
    for k in range(1, 11):
        created = first + timedelta(hours=k)
        alert = raise_at(database, team, created)
        if k >= 5:
            assert escalate_at(database, created + 5 * MINUTE) == 1
        acknowledge(
            database, alert, user_id=company.staff_a.id, actor="s", now=created + k * MINUTE
        )
        if k % 2 == 0:  # resolved after 20, 40 … 100 minutes
            resolve(
                database,
                alert,
                user_id=company.staff_a.id,
                actor="s",
                now=created + 10 * k * MINUTE,
            )
    raise_at(database, team, paris(2026, 12, 20, 3))
    closed = raise_at(database, team, paris(2026, 12, 21, 3))
    resolve(
        database,
        closed,
        user_id=None,
        actor="nagios",
        now=paris(2026, 12, 21, 3, 30),
        by_source=True,
    )
    # Another team's alert and one of November are not December's team A figures.
    raise_at(database, company.team_b.id, paris(2026, 12, 8, 10))
    raise_at(database, team, paris(2026, 11, 30, 23, 59))

    figures = alert_figures(database, [team], *DECEMBER, "Europe/Paris")

    assert figures.alerts == 12
    assert figures.hours == 31 * 24
    assert figures.alerts_per_hour == pytest.approx(12 / 744)
    assert (figures.acknowledged, figures.acknowledgement_rate) == (10, pytest.approx(10 / 12))
    assert (figures.escalated, figures.escalation_rate) == (6, 0.5)
    ack = figures.time_to_acknowledge
    assert ack.count == 10
    assert ack.mean_seconds == 330  # 5.5 minutes
    assert ack.median_seconds == 5 * 60  # rank ceil(0.5 × 10) = 5
    assert ack.p90_seconds == 9 * 60  # rank ceil(0.9 × 10) = 9
    solved = figures.time_to_resolve  # 20, 40, 60, 80, 100 minutes and the 30 of the source
    assert solved.count == 6
    assert solved.median_seconds == 40 * 60  # rank 3 of 6
    assert solved.p90_seconds == 100 * 60  # rank ceil(5.4) = 6
    assert figures.time_to_intervene.count == 0 and figures.time_to_intervene.mean_seconds is None


def test_no_alert_gives_no_rate_and_empty_distributions(database: Database, team: int) -> None:
    figures = alert_figures(database, [team], *DECEMBER, "Europe/Paris")
    assert (figures.alerts, figures.acknowledgement_rate, figures.escalation_rate) == (
        0,
        None,
        None,
    )
    assert figures.time_to_acknowledge.median_seconds is None
    assert figures.heat_map == [[0] * 24 for _ in range(7)]


def test_time_to_intervene_counts_the_first_intervention_and_durations_include_travel(
    database: Database, company: Company, team: int
) -> None:
    sophie, samuel = company.staff_a.id, company.staff_a2.id
    one = raise_at(database, team, paris(2026, 12, 3, 2))
    two = raise_at(database, team, paris(2026, 12, 4, 2))
    three = raise_at(database, team, paris(2026, 12, 5, 2))
    # Alert one: Samuel 20 minutes in, Sophie 3 minutes in: the first counts (3 minutes).
    log_work(database, samuel, team, one, paris(2026, 12, 3, 2, 20), 30)
    log_work(database, sophie, team, one, paris(2026, 12, 3, 2, 3), 60, travel=15)
    # Alert two: logged as started 10 minutes before the alert: answered at once (0).
    log_work(database, sophie, team, two, paris(2026, 12, 4, 1, 50), 40)
    # Alert three: an intervention deleted since counts for nothing.
    deleted = log_work(database, sophie, team, three, paris(2026, 12, 5, 2, 1), 10)
    with database.write():
        mark_deleted(database, deleted, paris(2026, 12, 5, 4))
    # Work without an alert still counts in durations; November's does not.
    log_work(database, samuel, team, None, paris(2026, 12, 9, 14), 120, travel=30)
    log_work(database, samuel, team, None, paris(2026, 11, 30, 14), 99)

    figures = alert_figures(database, [team], *DECEMBER, "Europe/Paris")

    intervene = figures.time_to_intervene
    assert (intervene.count, intervene.mean_seconds) == (2, 90)  # 3 minutes and 0
    assert (intervene.median_seconds, intervene.p90_seconds) == (0, 180)
    work = figures.intervention_duration  # 30, 75, 40 and 150 minutes
    assert figures.interventions == work.count == 4
    assert work.mean_seconds == (30 + 75 + 40 + 150) * 60 / 4
    assert (work.median_seconds, work.p90_seconds) == (40 * 60, 150 * 60)


@pytest.mark.parametrize(
    ("month", "sunday_evening"),
    [
        pytest.param((paris(2026, 7, 1, 0), paris(2026, 8, 1, 0)), paris(2026, 7, 5, 23, 30)),
        pytest.param(DECEMBER, paris(2026, 12, 6, 23, 30)),
    ],
    ids=["summer: 21:30 UTC", "winter: 22:30 UTC"],
)
def test_an_alert_at_half_past_eleven_on_a_sunday_evening_in_paris(
    database: Database, team: int, month: tuple[datetime, datetime], sunday_evening: datetime
) -> None:
    raise_at(database, team, sunday_evening)
    heat = alert_figures(database, [team], *month, "Europe/Paris").heat_map
    assert heat[6][23] == 1  # Sunday (Monday = 0), 23:00
    assert sum(map(sum, heat)) == 1


def test_the_heat_map_follows_the_clock_change_inside_the_period(
    database: Database, team: int
) -> None:
    """October 2026: summer time ends on Sunday 25 at 03:00. Sunday evenings at 23:30 before
    and after are 21:30 and 22:30 UTC; both are Sunday 23:00 in Paris."""
    before, after = paris(2026, 10, 18, 23, 30), paris(2026, 10, 25, 23, 30)
    assert (before.astimezone(UTC).hour, after.astimezone(UTC).hour) == (21, 22)
    raise_at(database, team, before)
    raise_at(database, team, after)
    raise_at(database, team, paris(2026, 10, 26, 0, 30))  # Monday 00:30 in Paris
    heat = alert_figures(
        database, [team], paris(2026, 10, 1, 0), paris(2026, 11, 1, 0), "Europe/Paris"
    ).heat_map
    assert heat[6][23] == 2
    assert heat[0][0] == 1
    assert sum(map(sum, heat)) == 3


def test_a_problem_resolved_then_raised_again_within_7_days_came_back_not_after_8(
    database: Database, company: Company, team: int
) -> None:
    sophie = company.staff_a.id

    def raise_and_resolve(at: datetime, title: str, source: str = "nagios") -> int:
        alert = raise_at(database, team, at, title=title, source=source)
        resolve(database, alert, user_id=sophie, actor="s", now=at + timedelta(hours=1))
        return alert

    # Resolved on 26 November at 04:00, back exactly 7 days later: a return (a previous
    # alert before the period counts).
    raise_and_resolve(paris(2026, 11, 26, 3), "Disque plein")
    first = raise_and_resolve(paris(2026, 12, 3, 4), "Disque plein")
    # Resolved on 3 December at 05:00; back exactly 8 days later, spelled differently: the
    # same problem (case and spaces aside), but no return.
    raise_and_resolve(paris(2026, 12, 11, 5), " disque PLEIN ")
    log_work(database, sophie, team, first, paris(2026, 12, 3, 4, 10), 20, travel=10)
    # Three alerts of another problem, back within a day each.
    for day in (14, 15, 16):
        raise_and_resolve(paris(2026, 12, day, 9), "Porte bloquée", source="badges")
    # Same title from another source: another problem.
    raise_and_resolve(paris(2026, 12, 20, 9), "Disque plein", source="zabbix")

    problems = recurring_problems(database, team, *DECEMBER)

    assert [(p.source, p.title, p.alerts, p.returns) for p in problems] == [
        ("badges", "Porte bloquée", 3, 2),
        ("nagios", "disque PLEIN", 2, 1),  # the latest alert's spelling
        ("zabbix", "Disque plein", 1, 0),
    ]
    assert problems[1].intervention_seconds == 30 * 60
    assert recurring_problems(database, team, *DECEMBER, limit=1) == problems[:1]


def test_the_longest_problem_to_fix_ranks_first_by_time_even_with_few_alerts(
    database: Database, company: Company, team: int
) -> None:
    sophie = company.staff_a.id
    for day in (2, 3, 4):
        raise_at(database, team, paris(2026, 12, day, 9), title="Badge refusé")
    for day in (5, 6):
        alert = raise_at(database, team, paris(2026, 12, day, 9), title="Disque plein")
        log_work(database, sophie, team, alert, paris(2026, 12, day, 9, 30), 10)
    once = raise_at(database, team, paris(2026, 12, 7, 22), title="Chaudière arrêtée")
    log_work(database, sophie, team, once, paris(2026, 12, 7, 22, 30), 180, travel=40)

    by_alerts, by_time = ranked_problems(database, team, *DECEMBER, limit=2)

    assert [p.title for p in by_alerts] == ["Badge refusé", "Disque plein"]
    # Ranked over every problem, not only the two with most alerts; none without work.
    assert [(p.title, p.intervention_seconds) for p in by_time] == [
        ("Chaudière arrêtée", 220 * 60),
        ("Disque plein", 20 * 60),
    ]


def test_a_persons_own_figures_are_the_alerts_they_handled_or_were_paged_for(
    database: Database, company: Company, team: int
) -> None:
    sophie, samuel, marc = company.staff_a.id, company.staff_a2.id, company.manager_a.id
    start = paris(2026, 12, 10, 22)
    # 1: Sophie acknowledges in 2 minutes, Samuel never hears of it.
    one = raise_at(database, team, start)
    acknowledge(database, one, user_id=sophie, actor="s", now=start + 2 * MINUTE)
    # 2: escalated to Samuel, who acknowledges at 8 minutes and resolves at 30.
    two = raise_at(database, team, start + timedelta(hours=1))
    escalate_at(database, start + timedelta(hours=1, minutes=5))
    acknowledge(database, two, user_id=samuel, actor="s", now=start + timedelta(hours=1, minutes=8))
    resolve(database, two, user_id=samuel, actor="s", now=start + timedelta(hours=1, minutes=30))
    log_work(database, samuel, team, two, start + timedelta(hours=1, minutes=12), 15)
    # 3: given to Marc by hand (paged him), who has not answered yet.
    three = raise_at(database, team, start + timedelta(hours=2))
    reassign(
        database, three, marc, actor="m", now=start + timedelta(hours=2, minutes=1), channels=NONE
    )

    def own(user_id: int):
        return alert_figures(database, [team], *DECEMBER, "Europe/Paris", user_id=user_id)

    mine = own(sophie)  # paged for all three at step 1; acknowledged one
    assert (mine.alerts, mine.acknowledged, mine.escalated) == (3, 1, 1)
    assert mine.time_to_acknowledge.count == 1 and mine.time_to_acknowledge.mean_seconds == 120
    assert mine.time_to_resolve.count == 0 and mine.interventions == 0

    his = own(samuel)  # paged for two only
    assert (his.alerts, his.acknowledged, his.acknowledgement_rate) == (1, 1, 1.0)
    assert his.time_to_acknowledge.mean_seconds == 8 * 60
    assert his.time_to_resolve.mean_seconds == 30 * 60
    assert his.time_to_intervene.mean_seconds == 12 * 60
    assert his.intervention_duration.mean_seconds == 15 * 60
    assert sum(map(sum, his.heat_map)) == 1

    theirs = own(marc)  # assigned and paged for three
    assert (theirs.alerts, theirs.acknowledged, theirs.acknowledgement_rate) == (1, 0, 0.0)

    team_wide = alert_figures(database, [team], *DECEMBER, "Europe/Paris")
    assert (team_wide.alerts, team_wide.acknowledged, team_wide.interventions) == (3, 2, 1)


def test_an_alert_nobody_on_call_could_take_went_past_its_first_step(
    database: Database, company: Company
) -> None:
    """Team B has the default policy (primary, backup, managers) and nobody on call: the
    managers are paged at once, in the policy's third step, so the alert escalated."""
    team_b = company.team_b.id
    alert = raise_at(database, team_b, paris(2026, 12, 2, 3))
    acknowledge(
        database, alert, user_id=company.manager_b.id, actor="n", now=paris(2026, 12, 2, 3, 4)
    )
    figures = alert_figures(database, [team_b], *DECEMBER, "Europe/Paris")
    assert (figures.alerts, figures.escalated, figures.escalation_rate) == (1, 1, 1.0)
    assert figures.time_to_acknowledge.median_seconds == 4 * 60
