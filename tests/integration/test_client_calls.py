"""Calls name their client: a caller's number as any phone system writes it is matched to a
client of the key's team (E.164), the alert names the client and its site (never its access
codes), and the alert's page shows the client, the address and, to the team, the codes."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

from tests.integration.alert_helpers import Night, alert_pushes, bearer, deliver
from tests.integration.caller_helpers import add_client
from tests.integration.intervention_helpers import create, new_uuid, sync_ok

CODES = "Porte 4521B, clé boîte rouge"


def call(night: Night, caller: str, token: str | None = None) -> dict:
    response = night.api.post(
        "/api/v1/calls", json={"caller": caller}, headers=bearer(token or night.token)
    )
    assert response.status_code == 201, response.text
    return response.json()


def boulangerie(night: Night, team_id: int | None = None, **extra) -> dict:
    return add_client(
        night.database,
        team_id or night.company.team_a.id,
        "Boulangerie Dupré",
        contact="Élodie Dupré",
        sites=[
            {
                "name": "Fournil",
                "address": "12 rue des Lilas, Lyon",
                "access_instructions": "Entrée par la cour",
                "access_codes": CODES,
            }
        ],
        phones=[("+33 6 12 34 56 78", None)],
        **extra,
    )


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")


def page_of(html: str) -> Text:
    parser = Text()
    parser.feed(html)
    return parser


def test_a_call_from_a_known_number_typed_otherwise_names_the_client_and_its_site(
    night: Night, app, push
) -> None:
    client = boulangerie(night)
    alert = call(night, "06 12 34 56 78")
    assert alert["client_id"] == client["id"]
    assert alert["site_id"] == client["sites"][0]
    assert "Boulangerie Dupré" in alert["title"]
    row = night.database.one("SELECT * FROM alerts WHERE id = ?", (alert["id"],))
    assert (row["client_id"], row["site_id"]) == (client["id"], client["sites"][0])
    assert "12 rue des Lilas, Lyon" in row["details"]
    # The push says who calls, and never how to get in.
    deliver(app)
    (message,) = alert_pushes(push, night.sophie)
    assert "Boulangerie Dupré" in message["title"]
    assert "4521B" not in str(message) and "4521B" not in row["details"] + row["title"]
    assert "Entrée par la cour" not in row["details"]


def test_the_alert_page_shows_the_client_and_the_codes_to_the_team_only(
    night: Night, browsers
) -> None:
    client = boulangerie(night)
    alert = call(night, "+33612345678")
    member = page_of(browsers("staff.a@test.fr").get(f"/alerts/{alert['id']}").text)
    text = " ".join(member.parts)
    assert f"/clients/{client['id']}" in member.links
    assert "Boulangerie Dupré" in text and "12 rue des Lilas, Lyon" in text
    assert "Entrée par la cour" in text and CODES in text
    # The form opened from the alert names its client and site, offline too (the address).
    assert any(
        link.startswith(f"/interventions/new?alert={alert['id']}&client={client['id']}")
        and link.endswith(f"&site={client['sites'][0]}")
        for link in member.links
    ), member.links
    # An admin outside the team sees the alert, not the client's keys.
    admin = " ".join(page_of(browsers("admin@test.fr").get(f"/alerts/{alert['id']}").text).parts)
    assert "Boulangerie Dupré" in admin and CODES not in admin
    # Another team's person sees nothing of it.
    assert browsers("staff.b@test.fr").get(f"/alerts/{alert['id']}").status_code == 403


def test_an_unknown_number_names_nobody(night: Night) -> None:
    boulangerie(night)
    alert = call(night, "+33 7 00 00 00 01")
    assert alert["client_id"] is None and alert["site_id"] is None
    assert alert["title"] == "Appel entrant de +33 7 00 00 00 01"
    # Nor does a caller id that is no number at all (a hidden number).
    assert call(night, "anonymous")["client_id"] is None


def test_an_erased_client_is_not_matched(night: Night) -> None:
    boulangerie(night, erased=True)
    alert = call(night, "0612345678")
    assert alert["client_id"] is None
    assert "Boulangerie" not in alert["title"]


def test_another_teams_client_is_never_matched(night: Night) -> None:
    boulangerie(night, team_id=night.company.team_b.id)
    alert = call(night, "0612345678")
    assert alert["client_id"] is None
    # Team B's own key does find it.
    assert call(night, "0612345678", night.other_token)["client_id"] is not None


def test_the_site_is_the_numbers_else_the_only_one_else_none(night: Night) -> None:
    team = night.company.team_a.id
    two = [{"name": "Nord", "address": "1 rue A"}, {"name": "Sud", "address": "2 rue B"}]
    shop = add_client(
        night.database,
        team,
        "Deux sites",
        sites=two,
        phones=[("0472000001", None), ("0472000002", 1)],
    )
    by_number = call(night, "04 72 00 00 02")
    assert (by_number["client_id"], by_number["site_id"]) == (shop["id"], shop["sites"][1])
    general = call(night, "04 72 00 00 01")
    assert (general["client_id"], general["site_id"]) == (shop["id"], None)
    # A switchboard two clients share names neither.
    add_client(night.database, team, "Voisin A", phones=[("0472000099", None)])
    add_client(night.database, team, "Voisin B", phones=[("0472000099", None)])
    assert call(night, "0472000099")["client_id"] is None


def test_the_alerts_list_and_the_interventions_page_name_the_client(night: Night, browsers) -> None:
    """Where people look: the alerts list names the caller's client; the intervention's page
    names the client (a link to its page for the team) and the site, never the site's access."""
    client = boulangerie(night)
    alert = call(night, "06 12 34 56 78")
    night.raise_alert("Sonde température")
    sophie = browsers("staff.a@test.fr")
    listing = sophie.get("/alerts").text
    rows = {row.split("</strong>")[0].rsplit(">", 1)[-1]: row for row in listing.split("<li")[1:]}
    call_row = next(row for title, row in rows.items() if "Boulangerie" in title)
    assert "Client: Boulangerie Dupré" in " ".join(page_of(call_row).parts).replace("\n", " ")
    assert "Client" not in " ".join(page_of(rows["Sonde température"]).parts)
    assert CODES not in listing and "Entrée par la cour" not in listing

    started = night.advance(minutes=20)
    record = new_uuid()
    sync_ok(
        sophie,
        create(
            record,
            changed_at=night.advance(minutes=50),
            started_at=started,
            ended_at=started + timedelta(minutes=40),
            alert_id=alert["id"],
            client_id=client["id"],
            site_id=client["sites"][0],
        ),
    )
    own = page_of(sophie.get(f"/interventions/{record}").text)
    text = " ".join(own.parts)
    assert f"/clients/{client['id']}" in own.links
    assert "Boulangerie Dupré" in text and "Fournil" in text and "12 rue des Lilas, Lyon" in text
    assert "4521B" not in text and "Entrée par la cour" not in text
    # The team's manager sees the same; an erased client is named nowhere.
    assert "Boulangerie Dupré" in browsers("manager.a@test.fr").get(f"/interventions/{record}").text
    with night.database.write():
        night.database.execute("UPDATE clients SET erased_at = name WHERE id = ?", (client["id"],))
    assert "Boulangerie" not in sophie.get(f"/interventions/{record}").text
    assert 'class="alert-client"' not in sophie.get("/alerts").text
