"""Routing and escalation under the injected clock: the default policy pages the primary at
once, the secondary 5 minutes later, the managers 10 minutes after that, and runs twice; an
acknowledgement stops it; a restart neither loses nor repeats a step.

Tonight (see alert_helpers): Sophie primary, Samuel secondary, Marc manager; alert at 23:00."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.app import create_app
from server.clock import ManualClock, to_db
from tests.conftest import Client, Company
from tests.integration.alert_helpers import (
    NIGHT,
    Night,
    alert_pushes,
    alert_row,
    api_key,
    bearer,
    deliver,
    deliveries_of,
    events,
    table_counts,
    tick,
)
from tests.integration.schedule_helpers import page_text, parse
from tests.push_service import PushService


def ticked(form, step: int) -> list[str]:
    """The roles ticked for a step on the policy page."""
    boxes = form.find_all("input", type="checkbox", name=f"target_{step}")
    return [box.attrs["value"] for box in boxes if "checked" in box.attrs]


def named(form, step: int) -> list[str]:
    """The named person chosen for a step ("" for nobody)."""
    options = form.one("select", name=f"person_{step}").find_all("option")
    return [o.attrs["value"] for o in options if "selected" in o.attrs]


def test_the_primary_then_the_secondary_then_the_manager_until_someone_acknowledges(
    night: Night, app, database, push: PushService, browsers
) -> None:
    alert = night.raise_alert("Chaudière en panne", dedup_key="boiler-3", severity="critical")
    assert alert["status"] == "triggered"
    assert deliver(app) == 1

    # Sophie's phone gets exactly one push, and it wakes her.
    (received,) = push.accepted(night.sophie)
    message = received.message
    assert message["type"] == "alert"
    assert "Chaudière en panne" in message["title"]
    assert message["tag"] == f"alert-{alert['id']}"
    assert message["urgency"] == "high"
    assert message["require_interaction"] is True
    assert message["url"] == f"/alerts/{alert['id']}"
    assert message["ack_url"] == "/api/v1/push/ack"
    assert message["badge"] == 1  # the app icon's count of open alerts
    assert len(message["ack_token"]) >= 20
    assert received.headers["urgency"] == "high"
    assert int(received.headers["ttl"]) > 0
    assert push.messages(night.samuel) == [] and push.messages(night.marc) == []

    # 4 minutes on: nothing new for anyone.
    night.at(minutes=4)
    assert tick(app)["escalations"] == 0
    assert len(push.requests) == 1

    # 5 minutes: Samuel, her backup, is paged; Sophie is not paged again.
    night.at(minutes=5)
    done = tick(app)
    assert (done.pop("escalations"), done.pop("deliveries")) == (1, 1)
    assert set(done.values()) == {0}, done  # rotations, reminders and the rest: nothing to do
    (samuel_push,) = alert_pushes(push, night.samuel)
    assert samuel_push["tag"] == f"alert-{alert['id']}"
    assert samuel_push["ack_token"] != message["ack_token"]
    assert len(push.messages(night.sophie)) == 1
    assert push.messages(night.marc) == []

    # 14 minutes: still nothing for Marc; 15 minutes: Marc, the manager.
    night.at(minutes=14)
    tick(app)
    assert push.messages(night.marc) == []
    night.at(minutes=15)
    tick(app)
    assert len(alert_pushes(push, night.marc)) == 1

    # Samuel takes it from his phone's notification.
    answer = night.api.post("/api/v1/push/ack", json={"token": samuel_push["ack_token"]})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"id": alert["id"], "status": "acknowledged"}
    row = alert_row(database, alert["id"])
    assert (row["status"], row["acknowledged_by"]) == ("acknowledged", night.company.staff_a2.id)
    assert row["next_step_at"] is None

    # An hour on, every few minutes of engine: nobody is paged any more.
    sent = len(push.requests)
    for minute in range(16, 76, 3):
        night.at(minutes=minute)
        assert tick(app)["escalations"] == 0
    assert len(push.requests) == sent

    # The alert page tells the story.
    sophie = browsers("staff.a@test.fr")
    timeline = [li.text for li in parse(sophie.get(f"/alerts/{alert['id']}").text).find_all("li")]
    timeline = [t for t in timeline if t[:2].isdigit()]
    assert "Alerte déclenchée (api:Supervision)" in timeline[0]
    assert "Alerté (étape 1) : Sophie Staff" in timeline[1]
    assert "notification vers Sophie Staff : remise" in timeline[2] and "(201)" in timeline[2]
    assert "Alerté (étape 2) : Samuel Staff" in timeline[3]
    assert "notification vers Samuel Staff" in timeline[4]
    assert "Alerté (étape 3) : Marc Manager" in timeline[5]
    assert "notification vers Marc Manager" in timeline[6]
    assert "Prise en compte par staff.a2@test.fr" in timeline[7]
    assert len(timeline) == 8
    assert timeline[0].startswith("23:00") and timeline[3].startswith("23:05")
    assert timeline[5].startswith("23:15")


def test_without_acknowledgement_the_policy_runs_twice_then_stops(
    night: Night, app, push: PushService, database
) -> None:
    alert = night.raise_alert("Ascenseur bloqué")
    # The engine runs every minute for two hours and, like the real loop, runs again at once
    # while a step was due.
    for minute in range(0, 121):
        night.at(minutes=minute)
        while tick(app)["escalations"]:
            pass

    def minutes_paged(device) -> list[int]:
        return [
            int((r.at - NIGHT).total_seconds() // 60)
            for r in push.accepted(device)
            if r.message["type"] == "alert"
        ]

    # Round 1 at 23:00, 23:05, 23:15; round 2 gives the managers the policy's longest delay
    # (10 minutes) before waking Sophie again at 23:25, then 23:30 and 23:40; then it stops.
    assert minutes_paged(night.sophie) == [0, 25]
    assert minutes_paged(night.samuel) == [5, 30]
    assert minutes_paged(night.marc) == [15, 40]
    row = alert_row(database, alert["id"])
    assert row["status"] == "triggered"
    assert row["next_step_at"] is None
    paged = [detail for kind, detail in events(database, alert["id"]) if kind == "paged"]
    assert [(p["round"], p["step"]) for p in paged] == [
        (1, 1),
        (1, 2),
        (1, 3),
        (2, 1),
        (2, 2),
        (2, 3),
    ]


def test_acknowledging_cancels_what_was_not_sent_yet(
    night: Night, app, push: PushService, database
) -> None:
    alert = night.raise_alert("Fuite d'eau")
    deliver(app)
    # At 5 minutes Samuel's phone service is overloaded: his page waits for a retry.
    push.script(night.samuel, 500)
    night.at(minutes=5)
    tick(app)
    samuel = [d for d in deliveries_of(database, alert["id"]) if d["name"] == "Samuel Staff"]
    assert [(d["status"], d["last_status"]) for d in samuel] == [("pending", 500)]

    acknowledged = night.api.post(
        f"/api/v1/alerts/{alert['id']}/acknowledge", headers=bearer(night.token)
    )
    assert acknowledged.status_code == 200
    assert acknowledged.json()["status"] == "acknowledged"
    samuel = [d for d in deliveries_of(database, alert["id"]) if d["name"] == "Samuel Staff"]
    assert [(d["status"], d["last_error"]) for d in samuel] == [("cancelled", "acknowledged")]

    requests_before = len(push.requests)
    for minute in (5.5, 6, 10, 20, 65):
        night.at(minutes=minute)
        tick(app)
    assert len(push.requests) == requests_before
    assert alert_pushes(push, night.samuel) == []
    assert alert_pushes(push, night.marc) == []


def test_a_restart_neither_loses_nor_repeats_a_step(
    night: Night, app, settings, clock: ManualClock, push: PushService, database
) -> None:
    alert = night.raise_alert("Perte de courant")
    deliver(app)
    assert len(alert_pushes(push, night.sophie)) == 1

    # The server stops at 23:03 and starts again at 23:07: a new app over the same file.
    night.at(minutes=7)
    restarted = create_app(settings, clock=clock)
    try:
        engine = restarted.state.engine
        assert engine.database is not database
        assert engine.run_once()["escalations"] == 1
        assert engine.run_once()["escalations"] == 0
        # The old process's engine, had it survived, finds nothing left to do either.
        assert app.state.engine.run_once()["escalations"] == 0
        deliver(restarted)
        deliver(restarted)
        assert len(alert_pushes(push, night.samuel)) == 1
        # The manager's step is counted from when Samuel's step really fired (23:07).
        assert alert_row(database, alert["id"])["next_step_at"] == to_db(
            NIGHT + timedelta(minutes=17)
        )
        night.at(minutes=17)
        assert engine.run_once()["escalations"] == 1
        deliver(restarted)
        assert len(alert_pushes(push, night.marc)) == 1
        # Round 2 waits the policy's longest delay after the managers' page: not at 23:17,
        # at 23:27, Sophie again, and still one page for Marc.
        assert engine.run_once()["escalations"] == 0
        night.at(minutes=27)
        assert engine.run_once()["escalations"] == 1
        deliver(restarted)
        assert len(alert_pushes(push, night.marc)) == 1
        assert len(alert_pushes(push, night.sophie)) == 2
    finally:
        restarted.state.database.close()


def steps_fired(database, alert_id: int) -> list[tuple[str, dict]]:
    """The timeline's escalation events (steps paged or passed over), without deliveries."""
    return [(k, d) for k, d in events(database, alert_id) if k in ("paged", "nobody_to_page")]


