"""The monthly service review: the month's figures against the previous month, the actions a
team decided carried over until done, its PDF, and who may read and write it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pypdfium2
import pytest

from server.alerts.models import AlertIn
from server.alerts.workflow import acknowledge, create_alert
from server.clock import ManualClock, to_db
from server.db import Database
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import Browsers, paris

MONTH = "2026-11"


@pytest.fixture
def english(app) -> Iterator[Browsers]:
    with Browsers(app, language="en") as open_browser:
        yield open_browser


@pytest.fixture
def history(company: Company, database: Database, clock: ManualClock) -> Company:
    """Team A's alerts: one in October, left alone; three in November, acknowledged after 5,
    15 and 25 minutes; now is Wednesday 2 December 2026, 10:00 in Paris."""
    team = company.team_a.id
    moments = [paris(2026, 10, 14, 3), paris(2026, 11, 3, 2), paris(2026, 11, 12, 23)]
    moments.append(paris(2026, 11, 20, 14))
    for index, moment in enumerate(moments):
        alert, _new = create_alert(
            database,
            team,
            AlertIn(title="Chaudière en panne", source="GTB", dedup_key=f"boiler-{index}"),
            now=moment,
            channels=frozenset(),
        )
        if index:
            acknowledge(
                database,
                alert.id,
                user_id=company.staff_a.id,
                actor="test",
                now=moment + timedelta(minutes=10 * index - 5),
            )
    # Sophie's night on call, 18:00 to 08:00 in Paris (14 hours), told and accepted.
    with database.write():
        database.insert(
            "shifts",
            {
                "team_id": team,
                "kind": "regular",
                "layer": "primary",
                "user_id": company.staff_a.id,
                "starts_at": to_db(paris(2026, 11, 12, 18)),
                "ends_at": to_db(paris(2026, 11, 13, 8)),
                "status": "accepted",
                "created_at": to_db(moments[0]),
                "updated_at": to_db(moments[0]),
            },
        )
    clock.set(paris(2026, 12, 2, 10))
    return company


def url(company: Company, month: str = MONTH, team_id: int | None = None) -> str:
    return f"/teams/{team_id or company.team_a.id}/reviews/{month}"


def figure(page: str, key: str) -> list[str]:
    """The first row of a figure: its label, this month, the previous month."""
    row = re.search(rf'<tr data-figure="{key}">(.*?)</tr>', page, re.S)
    assert row, f"no row for {key}"
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row[1], re.S)
    ]


def add(browser: Client, company: Company, month: str, headers: dict | None = None, **fields: str):
    form = {"what": "Écrire la procédure de redémarrage", "due_on": "2026-11-15"} | fields
    return browser.post_form(f"{url(company, month)}/actions", form, headers=headers)


def action_ids(database: Database) -> list[int]:
    return [row["id"] for row in database.query("SELECT id FROM review_actions ORDER BY id")]


def test_the_review_shows_the_month_against_the_previous_one(history: Company, english) -> None:
    page = english("manager.a@test.fr").get(url(history))
    assert page.status_code == 200, page.text[:500]
    assert figure(page.text, "alerts") == ["Alerts", "3", "1"]
    assert figure(page.text, "acknowledgement_rate")[1:] == ["100%", "0%"]
    # Time to acknowledge, median of 5, 15 and 25 minutes; none the month before.
    assert figure(page.text, "time_to_acknowledge")[1:] == ["15 min", "–"]
    assert "Chaudière en panne" in page.text  # the recurring problem
    sophie = re.search(r"<tr><th scope=\"row\">Sophie Staff</th>(.*?)</tr>", page.text, re.S)
    assert sophie and "<td>14 h</td>" in sophie[1]  # her on-call hours in the load table
    assert "The month is under way" not in page.text
    assert figure(page.text, "alerts_per_hour")[1:] == ["0.004", "0.001"]  # 3 and 1 in 720 h
    assert f"{url(history)}.pdf" in page.text


def test_the_month_under_way_is_marked_so_far_and_a_future_one_is_not_found(
    history: Company, english
) -> None:
    browser = english("manager.a@test.fr")
    under_way = browser.get(url(history, "2026-12")).text
    assert "The month is under way: its figures are so far." in under_way
    assert '<span class="tag warn">so far</span>' in under_way
    future = browser.get(url(history, "2027-01"))
    assert future.status_code == 404
    assert "has not started yet" in future.text
    bad = browser.get(url(history, "2026-13"))
    assert bad.status_code == 400
    assert "YYYY-MM" in bad.text


def test_an_action_is_carried_over_until_done_then_shows_in_the_month_it_was_done(
    history: Company, database: Database, english, clock: ManualClock
) -> None:
    marc = english("manager.a@test.fr")
    done = add(marc, history, "2026-10", assignee_id=str(history.staff_a.id))
    assert done.status_code == 303
    assert done.headers["location"] == f"{url(history, '2026-10')}?done=added#actions"
    [action] = action_ids(database)
    for month in ("2026-10", "2026-11", "2026-12"):
        page = marc.get(url(history, month)).text
        assert f'id="action-{action}"' in page, month
        assert "Sophie Staff" in page
        assert ("Carried over from October 2026" in page) is (month != "2026-10")
    assert "Not done, overdue" in page  # due 15 November, not done on 2 December

    assert marc.post_form(f"{url(history, '2026-12')}/actions/{action}/done").status_code == 303
    assert "Done on 2 Dec 2026" in marc.get(url(history, "2026-12")).text
    november = marc.get(url(history, "2026-11")).text
    assert "Not done at the month&#39;s end; done on 2 Dec 2026" in november

    clock.set(paris(2027, 1, 1, 9))  # within the session's 30 days
    assert f'id="action-{action}"' not in marc.get(url(history, "2027-01")).text
    assert f'id="action-{action}"' in marc.get(url(history, "2026-12")).text
    # Reopened, it is carried over again.
    assert marc.post_form(f"{url(history, '2027-01')}/actions/{action}/reopen").status_code == 303
    assert f'id="action-{action}"' in marc.get(url(history, "2027-01")).text
    audit = database.query(
        "SELECT action FROM audit_log WHERE entity_type = 'review_action' ORDER BY id"
    )
    assert [row["action"] for row in audit] == [
        "review_action.create",
        "review_action.done",
        "review_action.reopen",
    ]


def test_a_manager_edits_and_deletes_an_action(
    history: Company, database: Database, english
) -> None:
    marc = english("manager.a@test.fr")
    add(marc, history, MONTH)
    [action] = action_ids(database)
    edited = marc.post_form(
        f"{url(history)}/actions/{action}",
        {
            "what": "Changer la sonde",
            "assignee_id": str(history.staff_a2.id),
            "due_on": "2026-12-20",
        },
    )
    assert edited.status_code == 303
    page = marc.get(url(history)).text
    assert "Changer la sonde" in page and "Samuel Staff" in page
    assert "Confirm: delete the action" in page  # the delete button asks first
    assert marc.post_form(f"{url(history)}/actions/{action}/delete").status_code == 303
    assert action_ids(database) == []
    assert "Changer la sonde" not in marc.get(url(history)).text


def test_htmx_gets_the_actions_card_back(history: Company, english) -> None:
    marc = english("manager.a@test.fr")
    answer = add(marc, history, MONTH, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert 'id="actions"' in answer.text and "<html" not in answer.text
    assert "Action added." in answer.text
    refused = add(marc, history, MONTH, what="", headers={"HX-Request": "true"})
    assert refused.status_code == 400
    assert "“Action”" in refused.text and "<html" not in refused.text


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"what": "  "}, "“Action”"),
        ({"due_on": "15/11/2026"}, "“By when”"),
        ({"assignee_id": "not-a-number"}, "“Who”"),
    ],
)
def test_bad_input_is_named_and_nothing_is_written(
    history: Company, database: Database, english, change: dict, words: str
) -> None:
    marc = english("manager.a@test.fr")
    before = database.scalar("SELECT COUNT(*) FROM audit_log")
    refused = add(marc, history, MONTH, **change)
    assert refused.status_code == 400
    assert words in refused.text
    assert action_ids(database) == []
    assert database.scalar("SELECT COUNT(*) FROM audit_log") == before


def test_a_member_of_another_team_cannot_be_put_in_charge(
    history: Company, database: Database, english
) -> None:
    marc = english("manager.a@test.fr")
    refused = add(marc, history, MONTH, assignee_id=str(history.staff_b.id))
    assert refused.status_code == 400
    assert "choose a member of the team" in refused.text
    assert action_ids(database) == []
    # Nor on an edit.
    add(marc, history, MONTH)
    [action] = action_ids(database)
    edit = marc.post_form(
        f"{url(history)}/actions/{action}",
        {"what": "x", "assignee_id": str(history.staff_b.id), "due_on": "2026-12-01"},
    )
    assert edit.status_code == 400
    assert database.scalar("SELECT assignee_id FROM review_actions") is None


def test_members_read_managers_write_others_are_refused(
    history: Company, database: Database, english
) -> None:
    sophie = english("staff.a@test.fr")
    page = sophie.get(url(history))
    assert page.status_code == 200
    assert "Add an action" not in page.text
    assert sophie.get(f"{url(history)}.pdf").status_code == 200
    assert add(sophie, history, MONTH).status_code == 403
    for outsider in ("staff.b@test.fr", "manager.b@test.fr"):
        browser = english(outsider)
        assert browser.get(url(history)).status_code == 403
        assert browser.get(f"{url(history)}.pdf").status_code == 403
        assert add(browser, history, MONTH).status_code == 403
    assert english("admin@test.fr").get(url(history)).status_code == 200
    assert action_ids(database) == []


def test_an_action_of_another_team_is_not_found_from_this_one(
    history: Company, database: Database, english
) -> None:
    add(english("manager.a@test.fr"), history, MONTH)
    [action] = action_ids(database)
    nina = english("manager.b@test.fr")
    other = f"{url(history, team_id=history.team_b.id)}/actions/{action}/delete"
    assert nina.post_form(other).status_code == 404
    assert action_ids(database) == [action]


def test_a_form_without_its_csrf_token_is_refused(
    history: Company, database: Database, english
) -> None:
    marc = english("manager.a@test.fr")
    refused = marc.post(
        f"{url(history)}/actions",
        data={"what": "Sans jeton", "due_on": "2026-12-01"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert action_ids(database) == []


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def test_the_pdf_reads_as_the_page(history: Company, english) -> None:
    marc = english("manager.a@test.fr")
    add(marc, history, "2026-10", assignee_id=str(history.staff_a.id))
    answer = marc.get(f"{url(history)}.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert (
        f"service-review-{history.team_a.id}-{MONTH}.pdf" in answer.headers["content-disposition"]
    )
    text = pdf_text(answer.content)
    for words in (
        "Monthly service review",
        "Maintenance · November 2026",
        "October 2026",  # compared with
        "Chaudière en panne",
        "Écrire la procédure de redémarrage",
        "Sophie Staff",
        "Carried over from October 2026",
    ):
        assert words in text, words
    # The same figures as the page: 3 alerts against 1.
    assert re.search(r"Alerts\s*3\s*1", text), text[:2000]


def test_the_reviews_address_leads_to_the_last_month_that_has_ended(
    history: Company, english
) -> None:
    answer = english("staff.a@test.fr").get(
        f"/teams/{history.team_a.id}/reviews", follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == url(history, MONTH)


def test_every_member_finds_the_review_from_the_team_page(history: Company, english) -> None:
    page = english("staff.a@test.fr").get("/team").text
    assert f'href="/teams/{history.team_a.id}/reviews"' in page
