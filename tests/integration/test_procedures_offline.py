"""The procedures a phone keeps offline (GET /api/v1/me/procedures and its pages) and the
checklists ticked with an intervention: only the person's teams', refreshed by version (an
ETag: unchanged, an empty answer), bounded by the phone's budget with the recent alerts'
procedures first; the ticks stored once with the version they were ticked against."""

from __future__ import annotations

import gzip
import random
from html.parser import HTMLParser

import pytest

from server.clock import to_db
from server.settings import load_settings
from tests.conftest import START
from tests.integration.intervention_helpers import create, sync_ok, update
from tests.integration.procedure_offline_helpers import (
    add_procedure,
    new_version,
    raise_alert,
)
from tests.procedure_text import procedure_markdown

URL = "/api/v1/me/procedures"


def manifest(browser, **headers) -> dict:
    response = browser.get(URL, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


class Boxes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lists: list[dict] = []
        self.items: list[str] = []
        self.title = ""
        self.in_h1 = False

    def handle_starttag(self, tag, attrs) -> None:
        found = dict(attrs)
        if "checklist" in (found.get("class") or "").split():
            self.lists.append(found)
        if tag == "input" and "data-item" in found:
            self.items.append(found["data-item"])
        self.in_h1 = tag == "h1"

    def handle_data(self, data) -> None:
        if self.in_h1:
            self.title += data

    def handle_endtag(self, tag) -> None:
        if tag == "h1":
            self.in_h1 = False


def test_the_manifest_lists_my_teams_procedures_and_an_unchanged_one_costs_nothing(
    company, database, browsers
) -> None:
    ours = add_procedure(database, company.team_a.id, "Chaudière en sécurité")
    theirs = add_procedure(database, company.team_b.id, "Serveur arrêté")
    sophie = browsers("staff.a@test.fr")
    found = manifest(sophie)
    assert [p["id"] for p in found["procedures"]] == [ours]
    (entry,) = found["procedures"]
    assert entry["version"] == 1 and entry["url"] == f"/procedures/{ours}"
    assert entry["bytes"] > 0 and found["bytes"] == entry["bytes"]
    assert found["budget"] == 1024 * 1024 and found["left_out"] == 0
    # Asked again with the version it holds: nothing to fetch.
    again = sophie.get(URL, headers={"If-None-Match": f'"{found["version"]}"'})
    assert again.status_code == 304 and again.content == b""
    # A new version changes the manifest, and the page the phone fetches carries it.
    new_version(database, ours, "- [ ] Purger\n- [ ] Réarmer\n", to_db(START))
    changed = sophie.get(URL, headers={"If-None-Match": f'"{found["version"]}"'})
    assert changed.status_code == 200
    assert changed.json()["procedures"][0]["version"] == 2
    pages = sophie.get(f"{URL}/pages", params={"ids": f"{ours},{theirs}"})
    assert pages.status_code == 200, pages.text
    (page,) = pages.json()["pages"]  # team B's procedure is not Sophie's to keep
    assert page["id"] == ours and page["version"] == 2
    boxes = Boxes()
    boxes.feed(page["html"])
    assert boxes.title == "Chaudière en sécurité"
    assert boxes.lists[0]["data-procedure"] == str(ours)
    assert boxes.lists[0]["data-version"] == "2"
    assert boxes.items == ["0", "1"]
    # Counted as the phone stores it: gzipped (the manifest's size of the same page).
    assert page["bytes"] == len(gzip.compress(page["html"].encode(), 6, mtime=0))
    assert page["bytes"] < len(page["html"].encode())
    # Team B's people, an admin in no team, nobody logged in.
    assert [p["id"] for p in manifest(browsers("staff.b@test.fr"))["procedures"]] == [theirs]
    assert manifest(browsers("admin@test.fr"))["procedures"] == []
    bruno = browsers("staff.b@test.fr").get(f"{URL}/pages", params={"ids": str(ours)})
    assert bruno.json()["pages"] == []
    assert browsers().get(URL).status_code == 401


def test_an_archived_procedure_leaves_the_phone(company, database, browsers) -> None:
    kept = add_procedure(database, company.team_a.id, "Gardée")
    gone = add_procedure(database, company.team_a.id, "Archivée")
    sophie = browsers("staff.a@test.fr")
    assert {p["id"] for p in manifest(sophie)["procedures"]} == {kept, gone}
    with database.write():
        database.execute("UPDATE procedures SET archived_at = ? WHERE id = ?", (to_db(START), gone))
    assert [p["id"] for p in manifest(sophie)["procedures"]] == [kept]


@pytest.mark.parametrize("ids", ["", "a,b", "1;2", "²", ",".join(["1"] * 101), "1" * 20])
def test_a_bad_list_of_pages_is_refused_clearly(company, database, browsers, ids) -> None:
    response = browsers("staff.a@test.fr").get(f"{URL}/pages", params={"ids": ids})
    assert response.status_code == 400
    assert "procédures" in response.json()["detail"]


def test_the_budget_keeps_the_recent_alerts_procedures_first(
    company, database, make_client, tmp_path, clock
) -> None:
    from server.app import create_app
    from tests.conftest import Client

    settings = load_settings(
        {}, data_dir=str(tmp_path / "small"), engine_interval=0, procedures_offline_kb=12
    )
    app = create_app(settings, clock=clock, database=database)
    team = company.team_a.id
    # Text that compresses like a real one: each page about 3 KB once gzipped.
    rng = random.Random(6)
    older = [
        add_procedure(
            database,
            team,
            f"Procédure {n}",
            procedure_markdown(rng, n),
            updated_at=f"2026-11-0{n}T08:00:00Z",
        )
        for n in range(1, 6)
    ]
    served = add_procedure(
        database,
        team,
        "Chaufferie",
        procedure_markdown(rng, 6),
        tags=(("source", "chaufferie"),),
        updated_at="2026-10-01T08:00:00Z",
    )
    alert = raise_alert(database, team, START, source="Chaufferie")
    with Client(app=app, base_url="http://testserver.local") as browser:
        browser.login("staff.a@test.fr")
        found = manifest(browser)
    ids = [p["id"] for p in found["procedures"]]
    # The oldest procedure serves the alert raised today: kept first; then the newest ones.
    assert ids[0] == served
    assert ids[1:] == sorted(older, reverse=True)[: len(ids) - 1]
    assert found["bytes"] <= 12 * 1024 and found["left_out"] == 6 - len(ids) > 0
    assert found["alerts"] == {str(alert): [served]}


def test_the_default_budget_keeps_200_procedures_of_5_kb(company, database, browsers) -> None:
    """Issue 16: 200 procedures of 5 KB on the phone within the default 1 MB, counted as the
    phone stores them (gzipped), with text that compresses like a real procedure."""
    rng = random.Random(16)
    bodies = [procedure_markdown(rng, n) for n in range(1, 201)]
    assert all(4997 <= len(body.encode()) <= 5000 for body in bodies)  # 5 KB (an é not cut)
    with database.write():
        database.execute("DELETE FROM procedures")  # the company's own, if any: just these 200
    ids = [
        add_procedure(database, company.team_a.id, f"Procédure {n} de la chaufferie", body)
        for n, body in enumerate(bodies, 1)
    ]
    sophie = browsers("staff.a@test.fr")
    found = manifest(sophie)
    assert found["budget"] == 1024 * 1024  # the default, ASTREINTE_PROCEDURES_OFFLINE_KB
    assert sorted(p["id"] for p in found["procedures"]) == ids and found["left_out"] == 0
    assert found["bytes"] == sum(p["bytes"] for p in found["procedures"]) <= found["budget"]
    # What the phone stores is the page gzipped: the text alone would not be smaller than that.
    pages = []
    for first in range(0, 200, 100):
        bundle = sophie.get(f"{URL}/pages", params={"ids": ",".join(map(str, ids[first:][:100]))})
        pages += bundle.json()["pages"]
    raw = sum(len(p["html"].encode()) for p in pages)
    text_ratio = sum(map(len, (b.encode() for b in bodies))) / sum(
        len(gzip.compress(b.encode(), 6)) for b in bodies
    )
    assert 1.9 < text_ratio < 2.6, text_ratio  # as real prose gzips (README: about 2.2)
    assert sum(p["bytes"] for p in pages) == found["bytes"] < raw / 2
    print(f"200 pages: {raw:,} B as HTML, {found['bytes']:,} B stored; text ratio {text_ratio:.2f}")


def test_checklist_ticks_are_stored_once_with_their_version(company, database, browsers) -> None:
    procedure = add_procedure(database, company.team_a.id, "Chaudière", versions=2)
    foreign = add_procedure(database, company.team_b.id, "Serveur")
    sophie = browsers("staff.a@test.fr")
    ticks = [
        {"procedure_id": procedure, "version": 2, "items": [0, 2, 7]},
        {"procedure_id": foreign, "version": 1, "items": [0]},
    ]
    op = create(checklist=ticks)
    assert [r["status"] for r in sync_ok(sophie, op)] == ["applied"]
    # Replayed (the phone never heard the answer): nothing more is written.
    assert [r["status"] for r in sync_ok(sophie, op)] == ["already_applied"]
    rows = database.query("SELECT procedure_id, version, items FROM intervention_checklists")
    # Item 7 is not in version 2; team B's procedure is not Sophie's: both dropped.
    assert rows == [{"procedure_id": procedure, "version": 2, "items": "[0, 2]"}]
    page = sophie.get(f"/interventions/{op['uuid']}")
    assert page.status_code == 200
    assert f'data-procedure="{procedure}" data-version="2"' in page.text
    assert "Cochée sur la version 2 : 2 sur 3" in page.text
    assert 'data-item="0" data-ticked="yes"' in page.text
    assert 'data-item="1" data-ticked="no"' in page.text
    # A change from the phone replaces that checklist's ticks; one without leaves them.
    edit = update(
        op["uuid"], version=2, checklist=[{"procedure_id": procedure, "version": 2, "items": [1]}]
    )
    assert [r["status"] for r in sync_ok(sophie, edit)] == ["applied"]
    plain = update(op["uuid"], version=3, found="Pression basse")
    assert [r["status"] for r in sync_ok(sophie, plain)] == ["applied"]
    assert database.query("SELECT items FROM intervention_checklists") == [{"items": "[1]"}]


def test_an_old_phone_without_checklists_still_syncs(company, database, browsers) -> None:
    sophie = browsers("staff.a@test.fr")
    op = create()
    assert "checklist" not in op["data"]
    assert [r["status"] for r in sync_ok(sophie, op)] == ["applied"]
    assert database.scalar("SELECT count(*) FROM intervention_checklists") == 0


def test_a_checklist_that_is_not_a_list_is_refused_and_nothing_is_written(
    company, database, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    op = create(checklist=[{"procedure_id": 1, "version": 0, "items": [-1]}])
    (result,) = sync_ok(sophie, op)
    assert result["status"] == "rejected"
    assert database.scalar("SELECT count(*) FROM interventions") == 0
    assert database.scalar("SELECT count(*) FROM intervention_checklists") == 0


def test_the_kept_page_names_its_version_and_the_form_offers_the_checklists(
    company, database, browsers
) -> None:
    procedure = add_procedure(database, company.team_a.id, "Chaudière <en> sécurité", versions=3)
    sophie = browsers("staff.a@test.fr")
    (page,) = sophie.get(f"{URL}/pages", params={"ids": str(procedure)}).json()["pages"]
    assert "Version 3" in page["html"] and "<!--astreinte" not in page["html"]
    assert "Chaudière &lt;en&gt; sécurité" in page["html"]
    assert f'href="/teams/{company.team_a.id}/procedures"' in page["html"]
    form = sophie.get("/interventions/new")
    assert form.status_code == 200
    assert 'id="procedure-checklists"' in form.text and "checklists.js" in form.text
    settings = sophie.get("/settings")
    assert 'id="procedures-kept"' in settings.text