def test_a_team_with_nobody_on_call_says_so_on_the_timeline(
    app, company: Company, database, clock: ManualClock, browsers
) -> None:
    clock.set(NIGHT)
    token = api_key(database, company.team_b.id)
    api = browsers()
    response = api.post("/api/v1/alerts", json={"title": "Serveur muet"}, headers=bearer(token))
    assert response.status_code == 201
    # Team B has no schedule: the primary and backup steps find nobody and pass on at once,
    # and Nina, its manager, is paged in the same second (not 15 minutes later).
    assert [
        (kind, detail.get("passed_on"), detail["people"])
        for kind, detail in steps_fired(database, response.json()["id"])
    ] == [
        ("nobody_to_page", True, []),
        ("nobody_to_page", True, []),
        ("paged", None, ["Nina Manager"]),
    ]
    bruno = browsers("staff.b@test.fr")
    page = page_text(bruno.get(f"/alerts/{response.json()['id']}").text)
    assert "Personne à alerter à l’étape 1 : l’étape suivante est alertée aussitôt" in page
    assert "Personne d’astreinte : trou de couverture." in page


def test_the_policy_the_manager_saves_drives_the_next_alerts(
    night: Night, app, push: PushService, database, browsers
) -> None:
    marc = browsers("manager.a@test.fr")
    team = night.company.team_a.id
    saved = marc.post_form(
        f"/alerts/policy?team={team}",
        {
            "delay_0": "0",
            "target_0": "primary",
            "delay_1": "2",
            "target_1": "team",
            "target_2": "",
            "repeat": "1",
        },
    )
    assert saved.status_code == 303, saved.text
    form = parse(marc.get(f"/alerts/policy?team={team}").text)
    assert ticked(form, 1) == ["team"]

    alert = night.raise_alert("Portail bloqué")
    tick(app)
    assert [len(alert_pushes(push, d)) for d in (night.sophie, night.samuel, night.marc)] == [
        1,
        0,
        0,
    ]
    night.at(minutes=1, seconds=59)
    tick(app)
    assert len(push.requests) == 1
    # Two minutes: the whole team, Sophie included; then the policy (run once) is done.
    night.at(minutes=2)
    tick(app)
    assert [len(alert_pushes(push, d)) for d in (night.sophie, night.samuel, night.marc)] == [
        2,
        1,
        1,
    ]
    for minute in (3, 10, 60):
        night.at(minutes=minute)
        assert tick(app)["escalations"] == 0
    assert len(push.requests) == 4
    assert alert_row(database, alert["id"])["next_step_at"] is None


