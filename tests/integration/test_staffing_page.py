"""The needs page (/teams/{id}/needs): a pinned clock, alerts at known hours and a schedule
ahead → people needed beside people on call, under- and over-covered hours, the what-if
volume, the CSV, bad parameters and who may see it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from server.clock import ManualClock, to_db
from server.db import Database
from server.staffing.erlang import Demand, staffing
from tests.conftest import Client, Company
from tests.integration.intervention_helpers import raise_alert
from tests.integration.schedule_helpers import page_text, paris, parse
from tests.integration.swap_helpers import add_shift

# Wednesday 16 December 2026: the last complete week is Monday 7 to Sunday 13 December, and the
# schedule is looked at from Thursday 17 December to Wednesday 13 January.
NOW = paris(2026, 12, 16, 10)
BUSY_CALLS = 20  # alerts on Tuesday 8 December between 10:00 and 11:00, Paris time


def needed(calls: float, handle_seconds: float) -> int:
    """The team's default objective: 90 % of alerts answered within 15 minutes."""
    return staffing(
        Demand(
            calls_per_hour=calls,
            handle_seconds=handle_seconds,
            answer_within_seconds=15 * 60,
            service_level=0.9,
        )
    ).agents


def add_intervention(database: Database, alert_id: int, user_id: int, team_id: int) -> None:
    """45 minutes on site after 15 minutes of travel: an hour of handle time."""
    start = paris(2026, 12, 8, 10, 30)
    with database.write():
        database.insert(
            "interventions",
            {
                "uuid": f"needs-{alert_id}",
                "user_id": user_id,
                "team_id": team_id,
                "alert_id": alert_id,
                "started_at": to_db(start),
                "ended_at": to_db(start + timedelta(minutes=45)),
                "travel_minutes": 15,
                "mode": "on_site",
                "outcome": "resolved",
                "client_changed_at": to_db(start),
                "server_changed_at": to_db(start),
                "created_at": to_db(start),
                "updated_at": to_db(start),
            },
        )


@pytest.fixture
def history(company: Company, database: Database, clock: ManualClock) -> Company:
    team = company.team_a.id
    for minute in range(BUSY_CALLS):
        at = paris(2026, 12, 8, 10, minute * 3)
        alert = raise_alert(database, team, f"Chaudière {minute}", at)
    add_intervention(database, alert, company.staff_a.id, team)
    raise_alert(database, team, "Ascenseur", paris(2026, 12, 10, 3, 15))  # Thursday 03:00
    raise_alert(database, team, "Hors fenêtre", paris(2026, 12, 1, 10, 5))  # the week before
    raise_alert(database, company.team_b.id, "Autre équipe", paris(2026, 12, 8, 10, 1))
    # Sophie holds the primary layer the whole four weeks ahead; Samuel the backup, except on
    # Tuesday 22 December between 09:30 and 11:30 (so Tuesday 10–11 has one person at least once).
    add_shift(database, team, company.staff_a.id, paris(2026, 12, 17), paris(2027, 1, 14))
    add_shift(
        database, team, company.staff_a2.id, paris(2026, 12, 17), paris(2026, 12, 22, 9, 30),
        layer="secondary",
    )  # fmt: skip
    add_shift(
        database, team, company.staff_a2.id, paris(2026, 12, 22, 11, 30), paris(2027, 1, 14),
        layer="secondary",
    )  # fmt: skip
    clock.set(NOW)
    return company


def row_of(html: str, weekday: int, hour: int):
    """The band of `weekday` (Monday = 0) holding `hour`: its cells' texts and its class."""
    day = parse(html).one(id=f"needs-day-{weekday}")
    for row in day.find_all("tr"):
        start, end = row.attrs.get("data-start"), row.attrs.get("data-end")
        if start is not None and int(start) <= hour < int(end):
            cells = [cell.text.strip() for cell in row.find_all("th") + row.find_all("td")]
            return cells, row.attrs["class"]
    raise AssertionError(f"no band holds {weekday} {hour}")


def manager(client: Client, company: Company) -> Client:
    client.login(company.manager_a.email)
    return client


