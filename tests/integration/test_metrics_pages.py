"""The figures a manager reads on the dashboard, downloads as CSV and an integration reads from
the API are the same numbers: a small known history of October 2026 (and one alert of
September, the period before) with the clock pinned at 30 November 2026; bad periods are
refused with a sentence naming the parameter."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from server.apikeys.store import create_key
from server.audit.models import Actor
from server.clock import ManualClock, to_db
from server.db import Database
from server.metrics.store.volume import alerts_per_day
from tests.conftest import Client, Company

# 08:00 UTC is 10:00 in Paris (summer time until 25 October).
OCTOBER_ALERTS = [
    (datetime(2026, 10, 6, 8, 0, tzinfo=UTC), 60),  # Tuesday
    (datetime(2026, 10, 7, 8, 0, tzinfo=UTC), 120),  # Wednesday
    (datetime(2026, 10, 8, 20, 30, tzinfo=UTC), 600),  # Thursday, 22:30 in Paris
]
SEPTEMBER_ALERT = (datetime(2026, 9, 15, 8, 0, tzinfo=UTC), 300)


class FigureRows(HTMLParser):
    """The summary's rows by figure key (data-figure), each as the text of its cells, and the
    text of the people table's rows."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.people: list[list[str]] = []
        self._row: list[str] | None = None
        self._key: str | None = None
        self._cell: list[str] | None = None
        self._in_people = False
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and "people-table" in (attributes.get("class") or ""):
            self._in_people = True
        if tag == "tr":
            self._key = attributes.get("data-figure")
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []
        if tag in ("details", "span") and "define" in (attributes.get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "details" and self._skip:
            self._skip -= 1
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag == "tr" and self._row is not None:
            if self._key:
                self.rows[self._key] = self._row
            elif self._in_people:
                self.people.append(self._row)
            self._row, self._key = None, None
        if tag == "table":
            self._in_people = False

    def handle_data(self, data):
        if self._cell is not None and not self._skip:
            self._cell.append(data)


def parsed(html: str) -> FigureRows:
    parser = FigureRows()
    parser.feed(html)
    return parser


def add_alert(database: Database, team_id: int, created: datetime, ack_seconds: int) -> None:
    acknowledged = created + timedelta(seconds=ack_seconds)
    with database.write():
        database.insert(
            "alerts",
            {
                "team_id": team_id,
                "title": "Chaudière en panne",
                "source": "GTC",
                "severity": "critical",
                "status": "resolved",
                "created_at": to_db(created),
                "acknowledged_at": to_db(acknowledged),
                "resolved_at": to_db(acknowledged + timedelta(hours=1)),
                "policy": "{}",
            },
        )


@pytest.fixture
def history(company: Company, database: Database, clock: ManualClock) -> str:
    """Team A's alerts of October and September, Sophie's night on call of 12 October (14 h),
    and the team's API key."""
    team = company.team_a.id
    for created, seconds in [*OCTOBER_ALERTS, SEPTEMBER_ALERT]:
        add_alert(database, team, created, seconds)
    add_alert(database, company.team_b.id, datetime(2026, 10, 9, 8, tzinfo=UTC), 9)
    now = clock.now()
    with database.write():
        database.insert(
            "shifts",
            {
                "team_id": team,
                "kind": "regular",
                "layer": "primary",
                "user_id": company.staff_a.id,
                "starts_at": "2026-10-12T16:00:00Z",
                "ends_at": "2026-10-13T06:00:00Z",
                "status": "accepted",
                "created_at": to_db(now),
                "updated_at": to_db(now),
            },
        )
    token, _key = create_key(database, team, "Supervision", actor=Actor(label="t"), now=now)
    return token


@pytest.fixture
def manager(client: Client, company: Company) -> Client:
    client.login("manager.a@test.fr")
    return client


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_page_csv_and_api_show_the_same_numbers(
    manager: Client, company: Company, history: str
) -> None:
    team = company.team_a.id
    # No month asked for: the last complete month in the team's zone, October.
    page = manager.get(f"/teams/{team}/figures")
    assert page.status_code == 200, page.text
    assert "octobre" in page.text and "tag warn" not in page.text
    rows = parsed(page.text).rows
    # Nearest-rank median of 60, 120 and 600 s; September's one alert took 300 s.
    assert rows["time_to_acknowledge.median"][1:3] == ["2 min", "5 min"]
    assert rows["time_to_acknowledge.median"][3].startswith("↓ 3 min")
    assert rows["time_to_acknowledge.p90"][1] == "10 min"
    assert rows["alerts"][1:3] == ["3", "1"]
    assert 'class="change better"' in page.text
    # Charts are inline SVG with their numbers, and no script of their own.
    assert page.text.count('role="img"') == 3 and "<script type" not in page.text
    people = parsed(page.text).people
    # Under the header row; each cell with the previous period's value in brackets after it.
    assert people[1][:2] == ["Sophie Staff", "14 hPériode précédente: (0 h)"]

    summary = {
        (row["figure"], row["statistic"]): row
        for row in csv_rows(manager.get(f"/teams/{team}/figures/summary.csv"))
    }
    median = summary[("time_to_acknowledge", "median")]
    assert (median["current"], median["previous"]) == ("120", "300")
    assert (summary[("alerts", "")]["current"], summary[("alerts", "")]["previous"]) == ("3", "1")
    people_csv = csv_rows(manager.get(f"/teams/{team}/figures/people.csv?period=month"))
    assert (people_csv[0]["name"], people_csv[0]["oncall_hours"]) == ("Sophie Staff", "14")
    heat = csv_rows(manager.get(f"/teams/{team}/figures/heat_map.csv?month=2026-10"))
    assert heat[1]["h10"] == "1" and heat[3]["h22"] == "1"  # Tuesday 10:00, Thursday 22:00
    assert sum(int(cell) for row in heat for key, cell in row.items() if key != "weekday") == 3

    answer = manager.get(
        f"/api/v1/teams/{team}/metrics?from=2026-10-01&to=2026-10-31",
        headers={"Authorization": f"Bearer {history}"},
    )
    assert answer.status_code == 200, answer.text
    figures = answer.json()
    current = figures["current"]
    assert current["alerts"]["alerts"] == 3
    assert current["alerts"]["time_to_acknowledge"]["median_seconds"] == 120
    assert figures["previous"]["alerts"]["time_to_acknowledge"]["median_seconds"] == 300
    assert current["alerts"]["heat_map"][1][10] == 1
    assert current["people"][0]["oncall_hours"] == 14


def test_a_quarter_and_the_month_under_way(manager: Client, company: Company, history) -> None:
    team = company.team_a.id
    quarter = manager.get(f"/teams/{team}/figures?period=quarter&month=2026-10")
    assert quarter.status_code == 200
    # October to December; nothing before it in the history's July–September but September's.
    assert parsed(quarter.text).rows["alerts"][1:3] == ["3", "1"]
    under_way = manager.get(f"/teams/{team}/figures?month=2026-11")
    assert under_way.status_code == 200
    assert 'tag warn">jusqu’ici' in under_way.text
    assert parsed(under_way.text).rows["alerts"][1:3] == ["0", "3"]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("period=week", "month (mois), quarter"),
        ("month=2026-13", "AAAA-MM"),
        ("month=octobre", "AAAA-MM"),
        ("month=2026-12", "pas encore commencé"),
    ],
)
def test_a_bad_period_is_a_400_that_says_what_to_fix(
    manager: Client, company: Company, query: str, named: str
) -> None:
    for path in ("figures", "figures/summary.csv"):
        response = manager.get(f"/teams/{company.team_a.id}/{path}?{query}")
        assert response.status_code == 400, (path, response.text)
        assert named in response.text