def test_a_step_pages_the_person_on_call_and_the_managers_together(
    night: Night, app, push: PushService, database, browsers
) -> None:
    marc = browsers("manager.a@test.fr")
    team = night.company.team_a.id
    samuel = night.company.staff_a2.id
    saved = marc.post_form(
        f"/alerts/policy?team={team}",
        {
            "delay_0": "0",
            "target_0": ["primary", "managers"],
            "person_0": "",
            "delay_1": "5",
            "person_1": str(samuel),
            "person_2": "",
            "repeat": "1",
        },
    )
    assert saved.status_code == 303, saved.text

    # After a reload, the page shows both boxes of step 1 ticked, Samuel named on step 2 and
    # the steps left empty with nothing ticked.
    form = parse(marc.get(f"/alerts/policy?team={team}").text)
    assert ticked(form, 0) == ["primary", "managers"]
    assert named(form, 0) == []
    assert ticked(form, 1) == [] and named(form, 1) == [str(samuel)]
    assert [ticked(form, step) for step in (2, 3, 4)] == [[], [], []]
    for box in form.find_all("input", type="checkbox", name="target_0"):
        assert form.one("label", for_=box.attrs["id"]).text  # every box has its label
    assert form.one("label", for_="f-person-0").text == "Et une personne en particulier"

    # An alert pages Sophie (on call) and Marc (manager) at once; Samuel five minutes later.
    alert = night.raise_alert("Chaudière en panne")
    deliver(app)
    assert [len(alert_pushes(push, d)) for d in (night.sophie, night.samuel, night.marc)] == [
        1,
        0,
        1,
    ]
    paged = [detail for kind, detail in events(database, alert["id"]) if kind == "paged"]
    assert [(p["step"], sorted(p["people"])) for p in paged] == [
        (1, ["Marc Manager", "Sophie Staff"])
    ]
    night.at(minutes=5)
    tick(app)
    assert [len(alert_pushes(push, d)) for d in (night.sophie, night.samuel, night.marc)] == [
        1,
        1,
        1,
    ]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"target_0": "primary", "person_0": "{outsider}"},
            "Cette personne ne fait pas partie de cette équipe.",
        ),
        ({"target_0": "primary", "target_1": "person:{outsider}"}, "ne fait pas partie"),
        ({"target_0": "", "person_0": "", "target_1": ""}, "au moins une étape"),
        ({"target_0": ["primary", "everybody"]}, "Vérifiez les étapes."),
        ({"target_0": "primary", "delay_1": "999", "target_1": "managers"}, "240 minutes"),
        ({"target_0": "primary", "repeat": "0"}, "entre 1 et 10"),
    ],
    ids=[
        "person of another team",
        "old form's person",
        "no step",
        "unknown role",
        "delay",
        "repeat",
    ],
)
def test_a_policy_the_form_refuses_writes_nothing(
    night: Night, database, browsers, form: dict, message: str
) -> None:
    marc = browsers("manager.a@test.fr")
    team = night.company.team_a.id
    outsider = str(night.company.staff_b.id)
    form = {
        key: [v.replace("{outsider}", outsider) for v in value]
        if isinstance(value, list)
        else value.replace("{outsider}", outsider)
        for key, value in {"repeat": "1", **form}.items()
    }

    def stored() -> tuple:
        return (
            database.query("SELECT * FROM escalation_policies"),
            database.scalar("SELECT COUNT(*) FROM audit_log"),
        )

    before = stored()
    refused = marc.post_form(f"/alerts/policy?team={team}", form)
    assert refused.status_code == 400, refused.text
    assert message in page_text(refused.text)
    assert stored() == before
    # The page comes back as the manager left it: what was ticked is still ticked.
    if form.get("target_0") == "primary":
        assert ticked(parse(refused.text), 0) == ["primary"]


