"""A lost phone stops receiving alerts: logging out everywhere, a new password, a password reset,
deactivation and leaving a team take the person's devices (or that team's alerts) off the phone
and void the secrets its pushes carried, in the same transaction, audited.

Tonight (see alert_helpers): Sophie primary, Samuel secondary, Marc manager; now is 23:00."""

from __future__ import annotations

import pytest

from server.audit.models import Actor
from server.schedules.feeds import regenerate_feed
from server.teams.store import set_membership
from tests.integration.alert_helpers import Night, alert_pushes, alert_row, deliver
from tests.push_service import PushService


def sophies_devices(night: Night) -> int:
    return night.database.scalar(
        "SELECT COUNT(*) FROM push_subscriptions WHERE user_id = ?", (night.company.staff_a.id,)
    )


def sophies_push(night: Night, app, push: PushService) -> tuple[dict, dict]:
    """An alert paged to Sophie's phone: (the alert, the push her phone received)."""
    alert = night.raise_alert()
    deliver(app)
    (message,) = alert_pushes(push, night.sophie)
    return alert, message


def audit_actions(night: Night, since: int) -> list[str]:
    rows = night.database.query("SELECT action FROM audit_log WHERE id > ? ORDER BY id", (since,))
    return [row["action"] for row in rows]


def last_audit(night: Night) -> int:
    return night.database.scalar("SELECT COALESCE(MAX(id), 0) FROM audit_log")


def test_logging_out_everywhere_silences_the_lost_phone(
    night: Night, app, push: PushService, browsers
) -> None:
    alert, message = sophies_push(night, app, push)
    feed = regenerate_feed(
        night.database, night.company.staff_a.id, None, actor=Actor(label="t"), now=night.advance()
    )
    sophie = browsers("staff.a@test.fr")
    since = last_audit(night)

    assert sophie.post_form("/logout/everywhere").status_code == 303

    assert sophies_devices(night) == 0
    stranger = browsers()  # whoever found the phone: no session, only what the push carried
    late = stranger.post(message["ack_url"], json={"token": message["ack_token"]})
    assert late.status_code == 404
    assert alert_row(night.database, alert["id"])["status"] == "triggered"
    assert stranger.get(f"/calendar/{feed}.ics").status_code == 404
    # The next alert reaches her other colleagues' phones, not hers.
    night.raise_alert("Fuite d’eau")
    deliver(app)
    assert len(alert_pushes(push, night.sophie)) == 1
    actions = audit_actions(night, since)
    assert "device.remove" in actions and "user.cut_off" in actions
    assert "session.logout_everywhere" in actions


def test_a_new_password_forgets_the_devices_and_their_tokens(
    night: Night, app, push: PushService, browsers
) -> None:
    _alert, message = sophies_push(night, app, push)
    sophie = browsers("staff.a@test.fr")
    changed = sophie.post_form(
        "/settings/password",
        {
            "current_password": "correct horse battery",
            "new_password": "un autre mot de passe",
            "confirm_password": "un autre mot de passe",
        },
    )
    assert changed.status_code == 303
    assert sophies_devices(night) == 0
    page = sophie.get("/settings?done=password").text
    assert "appareils" in page and "Aucun appareil" in page
    late = browsers().post(message["ack_url"], json={"token": message["ack_token"]})
    assert late.status_code == 404


