"""Each check, as the colleague sees it before taking a shift and the manager before approving:
an overlap blocks; load, rest, fatigue, qualifications and short notice warn, and a manager approves
over a warning only with a reason, never over a block."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import msgspec
import pytest

from server.accounts.store import current_user
from server.audit.models import Actor
from server.clock import ManualClock
from server.interventions.models import CreateOp, InterventionData
from server.interventions.sync import apply_operation
from server.qualifications.models import QualificationForm
from server.qualifications.workflow import save_qualification
from server.rest.fatigue import record_fatigue
from server.rest.pattern import set_pattern
from server.rest.timeline import PatternRange
from server.schedules.models import RotationSpec
from server.teams.store import get_team, set_policy
from tests.conftest import START, Company
from tests.integration.schedule_helpers import page_text, paris, parse
from tests.integration.swap_helpers import (
    Team,
    approve,
    ask,
    ask_ok,
    shift_row,
    swap_row,
    written,
)


@pytest.fixture
def team(company: Company, database, browsers) -> Team:
    return Team(company, database, browsers)


def checks_seen(client, swap_id: int) -> dict[str, str]:
    """The checks on the request's page: sentence -> its tag (bloquant, avertissement, ok)."""
    section = parse(client.get(f"/swaps/{swap_id}").text).one("ul", class_="checks")
    found = {}
    for item in section.find_all("li"):
        tag = item.one("span", class_="tag")
        found[item.text.removesuffix(tag.text).strip()] = tag.text
    return found


def warned_then_approved_with_a_reason(
    team: Team, database, swap_id: int, warning: str, code: str
) -> None:
    """The manager sees the warning, is refused without a reason, and approves with one."""
    assert checks_seen(team.marc, swap_id)[warning] == "avertissement"
    page = parse(team.marc.get(f"/swaps/{swap_id}").text)
    assert page.find("textarea", name="reason") is not None
    before = written(database)
    refused = approve(team.marc, database, swap_id)
    assert refused.status_code == 422
    assert "Donnez une raison pour approuver malgré ces avertissements" in page_text(refused.text)
    assert warning in page_text(refused.text)
    assert written(database) == before
    assert approve(team.marc, database, swap_id, reason="Personne d’autre").status_code == 303
    assert swap_row(database, swap_id)["decision_reason"] == "Personne d’autre"
    audit = database.one(
        "SELECT after FROM audit_log WHERE action = 'swap.approve' AND entity_id = ?",
        (str(swap_id),),
    )
    assert "Personne d’autre" in audit["after"] and f'"code":"{code}"' in audit["after"]


def test_an_overlap_with_the_takers_own_shift_blocks(team: Team, database, company) -> None:
    # Samuel is backup that same night: he cannot also be on call in Sophie's place.
    team.shift(
        company.staff_a2.id, paris(2026, 12, 21, 20), paris(2026, 12, 22, 6), layer="secondary"
    )
    swap_id = ask_ok(team.sophie, team.night)
    sentence = "Samuel Staff est déjà d’astreinte du 21/12/2026 20:00 au 22/12/2026 06:00."
    agreed = (
        "Entre collègues : {} consent en demandant ou en acceptant (c’est enregistré), donc "
        "aucun délai de prévenance ne s’applique."
    )
    assert checks_seen(team.samuel, swap_id) == {
        sentence: "bloquant",
        agreed.format("Sophie Staff"): "ok",
        agreed.format("Samuel Staff"): "ok",
    }
    page = parse(team.samuel.get(f"/swaps/{swap_id}").text)
    assert page.find("button", type="submit") is not None  # "I cannot" stays
    assert "Je la prends" not in page.text
    before = written(database)
    refused = team.samuel.post_form(f"/swaps/{swap_id}/accept")
    assert refused.status_code == 422
    assert f"Vous ne pouvez pas la prendre : {sentence}" in page_text(refused.text)
    assert written(database) == before


