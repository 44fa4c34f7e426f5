"""The phone system's lookup is answered from a cache: every write that changes who is on call
(a publication, an override, an approved swap, a deactivation, a new phone number, a write by
another process) is seen by the very next call, and so are the hand-offs and the coverage
window's edges, which need no write."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec
import pytest

import server.schedules.api
import server.schedules.lookup
from server.apikeys.store import create_key
from server.audit.models import Actor
from server.clock import ManualClock
from server.db import Database
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import add_rotation, paris, publish_ok
from tests.integration.swap_helpers import SOPHIES_NIGHT, Team, approve, ask_ok

# With the rotation below, published for 15–21 December: Marc is primary the nights of
# 15–17 December and the weekend of the 18th, Samuel his backup; 22 December on is a draft.
WEDNESDAY_NIGHT = "2026-12-16T23:00:00+01:00"
DRAFT_NIGHT = "2026-12-22T23:00:00+01:00"


class Computed:
    """Counts the answers really computed (not served from the cache)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = server.schedules.api.who_is_on_call

        def counting(*args, **kwargs):
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(server.schedules.api, "who_is_on_call", counting)


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> Computed:
    return Computed(monkeypatch)


def key_of(database: Database, team_id: int, clock: ManualClock) -> str:
    token, _ = create_key(database, team_id, "PBX", actor=Actor(label="test"), now=clock.now())
    return token


@pytest.fixture
def published(client: Client, company: Company, database: Database, clock: ManualClock) -> str:
    client.login("manager.a@test.fr")
    people = [company.staff_a2.id, company.staff_a.id, company.manager_a.id]
    add_rotation(client, company.team_a.id, people, backup=True)
    publish_ok(client, company.team_a.id, "2026-12-15", "2026-12-21")
    return key_of(database, company.team_a.id, clock)


