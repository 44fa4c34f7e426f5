"""Steps the alert tests share: a team with someone on call tonight, phones subscribed to the
local push service, an API key, and the engine moved by hand.

The rotation of team A (Maintenance) hands off on Mondays at 08:00 outside business hours,
Sophie then Samuel, with a backup rotation; the week of Monday 14 December is Sophie's, with
Samuel as her backup, and Marc manages the team. NIGHT is Tuesday 15 December at 23:00 in Paris
(22:00 UTC): Sophie is primary, Samuel secondary, Marc the manager. Both turned shift reminders
off in their settings, so every push their phones get in these tests is about an alert."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import msgspec
from litestar import Litestar

from server.apikeys.store import create_key
from server.audit.models import Actor
from server.clock import ManualClock
from server.db import Database
from server.push.models import SubscriptionIn
from server.push.store import subscribe
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import Browsers, add_rotation, paris, publish_ok
from tests.push_service import Device, PushService

NIGHT = paris(2026, 12, 15, 23)

# Tables an alert, a page, a notification or a delivery writes to.
ALERT_TABLES = ("alerts", "alert_events", "notifications", "deliveries", "ack_tokens")


def table_counts(database: Database) -> dict[str, int]:
    return {t: database.scalar(f"SELECT COUNT(*) FROM {t}") for t in ALERT_TABLES}


def run_coroutine(coroutine):
    """Run it to the end on a loop of its own thread: the test's thread may already have a
    running loop (Playwright's sync API leaves one when browser tests share this worker)."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


def deliver(app: Litestar) -> int:
    """The dispatcher's round at the clock's now: every due delivery is sent and recorded."""
    engine = app.state.engine
    return run_coroutine(engine.dispatcher.deliver_due(engine.clock.now()))


def tick(app: Litestar) -> dict[str, int]:
    """One round of the background engine: timed jobs (escalations), then due deliveries."""
    return run_coroutine(app.state.engine.tick())


def api_key(database: Database, team_id: int, name: str = "Supervision") -> str:
    token, _key = create_key(database, team_id, name, actor=Actor(label="test"), now=NIGHT)
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def add_device(
    database: Database, push: PushService, app: Litestar, user_id: int, name: str, now: datetime
) -> Device:
    """A phone that turned alerts on (what POST /push/subscriptions stores)."""
    device = push.device(server_key=app.state.vapid.public_key)
    subscribe(
        database,
        user_id,
        msgspec.convert(device.subscription(), SubscriptionIn),
        user_agent=name,
        now=now,
    )
    return device


def alert_pushes(push: PushService, device: Device) -> list[dict]:
    return [m for m in push.messages(device) if m["type"] == "alert"]


def alert_row(database: Database, alert_id: int) -> dict:
    row = database.one("SELECT * FROM alerts WHERE id = ?", (alert_id,))
    assert row is not None
    return row


def deliveries_of(database: Database, alert_id: int) -> list[dict]:
    return database.query(
        "SELECT d.*, u.name FROM deliveries d JOIN users u ON u.id = d.user_id "
        "WHERE d.alert_id = ? ORDER BY d.id",
        (alert_id,),
    )


def events(database: Database, alert_id: int) -> list[tuple[str, dict]]:
    rows = database.query(
        "SELECT kind, detail FROM alert_events WHERE alert_id = ? ORDER BY id", (alert_id,)
    )
    return [(row["kind"], json.loads(row["detail"])) for row in rows]


class Night:
    """Team A with Sophie on call at NIGHT, a phone each for Sophie, Samuel and Marc, an API
    key of team A (`token`) and one of team B (`other_token`), and the clock at NIGHT."""

    def __init__(
        self,
        app: Litestar,
        company: Company,
        database: Database,
        clock: ManualClock,
        push: PushService,
        browsers: Browsers,
    ) -> None:
        self.app, self.company, self.database, self.clock, self.push = (
            app,
            company,
            database,
            clock,
            push,
        )
        team = company.team_a.id
        manager = browsers("manager.a@test.fr")
        add_rotation(manager, team, [company.staff_a.id, company.staff_a2.id], backup=True)
        publish_ok(manager, team, "2026-12-15", "2026-12-21")
        with database.write():
            database.execute(
                "UPDATE users SET reminder_minutes = '' WHERE id IN (?, ?)",
                (company.staff_a.id, company.staff_a2.id),
            )
        clock.set(NIGHT)
        self.token = api_key(database, team)
        self.other_token = api_key(database, company.team_b.id, "Autre équipe")
        self.sophie = add_device(database, push, app, company.staff_a.id, "Sophie phone", NIGHT)
        self.samuel = add_device(database, push, app, company.staff_a2.id, "Samuel phone", NIGHT)
        self.marc = add_device(database, push, app, company.manager_a.id, "Marc phone", NIGHT)
        self.api: Client = browsers()

    def raise_alert(self, title: str = "Chaudière en panne", **fields) -> dict:
        response = self.api.post(
            "/api/v1/alerts", json={"title": title, **fields}, headers=bearer(self.token)
        )
        assert response.status_code == 201, response.text
        return response.json()

    def advance(self, **delta: float) -> datetime:
        return self.clock.advance(timedelta(**delta))

    def at(self, **delta: float) -> datetime:
        """NIGHT plus a delay: set the clock there."""
        moment = NIGHT + timedelta(**delta)
        self.clock.set(moment)
        return moment