def test_a_manager_never_approves_over_a_block(team: Team, database, company) -> None:
    swap_id = ask_ok(team.sophie, team.night)
    assert team.samuel.post_form(f"/swaps/{swap_id}/accept").status_code == 303
    # Meanwhile Samuel was put on call that night elsewhere (an override of the other layer).
    team.shift(
        company.staff_a2.id, paris(2026, 12, 21, 23), paris(2026, 12, 22, 1), kind="override"
    )
    page = page_text(team.marc.get(f"/swaps/{swap_id}").text)
    assert "Impossible d’approuver : voyez les vérifications ci-dessus." in page
    before = written(database)
    refused = approve(team.marc, database, swap_id, reason="Tant pis")
    assert refused.status_code == 422
    assert "Impossible d’approuver" in page_text(refused.text)
    assert written(database) == before
    assert shift_row(database, team.night)["user_id"] == company.staff_a.id


def test_too_many_oncall_days_in_28_warns(team: Team, database, company) -> None:
    # Samuel is on call every night from 5 to 20 December: 16 days, the team's limit.
    for day in range(5, 20):
        team.shift(company.staff_a2.id, paris(2026, 12, day, 18), paris(2026, 12, day + 1, 8))
    swap_id = ask_ok(team.sophie, team.night)
    team.samuel.post_form(f"/swaps/{swap_id}/accept")
    warned_then_approved_with_a_reason(
        team,
        database,
        swap_id,
        "Samuel Staff serait d’astreinte 18 jours sur 28 (limite 16).",
        "max_oncall_days",
    )


def test_too_few_days_between_two_oncall_weeks_warns(team: Team, database, company) -> None:
    team.shift(company.staff_a2.id, paris(2026, 12, 14, 8), paris(2026, 12, 18, 8))
    swap_id = ask_ok(team.sophie, team.night)
    team.samuel.post_form(f"/swaps/{swap_id}/accept")
    warned_then_approved_with_a_reason(
        team,
        database,
        swap_id,
        "Samuel Staff n’aurait que 3,4 jours entre deux périodes d’astreinte (au moins 7).",
        "min_days_between",
    )


def test_rest_still_owed_at_the_start_warns(team: Team, database, company, clock) -> None:
    # Samuel was called out from 01:00 to 04:00 last night and works today until 17:30: his 11
    # hours of daily rest are owed again until 04:30 tomorrow, so tonight's shift warns.
    samuel = company.staff_a2.id
    set_pattern(
        database,
        samuel,
        [PatternRange(weekday=0, start_minute=8 * 60, end_minute=17 * 60 + 30)],
        actor=Actor(label="test"),
        now=clock.now(),
    )
    night_out = CreateOp(
        op_id=str(uuid4()),
        uuid=str(uuid4()),
        changed_at=clock.now(),
        data=InterventionData(
            started_at=paris(2026, 11, 30, 1), ended_at=paris(2026, 11, 30, 4), place="Chaufferie"
        ),
    )
    apply_operation(database, current_user(database, samuel), night_out, clock.now())
    tonight = team.shift(company.staff_a.id, paris(2026, 11, 30, 18), paris(2026, 12, 1, 8))
    swap_id = ask_ok(team.sophie, tonight)
    team.samuel.post_form(f"/swaps/{swap_id}/accept")
    warned_then_approved_with_a_reason(
        team,
        database,
        swap_id,
        "Samuel Staff doit encore son repos quotidien jusqu’au 01/12/2026 04:30.",
        "rest",
    )


@pytest.mark.parametrize(("score", "warned"), [(6, False), (7, True), (9, True)])
def test_recent_fatigue_of_seven_or_more_warns(
    team: Team, database, company, clock: ManualClock, score: int, warned: bool
) -> None:
    record_fatigue(database, company.staff_a2.id, score, context="today", now=clock.now())
    swap_id = ask_ok(team.sophie, team.night)
    sentence = f"Samuel Staff a déclaré une fatigue de {score} sur 9 le 30/11/2026 10:00."
    assert (sentence in checks_seen(team.samuel, swap_id)) is warned


