"""What the API fuzzing found, pinned: a request with an id or an instant out of range is
refused with a 400 (it was a 500), a body too large is a 413, and the OpenAPI document gives
every /api/v1 route its refusals as problem details, its JSON body and its credential."""

from __future__ import annotations

import pytest

from server.apikeys.store import create_key
from server.audit.models import Actor
from server.clock import ManualClock
from server.db import Database
from tests.conftest import Client, Company

PROBLEM = "application/problem+json"


@pytest.fixture
def key(company: Company, database: Database, clock: ManualClock) -> str:
    token, _ = create_key(
        database, company.team_a.id, "PBX", actor=Actor(label="t"), now=clock.now()
    )
    return token


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
@pytest.mark.parametrize("alert_id", ["591447685945666735964160", "0"])
def test_an_alert_id_out_of_range_is_a_400(
    client: Client, key: str, action: str, alert_id: str
) -> None:
    response = client.post(
        f"/api/v1/alerts/{alert_id}/{action}", headers={"Authorization": f"Bearer {key}"}
    )
    problem_of(response, 400)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("oncall", {"at": "9999-12-31T23:00:00Z"}),
        ("oncall", {"at": "0001-01-01T00:00:00Z"}),
        ("oncall.txt", {"at": "9999-12-31T23:00:00+14:00"}),
        ("shifts", {"from": "0001-01-01T00:00:00+01:00"}),
        ("shifts", {"from": "2026-12-01T00:00:00Z", "to": "9999-12-31T00:00:00Z"}),
    ],
)
def test_an_instant_out_of_range_is_a_400_that_names_the_parameter(
    client: Client, company: Company, key: str, path: str, params: dict
) -> None:
    client.headers["Accept-Language"] = "en"
    response = client.get(
        f"/api/v1/teams/{company.team_a.id}/{path}",
        params=params,
        headers={"Authorization": f"Bearer {key}"},
    )
    body = problem_of(response, 400)
    named = next(name for name, value in params.items() if value[:4] in ("0001", "9999"))
    assert body["detail"] == f"{named} must be between the years 1970 and 9000."


def test_an_alert_body_over_64_kb_is_a_413_and_raises_nothing(
    client: Client, key: str, database: Database
) -> None:
    body = {"title": "Disk full", "details": "x" * 70_000}
    response = client.post("/api/v1/alerts", json=body, headers={"Authorization": f"Bearer {key}"})
    problem_of(response, 413)
    assert database.scalar("SELECT COUNT(*) FROM alerts") == 0


@pytest.fixture
def document(client: Client) -> dict:
    return client.get("/schema/openapi.json").json()


def api_operations(document: dict):
    for path, item in document["paths"].items():
        if path.startswith("/api/v1/"):
            for method, operation in item.items():
                yield f"{method.upper()} {path}", operation


def test_every_refusal_is_documented_as_problem_details(document: dict) -> None:
    operations = dict(api_operations(document))
    assert len(operations) >= 13
    for label, operation in operations.items():
        refusals = {code: r for code, r in operation["responses"].items() if code[0] == "4"}
        assert refusals, label
        for code, response in refusals.items():
            schema = response["content"][PROBLEM]["schema"]
            assert schema == {"$ref": "#/components/schemas/Problem"}, (label, code)
            assert response["description"], (label, code)
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"title", "status", "detail"}


def test_each_route_documents_its_statuses_body_and_credential(document: dict) -> None:
    operations = dict(api_operations(document))

    def statuses(label: str) -> set[str]:
        return set(operations[label]["responses"])

    assert statuses("POST /api/v1/alerts") == {"200", "201", "400", "401", "413"}
    assert statuses("GET /api/v1/teams/{team_id}/oncall.txt") >= {"200", "401", "403", "404"}
    assert set(
        operations["GET /api/v1/teams/{team_id}/oncall.txt"]["responses"]["200"]["content"]
    ) == {"text/plain"}
    assert statuses("POST /api/v1/swaps/approve") >= {"400", "404", "409", "422"}
    assert "401" in statuses("POST /api/v1/sync/interventions")
    # The JSON the handlers read themselves is documented, with its limits.
    batch = operations["POST /api/v1/sync/interventions"]["requestBody"]["content"]
    assert batch["application/json"]["schema"]["properties"]["operations"]["maxItems"] == 200
    alert = operations["POST /api/v1/alerts"]["requestBody"]["content"]["application/json"]
    assert alert["schema"]["required"] == ["title"]
    # Who may call: the team's key by default, the session for sync, a token in the body else.
    assert operations["POST /api/v1/sync/interventions"]["security"] == [{"session": []}]
    for public in (
        "POST /api/v1/push/ack",
        "POST /api/v1/push/renew",
        "POST /api/v1/swaps/approve",
    ):
        assert operations[public]["security"] == [{}], public
        assert "401" not in statuses(public)
    assert "security" not in operations["GET /api/v1/whoami"]
    assert document["security"] == [{"apiKey": []}]


def test_the_statements_route_documents_its_month_and_figures(document: dict) -> None:
    operations = dict(api_operations(document))
    operation = operations["GET /api/v1/teams/{team_id}/statements"]
    assert set(operation["responses"]) >= {"200", "400", "401", "403", "404"}
    (month,) = [p for p in operation["parameters"] if p["name"] == "month"]
    assert month["in"] == "query" and month["required"] is True
    assert month["schema"]["pattern"] == r"^\d{4}-(0[1-9]|1[0-2])$"
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    payroll = document["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert {"team_id", "month", "closed", "lines"} <= set(payroll["properties"])
