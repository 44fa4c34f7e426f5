"""A client's page: its timeline of calls, alerts, interventions and satisfaction answers; and
the erasure of its personal data on request (GDPR), after which nothing personal remains in
the database while its interventions and scores still count."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

from server.accounts.store import current_user
from server.alerts.models import AlertIn
from server.alerts.workflow import create_alert
from server.clock import to_db
from server.interventions.models import CreateOp, InterventionData
from server.interventions.sync import apply_operation
from server.surveys.answers import pass_on, pass_on_answer
from server.surveys.store.answers import answered_survey
from tests.integration.schedule_helpers import page_text

MANAGER_A = "manager.a@test.fr"
RECORD = "4b0c7c1e-8f5e-4c7b-9a0e-5d1f2e3c4b5a"
PERSONAL = (
    "Tilleuls",
    "Garnier",
    "gardien@tilleuls.fr",
    "+33612345678",
    "06 12 34 56 78",
    "0612345678",
    "4821",
    "Clé chez",
    "Merci Sophie",
    "C-001",
)


def a_client_with_history(browsers, company, database, clock) -> int:
    """Résidence Les Tilleuls: created by Marc, called in (an alert named on it, notified to
    Sophie), visited by Sophie, and its answer of 5 with a comment."""
    manager = browsers(MANAGER_A)
    made = manager.post_form(
        f"/teams/{company.team_a.id}/clients/new",
        {
            "name": "Résidence Les Tilleuls",
            "contact_name": "Mme Garnier",
            "email": "gardien@tilleuls.fr",
            "reference": "C-001",
            "notes": "Gardienne : Mme Garnier",
            "phone_0_number": "06 12 34 56 78",
            "site_0_name": "Résidence Les Tilleuls — chaufferie",
            "site_0_address": "12 rue des Tilleuls",
            "site_0_access_instructions": "Clé chez la gardienne",
            "site_0_access_codes": "Porte 4821",
        },
    )
    assert made.status_code == 303
    client_id = database.scalar("SELECT id FROM clients")
    site_id = database.scalar("SELECT id FROM client_sites")
    now = clock.now()
    alert, _new = create_alert(
        database,
        company.team_a.id,
        AlertIn(
            title="Appel entrant de 0612345678",
            details="Résidence Les Tilleuls",
            source="phone",
            dedup_key=f"call:0612345678:{now.isoformat()[:16]}",
        ),
        now=now - timedelta(hours=5),
        channels=frozenset(),
    )
    apply_operation(
        database,
        current_user(database, company.staff_a.id),
        CreateOp(
            op_id="6e0f4c1a-0000-4000-8000-000000000009",
            uuid=RECORD,
            changed_at=now,
            data=InterventionData(
                started_at=now - timedelta(hours=4),
                ended_at=now - timedelta(hours=3),
                place="Chaufferie",
            ),
        ),
        now,
    )
    with database.write():
        # What the calls' and the form's engineers write: the client named on both.
        database.execute(
            "UPDATE alerts SET client_id = ?, site_id = ? WHERE id = ?",
            (client_id, site_id, alert.id),
        )
        database.execute(
            "UPDATE interventions SET client_id = ?, site_id = ? WHERE uuid = ?",
            (client_id, site_id, RECORD),
        )
        database.insert(
            "notifications",
            {
                "user_id": company.staff_a.id,
                "kind": "alert",
                "params": json.dumps({"title": "Appel entrant de 0612345678"}),
                "url": f"/alerts/{alert.id}",
                "created_at": to_db(now),
            },
        )
        database.insert(
            "surveys",
            {
                "team_id": company.team_a.id,
                "user_id": company.staff_a.id,
                "client_id": client_id,
                "intervention_id": database.scalar(
                    "SELECT id FROM interventions WHERE uuid = ?", (RECORD,)
                ),
                "intervention_uuid": RECORD,
                "channel": "sms",
                "status": "answered",
                "answered_at": to_db(now - timedelta(hours=1)),
                "score": 5,
                "solved": 1,
                "comment": "Merci Sophie, Mme Garnier est ravie",
                "created_at": to_db(now),
            },
        )
    return client_id


def test_the_client_page_shows_one_timeline_newest_first(browsers, company, database, clock):
    client_id = a_client_with_history(browsers, company, database, clock)
    page = browsers("staff.a@test.fr").get(f"/clients/{client_id}")
    assert page.status_code == 200
    history = page.text[page.text.index('id="timeline"') :]
    kinds = [
        word
        for word in ("Satisfaction", "Intervention", "Appel")
        if f'<span class="tag">{word}</span>' in history
    ]
    assert kinds == ["Satisfaction", "Intervention", "Appel"]
    assert (
        history.index("5/5") < history.index(f"/interventions/{RECORD}") < history.index("/alerts/")
    )


def answers_passed_on(company, database, clock) -> None:
    """The survey's message went out; the answer of 5 with a comment reached Sophie, and a low
    score the managers (both quote the client's name and its words); and a second answer the
    client gave on Sophie's QR code, set aside because the link was answered first, which only
    the code ties to the intervention."""
    now = clock.now()
    survey_id = database.scalar("SELECT id FROM surveys")
    with database.write():
        database.insert(
            "survey_messages",
            {
                "survey_id": survey_id,
                "kind": "first",
                "status": "sent",
                "attempts": 1,
                "next_attempt_at": to_db(now - timedelta(hours=2)),
                "sent_at": to_db(now - timedelta(hours=2)),
                "last_status": 200,
                "created_at": to_db(now - timedelta(hours=2)),
            },
        )
        pass_on_answer(database, survey_id, now)
        pass_on(database, answered_survey(database, survey_id), 2, "Mme Garnier attend", now)
        aside = database.insert(
            "surveys",
            {
                "team_id": company.team_a.id,
                "user_id": company.staff_a.id,
                "channel": "qr",
                "status": "cancelled",
                "answered_at": to_db(now - timedelta(hours=2)),
                "score": 4,
                "comment": "Merci Sophie pour la chaufferie",
                "created_at": to_db(now - timedelta(hours=2)),
            },
        )
        database.insert(
            "survey_qr_tokens",
            {
                "token_hash": "h" * 64,
                "user_id": company.staff_a.id,
                "issued_at": to_db(now - timedelta(days=1)),
                "expires_at": to_db(now + timedelta(days=29)),
                "intervention_uuid": RECORD,
                "bound_at": to_db(now),
                "used_at": to_db(now - timedelta(hours=2)),
                "survey_id": aside,
            },
        )
    kinds = [row["kind"] for row in database.query("SELECT kind FROM notifications")]
    assert "survey_praise" in kinds and "survey_low_score" in kinds


def test_erase_leaves_nothing_personal_and_keeps_the_statistics(browsers, company, database, clock):
    client_id = a_client_with_history(browsers, company, database, clock)
    answers_passed_on(company, database, clock)
    manager = browsers(MANAGER_A)
    # A confirmation step first: without it nothing is erased.
    assert manager.get(f"/clients/{client_id}/erase").status_code == 200
    unconfirmed = manager.post_form(f"/clients/{client_id}/erase", {})
    assert unconfirmed.status_code == 400
    assert database.scalar("SELECT erased_at FROM clients") is None
    done = manager.post_form(f"/clients/{client_id}/erase", {"confirm": "erase"})
    assert done.status_code == 303
    # Nothing personal in any row of any table.
    tables = [
        row["name"] for row in database.query("SELECT name FROM sqlite_master WHERE type = 'table'")
    ]
    for table in tables:
        for row in database.query(f"SELECT * FROM {table}"):
            text = json.dumps(row, ensure_ascii=False, default=str)
            for secret in PERSONAL:
                if table == "interventions" and secret == "Chaufferie":
                    continue
                assert secret not in text, (table, secret, text[:300])
    # The statistics stay: the intervention, its link to the (anonymous) client and the score.
    assert database.one("SELECT client_id, site_id FROM interventions") == {
        "client_id": client_id,
        "site_id": database.scalar("SELECT id FROM client_sites"),
    }
    assert database.query("SELECT score, solved FROM surveys ORDER BY id") == [
        {"score": 5, "solved": 1},
        {"score": 4, "solved": None},
    ]
    assert database.scalar("SELECT status FROM survey_messages") == "sent"
    assert database.scalar("SELECT client_id FROM alerts") == client_id
    audit = database.one("SELECT * FROM audit_log WHERE action = 'client.erase'")
    assert audit is not None and audit["actor"] == MANAGER_A
    # The page says so; the client no longer appears in search; it cannot be edited again.
    page = page_text(manager.get(f"/clients/{client_id}").text)
    assert f"#{client_id}" in page
    listing = page_text(manager.get(f"/teams/{company.team_a.id}/clients").text)
    assert f"#{client_id}" not in listing
    again = manager.post_form(f"/clients/{client_id}/edit", {"name": "Retour", "version": "3"})
    assert again.status_code == 409


def test_older_goes_on_inside_the_second_a_page_ends_in(browsers, company, database, clock):
    """A page of the history ending among events of one second: "Older" shows the rest of
    that second, none skipped and none twice."""
    client_id = a_client_with_history(browsers, company, database, clock)
    same_second = to_db(clock.now() - timedelta(days=2))
    for n in range(40):
        database.conn.execute(
            "INSERT INTO alerts (team_id, title, severity, source, created_at, policy, client_id)"
            " VALUES (?, ?, 'warning', 'monitoring', ?, '{}', ?)",
            (company.team_a.id, f"Sonde {n:02d}", same_second, client_id),
        )
    reader = browsers("staff.a@test.fr")
    seen: list[str] = []
    url = f"/clients/{client_id}"
    for _page in range(5):
        text = reader.get(url).text
        seen += re.findall(r"Sonde \d\d", text)
        older = re.search(r'href="(/clients/\d+\?before=[^"#]+)', text)
        if older is None:
            break
        url = html.unescape(older.group(1))
    assert sorted(seen) == [f"Sonde {n:02d}" for n in range(40)]
