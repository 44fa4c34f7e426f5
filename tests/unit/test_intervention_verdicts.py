"""What the server does with a phone's change of a record it holds, decided before any write
(rules.judge_change, judge_delete), the intervention's team, and what is kept of the form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import msgspec
import pytest

from server.interventions.models import Intervention, InterventionData
from server.interventions.rules import (
    EARLIEST,
    OWNER_EDIT_WINDOW,
    correction_alert_problem,
    judge_change,
    judge_delete,
    phone_time,
    stored_fields,
    team_for,
)

NOW = datetime(2026, 12, 15, 22, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def stored(**fields) -> Intervention:
    """A record ended an hour ago, logged then, version 2, never corrected."""
    values = {
        "id": 1,
        "uuid": "8f14e45f-ceea-467f-a0e6-7f0b6c3d2e11",
        "user_id": 7,
        "user_name": "Julien Moreau",
        "team_id": 3,
        "alert_id": None,
        "started_at": NOW - 2 * HOUR,
        "ended_at": NOW - HOUR,
        "travel_minutes": 0,
        "place": "",
        "latitude": None,
        "longitude": None,
        "mode": "on_site",
        "found": "",
        "done": "",
        "outcome": "resolved",
        "client_version": 2,
        "client_changed_at": NOW - HOUR,
        "server_changed_at": NOW - HOUR,
        "corrected_by": None,
        "deleted": False,
        "created_at": NOW - HOUR,
    }
    return Intervention(**{**values, **fields})


LATE = NOW + OWNER_EDIT_WINDOW  # the window closed an hour ago
CORRECTED = {"corrected_by": 2, "server_changed_at": NOW - 10 * timedelta(minutes=1)}


@pytest.mark.parametrize(
    ("record", "version", "changed_at", "now", "verdict"),
    [
        (stored(), 3, NOW, NOW, "apply"),
        (stored(deleted=True), 3, NOW, NOW, "deleted"),
        (stored(), 2, NOW, NOW, "stale"),  # the same version again changes nothing
        (stored(), 1, NOW, NOW, "stale"),
        (stored(), 3, NOW, LATE, "too_late"),
        # A phone's clock cannot reopen a closed window: the server's now decides.
        (stored(), 3, NOW - OWNER_EDIT_WINDOW, LATE, "too_late"),
        (stored(**CORRECTED), 3, NOW - HOUR, NOW, "superseded"),
        (stored(**CORRECTED), 3, NOW, NOW, "apply"),  # made after the correction
        (stored(**CORRECTED), 3, CORRECTED["server_changed_at"], NOW, "apply"),  # a tie
    ],
)
def test_judge_change(record, version, changed_at, now, verdict) -> None:
    assert judge_change(record, version, changed_at, now) == verdict


@pytest.mark.parametrize(
    ("record", "changed_at", "now", "verdict"),
    [
        (None, NOW, NOW, "gone"),
        (stored(deleted=True), NOW, NOW, "gone"),
        (stored(), NOW, NOW, "apply"),
        (stored(), NOW, LATE, "too_late"),
        (stored(**CORRECTED), NOW - HOUR, NOW, "superseded"),
        (stored(**CORRECTED), NOW, NOW, "apply"),
    ],
)
def test_judge_delete(record, changed_at, now, verdict) -> None:
    assert judge_delete(record, changed_at, now) == verdict


def test_a_late_logged_record_stays_its_owners_for_the_window_after_it_arrived() -> None:
    old = stored(started_at=NOW - 30 * 24 * HOUR, ended_at=NOW - 29 * 24 * HOUR)
    assert judge_change(old, 3, NOW, NOW) == "apply"
    assert judge_change(old, 3, NOW, old.created_at + OWNER_EDIT_WINDOW + HOUR) == "too_late"


@pytest.mark.parametrize(
    ("changed_at", "expected"),
    [
        (NOW - HOUR, NOW - HOUR),
        (NOW + HOUR, NOW),  # a phone's clock ahead leaves no time from the future
        (datetime(1, 1, 2, tzinfo=UTC), EARLIEST),  # nor one that could not be stored
    ],
)
def test_phone_time(changed_at, expected) -> None:
    assert phone_time(changed_at, NOW) == expected


@pytest.mark.parametrize(
    ("alert_id", "alert_team", "teams", "is_admin", "expected"),
    [
        (None, None, (4, 3), False, (4, None)),
        (None, None, (), False, (None, None)),
        (9, 3, (4, 3), False, (3, None)),
        (9, None, (4, 3), False, (None, "This alert does not exist.")),
        (9, 5, (4, 3), False, (None, "This alert belongs to another team.")),
        (9, 5, (), True, (5, None)),
    ],
)
def test_team_for(alert_id, alert_team, teams, is_admin, expected) -> None:
    assert team_for(alert_id, alert_team, teams, is_admin=is_admin) == expected


def test_a_correction_links_only_an_alert_of_the_interventions_team() -> None:
    assert correction_alert_problem(3, 3) is None
    assert correction_alert_problem(None, 3) == "This alert does not exist."
    assert correction_alert_problem(5, 3) == "This alert belongs to another team."


def test_what_is_kept_is_what_a_re_read_gives() -> None:
    paris = timezone(timedelta(hours=1))
    data = InterventionData(
        started_at=datetime(2026, 12, 15, 21, 0, 5, 250000, tzinfo=paris),
        ended_at=datetime(2026, 12, 15, 22, 0, tzinfo=paris),
        place="  Bâtiment B ",
        found=" fuite\n",
        done="\tvanne fermée ",
    )
    kept = stored_fields(data)
    assert kept["started_at"] == datetime(2026, 12, 15, 20, 0, 5, tzinfo=UTC)
    assert msgspec.json.encode(kept["started_at"]) == b'"2026-12-15T20:00:05Z"'
    assert (kept["place"], kept["found"], kept["done"]) == ("Bâtiment B", "fuite", "vanne fermée")
