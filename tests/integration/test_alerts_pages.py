"""The alert pages people use on their phones: the list and the detail (their team only),
"Je prends" with and without htmx, reassigning to a teammate, raising an alert by hand, the
open alert on Today and the count in the page title.

Tonight (see alert_helpers): Sophie primary, Samuel secondary, Marc manager; now is 23:00."""

from __future__ import annotations

from tests.integration.alert_helpers import (
    Night,
    alert_pushes,
    alert_row,
    deliver,
    table_counts,
)
from tests.integration.schedule_helpers import page_text, parse
from tests.push_service import PushService


def title_of(html: str) -> str:
    return parse(html).one("title").text


def panel(html: str):
    return parse(html).one(id="alert-panel")


def test_the_team_sees_its_alerts_and_another_team_gets_403(night: Night, browsers) -> None:
    alert = night.raise_alert("Chaudière en panne", details="Bâtiment C, sous-sol")
    url = f"/alerts/{alert['id']}"

    sophie = browsers("staff.a@test.fr")
    listing = parse(sophie.get("/alerts").text)
    links = [a.attrs["href"] for a in listing.find_all("a") if a.attrs.get("href") == url]
    assert links == [url]
    assert "Chaudière en panne" in page_text(sophie.get("/alerts").text)
    detail = sophie.get(url)
    assert detail.status_code == 200
    text = page_text(detail.text)
    assert "Chaudière en panne" in text and "Bâtiment C, sous-sol" in text
    assert "Maintenance · Critique" in text
    assert panel(detail.text).find("button", type="submit").text == "Je prends"

    for outsider in ("staff.b@test.fr", "manager.b@test.fr"):
        other = browsers(outsider)
        refused = other.get(url)
        assert refused.status_code == 403, outsider
        assert "Chaudière en panne" not in refused.text
        assert "Chaudière en panne" not in other.get("/alerts").text
        assert other.post_form(f"{url}/acknowledge").status_code == 403
    assert alert_row(night.database, alert["id"])["status"] == "triggered"

    assert sophie.get("/alerts/9999").status_code == 404
    admin = browsers("admin@test.fr")
    assert admin.get(url).status_code == 200
    assert "Chaudière en panne" in admin.get("/alerts").text
    assert browsers().get(url, follow_redirects=False).headers["location"].startswith("/login")


def test_je_prends_through_the_form(night: Night, app, push: PushService, browsers) -> None:
    alert = night.raise_alert("Ascenseur bloqué")
    deliver(app)
    night.advance(minutes=3)
    sophie = browsers("staff.a@test.fr")
    answer = sophie.post_form(f"/alerts/{alert['id']}/acknowledge")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/alerts/{alert['id']}"
    text = page_text(sophie.get(f"/alerts/{alert['id']}").text)
    assert "prise en compte par Sophie Staff le mar. 15 déc. 23:03" in text
    assert "Prise en compte par staff.a@test.fr" in text
    row = alert_row(night.database, alert["id"])
    assert (row["status"], row["acknowledged_by"]) == ("acknowledged", night.company.staff_a.id)
    # Samuel is not paged at 5 minutes.
    night.at(minutes=6)
    app.state.engine.run_once()
    deliver(app)
    assert push.messages(night.samuel) == []