# Nobody on call ------------------------------------------------------------------------------

# Wednesday 16 December at 10:00 in Paris: business hours, outside the coverage window.
OFFICE = NIGHT + timedelta(hours=11)


def test_an_alert_in_business_hours_reaches_the_managers_at_once(
    night: Night, app, database, push: PushService, browsers
) -> None:
    night.clock.set(OFFICE)
    alert = night.raise_alert("Sonde hors ligne")
    # One delivery round (what the engine's wake runs) and Marc's phone has it.
    assert deliver(app) == 1
    (message,) = alert_pushes(push, night.marc)
    assert "Sonde hors ligne" in message["title"]
    assert message["body"].startswith("Personne d’astreinte : trou de couverture.")
    assert alert_pushes(push, night.sophie) == [] and alert_pushes(push, night.samuel) == []
    timeline = steps_fired(database, alert["id"])
    assert [(kind, detail["step"]) for kind, detail in timeline] == [
        ("nobody_to_page", 1),
        ("nobody_to_page", 2),
        ("paged", 3),
    ]
    assert timeline[-1][1]["reason"] == "coverage_gap"
    # Round 2 comes after the policy's longest delay (10 minutes), from the primary again.
    row = alert_row(database, alert["id"])
    assert (row["step"], row["round"]) == (0, 1)
    assert row["next_step_at"] == to_db(OFFICE + timedelta(minutes=10))
    page = page_text(browsers("manager.a@test.fr").get(f"/alerts/{alert['id']}").text)
    assert "Personne d’astreinte : trou de couverture." in page
    assert "Les responsables de l’équipe ont été alertés aussitôt." in page
    # Nothing is paged twice: further rounds of the engine before 10:10 do nothing.
    night.clock.set(OFFICE + timedelta(minutes=9))
    assert tick(app)["escalations"] == 0
    assert len(alert_pushes(push, night.marc)) == 1


