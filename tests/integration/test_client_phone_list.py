"""The phone's copy of its teams' clients (GET /api/v1/me/clients) and the client an
intervention names: only the person's teams' clients, access codes only while on call, an
ETag so an unchanged list costs nothing; sync refuses another team's client or a wrong site,
and old phones' payloads without the fields are still applied."""

from __future__ import annotations

import json

from tests.integration.alert_helpers import NIGHT, Night
from tests.integration.caller_helpers import add_client
from tests.integration.intervention_helpers import create, row, statuses, sync_ok, update

URL = "/api/v1/me/clients"
CODES = "Badge 77, clé chez la gardienne"


def shops(night: Night) -> tuple[dict, dict]:
    """A client of team A with a site and codes, and one of team B."""
    ours = add_client(
        night.database,
        night.company.team_a.id,
        "Hôtel Bellevue",
        contact="Jérôme Petit",
        sites=[
            {
                "name": "Réception",
                "address": "3 place Bellecour, Lyon",
                "latitude": 45.757,
                "longitude": 4.832,
                "access_instructions": "Sonner à la porte de service",
                "access_codes": CODES,
            }
        ],
        phones=[("04 78 00 00 01", None)],
    )
    theirs = add_client(
        night.database,
        night.company.team_b.id,
        "Cabinet Martin",
        sites=[{"name": "Bureau", "address": "9 rue Garibaldi"}],
    )
    return ours, theirs


def listed(browser) -> dict:
    response = browser.get(URL)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_list_holds_my_teams_clients_with_codes_only_while_on_call(
    night: Night, browsers
) -> None:
    ours, _theirs = shops(night)
    add_client(night.database, night.company.team_a.id, "Effacé", erased=True)
    # Sophie is on call tonight (primary): the codes come, until the end of her duty.
    sophie = listed(browsers("staff.a@test.fr"))
    assert [c["name"] for c in sophie["clients"]] == ["Hôtel Bellevue"]
    (client,) = sophie["clients"]
    assert client["contact"] == "Jérôme Petit" and client["phones"] == ["+33478000001"]
    (site,) = client["sites"]
    assert site["id"] == ours["sites"][0]
    assert site["address"] == "3 place Bellecour, Lyon" and site["lat"] == 45.757
    assert site["instructions"] == "Sonner à la porte de service"
    assert site["codes"] == CODES
    (team,) = sophie["teams"]
    assert team["id"] == night.company.team_a.id and team["codes_until"] is not None
    # Marc manages team A and is not on call: the list, without the codes.
    marc = listed(browsers("manager.a@test.fr"))
    assert marc["clients"][0]["name"] == "Hôtel Bellevue"
    assert "codes" not in marc["clients"][0]["sites"][0]
    assert marc["teams"][0]["codes_until"] is None
    # Team B's people never see team A's clients; an admin in no team sees none.
    assert [c["name"] for c in listed(browsers("staff.b@test.fr"))["clients"]] == ["Cabinet Martin"]
    assert listed(browsers("admin@test.fr"))["clients"] == []
    assert browsers().get(URL).status_code == 401


def test_a_person_of_two_teams_gets_both_and_codes_go_when_the_duty_ends(
    night: Night, browsers
) -> None:
    shops(night)
    from server.audit.models import Actor
    from server.teams.store import set_membership

    set_membership(
        night.database,
        night.company.team_b.id,
        night.company.staff_a.id,
        "member",
        actor=Actor(label="test"),
        now=NIGHT,
    )
    sophie = browsers("staff.a@test.fr")
    names = sorted(c["name"] for c in listed(sophie)["clients"])
    assert names == ["Cabinet Martin", "Hôtel Bellevue"]
    # A week later she is no longer on call: the codes are not sent any more.
    night.advance(days=7)
    later = listed(sophie)
    assert all("codes" not in s for c in later["clients"] for s in c["sites"])