def test_the_busy_hour_needs_more_people_than_the_schedule_provides(
    history: Company, client: Client
) -> None:
    page = manager(client, history).get(f"/teams/{history.team_a.id}/needs?weeks=1")
    assert page.status_code == 200
    need = needed(BUSY_CALLS, 3600)
    assert need > 1
    cells, kind = row_of(page.text, 1, 10)
    # Tuesday 10:00–11:00: 20 calls of an hour each; one person on call on the thinnest week.
    assert cells[0] == "10:00–11:00"
    assert (cells[2], cells[3].split()[0], kind) == (str(need), "1", "needs-under")
    assert "sous-couvert" in cells[3]
    text = page_text(page.text)
    assert f"mardi 10:00–11:00 : il en faut {need} · d’astreinte : titulaire 1, renfort 0" in text
    # The handle time is the intervention's hour (45 minutes and 15 of travel).
    assert "60 min" in text
    # Thursday 03:00 had one alert of an hour: Erlang C asks for 3 (it overstates tiny
    # volumes, as the page says), two are on call.
    cells, kind = row_of(page.text, 3, 3)
    assert (cells[2], cells[3].split()[0], kind) == (str(needed(1, 3600)), "2", "needs-under")
    assert "2 heures de la semaine sont sous-couvertes" in text
    # Monday had no alert: one person is enough, and two are on call all day.
    cells, kind = row_of(page.text, 0, 12)
    assert (cells[0], cells[2], cells[3].split()[0], kind) == (
        "00:00–24:00",
        "1",
        "2",
        "needs-over",
    )


def test_more_volume_raises_the_need(history: Company, client: Client) -> None:
    browser = manager(client, history)
    url = f"/teams/{history.team_a.id}/needs?weeks=1"
    before, _ = row_of(browser.get(url).text, 1, 10)
    after, _ = row_of(browser.get(url + "&volume=120").text, 1, 10)
    assert int(before[2]) == needed(BUSY_CALLS, 3600)
    assert int(after[2]) == needed(BUSY_CALLS * 1.2, 3600) > int(before[2])
    assert after[1] == "24"


def test_without_interventions_the_default_handle_time_is_said(
    history: Company, client: Client, database: Database
) -> None:
    with database.write():
        database.execute("UPDATE interventions SET deleted_at = ?", (to_db(NOW),))
    page = manager(client, history).get(f"/teams/{history.team_a.id}/needs?weeks=1")
    assert "30 min, la valeur par défaut" in page_text(page.text)
    cells, _ = row_of(page.text, 1, 10)
    assert int(cells[2]) == needed(BUSY_CALLS, 1800)


def test_more_weeks_spread_the_same_alerts(history: Company, client: Client) -> None:
    page = manager(client, history).get(f"/teams/{history.team_a.id}/needs?weeks=2")
    cells, _ = row_of(page.text, 1, 10)
    # The week before adds one alert at Tuesday 10:05: 21 alerts over 2 weeks.
    assert cells[1] == "10,5"


def test_the_csv_has_every_hour_of_the_week(history: Company, client: Client) -> None:
    answer = manager(client, history).get(f"/teams/{history.team_a.id}/needs.csv?weeks=1")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 168
    busy = next(r for r in rows if (r["weekday"], r["hour"]) == ("tuesday", "10:00"))
    assert (busy["alerts"], busy["needed"], busy["provided"], busy["coverage"]) == (
        str(BUSY_CALLS), str(needed(BUSY_CALLS, 3600)), "1", "under",
    )  # fmt: skip
    # The layers come after the columns that were there before, the same numbers as the page.
    assert list(rows[0])[-2:] == ["primary", "backup"]
    assert list(rows[0])[:9] == [
        "weekday", "hour", "alerts", "calls_per_hour", "traffic_erlangs", "needed",
        "service_level", "provided", "coverage",
    ]  # fmt: skip
    assert (busy["primary"], busy["backup"]) == ("1", "0")
    monday = next(r for r in rows if (r["weekday"], r["hour"]) == ("monday", "12:00"))
    assert (monday["primary"], monday["backup"], monday["provided"]) == ("1", "1", "2")