def test_a_policy_without_a_managers_step_still_pages_the_managers_when_nobody_is_on_call(
    night: Night, app, database, push: PushService, browsers
) -> None:
    marc = browsers("manager.a@test.fr")
    saved = marc.post_form(
        f"/alerts/policy?team={night.company.team_a.id}",
        {"delay_0": "0", "target_0": "primary", "delay_1": "5", "target_1": "secondary"},
    )
    assert saved.status_code == 303, saved.text
    night.clock.set(OFFICE)
    alert = night.raise_alert("Sonde hors ligne")
    deliver(app)
    assert len(alert_pushes(push, night.marc)) == 1
    kinds = [
        (kind, detail.get("passed_on"), detail.get("managers_instead"))
        for kind, detail in steps_fired(database, alert["id"])
    ]
    assert kinds == [
        ("nobody_to_page", True, None),
        ("paged", None, True),
    ]
    page = page_text(marc.get(f"/alerts/{alert['id']}").text)
    assert "Aucune étape n’a trouvé personne : les responsables sont alertés à la place" in page


def test_a_missing_backup_passes_straight_to_the_managers(
    night: Night, app, database, push: PushService
) -> None:
    # Sophie is paged at 23:00; at 23:05 there is no backup any more (Samuel's shift is
    # cancelled by an override-free edit of the data), so the managers' step fires at 23:05.
    alert = night.raise_alert("Chaudière en panne")
    deliver(app)
    with database.write():
        database.execute(
            "DELETE FROM shifts WHERE layer = 'secondary' AND user_id = ?",
            (night.company.staff_a2.id,),
        )
    night.at(minutes=5)
    assert tick(app)["escalations"] == 1
    assert len(alert_pushes(push, night.marc)) == 1
    assert alert_pushes(push, night.samuel) == []
    last_two = steps_fired(database, alert["id"])[-2:]
    assert [(kind, detail["step"], detail.get("passed_on")) for kind, detail in last_two] == [
        ("nobody_to_page", 2, True),
        ("paged", 3, None),
    ]
    # Somebody was on call (Sophie): not a coverage gap.
    assert "reason" not in last_two[-1][1]


def test_a_crash_before_the_commit_pages_nobody_and_the_restart_pages_once(
    night: Night, app, database, push: PushService, monkeypatch
) -> None:
    import server.alerts.escalation as alert_escalation

    night.clock.set(OFFICE)
    real_enqueue = alert_escalation.enqueue

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    # The power goes while the managers' page is being written: the skipped steps, the page
    # and the cursor go together, so nothing half-done is left.
    monkeypatch.setattr(alert_escalation, "enqueue", crash)
    before = table_counts(database)
    response = night.api.post(
        "/api/v1/alerts", json={"title": "Sonde hors ligne"}, headers=bearer(night.token)
    )
    assert response.status_code == 500
    assert table_counts(database) == before
    monkeypatch.setattr(alert_escalation, "enqueue", real_enqueue)
    alert = night.raise_alert("Sonde hors ligne")
    deliver(app)
    assert tick(app)["escalations"] == 0
    deliver(app)
    assert len(alert_pushes(push, night.marc)) == 1
    assert [kind for kind, _ in steps_fired(database, alert["id"])] == [
        "nobody_to_page",
        "nobody_to_page",
        "paged",
    ]


def test_the_running_engine_pages_the_managers_on_the_alerts_wake_not_its_round(
    night: Night, settings, clock: ManualClock, database, push: PushService
) -> None:
    import time

    import msgspec

    # The engine really running, on a 600 s round: only the new alert's wake can send before it.
    # The bound is generous (a loaded CI machine); the second itself is measured in bench/.
    running = create_app(
        msgspec.structs.replace(settings, engine_interval=600), clock=clock, database=database
    )
    clock.set(OFFICE)
    with Client(app=running, base_url="http://testserver.local") as api:
        time.sleep(0.2)  # the engine's first round (start-up work) is done
        raised = time.monotonic()
        response = api.post(
            "/api/v1/alerts", json={"title": "Sonde hors ligne"}, headers=bearer(night.token)
        )
        assert response.status_code == 201, response.text
        while not alert_pushes(push, night.marc) and time.monotonic() - raised < 20:
            time.sleep(0.01)
        assert len(alert_pushes(push, night.marc)) == 1, "Marc's phone waited for the round"
