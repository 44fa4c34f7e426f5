"""Training sessions end to end: a manager records one, it grants its qualification with the
right expiry, its page shows each attendee's figures before and after (built history, pinned
clock) with their counts and cautions, the CSV lists it; bad input and wrong people are
refused with nothing written."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from server.clock import ManualClock, to_db
from server.db import Database
from tests.conftest import Company

SESSION_DAY = "2026-11-02"


class Figures(HTMLParser):
    """Each effect table row's cells, by the person's heading (or "group") then the figure."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, list[str]]] = []
        self.headings: list[str] = []
        self._heading = False
        self._row: list[str] | None = None
        self._figure = ""
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h3":
            self._heading = True
            self.headings.append("")
        if tag == "table" and "training-effect" in (attrs.get("class") or ""):
            self.tables.append({})
        if tag == "tr" and attrs.get("data-figure"):
            self._figure = attrs["data-figure"]
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "h3":
            self._heading = False
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.tables[-1][self._figure] = self._row
            self._row = None

    def handle_data(self, data):
        if self._heading:
            self.headings[-1] += data
        if self._cell is not None:
            self._cell.append(data)


def figures_of(page: str) -> dict[str, dict[str, list[str]]]:
    parser = Figures()
    parser.feed(page)
    names = [h.strip() for h in parser.headings if h.strip() != "Attendees"]
    names = ["group" if n == "The group" else n for n in names]
    return dict(zip(names, parser.tables, strict=True))


def add_alert(db: Database, team_id: int, user_id: int, at: datetime, ack_seconds: int) -> None:
    with db.write():
        db.insert(
            "alerts",
            {
                "team_id": team_id,
                "title": "Chaudière",
                "severity": "critical",
                "status": "acknowledged",
                "created_at": to_db(at),
                "acknowledged_at": to_db(at + timedelta(seconds=ack_seconds)),
                "acknowledged_by": user_id,
                "policy": "[]",
            },
        )


def add_answer(db: Database, team_id: int, user_id: int, at: datetime, score: int) -> None:
    with db.write():
        db.insert(
            "surveys",
            {
                "team_id": team_id,
                "user_id": user_id,
                "intervention_uuid": str(uuid.uuid4()),
                "channel": "sms",
                "status": "answered",
                "answered_at": to_db(at),
                "score": score,
                "created_at": to_db(at),
            },
        )


def add_review(db: Database, team_id: int, user_id: int, at: datetime, score: int) -> None:
    with db.write():
        intervention = db.insert(
            "interventions",
            {
                "uuid": str(uuid.uuid4()),
                "user_id": user_id,
                "team_id": team_id,
                "started_at": to_db(at - timedelta(hours=1)),
                "ended_at": to_db(at),
                "travel_minutes": 0,
                "mode": "on_site",
                "outcome": "resolved",
                "client_changed_at": to_db(at),
                "server_changed_at": to_db(at),
                "created_at": to_db(at),
                "updated_at": to_db(at),
            },
        )
        db.insert(
            "quality_reviews",
            {
                "intervention_id": intervention,
                "team_id": team_id,
                "user_id": user_id,
                "items": "[]",
                "passed": 1,
                "failed": 0,
                "score": score,
                "ended_at": to_db(at),
                "created_at": to_db(at),
                "updated_at": to_db(at),
            },
        )


def add_qualification(db: Database, name: str, months: int | None) -> int:
    now = "2026-01-01T00:00:00Z"
    with db.write():
        return db.insert(
            "qualifications",
            {"name": name, "validity_months": months, "created_at": now, "updated_at": now},
        )


def session_form(company: Company, **fields) -> dict:
    return {
        "topic": "Habilitation électrique, recyclage",
        "kind": "technical",
        "held_on": SESSION_DAY,
        "trainer_name": "Organisme APAVE",
        "attendees": [str(company.staff_a.id), str(company.staff_a2.id)],
        **fields,
    }


def record(browser, company: Company, **fields):
    return browser.post_form(
        f"/teams/{company.team_a.id}/training/new", session_form(company, **fields)
    )


def session_id_of(response) -> int:
    assert response.status_code == 303, response.text[:500]
    return int(response.headers["location"].split("/")[2].split("?")[0])


def signed_in(make_client, email: str):
    """A browser of this person, asking for English (the assertions read English)."""
    browser = make_client()
    browser.headers["Accept-Language"] = "en"
    browser.login(email)
    return browser


@pytest.fixture
def marc(company, make_client):
    return signed_in(make_client, "manager.a@test.fr")


