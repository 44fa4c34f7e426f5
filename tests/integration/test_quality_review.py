"""The quality review: the queue and why each intervention is in it, a manager's review with
its score, the checklist, the technician's answer and the follow-up asked for, and who may
do what (down to the intervention named in the address)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.accounts.models import UserForm
from server.accounts.store import create_user
from server.apikeys.store import create_key
from server.audit.models import Actor
from server.db import Database
from server.teams.store import set_membership
from tests.conftest import Client, Company
from tests.integration.quality_helpers import (
    DAY,
    answer_survey,
    compute_queue,
    log,
    review_form,
    set_sample,
)
from tests.integration.schedule_helpers import Node, parse

ALL_PASSED = ["passed"] * 5


def having(node: Node, attribute: str) -> list[Node]:
    return [n for n in node.iter() if attribute in n.attrs]


def item_legends(html: str) -> list[str]:
    return [f.find("legend").text for f in having(parse(html), "data-item")]


@pytest.fixture
def manager(make_client) -> Client:
    client = make_client()
    client.login("manager.a@test.fr")
    return client


@pytest.fixture
def sophie(make_client) -> Client:
    client = make_client()
    client.login("staff.a@test.fr")
    return client


def queue_reasons(client: Client, team_id: int, section: str = "to-review") -> dict[str, set]:
    """Each queued intervention of a section of the queue page and the reasons it shows."""
    response = client.get(f"/teams/{team_id}/quality")
    assert response.status_code == 200, response.text
    part = parse(response.text).one(id=section)
    return {
        item.attrs["data-intervention"]: {
            t.attrs["data-reason"] for t in having(item, "data-reason")
        }
        for item in having(part, "data-intervention")
    }


def kinds(database: Database, user_id: int) -> list[str]:
    rows = database.query(
        "SELECT kind FROM notifications WHERE user_id = ? ORDER BY id", (user_id,)
    )
    return [row["kind"] for row in rows]


def test_the_queue_holds_low_scores_escalations_follow_ups_and_rest_violations(
    database: Database, company: Company, clock, manager: Client
) -> None:
    now = clock.now()
    team = company.team_a.id
    set_sample(database, team, 0, now)
    sophie = company.staff_a.id
    quiet = log(database, sophie, now, start=DAY)
    escalated = log(database, sophie, now, start=DAY + timedelta(hours=3), outcome="escalated")
    follow_up = log(database, sophie, now, start=DAY + timedelta(days=1), outcome="follow_up")
    unhappy = log(database, sophie, now, start=DAY + timedelta(days=2))
    happy = log(database, sophie, now, start=DAY + timedelta(days=2, hours=3))
    # Eleven hours and a half in a day: more than the ten hours of work a day allowed.
    too_long = log(database, company.staff_a2.id, now, start=DAY, hours=11.5)
    compute_queue(database, now)
    # The client's answer comes later: the trigger notes it, the next run queues it.
    answer_survey(database, unhappy, 2, now)
    answer_survey(database, happy, 5, now)
    compute_queue(database, now)

    queued = queue_reasons(manager, team)
    assert queued == {
        escalated: {"escalated"},
        follow_up: {"follow_up"},
        unhappy: {"low_score"},
        too_long: {"rest_violation"},
    }
    assert quiet not in queued and happy not in queued
    page = manager.get(f"/teams/{team}/quality").text
    assert "(2/5)" in page  # the low score says how low


def test_the_sample_draws_the_teams_share_and_never_changes_its_mind(
    database: Database, company: Company, clock, manager: Client
) -> None:
    now = clock.now()
    team = company.team_a.id
    set_sample(database, team, 100, now)
    records = [
        log(database, company.staff_a.id, now, start=DAY + timedelta(hours=n)) for n in (0, 2)
    ]
    compute_queue(database, now)
    assert queue_reasons(manager, team) == {r: {"sample"} for r in records}
    # Computed again (the record changed): the same draw.
    with database.write():
        database.execute(
            "UPDATE interventions SET place = 'Chaufferie C' WHERE uuid = ?", (records[0],)
        )
    compute_queue(database, now)
    assert queue_reasons(manager, team) == {r: {"sample"} for r in records}
    # Nobody of team B is drawn for team A, and team B's queue is its own.
    set_sample(database, company.team_b.id, 100, now)
    other = log(database, company.staff_b.id, now, start=DAY)
    compute_queue(database, now)
    assert other not in queue_reasons(manager, team)


def test_a_deleted_intervention_leaves_the_queue_unless_reviewed(
    database: Database, company: Company, clock, manager: Client
) -> None:
    now = clock.now()
    record = log(database, company.staff_a.id, now, outcome="escalated")
    compute_queue(database, now)
    assert record in queue_reasons(manager, company.team_a.id)
    with database.write():
        database.execute(
            "UPDATE interventions SET deleted_at = ? WHERE uuid = ?",
            ("2026-11-30T08:00:00Z", record),
        )
    compute_queue(database, now)
    assert record not in queue_reasons(manager, company.team_a.id)


def test_a_review_is_scored_and_told_to_the_technician_who_reads_it(
    database: Database, company: Company, clock, manager: Client, sophie: Client
) -> None:
    now = clock.now()
    record = log(database, company.staff_a.id, now, outcome="escalated")
    compute_queue(database, now)
    url = f"/interventions/{record}/review"
    page = manager.get(url)
    assert page.status_code == 200
    # The default checklist, the response item already answered (no alert: not applicable).
    assert item_legends(page.text) == [
        "Procédure suivie",
        "Compte rendu complet",
        "Client informé",
        "Sécurité respectée",
        "Intervention dans l’objectif de l’équipe",
    ]
    assert "checked" in parse(page.text).one("input", name="item-4", value="na").attrs
    form = review_form(page.text, ["passed", "passed", "failed", "na", "passed"], comment="Bien")
    saved = manager.post_form(url, form)
    assert saved.status_code == 303, saved.text

    review = database.one("SELECT * FROM quality_reviews")
    assert (review["passed"], review["failed"], review["score"]) == (3, 1, 75)
    assert kinds(database, company.staff_a.id)[-1] == "quality_reviewed"
    inbox = sophie.get("/notifications").text
    assert "Votre intervention a été évaluée" in inbox and "Note 75 %" in inbox
    # Reviewed: out of "to review", in "reviewed" with its score.
    assert record not in queue_reasons(manager, company.team_a.id)
    assert record in queue_reasons(manager, company.team_a.id, "reviewed")

    mine = parse(sophie.get(url).text)
    assert having(mine, "data-score")[0].text == "75 %"
    assert [li.attrs["data-result"] for li in having(mine, "data-result")] == [
        "passed",
        "passed",
        "failed",
        "na",
        "passed",
    ]
    assert "Bien" in mine.text
    assert not mine.find_all("input", name="items_sig")  # she reads it; she does not write it
    # Her intervention's page shows it too.
    assert "75 %" in sophie.get(f"/interventions/{record}").text


def test_a_review_needs_every_item_and_writes_nothing_otherwise(
    database: Database, company: Company, clock, manager: Client
) -> None:
    record = log(database, company.staff_a.id, clock.now())
    url = f"/interventions/{record}/review"
    form = review_form(manager.get(url).text, ["passed", "passed"])
    refused = manager.post_form(url, form)
    assert refused.status_code == 400
    assert "Choisissez" in refused.text or "Choose" in refused.text
    assert database.scalar("SELECT COUNT(*) FROM quality_reviews") == 0
    assert kinds(database, company.staff_a.id) == []


def test_editing_the_checklist_changes_no_past_review(
    database: Database, company: Company, clock, manager: Client
) -> None:
    now = clock.now()
    team = company.team_a.id
    before = log(database, company.staff_a.id, now)
    url = f"/interventions/{before}/review"
    manager.post_form(url, review_form(manager.get(url).text, ALL_PASSED))
    form_page = manager.get(f"/teams/{team}/quality/checklist")
    assert "Procédure suivie" in form_page.text
    saved = manager.post_form(
        f"/teams/{team}/quality/checklist", {"items": "Procédure suivie\nPhotos jointes\n\n"}
    )
    assert saved.status_code == 303

    after = log(database, company.staff_a.id, now, start=DAY + timedelta(days=1))
    assert item_legends(manager.get(f"/interventions/{after}/review").text) == [
        "Procédure suivie",
        "Photos jointes",
    ]
    assert len(item_legends(manager.get(url).text)) == 5
    # A form opened before the change is refused rather than scoring the wrong items.
    stale = manager.post_form(
        f"/interventions/{after}/review", review_form(manager.get(url).text, ALL_PASSED)
    )
    assert stale.status_code == 409
    # An empty checklist is refused with its reason.
    empty = manager.post_form(f"/teams/{team}/quality/checklist", {"items": "  \n"})
    assert empty.status_code == 400 and "au moins un" in empty.text


def test_the_technician_answers_and_the_reviewer_is_told(
    database: Database, company: Company, clock, manager: Client, sophie: Client, make_client
) -> None:
    record = log(database, company.staff_a.id, clock.now())
    url = f"/interventions/{record}/review"
    manager.post_form(url, review_form(manager.get(url).text, ALL_PASSED))
    answered = sophie.post_form(f"{url}/answer", {"answer": "Merci, noté."})
    assert answered.status_code == 303
    assert database.scalar("SELECT answer FROM quality_reviews") == "Merci, noté."
    assert kinds(database, company.manager_a.id)[-1] == "quality_answered"
    assert "Merci, noté." in manager.get(url).text
    # Nobody answers for her: not her manager, not a colleague.
    assert manager.post_form(f"{url}/answer", {"answer": "Moi"}).status_code == 403
    samuel = make_client()
    samuel.login("staff.a2@test.fr")
    assert samuel.post_form(f"{url}/answer", {"answer": "Moi"}).status_code == 403
    assert samuel.get(url).status_code == 403
    assert database.scalar("SELECT answer FROM quality_reviews") == "Merci, noté."


def test_a_follow_up_is_asked_shown_to_the_technician_and_done(
    database: Database, company: Company, clock, manager: Client, sophie: Client
) -> None:
    record = log(database, company.staff_a.id, clock.now())
    url = f"/interventions/{record}/review"
    form = review_form(
        manager.get(url).text, ALL_PASSED, follow_up="on", follow_up_note="Changer la sonde"
    )
    assert manager.post_form(url, form).status_code == 303
    notice = database.one(
        "SELECT kind, url FROM notifications WHERE user_id = ?", (company.staff_a.id,)
    )
    assert notice == {"kind": "quality_reviewed", "url": url}
    assert record in queue_reasons(manager, company.team_a.id, "follow-ups")
    mine = sophie.get(url).text
    assert "Changer la sonde" in mine and "/follow-up/done" in mine
    done = sophie.post_form(f"{url}/follow-up/done")
    assert done.status_code == 303
    assert record not in queue_reasons(manager, company.team_a.id, "follow-ups")


def test_the_review_form_answers_htmx_with_the_card_alone(
    database: Database, company: Company, clock, manager: Client
) -> None:
    record = log(database, company.staff_a.id, clock.now())
    url = f"/interventions/{record}/review"
    form = review_form(manager.get(url).text, ALL_PASSED)
    card = manager.post_form(url, form, headers={"HX-Request": "true"})
    assert card.status_code == 200
    assert card.text.lstrip().startswith("<section") and "<html" not in card.text
    assert "100 %" in card.text
    # A refusal comes back in the card too, with its reason and what was chosen.
    refused = manager.post_form(
        url, {**form, "item-2": "", "comment": "À revoir"}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 400
    assert refused.text.lstrip().startswith("<section") and 'role="alert"' in refused.text
    assert "À revoir" in refused.text
    assert database.scalar("SELECT comment FROM quality_reviews") == ""


def test_only_the_teams_managers_review_and_never_their_own(
    database: Database, company: Company, clock, make_client
) -> None:
    now = clock.now()
    record = log(database, company.staff_a.id, now)
    url = f"/interventions/{record}/review"
    nina = make_client()
    nina.login("manager.b@test.fr")  # manager of team B
    assert nina.get(url).status_code == 403
    assert nina.post_form(url, {"items_sig": "x", "item-0": "passed"}).status_code == 403
    assert nina.get(f"/teams/{company.team_a.id}/quality").status_code == 403
    bruno = make_client()
    bruno.login("staff.b@test.fr")
    assert bruno.get(f"/teams/{company.team_b.id}/quality").status_code == 403
    # Marc logged an intervention himself: another manager or an admin reviews it.
    own = log(database, company.manager_a.id, now)
    marc = make_client()
    marc.login("manager.a@test.fr")
    page = marc.get(f"/interventions/{own}/review")
    assert page.status_code == 200 and "items_sig" not in page.text
    assert marc.post_form(f"/interventions/{own}/review", {}).status_code == 403
    admin = make_client()
    admin.login("admin@test.fr")
    form = review_form(admin.get(f"/interventions/{own}/review").text, ALL_PASSED)
    assert admin.post_form(f"/interventions/{own}/review", form).status_code == 303
    assert database.scalar("SELECT COUNT(*) FROM quality_reviews") == 1


def test_the_sample_share_is_set_on_the_team_policy(
    database: Database, company: Company, manager: Client
) -> None:
    team = company.team_a.id
    form = parse(manager.get(f"/rest/policy?team={team}").text).one("form", method="post")
    values = {
        field.attrs["name"]: field.attrs.get("value") or ""
        for field in form.find_all("input")
        if field.attrs.get("type") != "checkbox"
    }
    assert values["review_sample_percent"] == "10"
    values.update(review_sample_percent="25", reason="Plus de contrôles")
    values = {k: v for k, v in values.items() if k != "_csrf_token"}
    saved = manager.post_form(f"/rest/policy?team={team}", values)
    assert saved.status_code == 303, saved.text
    assert "25 %" in manager.get(f"/teams/{team}/quality").text
    values["review_sample_percent"] = "101"
    assert manager.post_form(f"/rest/policy?team={team}", values).status_code == 400


def review(manager: Client, record: str, results: list[str], **fields: str) -> None:
    url = f"/interventions/{record}/review"
    saved = manager.post_form(url, review_form(manager.get(url).text, results, **fields))
    assert saved.status_code == 303, saved.text


def test_scores_join_the_figures_per_team_and_person_beside_the_previous_month(
    database: Database, company: Company, clock, manager: Client
) -> None:
    now = clock.now()
    team = company.team_a.id
    october = DAY - timedelta(days=30)  # 24 October
    sophie, samuel = company.staff_a.id, company.staff_a2.id
    review(manager, log(database, sophie, now, start=october), ["passed"] * 4 + ["failed"])
    review(manager, log(database, sophie, now, start=DAY), ["passed"] * 5)
    review(
        manager,
        log(database, sophie, now, start=DAY + timedelta(days=1)),
        ["failed"] + ["passed"] * 3 + ["na"],
    )
    review(
        manager,
        log(database, samuel, now, start=DAY),
        ["passed", "failed", "failed", "failed", "na"],
        follow_up="on",
    )

    page = manager.get(f"/teams/{team}/figures?month=2026-11")
    assert page.status_code == 200
    card = parse(page.text).one(id="quality")
    rows = {
        row.attrs["data-figure"]: [cell.text for cell in row.find_all("td")]
        for row in having(card, "data-figure")
    }
    # November: 100, 75 and 25 %: a mean of 66.7; October: Sophie's 80 %.
    assert rows["quality_reviews"] == ["3", "1"]
    assert rows["quality_score"] == ["66,7 %", "80 %"]
    assert rows["quality_follow_ups"] == ["1", "0"]
    people = {row.attrs["data-person"]: row.text for row in having(card, "data-person")}
    assert people[str(sophie)] == "Sophie Staff 2 (1) 87,5 % (80 %)"
    assert people[str(samuel)] == "Samuel Staff 1 (0) 25 % (—)"

    table = manager.get(f"/teams/{team}/figures/quality.csv?month=2026-11")
    lines = table.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "user_id;name;reviews;mean_score;previous_reviews;previous_mean_score"
    assert lines[1] == ";Maintenance;3;66.7;1;80"
    assert f"{sophie};Sophie Staff;2;87.5;1;80" in lines
    # The API reads the same computation.
    token, _key = create_key(database, team, "Tableau", actor=Actor(label="test"), now=now)
    answer = manager.get(
        f"/api/v1/teams/{team}/metrics?from=2026-11-01&to=2026-11-30",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    quality = answer.json()["current"]["quality"]
    assert (quality["reviews"], quality["mean_score"], quality["follow_ups"]) == (3, 66.7, 1)


def test_a_manager_of_one_team_and_member_of_another_reviews_only_the_first(
    database: Database, company: Company, clock, make_client
) -> None:
    now = clock.now()
    actor = Actor(label="test")
    claire = create_user(
        database, UserForm(email="claire.ab@test.fr", name="Claire Deux"), actor=actor, now=now
    )
    with database.write():
        database.execute(
            "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE id = ?) "
            "WHERE id = ?",
            (company.staff_a.id, claire.id),
        )
    set_membership(database, company.team_a.id, claire.id, "manager", actor=actor, now=now)
    set_membership(database, company.team_b.id, claire.id, "member", actor=actor, now=now)
    in_a = log(database, company.staff_a.id, now)
    in_b = log(database, company.staff_b.id, now, outcome="escalated")
    browser = make_client()
    browser.login("claire.ab@test.fr")
    review(browser, in_a, ALL_PASSED)
    # Team B's intervention, by its address or a form posted to it: refused, nothing written.
    assert browser.get(f"/interventions/{in_b}/review").status_code == 403
    form = review_form(browser.get(f"/interventions/{in_a}/review").text, ALL_PASSED)
    assert browser.post_form(f"/interventions/{in_b}/review", form).status_code == 403
    assert browser.get(f"/teams/{company.team_b.id}/quality").status_code == 403
    reviewed = database.query("SELECT intervention_id FROM quality_reviews")
    assert [row["intervention_id"] for row in reviewed] == [
        database.scalar("SELECT id FROM interventions WHERE uuid = ?", (in_a,))
    ]


def test_a_technician_sees_their_own_review_scores_on_their_figures(
    database: Database, company: Company, clock, manager: Client, sophie: Client
) -> None:
    now = clock.now()
    review(manager, log(database, company.staff_a.id, now), ["passed"] * 3 + ["failed", "na"])
    review(manager, log(database, company.staff_a2.id, now), ["failed"] * 5)
    page = sophie.get("/figures?month=2026-11")
    assert page.status_code == 200
    card = parse(page.text).one(id="quality")
    rows = {
        row.attrs["data-figure"]: [cell.text for cell in row.find_all("td")]
        for row in having(card, "data-figure")
    }
    # Hers alone: Samuel's 0 % is not in her mean.
    assert rows == {"quality_reviews": ["1", "0"], "quality_score": ["75 %", "—"]}


def test_a_round_with_nothing_noted_writes_nothing(
    database: Database, company: Company, clock
) -> None:
    """The engine asks every round: with nothing to read, no transaction (kept pages stay)."""
    log(database, company.staff_a.id, clock.now())
    compute_queue(database, clock.now())
    before = database.version
    compute_queue(database, clock.now())
    assert database.version == before


def test_a_review_follows_its_intervention_corrected_into_another_month(
    database: Database, company: Company, clock, manager: Client
) -> None:
    now = clock.now()
    record = log(database, company.staff_a.id, now, start=DAY)
    review(manager, record, ALL_PASSED)
    with database.write():
        database.execute(
            "UPDATE interventions SET started_at = ?, ended_at = ? WHERE uuid = ?",
            ("2026-10-30T08:00:00Z", "2026-10-30T09:00:00Z", record),
        )
    compute_queue(database, now)
    assert database.scalar("SELECT ended_at FROM quality_reviews") == "2026-10-30T09:00:00Z"
    page = parse(manager.get(f"/teams/{company.team_a.id}/figures?month=2026-11").text)
    row = page.one(id="quality").find("tr", data_figure="quality_reviews")
    assert [cell.text for cell in row.find_all("td")] == ["0", "1"]