def test_a_reset_by_invitation_ends_the_other_sessions_and_forgets_the_devices(
    night: Night, app, push: PushService, browsers
) -> None:
    _alert, message = sophies_push(night, app, push)
    thief = browsers("staff.a@test.fr")  # the session on the lost phone
    admin = browsers("admin@test.fr")
    link = admin.post_form(f"/people/{night.company.staff_a.id}/invitation")
    token = link.text.split("/invite/", 1)[1].split('"', 1)[0].split("<", 1)[0]
    sophie = browsers()
    accepted = sophie.post_form(
        f"/invite/{token}",
        {"new_password": "un mot de passe neuf", "confirm_password": "un mot de passe neuf"},
    )
    assert accepted.status_code == 303
    gone = thief.get("/settings", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/login")
    assert sophie.get("/settings", follow_redirects=False).status_code == 200
    assert sophies_devices(night) == 0
    assert browsers().post(
        message["ack_url"], json={"token": message["ack_token"]}
    ).status_code == (404)


def test_deactivation_forgets_the_devices_and_drops_pages_not_yet_sent(
    night: Night, app, push: PushService, browsers
) -> None:
    alert, message = sophies_push(night, app, push)
    marc = browsers("manager.a@test.fr")
    saved = marc.post_form(
        f"/people/{night.company.staff_a.id}",
        {"name": "Sophie Staff", "email": "staff.a@test.fr", "role": "staff"},
    )
    assert saved.status_code == 303
    assert sophies_devices(night) == 0
    late = browsers().post(message["ack_url"], json={"token": message["ack_token"]})
    assert late.status_code == 404
    assert alert_row(night.database, alert["id"])["status"] == "triggered"
    pending = night.database.scalar(
        "SELECT COUNT(*) FROM deliveries WHERE user_id = ? AND status = 'pending'",
        (night.company.staff_a.id,),
    )
    assert pending == 0


def sophie_joins_team_b(night: Night, clock) -> None:
    """Sophie, of team A, also becomes a member of team B: leaving A keeps her a phone's use."""
    set_membership(
        night.database,
        night.company.team_b.id,
        night.company.staff_a.id,
        "member",
        actor=Actor(label="t"),
        now=clock.now(),
    )


def test_leaving_a_team_voids_its_alerts_tokens_but_keeps_the_phone_for_the_other_team(
    night: Night, app, push: PushService, browsers, clock
) -> None:
    company = night.company
    sophie_joins_team_b(night, clock)
    alert, message = sophies_push(night, app, push)
    admin = browsers("admin@test.fr")
    removed = admin.post_form(
        f"/admin/teams/{company.team_a.id}/members/{company.staff_a.id}/remove"
    )
    assert removed.status_code == 303

    late = browsers().post(message["ack_url"], json={"token": message["ack_token"]})
    assert late.status_code == 404
    assert alert_row(night.database, alert["id"])["status"] == "triggered"
    assert sophies_devices(night) == 1  # still in team B: her phone rings for team B

    # Removed from her last team, nothing should reach her phone any more.
    removed = admin.post_form(
        f"/admin/teams/{company.team_b.id}/members/{company.staff_a.id}/remove"
    )
    assert removed.status_code == 303
    assert sophies_devices(night) == 0


@pytest.mark.parametrize("change", ["deactivated", "left the team"])
def test_an_acknowledgement_token_acts_only_for_an_active_member_of_the_alerts_team(
    night: Night, app, push: PushService, browsers, change: str
) -> None:
    """A token that escaped the clean-up (issued by a push already on its way, or restored from
    a backup) is still refused once its person is gone."""
    alert, message = sophies_push(night, app, push)
    sophie_id = night.company.staff_a.id
    with night.database.write():
        if change == "deactivated":
            night.database.execute("UPDATE users SET active = 0 WHERE id = ?", (sophie_id,))
        else:
            night.database.execute(
                "DELETE FROM memberships WHERE team_id = ? AND user_id = ?",
                (night.company.team_a.id, sophie_id),
            )
    late = browsers().post(message["ack_url"], json={"token": message["ack_token"]})
    assert late.status_code == 403, late.text
    assert late.headers["content-type"].startswith("application/problem+json")
    assert alert_row(night.database, alert["id"])["status"] == "triggered"
    assert night.database.scalar("SELECT COUNT(*) FROM ack_tokens WHERE used_at IS NOT NULL") == 0


def test_the_team_left_no_longer_pages_its_former_member_still_on_its_schedule(
    night: Night, app, push: PushService, browsers, clock
) -> None:
    """Sophie, primary tonight, leaves team A for team B: her phone stays (team B's) but team
    A's alert skips her and wakes her backup at once."""
    company = night.company
    sophie_joins_team_b(night, clock)
    admin = browsers("admin@test.fr")
    removed = admin.post_form(
        f"/admin/teams/{company.team_a.id}/members/{company.staff_a.id}/remove"
    )
    assert removed.status_code == 303
    night.raise_alert()
    deliver(app)
    assert alert_pushes(push, night.sophie) == []
    assert len(alert_pushes(push, night.samuel)) == 1
    assert sophies_devices(night) == 1