def test_a_session_grants_its_qualification_from_its_day_for_its_validity(
    company: Company, database: Database, marc
) -> None:
    sst = add_qualification(database, "SST secourisme", 24)
    # Samuel held it from an older session: renewed. Sophie did not hold it: obtained.
    with database.write():
        database.insert(
            "person_qualifications",
            {
                "user_id": company.staff_a2.id,
                "qualification_id": sst,
                "obtained_on": "2024-10-01",
                "expires_on": "2026-10-01",
                "created_at": "2024-10-01T00:00:00Z",
                "updated_at": "2024-10-01T00:00:00Z",
            },
        )
    session = session_id_of(record(marc, company, qualification_id=str(sst)))
    rows = database.query(
        "SELECT user_id, obtained_on, expires_on FROM person_qualifications "
        "WHERE qualification_id = ? ORDER BY user_id",
        (sst,),
    )
    assert {r["user_id"]: (r["obtained_on"], r["expires_on"]) for r in rows} == {
        company.staff_a.id: ("2026-11-02", "2028-11-02"),
        company.staff_a2.id: ("2026-11-02", "2028-11-02"),
    }
    page = marc.get(f"/training/{session}")
    assert page.status_code == 200
    assert "SST secourisme" in page.text and "holds it until 2 Nov 2028" in page.text
    assert (
        database.scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'person_qualification.training'"
        )
        == 2
    )
    # A session entered late (before the holding's day) never rolls it back.
    session_id_of(record(marc, company, qualification_id=str(sst), held_on="2026-01-10"))
    assert (
        database.scalar(
            "SELECT expires_on FROM person_qualifications "
            "WHERE user_id = ? AND qualification_id = ?",
            (company.staff_a.id, sst),
        )
        == "2028-11-02"
    )


def test_a_qualification_that_never_expires_is_granted_without_expiry(
    company: Company, database: Database, marc
) -> None:
    internal = add_qualification(database, "Procédure interne chaufferie", None)
    session_id_of(record(marc, company, qualification_id=str(internal)))
    assert database.query(
        "SELECT obtained_on, expires_on FROM person_qualifications WHERE user_id = ? "
        "AND qualification_id = ?",
        (company.staff_a.id, internal),
    ) == [{"obtained_on": "2026-11-02", "expires_on": None}]


def test_the_effect_shows_each_attendees_figures_before_and_after_with_counts(
    company: Company, database: Database, clock: ManualClock, marc
) -> None:
    team, sophie, samuel = company.team_a.id, company.staff_a.id, company.staff_a2.id
    day = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    # Sophie: 12 alerts acknowledged in 10 minutes before, 12 in 4 minutes after; two answers
    # each side (3 and 5, then 5 and 5); a review each side (50 %, then 100 %).
    for n in range(12):
        add_alert(database, team, sophie, day - timedelta(days=5 + n * 6), 600)
        add_alert(database, team, sophie, day + timedelta(days=2 + n * 6), 240)
    for when, score in ((-20, 3), (-10, 5), (10, 5), (20, 5)):
        add_answer(database, team, sophie, day + timedelta(days=when), score)
    add_review(database, team, sophie, day - timedelta(days=15), 50)
    add_review(database, team, sophie, day + timedelta(days=15), 100)
    # Out of both windows: more than 3 months before, and after them.
    add_alert(database, team, sophie, day - timedelta(days=100), 6000)
    add_alert(database, team, sophie, day + timedelta(days=100), 6000)
    # Samuel: 3 alerts before in 2 minutes, none after.
    for n in range(3):
        add_alert(database, team, samuel, day - timedelta(days=3 + n), 120)
    session = session_id_of(record(marc, company))

    clock.set(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))  # the 3 months after have passed
    marc.login("manager.a@test.fr")  # the session of 30 November has lapsed
    page = marc.get(f"/training/{session}")
    assert page.status_code == 200, page.text[:500]
    assert "partial" not in page.text
    found = figures_of(page.text)
    sophie_rows = found["Sophie Staff"]
    assert sophie_rows["ack"][1:] == ["10 min (12 alerts)", "4 min (12 alerts)"]
    assert sophie_rows["satisfaction"][1:3] == ["50% (2 answers)", "100% (2 answers) few"]
    assert sophie_rows["quality"][1:] == ["50% (1 review)", "100% (1 review) few"]
    assert "few" not in sophie_rows["ack"][2]
    assert found["Samuel Staff"]["ack"][1:] == ["2 min (3 alerts)", "– (0 alerts) few"]
    # The group: every alert counted together (12 × 10 min + 3 × 2 min over 15).
    assert found["group"]["ack"][1:] == ["8 min 24 s (15 alerts)", "4 min (12 alerts)"]

    # A month after the session, the after is partial (so far).
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    marc.login("manager.a@test.fr")
    partial = marc.get(f"/training/{session}")
    assert "The 3 months after the session have not all passed" in partial.text
    assert figures_of(partial.text)["Sophie Staff"]["ack"][2].startswith("4 min (5 alerts)")