def lookup(client: Client, key: str, team_id: int, at: str | None = None) -> dict:
    params = {"at": at} if at else {}
    response = client.get(
        f"/api/v1/teams/{team_id}/oncall",
        params=params,
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def number(client: Client, key: str, team_id: int, at: str) -> str:
    response = client.get(
        f"/api/v1/teams/{team_id}/oncall.txt",
        params={"at": at},
        headers={"Authorization": f"Bearer {key}"},
    )
    return f"{response.status_code} {response.text.strip()}"


def primary(body: dict) -> str | None:
    return body["primary"]["name"] if body["primary"] else None


def test_repeated_lookups_are_served_from_the_cache_and_say_the_instant_asked(
    client: Client, company: Company, published: str, computed: Computed
) -> None:
    team = company.team_a.id
    first = lookup(client, published, team, WEDNESDAY_NIGHT)
    again = lookup(client, published, team, WEDNESDAY_NIGHT)
    # Later the same night, in UTC: the same duty, asked at another instant.
    later = lookup(client, published, team, "2026-12-17T01:30:00Z")
    assert computed.count == 1
    assert again == first
    assert later["at"] == "2026-12-17T01:30:00Z"
    assert {k: v for k, v in later.items() if k != "at"} == {
        k: v for k, v in first.items() if k != "at"
    }
    assert number(client, published, team, WEDNESDAY_NIGHT) == "200 +33600000000"
    assert computed.count == 1


def test_publishing_is_seen_by_the_next_lookup(
    client: Client, company: Company, published: str, computed: Computed
) -> None:
    team = company.team_a.id
    assert primary(lookup(client, published, team, DRAFT_NIGHT)) is None
    assert number(client, published, team, DRAFT_NIGHT).startswith("404 ")
    publish_ok(client, team, "2026-12-22", "2026-12-28")
    assert primary(lookup(client, published, team, DRAFT_NIGHT)) == "Samuel Staff"
    assert number(client, published, team, DRAFT_NIGHT) == "200 +33600000000"


def test_an_override_is_seen_by_the_next_lookup(
    client: Client, company: Company, published: str
) -> None:
    team = company.team_a.id
    assert primary(lookup(client, published, team, WEDNESDAY_NIGHT)) == "Marc Manager"
    response = client.post_form(
        f"/schedule/manage/overrides?team={team}",
        {
            "user_id": str(company.staff_a.id),
            "layer": "primary",
            "starts_at": "2026-12-16T22:00:00",
            "ends_at": "2026-12-17T02:00:00",
        },
    )
    assert response.status_code == 303, response.text
    body = lookup(client, published, team, WEDNESDAY_NIGHT)
    assert primary(body) == "Sophie Staff"
    assert body["primary"]["until"] == "2026-12-17T01:00:00Z"


def test_a_new_phone_number_and_a_deactivation_are_seen_by_the_next_lookup(
    client: Client, company: Company, published: str, make_client, computed: Computed
) -> None:
    team = company.team_a.id
    assert number(client, published, team, WEDNESDAY_NIGHT) == "200 +33600000000"
    admin = make_client()
    admin.login("admin@test.fr")
    form = {
        "name": "Marc Manager",
        "email": "manager.a@test.fr",
        "phone": "+33 6 12 34 56 78",
        "role": "manager",
        "timezone": "Europe/Paris",
        "active": "true",
    }
    assert admin.post_form(f"/people/{company.manager_a.id}", form).status_code == 303
    assert number(client, published, team, WEDNESDAY_NIGHT) == "200 +33612345678"
    lookup(client, published, team, WEDNESDAY_NIGHT)
    seen = computed.count
    del form["active"]
    assert admin.post_form(f"/people/{company.manager_a.id}", form).status_code == 303
    after = lookup(client, published, team, WEDNESDAY_NIGHT)
    assert computed.count == seen + 1
    # Whatever deactivation does to his shifts, the answer is the one computed afresh.
    fresh = server.schedules.lookup.who_is_on_call(
        client.app.state.database, team, datetime.fromisoformat(WEDNESDAY_NIGHT)
    )
    assert after == msgspec.json.decode(msgspec.json.encode(fresh))


def test_a_write_by_another_process_is_seen_by_the_next_lookup(
    client: Client, company: Company, published: str, settings
) -> None:
    """`astreinte` commands run in their own process, with their own connection."""
    team = company.team_a.id
    assert number(client, published, team, WEDNESDAY_NIGHT) == "200 +33600000000"
    other = Database(settings.database_path)
    try:
        with other.write():
            other.execute(
                "UPDATE users SET phone = '+33 7 00 00 00 01' WHERE id = ?",
                (company.manager_a.id,),
            )
    finally:
        other.close()
    assert number(client, published, team, WEDNESDAY_NIGHT) == "200 +33700000001"


def test_an_approved_swap_is_seen_by_the_next_lookup(
    company: Company, database: Database, browsers, clock: ManualClock
) -> None:
    team = Team(company, database, browsers)
    key = key_of(database, team.team_id, clock)
    night = (SOPHIES_NIGHT[0] + timedelta(hours=3)).isoformat()
    assert primary(lookup(team.sophie, key, team.team_id, night)) == "Sophie Staff"
    swap_id = ask_ok(team.sophie, team.night)
    assert team.samuel.post_form(f"/swaps/{swap_id}/accept").status_code == 303
    # Asked, taken, not yet approved: still Sophie (and served from the cache or not, the same).
    assert primary(lookup(team.sophie, key, team.team_id, night)) == "Sophie Staff"
    assert approve(team.marc, database, swap_id).status_code == 303
    assert primary(lookup(team.sophie, key, team.team_id, night)) == "Samuel Staff"


def test_the_hand_off_is_seen_without_any_write(
    client: Client, company: Company, published: str, clock: ManualClock, computed: Computed
) -> None:
    """Asked for "now": the same answer until Thursday 08:00, then nobody (business hours)."""
    team = company.team_a.id
    # Seconds apart, so the key's last use (written once a minute) empties no cache here.
    clock.set(paris(2026, 12, 17, 8) - timedelta(seconds=2))
    assert primary(lookup(client, published, team)) == "Marc Manager"
    clock.set(paris(2026, 12, 17, 8) - timedelta(microseconds=1))
    assert primary(lookup(client, published, team)) == "Marc Manager"
    assert computed.count == 1
    clock.set(paris(2026, 12, 17, 8))
    body = lookup(client, published, team)
    assert (primary(body), body["secondary"], body["coverage_gap"]) == (None, None, False)


def test_the_coverage_window_opening_on_a_draft_night_is_seen_without_any_write(
    client: Client, company: Company, published: str, clock: ManualClock
) -> None:
    """Tuesday 22 December is a draft: just before 18:00 nobody is on call in business hours
    (no gap); at 18:00 the window opens with nobody told, and the answer says it is a gap."""
    team = company.team_a.id
    clock.set(paris(2026, 12, 22, 18) - timedelta(seconds=1))
    body = lookup(client, published, team)
    assert (primary(body), body["coverage_gap"]) == (None, False)
    clock.set(paris(2026, 12, 22, 18))
    body = lookup(client, published, team)
    assert (primary(body), body["coverage_gap"]) == (None, True)
    assert body["gap_ends_at"] == "2026-12-23T07:00:00Z"
    clock.set(paris(2026, 12, 23, 8))
    body = lookup(client, published, team)
    assert (primary(body), body["coverage_gap"], body["gap_ends_at"]) == (None, False, None)


def test_a_revoked_key_is_refused_at_once(
    client: Client, company: Company, published: str, make_client
) -> None:
    team = company.team_a.id
    assert primary(lookup(client, published, team, WEDNESDAY_NIGHT)) == "Marc Manager"
    admin = make_client()
    admin.login("admin@test.fr")
    key_id = client.app.state.database.scalar("SELECT id FROM api_keys")
    assert admin.post_form(f"/admin/api-keys/{key_id}/revoke").status_code in (302, 303)
    response = client.get(
        f"/api/v1/teams/{team}/oncall", headers={"Authorization": f"Bearer {published}"}
    )
    assert response.status_code == 401


def test_the_keys_last_use_written_once_a_minute_keeps_the_cached_answer(
    client: Client, company: Company, published: str, computed: Computed, database: Database
) -> None:
    """The key's last use is bookkeeping: the phone system calling every few seconds for
    minutes on end still gets the kept answer (and the last use is still written)."""
    team = company.team_a.id
    clock = client.app.state.clock
    clock.set(paris(2026, 12, 16, 23))
    for minute in range(5):
        clock.set(paris(2026, 12, 16, 23, minute))
        assert primary(lookup(client, published, team)) == "Marc Manager"
    assert computed.count == 1
    last_used = database.scalar("SELECT last_used_at FROM api_keys")
    assert last_used == "2026-12-16T22:04:00Z"