def test_je_prends_with_htmx_answers_the_panel_alone(night: Night, browsers) -> None:
    alert = night.raise_alert("Ascenseur bloqué")
    sophie = browsers("staff.a@test.fr")
    url = f"/alerts/{alert['id']}/acknowledge"
    answer = sophie.post_form(url, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "<html" not in answer.text
    root = panel(answer.text)
    assert root.attrs["hx-target"] == "this" and root.attrs["hx-swap"] == "outerHTML"
    assert "prise en compte par Sophie Staff" in root.text
    assert "Je prends" not in root.text  # the button is gone once taken
    # Samuel's phone was slow: he taps too, and is told in the panel.
    samuel = browsers("staff.a2@test.fr")
    late = samuel.post_form(url, headers={"HX-Request": "true"})
    assert late.status_code == 409
    assert "<html" not in late.text
    assert "Cette alerte est déjà prise en compte." in panel(late.text).text
    # Without htmx the same refusal is a whole page with the message.
    plain = samuel.post_form(url)
    assert plain.status_code == 409
    assert "Cette alerte est déjà prise en compte." in page_text(plain.text)
    assert alert_row(night.database, alert["id"])["acknowledged_by"] == night.company.staff_a.id


def test_resolve_from_the_page_closes_the_alert(night: Night, browsers) -> None:
    alert = night.raise_alert("Fuite d'eau")
    marc = browsers("manager.a@test.fr")
    answer = marc.post_form(f"/alerts/{alert['id']}/resolve", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    root = panel(answer.text)
    assert "résolue" in root.text
    assert "Résolue par manager.a@test.fr" in root.text
    assert root.find("form") is None  # nothing left to do on a resolved alert
    row = alert_row(night.database, alert["id"])
    assert (row["status"], row["resolved_by"]) == ("resolved", night.company.manager_a.id)


def test_reassigning_to_a_teammate_pages_them(
    night: Night, app, push: PushService, database, browsers
) -> None:
    alert = night.raise_alert("Coupure réseau agence")
    deliver(app)
    assert len(alert_pushes(push, night.sophie)) == 1
    night.advance(minutes=2)

    sophie = browsers("staff.a@test.fr")
    answer = sophie.post_form(
        f"/alerts/{alert['id']}/reassign", {"user_id": str(night.company.manager_a.id)}
    )
    assert answer.status_code == 303
    deliver(app)
    (message,) = alert_pushes(push, night.marc)
    assert message["tag"] == f"alert-{alert['id']}"
    row = alert_row(database, alert["id"])
    assert (row["assigned_user_id"], row["status"]) == (night.company.manager_a.id, "triggered")
    text = page_text(sophie.get(f"/alerts/{alert['id']}").text)
    assert "Confiée à Marc Manager par staff.a@test.fr" in text
    # Marc now has it on Today.
    marc = browsers("manager.a@test.fr")
    assert "1 alerte ouverte pour vous" in page_text(marc.get("/").text)


def test_whoever_hands_an_alert_over_is_not_paged_for_it_again(
    night: Night, app, push: PushService, browsers
) -> None:
    # "Escalation restarts from them" (store.reassign): the first page after a reassignment
    # goes to the new holder, not again to the primary who just gave the alert away.
    alert = night.raise_alert("Coupure réseau agence")
    deliver(app)
    sophie = browsers("staff.a@test.fr")
    sophie.post_form(
        f"/alerts/{alert['id']}/reassign", {"user_id": str(night.company.manager_a.id)}
    )
    deliver(app)
    assert len(alert_pushes(push, night.marc)) == 1
    assert len(alert_pushes(push, night.sophie)) == 1


def test_reassigning_to_someone_outside_the_team_is_refused(
    night: Night, app, database, browsers
) -> None:
    alert = night.raise_alert("Coupure réseau agence")
    before = alert_row(database, alert["id"])
    sophie = browsers("staff.a@test.fr")
    for value in (str(night.company.staff_b.id), "", "abc"):
        answer = sophie.post_form(f"/alerts/{alert['id']}/reassign", {"user_id": value})
        assert answer.status_code == 400, value
        assert "Cette personne ne fait pas partie de cette équipe." in page_text(answer.text)
    assert alert_row(database, alert["id"]) == before


def test_raising_an_alert_by_hand_pages_the_person_on_call(
    night: Night, app, push: PushService, database, browsers
) -> None:
    marc = browsers("manager.a@test.fr")
    form = parse(marc.get("/alerts/new").text).one("form", action="/alerts/new")
    teams = [
        o.attrs["value"] for o in form.find_all("option") if o.attrs.get("value", "").isdigit()
    ]
    assert teams == [str(night.company.team_a.id)]
    answer = marc.post_form(
        "/alerts/new",
        {
            "team_id": str(night.company.team_a.id),
            "title": "Client Dupont : plus de chauffage",
            "details": "Rappeler au 06 12 34 56 78",
            "severity": "critical",
        },
    )
    assert answer.status_code == 303
    alert_id = int(answer.headers["location"].rsplit("/", 1)[1])
    row = alert_row(database, alert_id)
    assert (row["title"], row["source"], row["team_id"]) == (
        "Client Dupont : plus de chauffage",
        "dispatcher",
        night.company.team_a.id,
    )
    deliver(app)
    (message,) = alert_pushes(push, night.sophie)
    assert "Client Dupont : plus de chauffage" in message["title"]
    assert message["tag"] == f"alert-{alert_id}"
    assert "Alerte déclenchée (manager.a@test.fr)" in page_text(
        marc.get(f"/alerts/{alert_id}").text
    )


def test_raising_an_alert_badly_shows_the_form_again_and_writes_nothing(
    night: Night, database, browsers
) -> None:
    before = table_counts(database)
    marc = browsers("manager.a@test.fr")
    team = str(night.company.team_a.id)
    for data in (
        {"team_id": team, "title": "", "severity": "critical"},
        {"team_id": team, "title": "Panne", "severity": "apocalyptic"},
        {"team_id": "x", "title": "Panne", "severity": "critical"},
    ):
        answer = marc.post_form("/alerts/new", data)
        assert answer.status_code == 400, data
        form = parse(answer.text).one("form", action="/alerts/new")
        assert parse(answer.text).find(class_="error") is not None
        assert form.find("input", name="title").attrs.get("value", "") == data["title"]
    assert table_counts(database) == before


def test_raising_an_alert_for_another_team_is_403(night: Night, database, browsers) -> None:
    before = table_counts(database)
    bruno = browsers("staff.b@test.fr")
    answer = bruno.post_form(
        "/alerts/new",
        {"team_id": str(night.company.team_a.id), "title": "Fausse alerte", "severity": "info"},
    )
    assert answer.status_code == 403
    assert "Cette alerte appartient à une autre équipe." in page_text(answer.text)
    assert table_counts(database) == before


def test_today_and_the_title_show_the_open_alert_to_the_paged_person(
    night: Night, app, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    samuel = browsers("staff.a2@test.fr")
    assert not title_of(sophie.get("/").text).startswith("(")
    alert = night.raise_alert("Chaudière en panne")

    today = sophie.get("/").text
    assert title_of(today).startswith("(1) ")
    section = parse(today).section("alerts-title")
    assert "1 alerte ouverte pour vous" in section.text
    assert "Chaudière en panne" in section.text
    assert section.find("a", href=f"/alerts/{alert['id']}") is not None
    assert title_of(sophie.get("/alerts").text).startswith("(1) Alertes")
    # Samuel was not paged yet: nothing for him.
    assert "alerte ouverte pour vous" not in samuel.get("/").text
    assert not title_of(samuel.get("/").text).startswith("(")

    # At 5 minutes he is paged, and sees it too.
    night.at(minutes=5)
    app.state.engine.run_once()
    assert "1 alerte ouverte pour vous" in page_text(samuel.get("/").text)
    assert title_of(samuel.get("/").text).startswith("(1) ")

    # Once Sophie takes it, the count leaves the titles.
    sophie.post_form(f"/alerts/{alert['id']}/acknowledge")
    assert not title_of(sophie.get("/").text).startswith("(")
    assert not title_of(samuel.get("/alerts").text).startswith("(")
