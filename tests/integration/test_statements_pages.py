"""The statement pages over HTTP, as people read them: a person's provisional month and closed
statement with the engine's figures, acknowledging receipt (once, even twice sent), the
manager's month (warnings, closing once, receipts), the compensation form's refusals and the
hourly wage that the person never sees.

The clock starts on Monday 30 November 2026 at 10:00 in Paris; December 2026 is looked at.
Team A (Maintenance): Marc manages, Sophie and Samuel are on call."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from server.audit.models import Actor
from server.clock import ManualClock, to_db
from server.db import Database
from server.statements import monthly
from server.statements.closing import close_month, recheck_closed_months
from server.statements.models import DayRates
from server.statements.store import get_compensation, save_wage
from server.teams.store import set_membership
from tests.conftest import Company
from tests.integration.schedule_helpers import paris
from tests.integration.statement_helpers import pay
from tests.integration.swap_helpers import add_shift

MONTH = "2026-12"
# Monday 14 December 18:00 to Tuesday 08:00: 14 hours, 9 of them at night (21:00–06:00).
NIGHT = (paris(2026, 12, 14, 18), paris(2026, 12, 15, 8))
AFTER_END = paris(2027, 1, 2, 9)  # December is over, not closed yet (grace: 3 days)


class Text(HTMLParser):
    """The text a person reads, one space between pieces."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("script", "style", "title"):
            self.skip += 1

    def handle_endtag(self, tag) -> None:
        if tag in ("script", "style", "title"):
            self.skip -= 1

    def handle_data(self, data) -> None:
        if not self.skip and data.strip():
            self.parts.append(" ".join(data.split()))


