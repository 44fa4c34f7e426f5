"""Whether a delivery starts an interruption is marked when it is written (schema/0016, 0022): the
triggers keep the mark equal to what a window over all of the person's deliveries gives,
however deliveries are written: sent in order or out of it, failed, moved, deleted.

A person paged at 10:00:00 and 10:00:50, then at 10:01:55: two interruptions (the second page
came 50 s after the first; the third 65 s after the second)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from server.clock import to_db
from server.db import Database
from server.metrics.models import INTERRUPTION_GAP_SECONDS
from server.metrics.people import team_load
from server.metrics.periods import bounds, period_of
from tests.conftest import Company
from tests.integration.intervention_helpers import raise_alert
from tests.integration.test_metrics_people import add_delivery

T0 = datetime(2026, 7, 7, 8, 0, tzinfo=UTC)

# What the marks must be: the definition, read afresh over every delivery.
FROM_SCRATCH = (
    "SELECT id, CASE WHEN status = 'sent' AND channel IN ('push', 'webhook') THEN "
    "(LAG(unixepoch(sent_at)) OVER w IS NULL OR "
    f"unixepoch(sent_at) - LAG(unixepoch(sent_at)) OVER w > {INTERRUPTION_GAP_SECONDS}) END "
    "AS starts FROM deliveries WINDOW w AS (PARTITION BY user_id, "
    "status = 'sent' AND channel IN ('push', 'webhook') ORDER BY sent_at, id) ORDER BY id"
)


def marks(database: Database) -> list[tuple[int, int | None]]:
    rows = database.query("SELECT id, starts_interruption FROM deliveries ORDER BY id")
    return [(row["id"], row["starts_interruption"]) for row in rows]


def expected(database: Database) -> list[tuple[int, int | None]]:
    return [(row["id"], row["starts"]) for row in database.query(FROM_SCRATCH)]


def test_a_page_exactly_a_minute_later_is_the_same_interruption_a_second_more_is_not(
    database, company: Company
) -> None:
    """The triggers' 60 s are the contract's gap (INTERRUPTION_GAP_SECONDS): "more than"."""
    gap = timedelta(seconds=INTERRUPTION_GAP_SECONDS)
    sophie = company.staff_a.id
    add_delivery(database, sophie, T0)
    add_delivery(database, sophie, T0 + gap)
    add_delivery(database, sophie, T0 + 2 * gap + timedelta(seconds=1))
    assert [mark for _, mark in marks(database)] == [1, 0, 1]


def test_pages_within_a_minute_make_one_interruption(database, company: Company) -> None:
    sophie = company.staff_a.id
    for seconds in (0, 50, 115):
        add_delivery(database, sophie, T0 + timedelta(seconds=seconds))
    assert [mark for _, mark in marks(database)] == [1, 0, 1]
    # A page written late, sent at 10:01:00: the one at 10:01:55 now follows it within 60 s.
    add_delivery(database, sophie, T0 + timedelta(seconds=60))
    assert [mark for _, mark in marks(database)] == [1, 0, 0, 0]
    # E-mail never interrupts; a failed push neither.
    add_delivery(database, sophie, T0 + timedelta(hours=1), channel="email")
    add_delivery(database, sophie, T0 + timedelta(hours=2), status="failed")
    assert [mark for _, mark in marks(database)][4:] == [None, None]


def test_marks_follow_every_kind_of_write(database, company: Company) -> None:
    people = [company.staff_a.id, company.staff_a2.id]
    draw = random.Random(14)
    for _ in range(120):
        at = T0 + timedelta(seconds=draw.randrange(0, 900))
        channel = draw.choice(("push", "push", "webhook", "email"))
        status = draw.choice(("sent", "sent", "sent", "failed"))
        add_delivery(database, draw.choice(people), at, channel=channel, status=status)
    assert marks(database) == expected(database)
    ids = [row_id for row_id, _ in marks(database)]
    for _ in range(60):
        row_id = draw.choice(ids)
        match draw.randrange(5):
            case 0:  # moved in time
                change = ("sent_at = ?", to_db(T0 + timedelta(seconds=draw.randrange(0, 900))))
            case 1:  # to someone else
                change = ("user_id = ?", draw.choice(people))
            case 2:  # no longer sent
                change = ("status = ?", "cancelled")
            case 3:  # sent at last (a retry), or again
                at = to_db(T0 + timedelta(seconds=draw.randrange(0, 900)))
                change = ("status = 'sent', sent_at = ?", at)
            case _:
                with database.write():
                    database.execute("DELETE FROM deliveries WHERE id = ?", (row_id,))
                ids.remove(row_id)
                continue
        with database.write():
            database.execute(f"UPDATE deliveries SET {change[0]} WHERE id = ?", (change[1], row_id))
        assert marks(database) == expected(database)


def test_a_fan_out_to_many_devices_in_one_second_is_one_interruption(
    database, company: Company
) -> None:
    """The engine marks a page's deliveries sent one by one, all in the same second: the first
    written is the interruption, whatever order they are marked in (schema/0022)."""
    sophie = company.staff_a.id
    for _device in range(300):
        add_delivery(database, sophie, T0, status="pending")
    ids = [row_id for row_id, _ in marks(database)]
    order = ids[150:] + list(reversed(ids[:150]))  # the second half first, then backwards
    for row_id in order:
        with database.write():
            database.execute(
                "UPDATE deliveries SET status = 'sent', sent_at = ? WHERE id = ?",
                (to_db(T0 + timedelta(seconds=1)), row_id),
            )
    assert marks(database) == expected(database)
    assert [row_id for row_id, mark in marks(database) if mark] == [ids[0]]


def test_a_team_counts_the_pages_about_its_alerts_and_about_none(
    database, company: Company
) -> None:
    """While only Maintenance has alerts, every delivery is about them or about none; once
    the other team has one, a page about it is not Maintenance's interruption."""
    sophie = company.staff_a.id
    start, end = bounds(period_of("month", date(2026, 7, 1)), "Europe/Paris")

    def interruptions() -> int:
        load = team_load(database, company.team_a, start, end, T0 + timedelta(days=40))
        return next(line.interruptions for line in load.people if line.user_id == sophie)

    ours = raise_alert(database, company.team_a.id, "Pompe P2", T0)
    add_delivery(database, sophie, T0, alert_id=ours)
    add_delivery(database, sophie, T0 + timedelta(hours=1))  # a swap request
    assert interruptions() == 2
    theirs = raise_alert(database, company.team_b.id, "Serveur", T0 + timedelta(hours=2))
    add_delivery(database, sophie, T0 + timedelta(hours=2), alert_id=theirs)
    assert interruptions() == 2
    add_delivery(database, sophie, T0 + timedelta(hours=3), alert_id=ours)
    assert interruptions() == 3


def test_interruptions_are_read_in_each_persons_zone_across_the_clock_change(
    database, company: Company
) -> None:
    """06:30 UTC is 08:30 in Paris on Saturday 24 October 2026 and 07:30 on Monday the 26th
    (winter time since the 25th), 15:30 both days in Tokyo."""
    sophie, samuel = company.staff_a.id, company.staff_a2.id
    with database.write():
        database.execute("UPDATE users SET timezone = 'Asia/Tokyo' WHERE id = ?", (samuel,))
    for person in (sophie, samuel):
        for day in (24, 26):
            add_delivery(database, person, datetime(2026, 10, day, 6, 30, tzinfo=UTC))
    start, end = bounds(period_of("month", date(2026, 10, 1)), "Europe/Paris")
    load = team_load(database, company.team_a, start, end, datetime(2026, 11, 5, tzinfo=UTC))
    lines = {line.user_id: line for line in load.people}
    figures = {
        person: (line.interruptions, line.sleep_interruptions, line.off_hours_interruptions)
        for person, line in lines.items()
        if person in (sophie, samuel)
    }
    assert figures == {sophie: (2, 1, 2), samuel: (2, 0, 1)}
