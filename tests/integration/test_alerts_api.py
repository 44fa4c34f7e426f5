"""Alert intake for integrations: POST /api/v1/alerts with dedup, acknowledge and resolve with
a team's key, the Prometheus Alertmanager receiver and the phone system's calls webhook.

Tonight (see alert_helpers): Sophie primary, Samuel secondary, Marc manager; now is 23:00."""

from __future__ import annotations

import json

import pytest

from tests.integration.alert_helpers import (
    Night,
    alert_pushes,
    alert_row,
    bearer,
    deliver,
    events,
    table_counts,
)
from tests.push_service import PushService


def post(night: Night, path: str, token: str | None = None, **kwargs):
    return night.api.post(path, headers=bearer(token or night.token), **kwargs)


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["detail"]
    return body


# Intake ---------------------------------------------------------------------------------------


def test_a_new_alert_then_the_same_dedup_key_adds_an_event_and_pages_nobody_twice(
    night: Night, app, database, push: PushService
) -> None:
    first = post(
        night,
        "/api/v1/alerts",
        json={
            "title": "  Disque plein sur db1  ",
            "details": "/var à 98 %",
            "severity": "warning",
            "dedup_key": "disk-db1",
            "source": "zabbix",
            "links": [{"href": "https://zabbix.example/db1", "text": "Zabbix"}],
        },
    )
    assert first.status_code == 201, first.text
    created = first.json()
    assert created["status"] == "triggered"
    assert created["dedup_key"] == "disk-db1"
    assert created["title"] == "Disque plein sur db1"
    assert created["severity"] == "warning"
    assert created["team_id"] == night.company.team_a.id
    assert created["event_count"] == 1
    deliver(app)
    assert len(alert_pushes(push, night.sophie)) == 1
    notifications = table_counts(database)["notifications"]

    again = post(
        night,
        "/api/v1/alerts",
        json={"title": "Disque plein sur db1", "details": "99 %", "dedup_key": "disk-db1"},
    )
    assert again.status_code == 200, again.text
    repeated = again.json()
    assert repeated["id"] == created["id"]
    assert repeated["event_count"] == 2
    assert repeated["status"] == "triggered"
    deliver(app)
    # Nobody is paged a second time, nothing new is queued.
    assert len(alert_pushes(push, night.sophie)) == 1
    assert table_counts(database)["notifications"] == notifications
    assert database.scalar("SELECT COUNT(*) FROM alerts") == 1
    assert [kind for kind, _d in events(database, created["id"])][-1] == "repeated"
    row = alert_row(database, created["id"])
    assert (row["event_count"], row["source"]) == (2, "zabbix")
    assert json.loads(row["links"]) == [{"href": "https://zabbix.example/db1", "text": "Zabbix"}]


def test_the_same_dedup_key_of_another_team_is_another_alert(night: Night, database) -> None:
    mine = post(night, "/api/v1/alerts", json={"title": "Panne", "dedup_key": "k1"})
    theirs = post(
        night, "/api/v1/alerts", night.other_token, json={"title": "Panne", "dedup_key": "k1"}
    )
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert theirs.json()["team_id"] == night.company.team_b.id


OVER_64_KB = b'{"title": "Serveur en panne"' + b" " * (64 * 1024) + b"}"


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"title": "Panne", "severity": "urgent"}).encode(),
        json.dumps({"details": "no title"}).encode(),
        json.dumps({"title": "   "}).encode(),
        json.dumps({"title": "x" * 201}).encode(),
        json.dumps({"title": "Panne", "details": "x" * 8001}).encode(),
        json.dumps({"title": "Panne", "priority": 1}).encode(),
        json.dumps({"title": "Panne", "links": [{"href": "javascript:alert(1)"}]}).encode(),
        json.dumps({"title": "Panne", "dedup_key": ""}).encode(),
        b'{"title": "Panne",',
        b"title=Panne",
        b"",
        OVER_64_KB,
    ],
    ids=[
        "unknown-severity",
        "missing-title",
        "blank-title",
        "title-over-200",
        "details-over-8000",
        "unknown-field",
        "link-not-http",
        "empty-dedup-key",
        "malformed-json",
        "form-encoded",
        "empty-body",
        "body-over-64-KB",
    ],
)
def test_a_bad_alert_is_refused_with_a_problem_and_nothing_is_written(
    night: Night, app, database, push: PushService, body: bytes
) -> None:
    before = table_counts(database)
    response = night.api.post(
        "/api/v1/alerts",
        content=body,
        headers={**bearer(night.token), "Content-Type": "application/json"},
    )
    # A body over the route's limit is "too large" (413), like any body over the app's limit.
    assert_problem(response, 413 if body is OVER_64_KB else 400)
    assert table_counts(database) == before
    deliver(app)
    assert push.requests == []


