"""Handing the statements out, end to end: when the engine closes a month after its grace period,
each person's phone gets the push and their mailbox (the server has SMTP) the e-mail at once,
in their language, linking to the statement's page (not the PDF attached); nobody who had
nothing that month is told. The clock starts on Monday 30 November 2026 at 10:00 in Paris."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from server.clock import ManualClock
from server.db import Database
from server.settings import Settings, load_settings
from tests.conftest import Company, LocalOrigins
from tests.integration.alert_helpers import add_device, tick
from tests.integration.mail_helpers import Inbox, serving_inbox
from tests.integration.schedule_helpers import paris
from tests.integration.swap_helpers import add_shift
from tests.push_service import PushService

BASE = "http://astreinte.example:8000"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with serving_inbox() as handler:
        yield handler


@pytest.fixture
def settings(tmp_path, inbox: Inbox, local_origins: LocalOrigins) -> Settings:
    return load_settings(
        {},
        data_dir=str(tmp_path / "data"),
        engine_interval=0,
        smtp_host="127.0.0.1",
        smtp_port=inbox.port,
        smtp_starttls=False,
        smtp_from="astreinte@maintenance.example",
        base_url=BASE,
        push_allow=local_origins.allow,
    )


def test_closing_tells_each_person_by_push_and_e_mail_with_a_link_to_the_page(
    app, company: Company, database: Database, clock: ManualClock, inbox: Inbox, push: PushService
) -> None:
    team = company.team_a.id
    add_shift(database, team, company.staff_a.id, paris(2026, 12, 14, 18), paris(2026, 12, 15, 8))
    add_shift(database, team, company.staff_a2.id, paris(2026, 12, 21, 18), paris(2026, 12, 22, 8))
    with database.write():
        database.execute("UPDATE users SET locale = 'en' WHERE id = ?", (company.staff_a2.id,))
    sophie = add_device(database, push, app, company.staff_a.id, "Sophie phone", clock.now())
    marc = add_device(database, push, app, company.manager_a.id, "Marc phone", clock.now())

    # Within the grace period (3 days): nothing closes, nobody is told.
    clock.set(paris(2027, 1, 3, 23, 50))
    tick(app)
    assert inbox.mails == [] and push.messages(sophie) == []

    clock.set(paris(2027, 1, 4, 0, 5))
    tick(app)
    (pushed,) = [m for m in push.messages(sophie) if m["type"] == "statement_ready"]
    assert pushed["title"] == "Votre relevé d’astreinte est prêt"
    assert pushed["body"].startswith("décembre 2026, Maintenance")
    assert pushed["url"] == "/statements/2026-12"
    assert push.messages(marc) == []  # the manager was on call nowhere: no statement
    mails = {tuple(to): mail for to, mail in zip(inbox.recipients, inbox.mails, strict=True)}
    assert set(mails) == {("staff.a@test.fr",), ("staff.a2@test.fr",)}
    french, english = mails[("staff.a@test.fr",)], mails[("staff.a2@test.fr",)]
    assert french["Subject"] == "Votre relevé d’astreinte est prêt"
    assert english["Subject"] == "Your on-call statement is ready"
    assert f"{BASE}/statements/2026-12" in french.get_content()
    assert "December 2026, Maintenance" in english.get_content()
    # The page, not the document: nothing attached.
    assert not any(part.get_filename() for part in french.walk())
    statuses = database.query(
        "SELECT d.channel, d.status FROM deliveries d JOIN notifications n "
        "ON n.id = d.notification_id WHERE n.kind = 'statement_ready' AND n.user_id = ?",
        (company.staff_a.id,),
    )
    assert sorted((r["channel"], r["status"]) for r in statuses) == [
        ("email", "sent"),
        ("push", "sent"),
    ]