def test_fatigue_reported_long_ago_says_nothing(
    team: Team, database, company, clock: ManualClock
) -> None:
    record_fatigue(database, company.staff_a2.id, 9, context="today", now=clock.now())
    clock.advance(timedelta(days=2))
    swap_id = ask_ok(team.sophie, team.night)
    assert not any("fatigue" in s for s in checks_seen(team.samuel, swap_id))


def _qualification(database, name: str, months: int | None = 36) -> int:
    form = QualificationForm(name=name, validity_months=months)
    return save_qualification(database, form, actor=Actor(label="test"), now=START).id


def _gate(database, team_id: int, gate: str) -> None:
    policy = msgspec.structs.replace(get_team(database, team_id).policy, qualification_gate=gate)
    set_policy(database, team_id, policy, actor=Actor(label="test"), now=START, reason="test")


def test_a_missing_qualification_warns_until_the_taker_holds_it(
    team: Team, database, company
) -> None:
    qualification = _qualification(database, "Habilitation électrique B1V")
    tagged = team.marc.post_form(
        f"/swaps/shifts/{team.night}/qualifications", {"qualification": str(qualification)}
    )
    assert tagged.status_code == 303
    history = page_text(team.sophie.get(f"/swaps/shifts/{team.night}").text)
    assert "Qualifications requises : Habilitation électrique B1V" in history
    swap_id = ask_ok(team.sophie, team.night)
    sentence = (
        "Samuel Staff n’a pas la qualification « Habilitation électrique B1V » que demande "
        "cette astreinte."
    )
    assert checks_seen(team.samuel, swap_id)[sentence] == "avertissement"
    saved = team.marc.post_form(
        f"/qualifications/people/{company.staff_a2.id}",
        {"qualification_id": str(qualification), "obtained_on": "2025-01-10"},
    )
    assert saved.status_code == 303
    assert sentence not in checks_seen(team.samuel, swap_id)


def test_a_qualification_expiring_before_the_shift_ends_warns(
    team: Team, database, company
) -> None:
    # Sophie's night ends on 22 December at 08:00; Samuel's habilitation expires that day.
    qualification = _qualification(database, "Habilitation électrique BR")
    team.marc.post_form(
        f"/swaps/shifts/{team.night}/qualifications", {"qualification": str(qualification)}
    )
    team.marc.post_form(
        f"/qualifications/people/{company.staff_a2.id}",
        {
            "qualification_id": str(qualification),
            "obtained_on": "2023-12-22",
            "expires_on": "2026-12-22",
        },
    )
    swap_id = ask_ok(team.sophie, team.night)
    seen = checks_seen(team.samuel, swap_id)
    expiring = [s for s in seen if "Habilitation électrique BR" in s]
    assert len(expiring) == 1 and seen[expiring[0]] == "avertissement"
    assert "Samuel Staff" in expiring[0] and "22 déc. 2026" in expiring[0], expiring


def test_the_teams_block_rule_refuses_the_swap(team: Team, database, company) -> None:
    qualification = _qualification(database, "CACES R489", 60)
    team.marc.post_form(
        f"/swaps/shifts/{team.night}/qualifications", {"qualification": str(qualification)}
    )
    _gate(database, team.team_id, "block")
    before = written(database)
    refused = ask(team.sophie, team.night, target=str(company.staff_a2.id))
    assert refused.status_code == 422
    assert "n’a pas la qualification « CACES R489 »" in page_text(refused.text)
    assert written(database) == before