def test_details_of_exactly_8000_characters_are_accepted(night: Night) -> None:
    response = post(night, "/api/v1/alerts", json={"title": "Journal", "details": "é" * 8000})
    assert response.status_code == 201, response.text


def test_no_key_or_a_revoked_key_is_401(night: Night, database) -> None:
    response = night.api.post("/api/v1/alerts", json={"title": "Panne"})
    assert_problem(response, 401)
    wrong = night.api.post("/api/v1/alerts", json={"title": "Panne"}, headers=bearer("ast_x"))
    assert_problem(wrong, 401)
    assert database.scalar("SELECT COUNT(*) FROM alerts") == 0


# Acknowledge and resolve ----------------------------------------------------------------------


def test_another_teams_key_may_not_acknowledge_or_resolve(night: Night, database) -> None:
    alert = night.raise_alert()
    before = alert_row(database, alert["id"])
    for action in ("acknowledge", "resolve"):
        response = post(night, f"/api/v1/alerts/{alert['id']}/{action}", night.other_token)
        assert_problem(response, 403)
    assert alert_row(database, alert["id"]) == before


def test_acknowledge_twice_is_a_conflict(night: Night, database) -> None:
    alert = night.raise_alert()
    first = post(night, f"/api/v1/alerts/{alert['id']}/acknowledge")
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "acknowledged"
    row = alert_row(database, alert["id"])
    assert row["acknowledged_at"] == "2026-12-15T22:00:00Z"
    assert row["acknowledged_by"] is None  # an integration, not a person
    second = post(night, f"/api/v1/alerts/{alert['id']}/acknowledge")
    assert_problem(second, 409)
    assert alert_row(database, alert["id"]) == row


def test_resolved_alerts_cannot_be_acknowledged_or_resolved_again(night: Night, database) -> None:
    alert = night.raise_alert()
    night.advance(minutes=2)
    resolved = post(night, f"/api/v1/alerts/{alert['id']}/resolve")
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    row = alert_row(database, alert["id"])
    assert row["resolved_at"] == "2026-12-15T22:02:00Z"
    assert row["next_step_at"] is None
    assert_problem(post(night, f"/api/v1/alerts/{alert['id']}/acknowledge"), 409)
    assert_problem(post(night, f"/api/v1/alerts/{alert['id']}/resolve"), 409)
    assert alert_row(database, alert["id"]) == row


def test_an_unknown_alert_is_404(night: Night) -> None:
    assert_problem(post(night, "/api/v1/alerts/999/acknowledge"), 404)
    assert_problem(post(night, "/api/v1/alerts/999/resolve"), 404)


def test_after_resolve_the_same_dedup_key_opens_a_new_alert_and_pages_again(
    night: Night, app, push: PushService, database
) -> None:
    first = night.raise_alert("Serveur web injoignable", dedup_key="web-down")
    deliver(app)
    assert post(night, f"/api/v1/alerts/{first['id']}/resolve").status_code == 200
    night.advance(minutes=30)
    response = post(
        night, "/api/v1/alerts", json={"title": "Serveur web injoignable", "dedup_key": "web-down"}
    )
    assert response.status_code == 201, response.text
    second = response.json()
    assert second["id"] != first["id"]
    assert second["event_count"] == 1
    assert alert_row(database, first["id"])["status"] == "resolved"
    deliver(app)
    tags = [m["tag"] for m in alert_pushes(push, night.sophie)]
    assert tags == [f"alert-{first['id']}", f"alert-{second['id']}"]


# Alertmanager -----------------------------------------------------------------------------------