def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(
    company: Company, database: Database, marc
) -> None:
    cases = [
        ({"topic": " "}, "say what the training was about"),
        ({"kind": "yoga"}, "“Type”: choose from the list"),
        ({"held_on": "02/11/2026"}, "a date is needed"),
        ({"held_on": "2026-12-25"}, "recorded once held"),
        ({"attendees": []}, "at least one person"),
        ({"attendees": [str(company.staff_b.id)]}, "people of the teams you manage"),
        ({"attendees": ["abc"]}, "people of the teams you manage"),
        ({"qualification_id": "999"}, "choose from the list"),
        ({"trainer_id": str(company.staff_b.id)}, "choose from the list"),
    ]
    before = database.scalar("SELECT COUNT(*) FROM audit_log")
    for fields, message in cases:
        answer = record(marc, company, **fields)
        assert answer.status_code == 400, (fields, answer.status_code)
        assert message in answer.text, (fields, answer.text[:800])
    assert database.scalar("SELECT COUNT(*) FROM training_sessions") == 0
    assert database.scalar("SELECT COUNT(*) FROM training_attendees") == 0
    assert database.scalar("SELECT COUNT(*) FROM audit_log") == before


def test_edit_and_delete_and_the_lists_and_the_csv(
    company: Company, database: Database, marc, make_client
) -> None:
    session = session_id_of(record(marc, company))
    edited = marc.post_form(
        f"/training/{session}/edit",
        session_form(
            company, topic="=Gestion du stress", kind="stress", attendees=[str(company.staff_a.id)]
        ),
    )
    assert edited.status_code == 303
    listing = marc.get(f"/teams/{company.team_a.id}/training")
    assert "=Gestion du stress" in listing.text and "1 attendee" in listing.text
    csv = marc.get(f"/teams/{company.team_a.id}/training.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert len(lines) == 2
    assert f"{session};2026-11-02;Maintenance;'=Gestion du stress;Stress management;" in lines[1]
    assert lines[1].endswith(f";Sophie Staff;{company.staff_a.id}")
    # Sophie reads her own history; Samuel, no longer an attendee, has none.
    sophie = signed_in(make_client, "staff.a@test.fr")
    mine = sophie.get("/training")
    assert mine.status_code == 200 and "=Gestion du stress" in mine.text
    assert "partial" in mine.text
    samuel = signed_in(make_client, "staff.a2@test.fr")
    assert "No training session attended yet." in samuel.get("/training").text
    deleted = marc.post_form(f"/training/{session}/delete")
    assert deleted.status_code == 303
    assert "Session deleted." in marc.get(deleted.headers["location"]).text
    assert database.scalar("SELECT COUNT(*) FROM training_attendees") == 0
    assert marc.get(f"/training/{session}").status_code == 404


def test_a_session_spanning_teams_is_read_by_each_teams_managers_each_seeing_their_people(
    company: Company, database: Database, make_client
) -> None:
    """An admin records a session of team A attended by Sophie (A) and Bruno (B): Nina, who
    manages B, reads it with Bruno's figures only and may not change it; Marc sees Sophie's."""
    admin = signed_in(make_client, "admin@test.fr")
    session = session_id_of(
        admin.post_form(
            f"/teams/{company.team_a.id}/training/new",
            session_form(company, attendees=[str(company.staff_a.id), str(company.staff_b.id)]),
        )
    )
    nina = signed_in(make_client, "manager.b@test.fr")
    page = nina.get(f"/training/{session}")
    assert page.status_code == 200
    assert set(figures_of(page.text)) == {"group", "Bruno Staff"}
    assert f'href="/training/people/{company.staff_b.id}"' in page.text
    assert f'href="/training/people/{company.staff_a.id}"' not in page.text
    assert "The figures of 1 attendee are for the managers of their teams." in page.text
    assert nina.get(f"/training/{session}/edit").status_code == 403
    before = database.query("SELECT * FROM training_sessions")
    assert nina.post_form(f"/training/{session}/edit", session_form(company)).status_code == 403
    assert nina.post_form(f"/training/{session}/delete").status_code == 403
    assert database.query("SELECT * FROM training_sessions") == before
    marc = signed_in(make_client, "manager.a@test.fr")
    assert set(figures_of(marc.get(f"/training/{session}").text)) == {"group", "Sophie Staff"}
    # Marc changes the session: Bruno, whom he does not manage, stays an attendee.
    kept = marc.post_form(
        f"/training/{session}/edit",
        session_form(company, attendees=[str(company.staff_a.id), str(company.staff_b.id)]),
    )
    assert kept.status_code == 303
    # Each team's list has it: B's because Bruno attended.
    assert f"/training/{session}" in nina.get(f"/teams/{company.team_b.id}/training").text
    # Bruno's history: his and Nina's, not Marc's.
    assert nina.get(f"/training/people/{company.staff_b.id}").status_code == 200
    assert marc.get(f"/training/people/{company.staff_b.id}").status_code == 403


def test_the_team_page_and_ones_own_figures_lead_to_training(company: Company, marc, make_client):
    assert f'href="/teams/{company.team_a.id}/training"' in marc.get("/team").text
    sophie = signed_in(make_client, "staff.a@test.fr")
    assert 'href="/training"' in sophie.get("/figures").text
    assert "/training" not in sophie.get("/team").text
