"""Coverage gaps ahead of time: the manage page lists the stretches of the next four weeks in
the team's coverage window that nobody holds (on call, and backup), and publishing warns of
those it leaves. The clock is Monday 30 November 2026, 10:00 in Paris (tests/conftest.py)."""

from __future__ import annotations

import pytest

from server.db import Database
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import add_rotation, page_text, parse, publish


@pytest.fixture
def manager(client: Client, company: Company) -> Client:
    client.login("manager.a@test.fr")
    return client


def people(company: Company) -> list[int]:
    return [company.staff_a2.id, company.staff_a.id, company.manager_a.id]


def listed(html: str, list_id: str) -> list[str]:
    found = parse(html).find(id=list_id)
    return [li.text.strip() for li in found.find_all("li")] if found else []


NIGHTS_AFTER_THE_HORIZON = [
    "lun. 14 déc. 18:00 → mar. 15 déc. 08:00",
    "mar. 15 déc. 18:00 → mer. 16 déc. 08:00",
    "mer. 16 déc. 18:00 → jeu. 17 déc. 08:00",
    "jeu. 17 déc. 18:00 → ven. 18 déc. 08:00",
    "ven. 18 déc. 18:00 → lun. 21 déc. 08:00",
    "lun. 21 déc. 18:00 → mar. 22 déc. 08:00",
    "mar. 22 déc. 18:00 → mer. 23 déc. 08:00",
    "mer. 23 déc. 18:00 → jeu. 24 déc. 08:00",
    # Christmas (a public holiday) and the weekend: one stretch to Monday morning.
    "jeu. 24 déc. 18:00 → lun. 28 déc. 08:00",
]


def test_the_manage_page_lists_the_nights_nobody_is_planned_for(
    manager: Client, company: Company
) -> None:
    # Drafts are generated two weeks ahead only: from Monday 14th at night, nobody holds the
    # coverage window (nights, weekends, holidays) on either layer.
    add_rotation(manager, company.team_a.id, people(company), backup=True, horizon_weeks=2)
    html = manager.get(f"/schedule/manage?team={company.team_a.id}").text
    assert listed(html, "gaps-primary") == NIGHTS_AFTER_THE_HORIZON
    assert listed(html, "gaps-secondary") == NIGHTS_AFTER_THE_HORIZON
    text = page_text(html)
    assert "Trous de couverture, quatre prochaines semaines 18" in text
    # Business hours are outside the window: never listed. The first two weeks are drafts:
    # said apart, since publishing them is all it takes.
    assert "10 plages ne sont tenues que par des brouillons" in text
    assert "(la première : lun. 30 nov. 18:00 → mar. 1 déc. 08:00)" in text


def test_a_team_without_a_backup_rotation_is_not_told_it_lacks_a_backup(
    manager: Client, company: Company
) -> None:
    add_rotation(manager, company.team_a.id, people(company), horizon_weeks=2)
    html = manager.get(f"/schedule/manage?team={company.team_a.id}").text
    assert listed(html, "gaps-primary") == NIGHTS_AFTER_THE_HORIZON
    assert parse(html).find(id="gaps-secondary") is None
    assert "Pas de renfort" not in page_text(html)


def test_office_hours_with_a_backup_but_no_primary_are_gaps(
    manager: Client, company: Company
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, people(company))
    # A backup rotation round the clock widens the window to office hours, where no primary
    # rotation plans anyone: each business day is a hole, the backup layer has none.
    add_rotation(
        manager, team, people(company), name="Renfort", layer="secondary", coverage="always"
    )
    html = manager.get(f"/schedule/manage?team={team}").text
    office = listed(html, "gaps-primary")
    assert office[0] == "lun. 30 nov., 10:00–18:00"
    assert office[1] == "mar. 1 déc., 08:00–18:00"
    # 19 business days (Christmas is a holiday) up to Monday 28th 10:00: 12 shown, then a count.
    assert office[-1] == "et 8 autres plages"
    # The backup rotation was created during a turn that began at 08:00: generation starts
    # at its next hand-off, so the turn under way is a gap too, and shown.
    assert listed(html, "gaps-secondary") == ["lun. 30 nov. 10:00 → lun. 7 déc. 08:00"]


def test_a_full_schedule_has_no_gap(manager: Client, company: Company) -> None:
    add_rotation(manager, company.team_a.id, people(company), backup=True)
    text = page_text(manager.get(f"/schedule/manage?team={company.team_a.id}").text)
    assert "Trous de couverture, quatre prochaines semaines 0" in text
    assert (
        parse(manager.get(f"/schedule/manage?team={company.team_a.id}").text).find(
            id="gaps-primary"
        )
        is None
    )


def test_publishing_warns_of_the_stretches_it_leaves_without_anyone(
    manager: Client, company: Company, database: Database
) -> None:
    team = company.team_a.id
    add_rotation(manager, team, people(company), backup=True, horizon_weeks=3)
    # The drafts reach Monday 21st 10:00; publishing 15–23 December (to midnight) leaves the
    # nights from the 21st on without anyone, on both layers.
    preview = manager.get(
        f"/schedule/manage/publish/preview?team={team}&start=2026-12-15&end=2026-12-23"
    ).text
    warning = parse(preview).find(id="publish-gaps")
    assert warning is not None
    assert "Une fois cette période publiée, personne ne sera d’astreinte" in warning.text
    nights = [
        "lun. 21 déc. 18:00 → mar. 22 déc. 08:00",
        "mar. 22 déc. 18:00 → mer. 23 déc. 08:00",
        "mer. 23 déc. 18:00 → jeu. 24 déc. 00:00",
    ]
    assert listed(preview, "gaps-primary-publish") == nights
    assert listed(preview, "gaps-secondary-publish") == nights
    # A range the drafts fill: no warning (the night begun on the 14th, a draft outside the
    # range, is not this publication's business).
    full = manager.get(
        f"/schedule/manage/publish/preview?team={team}&start=2026-12-15&end=2026-12-20"
    ).text
    assert parse(full).find(id="publish-gaps") is None
    # Publishing goes ahead (a warning, not a refusal) and the confirmation points at the gaps.
    response = publish(manager, team, "2026-12-15", "2026-12-23")
    assert response.status_code == 303, response.text
    done = page_text(manager.get(response.headers["location"]).text)
    assert "Des trous de couverture restent : voir plus bas." in done
