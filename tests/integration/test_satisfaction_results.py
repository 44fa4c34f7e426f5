"""Satisfaction results: a team's month per person with the month before and the comments, its
CSV from the same computation, each person's own page, and who may read them."""

from __future__ import annotations

import csv
import io

from server.db import Database
from tests.conftest import Client, Company


def add_answer(
    database: Database,
    team_id: int,
    user_id: int,
    at: str,
    score: int,
    *,
    solved: int | None = None,
    comment: str = "",
    client_id: int | None = None,
    status: str = "answered",
) -> None:
    with database.write():
        database.insert(
            "surveys",
            {
                "team_id": team_id,
                "user_id": user_id,
                "client_id": client_id,
                "channel": "sms",
                "status": status,
                "answered_at": at,
                "score": score,
                "solved": solved,
                "comment": comment,
                "created_at": at,
            },
        )


def erased_client(database: Database, team_id: int) -> int:
    with database.write():
        return database.insert(
            "clients",
            {
                "team_id": team_id,
                "name": "Nom effacé",
                "erased_at": "2026-11-20T00:00:00Z",
                "created_at": "2026-11-01T00:00:00Z",
                "updated_at": "2026-11-01T00:00:00Z",
            },
        )


def seed(database: Database, company: Company) -> None:
    team = company.team_a.id
    sophie, samuel = company.staff_a.id, company.staff_a2.id
    gone = erased_client(database, team)
    add_answer(database, team, sophie, "2026-11-03T10:00:00Z", 5, solved=1, comment="Très rapide")
    add_answer(
        database,
        team,
        sophie,
        "2026-11-10T10:00:00Z",
        4,
        solved=0,
        client_id=gone,
        comment="Revenu le lendemain",
    )
    add_answer(database, team, sophie, "2026-11-12T10:00:00Z", 2, comment="Trop long")
    add_answer(database, team, samuel, "2026-10-20T10:00:00Z", 5, comment="Parfait")
    # Not counted: another team's, and an answer superseded by an earlier one.
    add_answer(database, company.team_b.id, company.staff_b.id, "2026-11-05T10:00:00Z", 1)
    add_answer(database, team, sophie, "2026-11-06T10:00:00Z", 1, status="cancelled")


def as_person(make_client, email: str) -> Client:
    person = make_client()
    person.login(email)
    return person


def test_the_managers_page_gives_each_person_and_the_comments(
    make_client, company: Company, database: Database
) -> None:
    seed(database, company)
    manager = as_person(make_client, "manager.a@test.fr")
    page = manager.get(f"/teams/{company.team_a.id}/satisfaction?month=2026-11")
    assert page.status_code == 200
    text = page.text
    # Team: 2 of 3 answers scored 4 or 5 in November; 1 of 1 in October.
    team_block = text.split('id="satisfaction-team"')[1].split("</section>")[0]
    assert "67 %" in team_block and "(3 réponses)" in team_block
    assert "100 %" in team_block and "(1 réponse)" in team_block
    assert "peu de réponses" in team_block  # fewer than ten: a caution
    people = text.split('id="satisfaction-people"')[1].split("</table>")[0]
    assert "Sophie Staff" in people and "Samuel Staff" in people
    assert "50 %" in people  # Sophie's "problem solved": 1 of the 2 who said
    comments = text.split('id="satisfaction-comments"')[1].split("</section>")[0]
    assert "Très rapide" in comments and "Revenu le lendemain" in comments
    assert "Parfait" not in comments  # October's
    assert "Nom effacé" not in text  # an erased client's name is not shown


def test_the_csv_has_the_pages_numbers(make_client, company: Company, database: Database) -> None:
    seed(database, company)
    manager = as_person(make_client, "manager.a@test.fr")
    response = manager.get(f"/teams/{company.team_a.id}/satisfaction.csv?month=2026-11")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    team = {r["month"]: r for r in rows if r["scope"] == "team"}
    assert len(team) == 12
    november = team["2026-11"]
    assert (november["answers"], november["satisfied_4_or_5"], november["score_percent"]) == (
        "3",
        "2",
        "66.7",
    )
    assert team["2026-10"]["score_percent"] == "100.0"
    sophie = [r for r in rows if r["person"] == "Sophie Staff" and r["month"] == "2026-11"]
    assert sophie[0]["solved_percent"] == "50.0"
    assert "Très rapide" not in response.text  # numbers only


def test_each_person_sees_their_own(make_client, company: Company, database: Database) -> None:
    seed(database, company)
    sophie = as_person(make_client, "staff.a@test.fr")
    page = sophie.get("/satisfaction?month=2026-11")
    assert page.status_code == 200
    own = page.text.split('id="satisfaction-own"')[1].split("</section>")[0]
    assert "67 %" in own
    assert "Très rapide" in page.text and "Parfait" not in page.text
    samuel = as_person(make_client, "staff.a2@test.fr")
    theirs = samuel.get("/satisfaction?month=2026-10").text
    assert "Parfait" in theirs and "Très rapide" not in theirs


def test_another_teams_manager_and_staff_are_refused(
    make_client, company: Company, database: Database
) -> None:
    seed(database, company)
    for email in ("manager.b@test.fr", "staff.a@test.fr"):
        person = as_person(make_client, email)
        for path in ("satisfaction", "satisfaction.csv"):
            refused = person.get(f"/teams/{company.team_a.id}/{path}?month=2026-11")
            assert refused.status_code == 403, (email, path)
            assert "Très rapide" not in refused.text


def test_a_month_that_is_not_one_is_refused(make_client, company: Company) -> None:
    manager = as_person(make_client, "manager.a@test.fr")
    refused = manager.get(f"/teams/{company.team_a.id}/satisfaction?month=2026-13")
    assert refused.status_code == 400
    assert "AAAA-MM" in refused.text or "YYYY-MM" in refused.text


def test_the_figures_dashboard_csv_and_api_agree(
    make_client, company: Company, database: Database, clock
) -> None:
    from server.apikeys.store import create_key
    from server.audit.models import Actor

    seed(database, company)
    team = company.team_a.id
    manager = as_person(make_client, "manager.a@test.fr")
    page = manager.get(f"/teams/{team}/figures?month=2026-11")
    assert page.status_code == 200
    card = page.text.split('id="satisfaction"')[1].split("</section>")[0]
    answers = card.split('data-figure="satisfaction_answers"')[1].split("</tr>")[0]
    score = card.split('data-figure="satisfaction_score"')[1].split("</tr>")[0]
    assert '"now">3<' in answers and '"before">1<' in answers
    assert '"now">67 %<' in score and '"before">100 %<' in score
    assert f'data-person="{company.staff_a.id}"' in card

    table = manager.get(f"/teams/{team}/figures/satisfaction.csv?month=2026-11")
    lines = table.text.lstrip("\ufeff").splitlines()
    assert lines[0] == (
        "user_id;name;answers;score;solved_share;previous_answers;previous_score;"
        "previous_solved_share"
    )
    assert lines[1] == ";Maintenance;3;0.6667;0.5;1;1;"
    assert f"{company.staff_a.id};Sophie Staff;3;0.6667;0.5;0;;" in lines

    token, _key = create_key(database, team, "Tableau", actor=Actor(label="test"), now=clock.now())
    answer = manager.get(
        f"/api/v1/teams/{team}/metrics?from=2026-11-01&to=2026-11-30",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    overall = answer.json()["current"]["satisfaction"]["overall"]
    assert (overall["answers"], overall["satisfied"], overall["few"]) == (3, 2, True)
