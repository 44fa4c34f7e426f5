"""A quality review on phones: the manager opens the queue, reviews the first intervention
waiting (the form posts with htmx: the card is swapped in place, the page stays), asks for a
follow-up; the technician finds the review on their intervention's page and answers it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, PhoneFactory
from tests.e2e.helpers import MANAGER, login, phone_problems, read_rows, wait_for

WAITING = (
    "SELECT i.uuid, u.email, q.team_id FROM quality_queue q "
    "JOIN interventions i ON i.id = q.intervention_id AND i.deleted_at IS NULL "
    "JOIN users u ON u.id = i.user_id "
    "JOIN memberships m ON m.team_id = q.team_id "
    "JOIN users me ON me.id = m.user_id AND me.email = ? AND m.team_role = 'manager' "
    "WHERE u.role = 'staff' AND NOT EXISTS "
    "(SELECT 1 FROM quality_reviews r WHERE r.intervention_id = q.intervention_id) "
    "ORDER BY q.ended_at DESC, q.intervention_id DESC LIMIT 1"
)


def test_a_manager_reviews_on_a_phone_and_the_technician_answers(
    make_phone: PhoneFactory, server: LiveServer
) -> None:
    # The engine's first run queues the latest of the demo's interventions: the first listed.
    assert wait_for(lambda: read_rows(server, WAITING, (MANAGER,)), timeout_s=60)
    waiting = read_rows(server, WAITING, (MANAGER,))[0]
    record, technician, team = waiting["uuid"], waiting["email"], waiting["team_id"]

    manager = make_phone(server)
    login(manager, MANAGER)
    manager.goto(f"/teams/{team}/quality")
    manager.locator(f'#to-review a[href="/interventions/{record}/review"]').click()
    manager.wait_for_url(f"**/interventions/{record}/review")
    card = manager.locator("#review")
    expect(card.locator("fieldset[data-item]")).to_have_count(5)
    for number, result in enumerate(["passed", "passed", "failed", "na", "passed"]):
        card.locator(f'fieldset[data-item="{number}"] input[value="{result}"]').check()
    card.locator("#f-comment").fill("Compte rendu à compléter")
    card.get_by_label("Demander une intervention de suivi").check()
    card.locator("#f-note").fill("Repasser vérifier la sonde")
    assert phone_problems("review form", manager) == []
    card.get_by_role("button", name="Enregistrer l’évaluation et prévenir le technicien").click()

    expect(manager.locator("#review [role=status]")).to_have_text("Évaluation enregistrée.")
    expect(manager.locator("#review [data-score]")).to_have_text("75 %")
    # Swapped in place by htmx: the same page, no navigation.
    assert manager.url.endswith(f"/interventions/{record}/review")
    saved = read_rows(
        server,
        "SELECT r.score, r.follow_up, r.comment FROM quality_reviews r "
        "JOIN interventions i ON i.id = r.intervention_id WHERE i.uuid = ?",
        (record,),
    )
    assert saved == [{"score": 75, "follow_up": 1, "comment": "Compte rendu à compléter"}]

    person = make_phone(server)
    login(person, technician)
    person.goto(f"/interventions/{record}")
    panel = person.locator("#quality")
    expect(panel).to_contain_text("Note 75 %")
    expect(panel).to_contain_text("Une intervention de suivi est demandée")
    panel.get_by_role("link", name="Lire l’évaluation").click()
    expect(person.locator("#follow-up")).to_contain_text("Repasser vérifier la sonde")
    person.locator("#f-answer").fill("La sonde est commandée.")
    person.get_by_role("button", name="Envoyer ma réponse").click()
    expect(person.locator("#review [role=status]")).to_contain_text("Votre réponse est enregistrée")
    expect(person.locator("#answer")).to_have_text("La sonde est commandée.")
    assert phone_problems("review answered", person) == []