def test_an_unknown_table_is_a_404(manager: Client, company: Company) -> None:
    for table in ("salaries.csv", "summary", "summary.json"):
        response = manager.get(f"/teams/{company.team_a.id}/figures/{table}")
        assert response.status_code == 404, table


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("to=2026-10-31", "from"),
        ("from=2026-10-01", "to"),
        ("from=2026-10-32&to=2026-11-01", "from"),
        ("from=1-1-1&to=2026-11-01", "from"),
        ("from=2026-10-01&to=2026-09-30", "to"),
        ("from=2025-01-01&to=2026-10-31", "to"),
    ],
)
def test_the_api_refuses_a_bad_run_of_days_naming_the_parameter(
    client: Client, company: Company, history: str, query: str, field: str
) -> None:
    response = client.get(
        f"/api/v1/teams/{company.team_a.id}/metrics?{query}",
        headers={"Authorization": f"Bearer {history}"},
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.json()["detail"]


def test_staff_read_their_own_figures_and_not_the_team_s(
    client: Client, company: Company, history
) -> None:
    client.login("staff.a@test.fr")
    own = client.get("/figures?month=2026-10")
    assert own.status_code == 200, own.text
    rows = parsed(own.text).rows
    assert rows["oncall_hours"][1] == "14 h"
    refused = client.get(f"/teams/{company.team_a.id}/figures")
    assert refused.status_code == 403


def test_the_metrics_route_is_documented_with_its_days_and_figures(client: Client) -> None:
    document = client.get("/schema/openapi.json").json()
    operation = document["paths"]["/api/v1/teams/{team_id}/metrics"]["get"]
    assert set(operation["responses"]) >= {"200", "400", "401", "403", "404"}
    days = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
    assert set(days) == {"from", "to"}
    assert all(day["required"] for day in days.values())
    assert days["from"]["schema"]["pattern"] == r"^\d{4}-\d{2}-\d{2}$"
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    figures = document["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert {"team_id", "timezone", "current", "previous"} <= set(figures["properties"])
    # The recurring problems do not take the name of the refusals' problem details.
    assert "RecurringProblem" in document["components"]["schemas"]
    assert set(document["components"]["schemas"]["Problem"]["required"]) == {
        "title",
        "status",
        "detail",
    }


def test_the_timeline_counts_local_days_across_the_clock_change(
    database: Database, company: Company
) -> None:
    """Paris leaves summer time on 25 October 2026: 00:30 on the 25th is 22:30 UTC the day
    before, 00:30 on the 26th is 23:30 UTC on the 25th."""
    team = company.team_a.id
    for created in ("2026-10-24T22:30:00Z", "2026-10-25T21:30:00Z", "2026-10-25T23:30:00Z"):
        add_alert(database, team, datetime.fromisoformat(created), 60)
    start = datetime(2026, 10, 20, tzinfo=UTC)
    end = datetime(2026, 10, 30, tzinfo=UTC)
    counted = alerts_per_day(database, [team], start, end, "Europe/Paris")
    assert counted == {"2026-10-25": 2, "2026-10-26": 1}
    assert alerts_per_day(database, [team], start, end, "UTC") == {
        "2026-10-24": 1,
        "2026-10-25": 2,
    }


def test_a_kept_dashboard_shows_an_alert_written_since(
    manager: Client, company: Company, database: Database, history
) -> None:
    team = company.team_a.id
    address = f"/teams/{team}/figures?month=2026-10"
    assert parsed(manager.get(address).text).rows["alerts"][1] == "3"
    assert parsed(manager.get(address).text).rows["alerts"][1] == "3"  # the kept copy
    add_alert(database, team, datetime(2026, 10, 20, 8, tzinfo=UTC), 30)
    assert parsed(manager.get(address).text).rows["alerts"][1] == "4"


def test_a_kept_page_of_the_month_under_way_counts_on_with_the_clock(
    manager: Client, company: Company, database: Database, clock: ManualClock
) -> None:
    """Sophie is on call from 08:00 to 20:00 UTC on 30 November; at 09:00 her month so far
    holds 1 h of it, half an hour later 1.5 h, with no write in between."""
    now = clock.now()
    with database.write():
        database.insert(
            "shifts",
            {
                "team_id": company.team_a.id,
                "kind": "regular",
                "layer": "primary",
                "user_id": company.staff_a.id,
                "starts_at": "2026-11-30T08:00:00Z",
                "ends_at": "2026-11-30T20:00:00Z",
                "status": "accepted",
                "created_at": to_db(now),
                "updated_at": to_db(now),
            },
        )
    address = f"/teams/{company.team_a.id}/figures?month=2026-11"

    def sophie() -> list[str]:
        rows = parsed(manager.get(address).text).people
        row = next(row for row in rows if row[0] == "Sophie Staff")
        return [cell.split("Période précédente")[0] for cell in row]

    assert sophie()[1] == "1 h"
    clock.advance(timedelta(minutes=30))
    assert sophie()[1] == "1,5 h"