def test_a_rotation_requiring_a_qualification_makes_its_shifts_require_it(
    team: Team, database, company
) -> None:
    qualification = _qualification(database, "Chauffage", None)
    spec = RotationSpec(
        timezone="Europe/Paris",
        participants=(company.staff_a.id,),
        start_date=date(2027, 1, 4),
        handoff_time="08:00",
    )
    with database.write():
        rotation = database.insert(
            "rotations",
            {
                "team_id": team.team_id,
                "name": "Nuits",
                "layer": "primary",
                "spec": msgspec.json.encode(spec).decode(),
                "active": 0,
                "created_at": "2026-11-01T00:00:00Z",
                "updated_at": "2026-11-01T00:00:00Z",
            },
        )
        database.execute("UPDATE shifts SET rotation_id = ? WHERE id = ?", (rotation, team.night))
    saved = team.marc.post_form(
        f"/qualifications/team/rotations?team={team.team_id}",
        {f"rotation:{qualification}:{rotation}": "on"},
    )
    assert saved.status_code == 303
    swap_id = ask_ok(team.sophie, team.night)
    assert (
        "Samuel Staff n’a pas la qualification « Chauffage » que demande cette astreinte."
        in checks_seen(team.samuel, swap_id)
    )


def test_a_change_a_manager_imposes_at_short_notice_needs_exceptional_circumstances(
    team: Team, database, company
) -> None:
    soon = team.shift(company.staff_a.id, paris(2026, 12, 4, 18), paris(2026, 12, 5, 8))
    swap_id = ask_ok(team.marc, soon)
    team.samuel.post_form(f"/swaps/{swap_id}/accept")
    sentence = (
        "Imposé à Sophie Staff avec moins de 15 jours de délai : circonstances exceptionnelles "
        "seulement, donnez la raison."
    )
    assert checks_seen(team.admin, swap_id)[sentence] == "avertissement"
    assert approve(team.admin, database, swap_id).status_code == 422
    assert approve(team.admin, database, swap_id, reason="Arrêt maladie").status_code == 303


def test_a_change_a_manager_imposes_for_tomorrow_is_blocked(team: Team, database, company) -> None:
    tomorrow = team.shift(company.staff_a.id, paris(2026, 12, 1, 18), paris(2026, 12, 2, 8))
    # Refused when asked, before anyone is told: it could never be approved (issue 11).
    before = written(database)
    refused = ask(team.marc, tomorrow)
    assert refused.status_code == 422
    assert "Imposé à Sophie Staff avec moins d’un jour franc de délai : interdit." in (
        page_text(refused.text)
    )
    assert written(database) == before


def test_a_swap_the_staff_agree_on_needs_no_notice(team: Team, database, company) -> None:
    # Sophie herself asks, for tomorrow night: consensual, so the notice rule does not apply.
    tomorrow = team.shift(company.staff_a.id, paris(2026, 12, 1, 18), paris(2026, 12, 2, 8))
    swap_id = ask_ok(team.sophie, tomorrow)
    seen = checks_seen(team.samuel, swap_id)
    assert set(seen.values()) == {"ok"}
    team.samuel.post_form(f"/swaps/{swap_id}/accept")
    assert approve(team.marc, database, swap_id).status_code == 303
    assert shift_row(database, tomorrow)["user_id"] == company.staff_a2.id


def test_in_a_swap_the_requester_is_checked_for_the_shift_she_takes(
    team: Team, database, company
) -> None:
    his = team.shift(company.staff_a2.id, paris(2026, 12, 28, 18), paris(2026, 12, 29, 8))
    # Sophie already has a night overlapping the one she would take from Samuel.
    team.shift(
        company.staff_a.id, paris(2026, 12, 28, 20), paris(2026, 12, 29, 2), layer="secondary"
    )
    # It could never be approved: refused when asked, with the reason (issue 11).
    before = written(database)
    refused = ask(team.sophie, team.night, kind="swap", counter_shift=str(his))
    assert refused.status_code == 422
    assert "Sophie Staff est déjà d’astreinte du 28/12/2026 20:00 au 29/12/2026 02:00." in (
        page_text(refused.text)
    )
    assert written(database) == before