def alertmanager_group(status: str) -> dict:
    """Alertmanager's webhook body (version 4), two alerts of one group."""

    def alert(instance: str, fingerprint: str, severity: str) -> dict:
        return {
            "status": status,
            "labels": {"alertname": "DiskFull", "instance": instance, "severity": severity},
            "annotations": {
                "summary": f"Disque plein sur {instance}",
                "description": f"Il reste 1 % sur {instance}.",
            },
            "startsAt": "2026-12-15T21:58:00Z",
            "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-12-15T22:20:00Z",
            "generatorURL": "http://prometheus.local:9090/graph?g0.expr=disk",
            "fingerprint": fingerprint,
        }

    return {
        "version": "4",
        "groupKey": '{}:{alertname="DiskFull"}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "astreinte",
        "groupLabels": {"alertname": "DiskFull"},
        "commonLabels": {"alertname": "DiskFull"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.local:9093",
        "alerts": [alert("db1", "5f1c2a", "critical"), alert("db2", "9b3e4d", "warning")],
    }


def test_alertmanager_firing_then_repeated_then_resolved(
    night: Night, app, push: PushService, database
) -> None:
    path = "/api/v1/integrations/alertmanager"
    firing = post(night, path, json=alertmanager_group("firing"))
    assert firing.status_code == 200, firing.text
    assert firing.json() == {"created": 2, "repeated": 0, "resolved": 0}
    rows = database.query("SELECT * FROM alerts ORDER BY id")
    assert [(r["title"], r["severity"], r["status"]) for r in rows] == [
        ("Disque plein sur db1", "critical", "triggered"),
        ("Disque plein sur db2", "warning", "triggered"),
    ]
    assert json.loads(rows[0]["links"])[0]["href"].startswith("http://prometheus.local:9090/")
    assert rows[0]["details"] == "Il reste 1 % sur db1."
    deliver(app)
    titles = {m["title"] for m in alert_pushes(push, night.sophie)}
    assert titles == {"Critique · Disque plein sur db1", "Avertissement · Disque plein sur db2"}

    night.advance(minutes=1)
    again = post(night, path, json=alertmanager_group("firing"))
    assert again.json() == {"created": 0, "repeated": 2, "resolved": 0}
    assert database.scalar("SELECT COUNT(*) FROM alerts") == 2
    assert [r["event_count"] for r in database.query("SELECT * FROM alerts ORDER BY id")] == [2, 2]
    deliver(app)
    assert len(alert_pushes(push, night.sophie)) == 2

    night.advance(minutes=20)
    resolved = post(night, path, json=alertmanager_group("resolved"))
    assert resolved.json() == {"created": 0, "repeated": 0, "resolved": 2}
    statuses = [r["status"] for r in database.query("SELECT status FROM alerts ORDER BY id")]
    assert statuses == ["resolved", "resolved"]
    # Resolving what is already closed changes nothing.
    assert post(night, path, json=alertmanager_group("resolved")).json()["resolved"] == 0


def test_alertmanager_alert_with_a_blank_summary_is_named_after_its_alertname(
    night: Night, database
) -> None:
    # A rule whose summary template renders empty: Alertmanager still sends the group, and
    # retries all of it on any non-2xx answer; the alert falls back on its alertname (as a
    # missing summary does) and no alert of the group is lost or half-written.
    group = alertmanager_group("firing")
    group["alerts"][1]["annotations"]["summary"] = "   "
    response = post(night, "/api/v1/integrations/alertmanager", json=group)
    assert response.status_code == 200, response.text
    assert response.json() == {"created": 2, "repeated": 0, "resolved": 0}
    titles = [r["title"] for r in database.query("SELECT title FROM alerts ORDER BY id")]
    assert titles == ["Disque plein sur db1", "DiskFull"]


def test_alertmanager_refuses_what_is_not_its_webhook(night: Night, database) -> None:
    path = "/api/v1/integrations/alertmanager"
    assert_problem(post(night, path, json={"alerts": [{"status": "pending"}]}), 400)
    assert_problem(post(night, path, json={"receiver": "astreinte"}), 400)
    assert database.scalar("SELECT COUNT(*) FROM alerts") == 0


# Phone calls ------------------------------------------------------------------------------------


def test_an_incoming_call_pages_the_person_on_call(
    night: Night, app, push: PushService, database
) -> None:
    response = post(night, "/api/v1/calls", json={"caller": "+33612345678"})
    assert response.status_code == 201, response.text
    alert = response.json()
    assert alert["title"] == "Appel entrant de +33612345678"
    assert alert["severity"] == "critical"
    deliver(app)
    (message,) = alert_pushes(push, night.sophie)
    assert "Appel entrant de +33612345678" in message["title"]
    assert message["tag"] == f"alert-{alert['id']}"
    assert push.messages(night.samuel) == []
    # The PBX tells of the same call twice within the minute: one alert.
    repeat = post(night, "/api/v1/calls", json={"caller": "+33612345678"})
    assert repeat.status_code == 200
    assert repeat.json()["id"] == alert["id"]
    assert_problem(post(night, "/api/v1/calls", json={"called": "+33100000000"}), 400)
    assert database.scalar("SELECT COUNT(*) FROM alerts") == 1
