"""The on-call API for integrations (PBX, monitoring): who is on call now or at a time, the
primary's number as plain text, and the published shifts of a range; all with the team's key."""

from __future__ import annotations

from datetime import datetime

import pytest

from server.apikeys.store import create_key
from server.audit.models import Actor
from server.clock import ManualClock
from server.db import Database
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import (
    add_rotation,
    paris,
    publish_ok,
    shift_at,
    stored,
)

# Primary Samuel, Sophie, Marc …; backup Sophie, Marc, Samuel … (weekly from 30 November).
# Published: shifts starting 15–21 December. Marc is on call the nights of 15–17 December and
# the weekend of the 18th (Friday 18:00 → Monday 08:00) with Samuel as backup; everything on
# 14 December or before is still a draft.
EVERY_PHONE = "+33 6 00 00 00 00"


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def keys(client: Client, company: Company, database: Database, clock: ManualClock) -> dict:
    client.login("manager.a@test.fr")
    people = [company.staff_a2.id, company.staff_a.id, company.manager_a.id]
    add_rotation(client, company.team_a.id, people, backup=True)
    publish_ok(client, company.team_a.id, "2026-12-15", "2026-12-21")
    actor = Actor(label="test")
    team_a, _ = create_key(database, company.team_a.id, "PBX", actor=actor, now=clock.now())
    team_b, _ = create_key(database, company.team_b.id, "Supervision", actor=actor, now=clock.now())
    return {"a": team_a, "b": team_b}


def call(client: Client, key: str, path: str, **params):
    return client.get(path, params=params, headers={"Authorization": f"Bearer {key}"})