def test_an_unchanged_list_is_a_304_and_a_change_gives_a_new_version(
    night: Night, browsers
) -> None:
    ours, _theirs = shops(night)
    marc = browsers("manager.a@test.fr")
    first = marc.get(URL)
    etag = first.headers["etag"]
    assert etag == f'"{first.json()["version"]}"'
    again = marc.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    with night.database.write():
        night.database.execute(
            "UPDATE client_sites SET address = '5 place Bellecour, Lyon' WHERE id = ?",
            (ours["sites"][0],),
        )
    changed = marc.get(URL, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.json()["clients"][0]["sites"][0]["address"] == "5 place Bellecour, Lyon"


def test_an_intervention_names_a_client_of_my_team_and_its_site(night: Night, browsers) -> None:
    ours, theirs = shops(night)
    sophie = browsers("staff.a@test.fr")
    good = create(client_id=ours["id"], site_id=ours["sites"][0])
    other_team = create(client_id=theirs["id"])
    wrong_site = create(client_id=ours["id"], site_id=theirs["sites"][0])
    site_alone = create(site_id=ours["sites"][0])
    missing = create(client_id=999_999)
    results = sync_ok(sophie, good, other_team, wrong_site, site_alone, missing)
    assert statuses(results) == ["applied", "rejected", "rejected", "rejected", "rejected"]
    assert results[1]["field"] == "client_id"
    assert results[1]["reason"] == "Ce client appartient à une autre équipe."
    assert results[2]["field"] == "site_id"
    assert results[3]["field"] == "site_id"
    assert results[4]["field"] == "client_id"
    stored = row(night.database, good["uuid"])
    assert (stored["client_id"], stored["site_id"]) == (ours["id"], ours["sites"][0])
    for refused in (other_team, wrong_site, site_alone, missing):
        assert row(night.database, refused["uuid"]) is None
    # An edit that takes the client off keeps no client.
    (result,) = sync_ok(sophie, update(good["uuid"], version=2, client_id=None, site_id=None))
    assert result["status"] == "applied"
    assert row(night.database, good["uuid"])["client_id"] is None


def test_an_old_phones_payload_without_the_fields_is_still_applied(night: Night, browsers) -> None:
    sophie = browsers("staff.a@test.fr")
    old = create()
    del old["data"]["alert_id"]  # an older app sent fewer fields still
    assert "client_id" not in old["data"]
    assert statuses(sync_ok(sophie, old)) == ["applied"]
    stored = row(night.database, old["uuid"])
    assert stored is not None and stored["client_id"] is None and stored["site_id"] is None


def test_the_form_from_an_alert_names_its_client_and_the_export_carries_it(
    night: Night, browsers
) -> None:
    ours, _theirs = shops(night)
    response = night.api.post(
        "/api/v1/calls",
        json={"caller": "0478000001"},
        headers={"Authorization": f"Bearer {night.token}"},
    )
    alert = response.json()
    sophie = browsers("staff.a@test.fr")
    page = sophie.get(f"/interventions/new?alert={alert['id']}").text
    assert f'name="client_id" value="{ours["id"]}"' in page
    assert f'name="site_id" value="{ours["sites"][0]}"' in page
    assert "Hôtel Bellevue" in page
    # A client id typed into the form of another team names nobody on the page sent back.
    bruno = browsers("staff.b@test.fr")
    form = {"started_at": "2026-12-15T20:00", "ended_at": "2026-12-15T19:00"}
    refused = bruno.post_form("/interventions/new", {**form, "client_id": str(ours["id"])})
    assert refused.status_code == 400 and "Hôtel Bellevue" not in refused.text
    sync_ok(sophie, create(client_id=ours["id"], site_id=ours["sites"][0]))
    marc = browsers("manager.a@test.fr")
    csv = marc.get(
        "/interventions/team",
        params={
            "format": "csv",
            "team": night.company.team_a.id,
            "start": "2026-11-01",
            "end": "2026-12-31",
        },
    )
    header, *lines = csv.text.lstrip("\ufeff").splitlines()
    assert header.split(";")[-2:] == ["client_id", "site_id"]
    assert lines and lines[0].split(";")[-2:] == [str(ours["id"]), str(ours["sites"][0])]
    assert CODES not in csv.text


def test_the_owners_edit_on_the_phone_keeps_the_client(night: Night, browsers) -> None:
    ours, _theirs = shops(night)
    sophie = browsers("staff.a@test.fr")
    made = create(client_id=ours["id"], site_id=ours["sites"][0])
    sync_ok(sophie, made)
    # The record the page gives the phone's form, which sends its data back as the edit.
    page = sophie.get(f"/interventions/new?edit={made['uuid']}").text
    start = page.index('id="intervention-record">') + len('id="intervention-record">')
    record = json.loads(page[start : page.index("</script>", start)])
    assert record["data"]["client_id"] == ours["id"]
    assert record["data"]["site_id"] == ours["sites"][0]
