"""A manager acts on a person's account only within their reach: never on a manager of a team
they do not manage (even one who is a plain member of theirs), and only an administrator sends
a new password link to someone who already has a password.

Marc manages team A; the admin adds him to team B as a plain member, where Nina is the manager."""

from __future__ import annotations

import pytest

from server.audit.models import Actor
from server.teams.store import set_membership
from tests.conftest import PASSWORD, Client, Company
from tests.integration.schedule_helpers import page_text


@pytest.fixture
def marc_in_team_b(company: Company, database, clock) -> None:
    set_membership(
        database,
        company.team_b.id,
        company.manager_a.id,
        "member",
        actor=Actor(label="test"),
        now=clock.now(),
    )


def invitations(database, user_id: int) -> int:
    return database.scalar("SELECT COUNT(*) FROM invitations WHERE user_id = ?", (user_id,))


@pytest.mark.usefixtures("marc_in_team_b")
def test_a_manager_cannot_reset_a_manager_of_another_team_who_is_in_theirs(
    company: Company, database, browsers
) -> None:
    nina = browsers("manager.b@test.fr")
    marc = company.manager_a
    before = database.scalar("SELECT count(*) FROM audit_log")

    link = nina.post_form(f"/people/{marc.id}/invitation")
    assert link.status_code == 403
    assert "/invite/" not in link.text
    assert "only an administrator can change their account" in page_text(link.text).lower() or (
        "seul un administrateur peut modifier son compte" in page_text(link.text)
    )
    assert invitations(database, marc.id) == 0

    email = nina.post_form(
        f"/people/{marc.id}",
        {"name": marc.name, "email": "nina@evil.example", "role": "manager", "active": "true"},
    )
    assert email.status_code == 403
    deactivate = nina.post_form(
        f"/people/{marc.id}", {"name": marc.name, "email": marc.email, "role": "manager"}
    )
    assert deactivate.status_code == 403
    assert nina.get(f"/people/{marc.id}").status_code == 403
    row = database.one("SELECT email, active FROM users WHERE id = ?", (marc.id,))
    assert row == {"email": "manager.a@test.fr", "active": 1}
    assert database.scalar("SELECT count(*) FROM audit_log") == before
    # Marc still logs in with his own password and manages team A.
    browsers("manager.a@test.fr")

    # Nina's list shows Marc (he is in her team) without a link to his account.
    people = nina.get("/people").text
    assert "Marc Manager" in people
    assert f'href="/people/{marc.id}"' not in people
    assert f'href="/people/{company.staff_b.id}"' in people


@pytest.mark.usefixtures("marc_in_team_b")
def test_the_admin_still_resets_a_manager_of_several_teams(company: Company, browsers) -> None:
    admin = browsers("admin@test.fr")
    link = admin.post_form(f"/people/{company.manager_a.id}/invitation")
    assert link.status_code == 200
    assert "/invite/" in link.text


def test_a_manager_invites_newcomers_but_does_not_reset_a_password(
    company: Company, database, browsers
) -> None:
    marc = browsers("manager.a@test.fr")
    # Sophie chose a password: a link would let whoever holds it log in as her.
    sophie = company.staff_a
    page = marc.get(f"/people/{sophie.id}").text
    assert f'action="/people/{sophie.id}/invitation"' not in page
    refused = marc.post_form(f"/people/{sophie.id}/invitation")
    assert refused.status_code == 403
    assert invitations(database, sophie.id) == 0
    # A newcomer without a password gets an invitation from their manager, as before.
    created = marc.post_form(
        "/people/new",
        {
            "name": "Lina Nouvelle",
            "email": "lina@test.fr",
            "role": "staff",
            "team_id": str(company.team_a.id),
            "active": "true",
        },
    )
    assert created.status_code == 200
    assert "/invite/" in created.text
    lina_id = database.scalar("SELECT id FROM users WHERE email = 'lina@test.fr'")
    invited = marc.post_form(f"/people/{lina_id}/invitation")
    assert invited.status_code == 200
    assert "/invite/" in invited.text


def test_a_manager_of_every_team_of_a_manager_may_act_on_them(
    company: Company, database, clock, browsers
) -> None:
    # Nina co-manages team A: Marc, manager of A and member of B, is within her reach.
    actor = Actor(label="test")
    set_membership(
        database, company.team_a.id, company.manager_b.id, "manager", actor=actor, now=clock.now()
    )
    set_membership(
        database, company.team_b.id, company.manager_a.id, "member", actor=actor, now=clock.now()
    )
    nina = browsers("manager.b@test.fr")
    saved = nina.post_form(
        f"/people/{company.manager_a.id}",
        {"name": "Marc Manager", "email": "marc@test.fr", "role": "manager", "active": "true"},
    )
    assert saved.status_code == 303
    assert (
        database.scalar("SELECT email FROM users WHERE id = ?", (company.manager_a.id,))
        == "marc@test.fr"
    )


def test_an_old_password_no_longer_logs_in_after_a_reset(company: Company, browsers) -> None:
    admin = browsers("admin@test.fr")
    link = admin.post_form(f"/people/{company.staff_a.id}/invitation")
    token = link.text.split("/invite/", 1)[1].split('"', 1)[0].split("<", 1)[0]
    sophie_elsewhere = browsers("staff.a@test.fr")
    newcomer: Client = browsers()
    newcomer.get(f"/invite/{token}")
    accepted = newcomer.post_form(
        f"/invite/{token}",
        {"new_password": "un mot de passe neuf", "confirm_password": "un mot de passe neuf"},
    )
    assert accepted.status_code == 303
    # The reset ends every other session: the browser that had the old password is logged out.
    assert sophie_elsewhere.get("/", follow_redirects=False).status_code == 303
    assert (
        browsers()
        .post_form("/login", {"email": "staff.a@test.fr", "password": PASSWORD})
        .status_code
        == 400
    )