def oncall(client: Client, key: str, team: int, **params) -> dict:
    response = call(client, key, f"/api/v1/teams/{team}/oncall", **params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def person(body: dict, layer: str) -> tuple | None:
    found = body[layer]
    if found is None:
        return None
    return (found["name"], found["phone"], found["email"], instant(found["until"]))


@pytest.mark.parametrize(
    ("at", "primary", "secondary", "until"),
    [
        # Wednesday night: both people, until Thursday 08:00.
        ("2026-12-16T23:00:00+01:00", "Marc Manager", "Samuel Staff", paris(2026, 12, 17, 8)),
        ("2026-12-16T22:00:00Z", "Marc Manager", "Samuel Staff", paris(2026, 12, 17, 8)),
        # Saturday noon: the weekend runs to Monday 08:00.
        ("2026-12-19T12:00:00+01:00", "Marc Manager", "Samuel Staff", paris(2026, 12, 21, 8)),
        # The first minute and the last of a night.
        ("2026-12-15T18:00:00+01:00", "Marc Manager", "Samuel Staff", paris(2026, 12, 16, 8)),
        ("2026-12-16T07:59:00+01:00", "Marc Manager", "Samuel Staff", paris(2026, 12, 16, 8)),
        # Monday 21st, 18:00: turn 3 begins, Samuel on call with Sophie behind him.
        ("2026-12-21T20:00:00+01:00", "Samuel Staff", "Sophie Staff", paris(2026, 12, 22, 8)),
    ],
)
def test_who_is_on_call_at_night(
    client: Client, company: Company, keys: dict, at: str, primary: str, secondary: str, until
) -> None:
    body = oncall(client, keys["a"], company.team_a.id, at=at)
    assert body["team_id"] == company.team_a.id
    assert instant(body["at"]) == instant(at)
    emails = {
        "Marc Manager": "manager.a@test.fr",
        "Samuel Staff": "staff.a2@test.fr",
        "Sophie Staff": "staff.a@test.fr",
    }
    assert person(body, "primary") == (primary, EVERY_PHONE, emails[primary], until)
    assert person(body, "secondary") == (secondary, EVERY_PHONE, emails[secondary], until)


@pytest.mark.parametrize(
    "at",
    [
        "2026-12-16T11:00:00+01:00",  # Wednesday, business hours
        "2026-12-16T08:00:00+01:00",  # the minute the night ends
        "2026-12-14T23:00:00+01:00",  # a night still in draft
        "2026-12-22T23:00:00+01:00",  # a night still in draft (after the range)
    ],
)
def test_nobody_on_call_is_null(client: Client, company: Company, keys: dict, at: str) -> None:
    body = oncall(client, keys["a"], company.team_a.id, at=at)
    assert body["primary"] is None
    assert body["secondary"] is None


def test_without_at_the_answer_is_for_now(
    client: Client, company: Company, keys: dict, clock: ManualClock
) -> None:
    # Monday 30 November 10:00: business hours (and only drafts anyway).
    body = oncall(client, keys["a"], company.team_a.id)
    assert instant(body["at"]) == clock.now()
    assert body["primary"] is None
    clock.set(paris(2026, 12, 16, 23, 30))
    body = oncall(client, keys["a"], company.team_a.id)
    assert person(body, "primary")[0] == "Marc Manager"
    assert person(body, "primary")[3] == paris(2026, 12, 17, 8)


def test_an_override_answers_with_its_person_and_its_end(
    client: Client, company: Company, keys: dict, database: Database
) -> None:
    team = company.team_a.id
    # Sophie covers Thursday 17th 06:00–12:00: the end of Marc's night and the morning after.
    response = client.post_form(
        f"/schedule/manage/overrides?team={team}",
        {
            "user_id": str(company.staff_a.id),
            "layer": "primary",
            "starts_at": "2026-12-17T06:00:00",
            "ends_at": "2026-12-17T12:00:00",
        },
    )
    assert response.status_code == 303, response.text
    night = oncall(client, keys["a"], team, at="2026-12-17T01:00:00+01:00")
    assert person(night, "primary")[0] == "Marc Manager"
    assert person(night, "primary")[3] == paris(2026, 12, 17, 6)
    early = oncall(client, keys["a"], team, at="2026-12-17T07:00:00+01:00")
    assert person(early, "primary") == (
        "Sophie Staff",
        EVERY_PHONE,
        "staff.a@test.fr",
        paris(2026, 12, 17, 12),
    )
    # The backup layer is not overridden.
    assert person(early, "secondary")[0] == "Samuel Staff"
    assert person(early, "secondary")[3] == paris(2026, 12, 17, 8)
    # In business hours the override still holds: Sophie, and nobody behind her.
    morning = oncall(client, keys["a"], team, at="2026-12-17T10:00:00+01:00")
    assert person(morning, "primary")[0] == "Sophie Staff"
    assert morning["secondary"] is None
    noon = oncall(client, keys["a"], team, at="2026-12-17T12:00:00+01:00")
    assert noon["primary"] is None


@pytest.mark.parametrize(
    "value", ["demain", "2026-12-16 25:00", "2026-02-30T10:00:00+01:00", "16/12/2026 23:00"]
)
def test_a_malformed_at_is_a_clear_400(
    client: Client, company: Company, keys: dict, value: str
) -> None:
    for path in ("oncall", "oncall.txt"):
        response = call(client, keys["a"], f"/api/v1/teams/{company.team_a.id}/{path}", at=value)
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["status"] == 400
        assert problem["detail"].startswith("at doit être un horodatage RFC 3339")


def test_an_at_without_offset_is_refused(client: Client, company: Company, keys: dict) -> None:
    response = call(
        client, keys["a"], f"/api/v1/teams/{company.team_a.id}/oncall", at="2026-12-16T23:00:00"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "at doit indiquer un décalage horaire (Z ou +01:00)."


@pytest.mark.parametrize("path", ["oncall", "oncall.txt", "shifts"])
def test_a_key_of_another_team_is_refused(
    client: Client, company: Company, keys: dict, path: str
) -> None:
    response = call(
        client, keys["b"], f"/api/v1/teams/{company.team_a.id}/{path}", at="2026-12-16T23:00:00Z"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Cette clé d’API appartient à une autre équipe."
    # Its own team answers.
    own = call(client, keys["b"], f"/api/v1/teams/{company.team_b.id}/oncall")
    assert own.status_code == 200


@pytest.mark.parametrize("path", ["oncall", "oncall.txt", "shifts"])
def test_no_key_or_a_wrong_key_is_401(client: Client, company: Company, keys: dict, path: str):
    url = f"/api/v1/teams/{company.team_a.id}/{path}"
    assert client.get(url).status_code == 401
    assert call(client, keys["a"] + "x", url).status_code == 401


def test_oncall_txt_gives_the_primary_phone(client: Client, company: Company, keys: dict) -> None:
    response = call(
        client,
        keys["a"],
        f"/api/v1/teams/{company.team_a.id}/oncall.txt",
        at="2026-12-16T23:00:00+01:00",
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.strip() == "+33600000000"


def test_oncall_txt_is_404_with_a_message_when_nobody(
    client: Client, company: Company, keys: dict
) -> None:
    response = call(
        client,
        keys["a"],
        f"/api/v1/teams/{company.team_a.id}/oncall.txt",
        at="2026-12-16T11:00:00+01:00",
    )
    assert response.status_code == 404
    assert "Personne n’est d’astreinte pour cette équipe à ce moment." in response.text


def test_oncall_txt_says_when_the_person_on_call_has_no_phone_number(
    client: Client, company: Company, keys: dict, database: Database
) -> None:
    with database.write():
        database.execute("UPDATE users SET phone = '' WHERE id = ?", (company.manager_a.id,))
    url = f"/api/v1/teams/{company.team_a.id}/oncall.txt"
    response = call(client, keys["a"], url, at="2026-12-16T23:00:00+01:00")
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert detail == (
        "Marc Manager est d’astreinte pour cette équipe à ce moment mais n’a pas de numéro de "
        "téléphone. Ajoutez-en un à son profil."
    )
    # Nobody on call (Wednesday, business hours) still says so, in other words.
    nobody = call(client, keys["a"], url, at="2026-12-16T11:00:00+01:00")
    assert nobody.status_code == 404
    assert nobody.json()["detail"] == "Personne n’est d’astreinte pour cette équipe à ce moment."
    # Samuel, on call on Monday 21st at night, has his number: the answer is his phone.
    samuel = call(client, keys["a"], url, at="2026-12-21T20:00:00+01:00")
    assert samuel.status_code == 200
    assert samuel.text == "+33600000000\n"


def test_shifts_lists_published_shifts_of_a_range(
    client: Client, company: Company, keys: dict, database: Database
) -> None:
    team = company.team_a.id
    response = call(
        client,
        keys["a"],
        f"/api/v1/teams/{team}/shifts",
        **{"from": "2026-12-15T00:00:00+01:00", "to": "2026-12-17T00:00:00+01:00"},
    )
    assert response.status_code == 200, response.text
    items = response.json()
    # The nights of Tuesday 15th and Wednesday 16th, both layers; Monday 14th's night (still a
    # draft) overlaps the range's start and is not listed.
    got = [
        (i["layer"], i["name"], i["status"], instant(i["starts_at"]), instant(i["ends_at"]))
        for i in items
    ]
    assert got == [
        ("primary", "Marc Manager", "published", paris(2026, 12, 15, 18), paris(2026, 12, 16, 8)),
        ("secondary", "Samuel Staff", "published", paris(2026, 12, 15, 18), paris(2026, 12, 16, 8)),
        ("primary", "Marc Manager", "published", paris(2026, 12, 16, 18), paris(2026, 12, 17, 8)),
        ("secondary", "Samuel Staff", "published", paris(2026, 12, 16, 18), paris(2026, 12, 17, 8)),
    ]
    first = shift_at(database, team, "primary", paris(2026, 12, 15, 18))
    assert items[0]["id"] == first["id"]
    assert items[0]["kind"] == "regular"
    assert items[0]["phone"] == EVERY_PHONE
    assert items[0]["email"] == "manager.a@test.fr"
    assert stored(instant(items[0]["starts_at"])) == first["starts_at"]


def test_shifts_default_to_four_weeks_from_now(client: Client, company: Company, keys: dict):
    items = call(client, keys["a"], f"/api/v1/teams/{company.team_a.id}/shifts").json()
    # From Monday 30 November 10:00 to 28 December: the ten published shifts, no draft.
    assert len(items) == 10
    assert {i["status"] for i in items} == {"published"}


def test_drafts_are_never_listed(client: Client, company: Company, keys: dict) -> None:
    # Everything from 30 November to 14 December is generated but not published.
    items = call(
        client,
        keys["a"],
        f"/api/v1/teams/{company.team_a.id}/shifts",
        **{"from": "2026-11-30T00:00:00+01:00", "to": "2026-12-15T00:00:00+01:00"},
    ).json()
    assert items == []


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2026-12-17T00:00:00+01:00", "2026-12-15T00:00:00+01:00", "to"),
        ("2026-12-15T00:00:00+01:00", "2026-12-15T00:00:00+01:00", "to"),
        ("hier", "2026-12-15T00:00:00+01:00", "from"),
        ("2026-12-15T00:00:00", "2026-12-16T00:00:00+01:00", "from"),
    ],
    ids=["to before from", "empty range", "from not a timestamp", "from without offset"],
)
def test_bad_shift_ranges_are_400(
    client: Client, company: Company, keys: dict, start: str, end: str, field: str
) -> None:
    response = call(
        client, keys["a"], f"/api/v1/teams/{company.team_a.id}/shifts", **{"from": start, "to": end}
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail = response.json()["detail"]
    assert detail.startswith(field) or f"« {field} »" in detail, detail


@pytest.mark.parametrize(
    ("at", "gap", "ends"),
    [
        # Monday 14th's night is still a draft: nobody is told, inside the window, until 08:00.
        ("2026-12-14T23:00:00+01:00", True, paris(2026, 12, 15, 8)),
        # Tuesday 22nd's night: past the published range, a gap until the morning.
        ("2026-12-22T23:00:00+01:00", True, paris(2026, 12, 23, 8)),
        # Wednesday 11:00: business hours are outside the window, nobody is expected.
        ("2026-12-16T11:00:00+01:00", False, None),
        # Someone on call: no gap.
        ("2026-12-16T23:00:00+01:00", False, None),
    ],
)
def test_oncall_says_when_at_falls_in_a_coverage_gap(
    client: Client, company: Company, keys: dict, at: str, gap: bool, ends
) -> None:
    body = oncall(client, keys["a"], company.team_a.id, at=at)
    assert body["coverage_gap"] is gap
    assert (instant(body["gap_ends_at"]) if body["gap_ends_at"] else None) == ends


def test_a_gap_ends_when_an_override_takes_over(
    client: Client, company: Company, keys: dict
) -> None:
    team = company.team_a.id
    response = client.post_form(
        f"/schedule/manage/overrides?team={team}",
        {
            "user_id": str(company.staff_a.id),
            "layer": "primary",
            "starts_at": "2026-12-23T02:00:00",
            "ends_at": "2026-12-23T04:00:00",
        },
    )
    assert response.status_code == 303, response.text
    body = oncall(client, keys["a"], team, at="2026-12-22T23:00:00+01:00")
    assert body["coverage_gap"] is True
    assert instant(body["gap_ends_at"]) == paris(2026, 12, 23, 2)


def test_a_team_without_rotation_has_no_window_and_so_no_gap(
    client: Client, company: Company, keys: dict
) -> None:
    body = oncall(client, keys["b"], company.team_b.id, at="2026-12-16T23:00:00+01:00")
    assert body["primary"] is None
    assert body["coverage_gap"] is False


def test_the_gap_fields_are_documented_in_the_openapi_schema(client: Client) -> None:
    schema = client.get("/schema/openapi.json").json()
    fields = schema["components"]["schemas"]["OnCall"]["properties"]
    assert "coverage window" in fields["coverage_gap"]["description"]
    assert "gap_ends_at" in fields
