"""People figures of July 2026 for the Maintenance team: on-call hours as held, split into
weekday nights, weekends and 14 July; interventions, acknowledgements, interruptions (push and
webhook, 60 s merged, in each person's zone), rest violations and fatigue; fairness; and one
person's own figures over all their teams.

Sophie holds the weekend of 4–5 July (Samuel takes 10:00–12:00 on Saturday by an override) and
13 July 18:00 to 15 July 08:00 across 14 July; Samuel a weekday night (21–22 July) and a backup
night (23–24 July), and lives in Tokyo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.clock import to_db
from server.db import Database
from server.metrics.figures import snapshot
from server.metrics.people import own_load, team_load
from server.metrics.periods import bounds, period_of
from server.metrics.rules import fairness_of
from server.notifications.store import notify
from server.rest.store import insert_fatigue
from tests.conftest import Company
from tests.integration.intervention_helpers import new_uuid, raise_alert
from tests.integration.schedule_helpers import paris

JULY = period_of("month", datetime(2026, 7, 1).date())
NOW = datetime(2026, 8, 5, 9, 0, tzinfo=UTC)  # July is over: read whole
TOKYO_23H = datetime(2026, 7, 21, 14, 0, tzinfo=UTC)  # 23:00 in Tokyo, 16:00 in Paris


def add_shift(database: Database, team_id: int, user_id: int, start, end, **row) -> None:
    with database.write():
        database.insert(
            "shifts",
            {
                "team_id": team_id,
                "kind": row.get("kind", "regular"),
                "layer": row.get("layer", "primary"),
                "user_id": user_id,
                "starts_at": to_db(start),
                "ends_at": to_db(end),
                "status": row.get("status", "published"),
                "created_at": to_db(NOW),
                "updated_at": to_db(NOW),
            },
        )


def add_intervention(
    database: Database, team_id: int, user_id: int, start, end, travel=0, deleted=False
) -> None:
    with database.write():
        database.insert(
            "interventions",
            {
                "uuid": new_uuid(),
                "user_id": user_id,
                "team_id": team_id,
                "started_at": to_db(start),
                "ended_at": to_db(end),
                "travel_minutes": travel,
                "mode": "on_site",
                "outcome": "resolved",
                "client_changed_at": to_db(end),
                "server_changed_at": to_db(end),
                "deleted_at": to_db(end) if deleted else None,
                "created_at": to_db(end),
                "updated_at": to_db(end),
            },
        )


def add_delivery(
    database: Database, user_id: int, at, channel="push", alert_id=None, status="sent"
) -> None:
    with database.write():
        notification = notify(
            database, user_id, "alert" if alert_id else "swap", {}, now=at, deliver=False
        )
        database.insert(
            "deliveries",
            {
                "notification_id": notification,
                "alert_id": alert_id,
                "user_id": user_id,
                "channel": channel,
                "status": status,
                "next_attempt_at": to_db(at),
                "created_at": to_db(at),
                "sent_at": to_db(at) if status == "sent" else None,
            },
        )


@pytest.fixture
def july(database: Database, company: Company) -> Company:
    a, b = company.team_a.id, company.team_b.id
    sophie, samuel = company.staff_a.id, company.staff_a2.id
    with database.write():
        database.execute("UPDATE users SET timezone = 'Asia/Tokyo' WHERE id = ?", (samuel,))
    # On call.
    add_shift(database, a, sophie, paris(2026, 7, 4), paris(2026, 7, 6))
    add_shift(database, a, samuel, paris(2026, 7, 4, 10), paris(2026, 7, 4, 12), kind="override")
    add_shift(database, a, sophie, paris(2026, 7, 13, 18), paris(2026, 7, 15, 8))
    add_shift(database, a, samuel, paris(2026, 7, 21, 22), paris(2026, 7, 22, 8))
    add_shift(database, a, samuel, paris(2026, 7, 23, 22), paris(2026, 7, 24, 6), layer="secondary")
    add_shift(
        database, a, company.manager_a.id, paris(2026, 7, 27), paris(2026, 7, 28), status="draft"
    )
    add_shift(database, b, sophie, paris(2026, 7, 25, 10), paris(2026, 7, 25, 12))
    # Alerts: Sophie acknowledges one of July and one of June (not July's).
    alert = raise_alert(database, a, "Pompe P2", paris(2026, 7, 7, 22, 59))
    june = raise_alert(database, a, "Pompe P1", paris(2026, 6, 30, 23))
    other = raise_alert(database, b, "Serveur", paris(2026, 7, 8, 11, 59))
    with database.write():
        database.execute(
            "UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id IN (?, ?)",
            (sophie, to_db(paris(2026, 7, 7, 23, 1)), alert, june),
        )
    # Interventions: at night after the alert (45 min and 30 min of travel), deleted, in the
    # other team, and a 12-hour day (longer than the daily maximum of 10 hours).
    add_intervention(database, a, sophie, paris(2026, 7, 7, 23, 5), paris(2026, 7, 7, 23, 50), 30)
    add_intervention(
        database, a, sophie, paris(2026, 7, 8, 10), paris(2026, 7, 8, 11), deleted=True
    )
    add_intervention(database, b, sophie, paris(2026, 7, 9, 10), paris(2026, 7, 9, 11))
    add_intervention(database, a, sophie, paris(2026, 7, 10, 8), paris(2026, 7, 10, 20))
    add_intervention(database, a, samuel, TOKYO_23H, TOKYO_23H + timedelta(hours=1))
    # Notifications to Sophie.
    for seconds in (0, 20, 40):  # three pages 20 s apart at 23:00 on a Tuesday: one
        add_delivery(
            database, sophie, paris(2026, 7, 7, 23) + timedelta(seconds=seconds), alert_id=alert
        )
    add_delivery(database, sophie, paris(2026, 7, 7, 10), "webhook", alert)  # Tuesday 10:00
    add_delivery(database, sophie, paris(2026, 7, 11, 3), "email", alert)  # e-mail: never
    add_delivery(database, sophie, paris(2026, 7, 11, 4), alert_id=alert, status="failed")
    add_delivery(database, sophie, paris(2026, 7, 11, 15))  # a swap request, Saturday
    add_delivery(database, sophie, paris(2026, 7, 14, 10), alert_id=alert)  # 14 July
    add_delivery(database, sophie, paris(2026, 7, 8, 12), alert_id=other)  # the other team's
    add_delivery(database, sophie, paris(2026, 6, 30, 23), alert_id=june)  # June
    # Fatigue.
    with database.write():
        insert_fatigue(database, sophie, 8, "today", paris(2026, 7, 8, 9))
        insert_fatigue(database, sophie, 6, "today", paris(2026, 7, 9, 9))
        insert_fatigue(database, samuel, 7, "today", paris(2026, 7, 31, 23))
        insert_fatigue(database, samuel, 9, "today", paris(2026, 8, 1, 0, 30))  # August
    return company


def load(database: Database, company: Company):
    start, end = bounds(JULY, "Europe/Paris")
    return team_load(database, company.team_a, start, end, NOW)


def test_on_call_hours_are_split_by_weekend_holiday_and_weekday_night(database, july) -> None:
    people = {p.name: p for p in load(database, july).people}
    sophie, samuel = people["Sophie Staff"], people["Samuel Staff"]
    # 48 h of weekend less Samuel's 2 h; 13 July 18:00–22:00 is a weekday evening (counted in
    # the total only), 22:00–24:00 and 15 July 00:00–08:00 weekday nights, 14 July a holiday.
    assert (sophie.oncall_hours, sophie.weekend_hours) == (84.0, 46.0)
    assert (sophie.weekday_night_hours, sophie.holiday_hours) == (10.0, 24.0)
    # Primary and backup both count; the other team's shift does not.
    assert (samuel.oncall_hours, samuel.weekday_night_hours, samuel.weekend_hours) == (
        20.0,
        18.0,
        2.0,
    )
    assert people["Marc Manager"].oncall_hours == 0  # a draft was never told


def test_the_most_loaded_first_with_shares_and_the_max_min_ratio(database, july) -> None:
    people = load(database, july).people
    assert [p.name for p in people] == ["Sophie Staff", "Samuel Staff", "Marc Manager"]
    assert [p.share for p in people] == [round(84 / 52, 3), round(20 / 52, 3), 0.0]
    fairness = fairness_of(people)
    assert (fairness.people, fairness.mean_oncall_hours, fairness.max_min_ratio) == (2, 52.0, 4.2)


def test_interventions_and_acknowledgements_of_the_team(database, july) -> None:
    people = {p.name: p for p in load(database, july).people}
    sophie, samuel = people["Sophie Staff"], people["Samuel Staff"]
    # Not the deleted one nor the other team's; 45 min + 30 min travel, and 12 hours.
    assert (sophie.interventions, sophie.night_interventions) == (2, 1)
    assert sophie.intervention_seconds == 75 * 60 + 12 * 3600
    assert sophie.acknowledged == 1  # June's alert is not July's
    # 16:00 in Paris is 23:00 where Samuel lives: a night intervention.
    assert (samuel.interventions, samuel.night_interventions) == (1, 1)


def test_interruptions_merge_within_60_s_and_leave_out_e_mail(database, july) -> None:
    sophie = next(p for p in load(database, july).people if p.name == "Sophie Staff")
    # Three pages 20 s apart = 1; Tuesday 10:00 (webhook); the swap request; 14 July. Not the
    # e-mail, the failed push, the other team's alert nor June's.
    assert sophie.interruptions == 4
    # 23:00 in Paris is sleep; Tuesday 10:00 is working hours; Saturday and 14 July are not.
    assert (sophie.sleep_interruptions, sophie.off_hours_interruptions) == (1, 3)


def test_rest_health_counts_violations_and_high_fatigue(database, july) -> None:
    figures = load(database, july)
    sophie = next(p for p in figures.people if p.name == "Sophie Staff")
    assert (sophie.violations, sophie.high_fatigue_reports) == (1, 1)
    assert figures.rest.by_rule == [("max_daily_work", 1)]
    assert (figures.rest.violations, figures.rest.people_with_violations) == (1, 1)
    assert figures.rest.high_fatigue_reports == 2  # Sophie's 8, Samuel's 7 (not August's 9)


def test_someone_who_held_the_team_shift_is_listed(database, july) -> None:
    start, end = bounds(JULY, "Europe/Paris")
    people = team_load(database, july.team_b, start, end, NOW).people
    sophie = next(p for p in people if p.name == "Sophie Staff")
    assert (sophie.oncall_hours, sophie.weekend_hours, sophie.interventions) == (2.0, 2.0, 1)


def test_own_load_is_over_all_teams(database, july) -> None:
    start, end = bounds(JULY, "Europe/Paris")
    mine = own_load(database, july.staff_a.id, start, end, NOW)
    assert (mine.oncall_hours, mine.weekend_hours, mine.holiday_hours) == (86.0, 48.0, 24.0)
    assert (mine.interventions, mine.interruptions, mine.off_hours_interruptions) == (3, 5, 3)
    assert mine.share is None


def test_the_month_under_way_counts_so_far(database, july) -> None:
    """On 14 July at noon, Sophie has held the weekend and 13 July 18:00 to now."""
    now = paris(2026, 7, 14, 12)
    figures = snapshot(database, july.team_a, JULY, now)
    sophie = next(p for p in figures.people if p.name == "Sophie Staff")
    assert (sophie.oncall_hours, sophie.holiday_hours) == (46.0 + 18.0, 12.0)
    assert figures.under_way


def test_a_new_violation_shows_at_once_in_a_closed_month(database, july) -> None:
    """The violations of a closed month are kept between readings, but not past a write."""
    assert load(database, july).rest.violations == 1
    samuel = july.staff_a2.id
    add_intervention(
        database, july.team_a.id, samuel, paris(2026, 7, 16, 6), paris(2026, 7, 16, 19)
    )
    figures = load(database, july)
    assert figures.rest.by_rule == [("max_daily_work", 2)]
    assert figures.rest.people_with_violations == 2


def test_interruptions_are_read_in_the_person_zone_and_credited_to_what_woke_them(
    database, july
) -> None:
    """Samuel lives in Tokyo: 14:00 UTC is 23:00 for him. A page of the other team 20 s
    before Maintenance's woke him already: one interruption, the other team's."""
    samuel = july.staff_a2.id
    ours = raise_alert(database, july.team_a.id, "Pompe P3", TOKYO_23H)
    theirs = raise_alert(database, july.team_b.id, "Serveur", TOKYO_23H)
    add_delivery(database, samuel, TOKYO_23H - timedelta(seconds=20), alert_id=theirs)
    add_delivery(database, samuel, TOKYO_23H, alert_id=ours)
    add_delivery(database, samuel, TOKYO_23H + timedelta(hours=10), alert_id=ours)  # 09:00
    line = next(p for p in load(database, july).people if p.user_id == samuel)
    assert (line.interruptions, line.sleep_interruptions, line.off_hours_interruptions) == (
        1,
        0,
        0,
    )
    start, end = bounds(JULY, "Europe/Paris")
    mine = own_load(database, samuel, start, end, NOW)
    assert (mine.interruptions, mine.sleep_interruptions, mine.off_hours_interruptions) == (
        2,
        1,
        1,
    )


def test_a_period_not_begun_reads_nothing(database, july) -> None:
    start, _ = bounds(JULY, "Europe/Paris")
    figures = team_load(database, july.team_a, start, start, start)
    assert [p.oncall_hours + p.interruptions + p.violations for p in figures.people] == [0, 0, 0]
    assert figures.rest.violations == 0 and fairness_of(figures.people).max_min_ratio is None