def test_each_run_says_which_layer_is_held(
    history: Company, client: Client, database: Database
) -> None:
    page = manager(client, history).get(f"/teams/{history.team_a.id}/needs?weeks=1")
    # Tuesday 10–11: the backup is missing one week of the four, so only the primary counts,
    # one person where Erlang C asks for more.
    cells, kind = row_of(page.text, 1, 10)
    assert (cells[2], kind) == (str(needed(BUSY_CALLS, 3600)), "needs-under")
    assert "titulaire 1, renfort 0" in cells[3] and cells[3].startswith("1 ")
    # Tuesday 09–10 has one person too, but no alert: met, and a run of its own apart from
    # 10–11 (a different need) and from 08–09 (both layers held).
    cells, kind = row_of(page.text, 1, 9)
    assert (cells[0], cells[2], kind) == ("09:00–10:00", "1", "needs-met")
    assert "titulaire 1, renfort 0" in cells[3]
    cells, kind = row_of(page.text, 1, 8)
    assert (cells[0], kind) == ("00:00–09:00", "needs-over")
    assert "titulaire 1, renfort 1" in cells[3]
    # In English, the same words the brief's managers use.
    with database.write():
        database.execute("UPDATE users SET locale = 'en' WHERE id = ?", (history.manager_a.id,))
    page = client.get(f"/teams/{history.team_a.id}/needs?weeks=1")
    cells, _ = row_of(page.text, 1, 10)
    assert "primary 1, backup 0" in cells[3]
    need = needed(BUSY_CALLS, 3600)
    assert f"Tuesday 10:00–11:00: needs {need} · on call: primary 1, backup 0" in page_text(
        page.text
    )


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("weeks=0", "weeks"),
        ("weeks=53", "weeks"),
        ("weeks=douze", "weeks"),
        ("weeks=1.5", "weeks"),
        ("volume=0", "volume"),
        ("volume=1001", "volume"),
        ("volume=-20", "volume"),
    ],
)
def test_a_bad_parameter_is_refused_naming_it(
    history: Company, client: Client, query: str, named: str
) -> None:
    browser = manager(client, history)
    for path in ("needs", "needs.csv"):
        answer = browser.get(f"/teams/{history.team_a.id}/{path}?{query}")
        assert answer.status_code == 400
        assert named in page_text(answer.text)


def test_staff_and_the_manager_of_another_team_are_refused(
    history: Company, client: Client, make_client
) -> None:
    url = f"/teams/{history.team_a.id}/needs"
    client.login(history.staff_a.email)
    assert client.get(url).status_code == 403
    other = make_client()
    other.login(history.manager_b.email)
    assert other.get(url).status_code == 403
    assert other.get(f"/teams/{history.team_b.id}/needs").status_code == 200
    admin = make_client()
    admin.login(history.admin.email)
    assert admin.get(url).status_code == 200
    # The Team tab leads each team's managers there, and nobody else.
    assert f'href="{url}"' in manager(make_client(), history).get("/team").text
    assert f'href="{url}"' not in client.get("/team").text


def test_the_objective_is_set_in_the_team_policy(history: Company, client: Client) -> None:
    browser = manager(client, history)
    form = parse(browser.get(f"/rest/policy?team={history.team_a.id}").text)
    values = {
        node.attrs["name"]: node.attrs.get("value", "")
        for node in form.find_all("input")
        if node.attrs.get("name") and node.attrs.get("type") != "checkbox"
    }
    assert (values["response_within_minutes"], values["response_target_percent"]) == ("15", "90")
    values.pop("_csrf_token", None)
    refused = browser.post_form(
        f"/rest/policy?team={history.team_a.id}",
        {**values, "response_target_percent": "100", "reason": "Objectif"},
    )
    assert refused.status_code == 400
    saved = browser.post_form(
        f"/rest/policy?team={history.team_a.id}",
        {
            **values,
            "response_within_minutes": "60",
            "response_target_percent": "50",
            "reason": "Objectif revu en réunion",
        },
    )
    assert saved.status_code == 303
    page = browser.get(f"/teams/{history.team_a.id}/needs?weeks=1")
    cells, _ = row_of(page.text, 1, 10)
    relaxed = staffing(
        Demand(
            calls_per_hour=20, handle_seconds=3600, answer_within_seconds=3600, service_level=0.5
        )
    ).agents
    assert int(cells[2]) == relaxed < needed(BUSY_CALLS, 3600)
    assert "50 % des alertes en 60 minutes" in page_text(page.text)