def text(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return " ".join(parser.parts).replace("\u202f", " ").replace("\u00a0", " ")


@pytest.fixture
def december(company: Company, database: Database, clock: ManualClock) -> Company:
    add_shift(database, company.team_a.id, company.staff_a.id, *NIGHT)
    return company


def close(database: Database, company: Company) -> None:
    close_month(database, company.team_a.id, MONTH, now=AFTER_END, channels=frozenset({"email"}))


def test_the_month_so_far_is_provisional_with_the_engines_figures(
    december: Company, database: Database, browsers, clock: ManualClock
) -> None:
    pay(database, december.team_a.id, clock.now())
    clock.set(paris(2026, 12, 20, 12))
    page = browsers("staff.a@test.fr").get(f"/statements/{MONTH}")
    assert page.status_code == 200
    read = text(page.text)
    engine = monthly.provisional_statement(database, december.team_a.id, december.staff_a.id, MONTH)
    # 14 h × 1.00 € + 9 night hours × 0.50 € = 18.50 €, as the engine says.
    assert engine.statement.oncall_pay_cents == 1850
    assert "Relevé de décembre 2026" in read
    assert "provisoire" in read
    assert "Indemnité d’astreinte 18,50 €" in read
    assert "Total 14 h" in read
    assert "dont la nuit 9 h" in read
    assert "Accuser réception" not in read  # nothing handed out yet
    # Day by day: 6 hours on the 14th, 8 on the 15th.
    assert "lun. 14 déc. 6 h" in read and "mar. 15 déc. 8 h" in read


def test_the_closed_statement_is_acknowledged_once_even_sent_twice(
    december: Company, database: Database, browsers, clock: ManualClock
) -> None:
    pay(database, december.team_a.id, clock.now())
    close(database, december)
    (statement,) = monthly.person_statements(database, december.staff_a.id)
    clock.set(paris(2027, 1, 4, 19, 12))
    sophie = browsers("staff.a@test.fr")
    read = text(sophie.get(f"/statements/{MONTH}").text)
    assert "version 1" in read and "provisoire" not in read
    assert (
        f"SHA-256 : {statement.sha256[:12]}…" in read
        or f"SHA-256: {statement.sha256[:12]}…" in read
    )
    assert "Accuser réception" in read
    pdf = f"/statements/{december.staff_a.id}/{MONTH}/v1.pdf?team={december.team_a.id}"
    assert pdf in sophie.get(f"/statements/{MONTH}").text

    first = sophie.post_form(f"/statements/receipts/{statement.id}")
    assert first.status_code == 303
    clock.set(paris(2027, 1, 4, 19, 13))
    again = sophie.post_form(f"/statements/receipts/{statement.id}")
    assert again.status_code == 303
    assert database.scalar("SELECT COUNT(*) FROM statement_acknowledgements") == 1
    assert (
        database.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'statement.acknowledge'")
        == 1
    )
    read = text(sophie.get(first.headers["location"]).text)
    assert "Reçu le lun. 4 janv. 19:12" in read
    assert "Accuser réception" not in read
    # Someone else's statement cannot be acknowledged by them.
    samuel = browsers("staff.a2@test.fr")
    assert samuel.post_form(f"/statements/receipts/{statement.id}").status_code == 403


def test_a_rectifying_version_shows_the_difference(
    december: Company, database: Database, browsers, clock: ManualClock
) -> None:
    close(database, december)
    # A shift of Saturday 19 December added after the closing (on 4 January).
    late = add_shift(
        database,
        december.team_a.id,
        december.staff_a.id,
        paris(2026, 12, 19, 8),
        paris(2026, 12, 19, 10),
    )
    with database.write():
        database.execute(
            "UPDATE shifts SET updated_at = ? WHERE id = ?", (to_db(paris(2027, 1, 4)), late)
        )
    assert recheck_closed_months(database, paris(2027, 1, 5), frozenset()) == 1
    clock.set(paris(2027, 1, 5, 9))
    read = text(browsers("staff.a@test.fr").get(f"/statements/{MONTH}").text)
    assert "version 2" in read
    assert "Cette version rectifie la version 1" in read
    assert "Temps d’astreinte : +2 h" in read
    assert "Versions précédentes" in read


def test_the_list_of_months_links_each_month(
    december: Company, database: Database, browsers, clock: ManualClock
) -> None:
    close(database, december)
    clock.set(paris(2027, 1, 10, 9))
    page = browsers("staff.a@test.fr").get("/statements")
    read = text(page.text)
    assert "Janvier 2027 · Maintenance provisoire" in read
    assert "Décembre 2026 · Maintenance version 1 à accuser" in read
    assert f'href="/statements/{MONTH}#statement-{december.team_a.id}"' in page.text


def test_the_managers_month_warns_closes_once_and_lists_receipts(
    december: Company, database: Database, browsers, clock: ManualClock
) -> None:
    team = december.team_a.id
    url = f"/teams/{team}/statements/{MONTH}"
    marc = browsers("manager.a@test.fr")
    clock.set(paris(2026, 12, 20, 12))
    read = text(marc.get(url).text)
    assert "aucune contrepartie" in read  # no compensation set: L3121-9
    assert "Sophie Staff" in read
    assert "Clôturer le mois" not in read  # not over yet
    # Before its end a forged close is refused and writes nothing.
    assert marc.post_form(f"{url}/close").status_code == 422
    assert database.scalar("SELECT COUNT(*) FROM statement_closings") == 0

    clock.set(AFTER_END)
    read = text(marc.get(url).text)
    # Sophie's phone has not reached the server since December ended.
    assert "Des interventions peuvent encore arriver" in read and "Sophie Staff." in read
    # Her line: the engine's 14 hours, nothing paid (no compensation).
    assert "Sophie Staff Astreinte 14 h · interventions 0 h 0,00 €" in read
    assert "Clôturer le mois" in read
    assert "Confirmer la clôture" in read
    done = marc.post_form(f"{url}/close")
    assert done.status_code == 303
    read = text(marc.get(done.headers["location"]).text)
    assert "Mois clôturé : 1 relevé remis." in read
    assert "Clôturé par Marc Manager le" in read
    assert "Pas encore d’accusé de réception 1 Sophie Staff" in read
    # A second manager (the admin) closing the same month gets the first closing back.
    admin = browsers("admin@test.fr")
    late = admin.post_form(f"{url}/close")
    assert late.status_code == 303
    assert "Déjà clôturé par Marc Manager le sam. 2 janv. 09:00" in text(
        admin.get(late.headers["location"]).text
    )
    assert database.scalar("SELECT COUNT(*) FROM statement_closings") == 1
    assert database.scalar("SELECT COUNT(*) FROM statements") == 1
    # The manager reads Sophie's statement; no acknowledgement button for him.
    person = marc.get(f"/statements/{december.staff_a.id}/{MONTH}")
    assert person.status_code == 200
    assert "Pas encore d’accusé de réception" in text(person.text)
    assert "Accuser réception" not in text(person.text)


def test_a_month_written_wrong_is_refused(december: Company, browsers) -> None:
    sophie = browsers("staff.a@test.fr")
    assert sophie.get("/statements/2026-13").status_code == 400
    assert sophie.get("/statements/décembre").status_code == 400
    assert sophie.get("/statements/2030-01").status_code == 404
    marc = browsers("manager.a@test.fr")
    assert marc.get(f"/teams/{december.team_a.id}/statements/2026-1").status_code == 400


def test_statements_are_seen_by_the_person_and_the_managers_of_the_team_only(
    december: Company, database: Database, browsers, clock: ManualClock
) -> None:
    """Paul is in both teams and on call in each; Nina manages team B only."""
    actor = Actor(label="test")
    paul = december.staff_b
    set_membership(database, december.team_a.id, paul.id, "member", actor=actor, now=clock.now())
    add_shift(database, december.team_a.id, paul.id, paris(2026, 12, 7, 18), paris(2026, 12, 8, 8))
    add_shift(database, december.team_b.id, paul.id, paris(2026, 12, 9, 18), paris(2026, 12, 10, 8))
    clock.set(paris(2026, 12, 20, 12))
    own = text(browsers("staff.b@test.fr").get(f"/statements/{MONTH}").text)
    assert "Maintenance" in own and "Informatique" in own
    nina = browsers("manager.b@test.fr").get(f"/statements/{paul.id}/{MONTH}")
    assert nina.status_code == 200
    assert "Informatique" in text(nina.text) and "Maintenance" not in text(nina.text)
    marc = browsers("manager.a@test.fr").get(f"/statements/{paul.id}/{MONTH}")
    assert "Maintenance" in text(marc.text) and "Informatique" not in text(marc.text)
    # Sophie (team A only) is no business of Nina's, nor of a colleague.
    assert (
        browsers("manager.b@test.fr").get(f"/statements/{december.staff_a.id}/{MONTH}").status_code
        == 403
    )
    assert (
        browsers("staff.a2@test.fr").get(f"/statements/{december.staff_a.id}/{MONTH}").status_code
        == 403
    )
    assert (
        browsers("manager.b@test.fr")
        .get(f"/teams/{december.team_a.id}/statements/{MONTH}")
        .status_code
        == 403
    )


def compensation_form(**changes: str) -> dict:
    form = {
        "oncall_weekday": "1",
        "oncall_saturday": "1,50",
        "oncall_sunday": "2",
        "oncall_holiday": "2.5",
        "oncall_night": "0,50",
        "rest_weekday": "0",
        "rest_saturday": "0",
        "rest_sunday": "6",
        "rest_holiday": "12",
        "premium_weekday": "0",
        "premium_saturday": "25",
        "premium_sunday": "50",
        "premium_holiday": "100",
        "premium_night": "25",
        "night_start": "22:00",
        "night_end": "06:00",
        "grace_days": "5",
        "holidays": "FR-alsace-moselle",
        "reason": "Accord d’entreprise du 3 mars 2026",
    }
    return {**form, **changes}


def test_the_compensation_form_saves_cents_and_shows_them_back(
    company: Company, database: Database, browsers
) -> None:
    team = company.team_a.id
    marc = browsers("manager.a@test.fr")
    form = marc.get(f"/teams/{team}/compensation")
    assert "aucune contrepartie" in text(form.text)
    done = marc.post_form(f"/teams/{team}/compensation", compensation_form())
    assert done.status_code == 303, done.text
    saved = get_compensation(database, team)
    assert saved.oncall_cents_per_hour == DayRates(
        weekday=100, saturday=150, sunday=200, holiday=250
    )
    assert saved.oncall_night_cents_per_hour == 50
    assert saved.oncall_rest_minutes_per_hour.holiday == 12
    assert saved.intervention_premium_percent.night == 25
    assert (saved.holidays, saved.night_start, saved.grace_days) == (
        "FR-alsace-moselle",
        "22:00",
        5,
    )
    page = marc.get(done.headers["location"]).text
    assert 'value="1,50"' in page and 'value="2,50"' in page
    assert "aucune contrepartie" not in text(page)
    marc.headers["Accept-Language"] = "en-GB,en;q=0.9"
    english = marc.get(f"/teams/{team}/compensation")
    assert 'value="1.50"' in english.text
    assert "Compensation of Maintenance" in text(english.text)


@pytest.mark.parametrize(
    ("field", "typed", "says"),
    [
        ("oncall_sunday", "-2", "« Dimanche, euros de l’heure » : ne doit pas être négatif."),
        ("oncall_weekday", "1,505", "« Semaine, euros de l’heure » : un montant en euros"),
        ("oncall_night", "beaucoup", "« Supplément de nuit, euros de l’heure » : un montant"),
        ("rest_sunday", "1,5", "« Dimanche, minutes de repos par heure » : un nombre entier."),
        ("premium_night", "-5", "« Majoration de nuit, % (ajoutée) » : ne doit pas être négatif."),
        ("night_start", "25:00", "« Début de la nuit » : une heure écrite HH:MM."),
        ("grace_days", "40", "« Jours après la fin du mois avant sa clôture » : un nombre entier"),
        ("holidays", "FR-corse", "« Jours fériés » : choisissez un calendrier de la liste."),
    ],
)
def test_bad_compensation_is_refused_with_the_fields_name_and_the_typed_values_kept(
    company: Company, database: Database, browsers, field: str, typed: str, says: str
) -> None:
    team = company.team_a.id
    marc = browsers("manager.a@test.fr")
    before = database.scalar("SELECT COUNT(*) FROM audit_log")
    answer = marc.post_form(f"/teams/{team}/compensation", compensation_form(**{field: typed}))
    assert answer.status_code == 400
    assert says in text(answer.text).replace('"', "")
    if field != "holidays":
        assert f'value="{typed}"' in answer.text
    assert 'value="1,50"' in answer.text  # the other typed values are kept too
    assert "Accord d’entreprise du 3 mars 2026" in answer.text
    assert get_compensation(database, team) is None
    assert database.scalar("SELECT COUNT(*) FROM audit_log") == before


def test_the_hourly_wage_is_shown_to_managers_only_never_to_the_person(
    company: Company, database: Database, browsers, clock: ManualClock
) -> None:
    sophie = company.staff_a
    save_wage(database, sophie.id, 2150, actor=Actor(label="test"), now=clock.now())
    marc = browsers("manager.a@test.fr")
    page = marc.get(f"/people/{sophie.id}")
    assert 'value="21,50"' in page.text and "21,50 €" in text(page.text)
    done = marc.post_form(f"/people/{sophie.id}/wage", {"hourly_wage": "22,75"})
    assert done.status_code == 303
    assert database.scalar("SELECT cents FROM hourly_wages WHERE user_id = ?", (sophie.id,)) == 2275
    refused = marc.post_form(f"/people/{sophie.id}/wage", {"hourly_wage": "22,755"})
    assert refused.status_code == 400
    assert 'value="22,755"' in refused.text
    assert "« Salaire horaire, euros » : un montant en euros" in text(refused.text)
    assert database.scalar("SELECT cents FROM hourly_wages WHERE user_id = ?", (sophie.id,)) == 2275
    # The person herself sees it nowhere: not on her statement, not through her manager's page.
    own = browsers("staff.a@test.fr")
    assert own.get(f"/people/{sophie.id}").status_code == 403
    assert "22,75" not in own.get(f"/statements/{MONTH}").text
    assert own.post_form(f"/people/{sophie.id}/wage", {"hourly_wage": "99"}).status_code == 403
    # Nor a manager on his own page; nor the manager of another team.
    assert "Salaire horaire" not in marc.get(f"/people/{company.manager_a.id}").text
    assert (
        marc.post_form(f"/people/{company.manager_a.id}/wage", {"hourly_wage": "99"}).status_code
        == 403
    )
    nina = browsers("manager.b@test.fr")
    assert nina.post_form(f"/people/{sophie.id}/wage", {"hourly_wage": "99"}).status_code == 403
    assert database.scalar("SELECT cents FROM hourly_wages WHERE user_id = ?", (sophie.id,)) == 2275


def test_statements_are_reached_from_planning_rest_and_the_team_tab(
    company: Company, database: Database, browsers, clock: ManualClock
) -> None:
    sophie = browsers("staff.a@test.fr")
    for page in ("/schedule", "/rest"):
        assert 'href="/statements"' in sophie.get(page).text, page
    # Sophie manages nothing: no team statements, no warning for her.
    assert not re.search(r'href="/teams/\d+/statements', sophie.get("/team").text)
    marc = browsers("manager.a@test.fr")
    team = marc.get("/team")
    assert f'href="/teams/{company.team_a.id}/statements"' in team.text
    assert "aucune contrepartie" in text(team.text)  # L3121-9
    manage = marc.get(f"/schedule/manage?team={company.team_a.id}").text
    assert f'href="/teams/{company.team_a.id}/statements"' in manage
    latest = marc.get(f"/teams/{company.team_a.id}/statements", follow_redirects=False)
    assert latest.headers["location"] == f"/teams/{company.team_a.id}/statements/2026-10"
    assert f'href="/teams/{company.team_a.id}/compensation"' in marc.get("/rest/policy").text
    pay(database, company.team_a.id, clock.now())
    assert "aucune contrepartie" not in text(marc.get("/team").text)


def test_the_statement_reads_in_english_for_someone_who_asks(
    december: Company, database: Database, browsers, clock: ManualClock
) -> None:
    pay(database, december.team_a.id, clock.now())
    close(database, december)
    clock.set(paris(2027, 1, 4, 19, 12))
    sophie = browsers("staff.a@test.fr")
    sophie.headers["Accept-Language"] = "en-GB,en;q=0.9"
    read = text(sophie.get(f"/statements/{MONTH}").text)
    assert "Statement of December 2026" in read
    assert "On-call compensation €18.50" in read
    assert "of which at night 9 h" in read
    assert "Acknowledge receipt" in read
    (statement,) = monthly.person_statements(database, december.staff_a.id)
    done = sophie.post_form(f"/statements/receipts/{statement.id}")
    assert "Received on Mon 4 Jan 19:12." in text(sophie.get(done.headers["location"]).text)
