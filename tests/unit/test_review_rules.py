"""The review's carry-over rules: which month's review shows an action and how, and the
action form's checks, each naming its field."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from server.errors import InvalidInput
from server.reviews.models import ReviewAction
from server.reviews.rules import action_input, local_month, placement, review_lines

PARIS = "Europe/Paris"
TODAY = date(2027, 1, 15)


def action(
    month: str = "2026-10",
    done_at: datetime | None = None,
    due_on: date = date(2026, 11, 30),
    action_id: int = 1,
) -> ReviewAction:
    moment = datetime(2026, 10, 20, 9, tzinfo=UTC)
    return ReviewAction(
        id=action_id,
        team_id=1,
        month=month,
        what="Écrire la procédure de redémarrage de la chaudière",
        due_on=due_on,
        done_at=done_at,
        created_at=moment,
        updated_at=moment,
    )


DONE_IN_DECEMBER = datetime(2026, 12, 3, 10, tzinfo=UTC)

# (decided in, done at, review month) -> shown?, carried from, done here, done later
CASES = [
    # Open: decided in October, in October's review and every later one, carried over.
    ("2026-10", None, "2026-09", None),
    ("2026-10", None, "2026-10", (None, False, False)),
    ("2026-10", None, "2026-11", ("2026-10", False, False)),
    ("2026-10", None, "2027-06", ("2026-10", False, False)),
    # Done in December: shown up to December, done there; not in January.
    ("2026-10", DONE_IN_DECEMBER, "2026-10", (None, False, True)),
    ("2026-10", DONE_IN_DECEMBER, "2026-11", ("2026-10", False, True)),
    ("2026-10", DONE_IN_DECEMBER, "2026-12", ("2026-10", True, False)),
    ("2026-10", DONE_IN_DECEMBER, "2027-01", None),
    # Decided and done in the same month: that month only.
    ("2026-12", DONE_IN_DECEMBER, "2026-12", (None, True, False)),
    ("2026-12", DONE_IN_DECEMBER, "2027-01", None),
    # Done at 00:30 on 1 November in Paris (still October in UTC): November's, not October's.
    ("2026-10", datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "2026-10", (None, False, True)),
    ("2026-10", datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "2026-11", ("2026-10", True, False)),
    ("2026-10", datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "2026-12", None),
]


@pytest.mark.parametrize(("decided", "done_at", "month", "expected"), CASES)
def test_an_action_is_carried_over_until_the_month_it_is_done(
    decided: str, done_at: datetime | None, month: str, expected
) -> None:
    found = placement(action(decided, done_at), month, PARIS, TODAY)
    if expected is None:
        assert found is None
        return
    assert found is not None
    assert (found.carried_from, found.done_here, found.done_later) == expected
    assert found.open is not found.done_here


@pytest.mark.parametrize(
    ("done_at", "due_on", "overdue"),
    [
        (None, date(2027, 1, 14), True),
        (None, date(2027, 1, 15), False),  # due today: not late yet
        (DONE_IN_DECEMBER, date(2026, 11, 1), False),  # done, even late: no longer overdue
    ],
)
def test_overdue_is_open_past_its_date(done_at, due_on, overdue: bool) -> None:
    found = placement(action(done_at=done_at, due_on=due_on), "2026-12", PARIS, TODAY)
    assert found is not None and found.overdue is overdue


def test_a_review_lists_open_actions_by_date_then_those_done() -> None:
    lines = review_lines(
        [
            action(action_id=1, due_on=date(2026, 12, 20), done_at=DONE_IN_DECEMBER),
            action(action_id=2, due_on=date(2026, 12, 31)),
            action(action_id=3, due_on=date(2026, 11, 15)),
            action(action_id=4, month="2027-01"),  # decided later: not in December's review
        ],
        "2026-12",
        PARIS,
        TODAY,
    )
    assert [line.action.id for line in lines] == [3, 2, 1]


def test_local_month_reads_the_teams_zone() -> None:
    moment = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
    assert local_month(moment, PARIS) == "2026-11"
    assert local_month(moment, "America/Guadeloupe") == "2026-10"


MEMBERS = {7, 8}
GOOD = {"what": "  Vérifier   les sondes ", "assignee_id": "7", "due_on": "2026-12-31"}


def test_a_good_form_is_read_and_trimmed() -> None:
    found = action_input(GOOD, MEMBERS)
    assert (found.what, found.assignee_id, found.due_on) == (
        "Vérifier les sondes",
        7,
        date(2026, 12, 31),
    )
    assert action_input({**GOOD, "assignee_id": ""}, MEMBERS).assignee_id is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"what": "   "}, "what"),
        ({"what": "x" * 301}, "what"),
        ({"assignee_id": "9"}, "assignee_id"),  # not a member of the team
        ({"assignee_id": "seven"}, "assignee_id"),
        ({"due_on": ""}, "due_on"),
        ({"due_on": "31/12/2026"}, "due_on"),
        ({"due_on": "2026-02-30"}, "due_on"),
        ({"due_on": "1850-01-01"}, "due_on"),
    ],
)
def test_a_bad_field_is_named(change: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        action_input({**GOOD, **change}, MEMBERS)
    assert refused.value.field == field
    assert refused.value.status == 400
    # The message names the field as the form labels it (French, the default language).
    label = {"what": "Action", "assignee_id": "Qui", "due_on": "Pour quand"}[field]
    assert f"« {label} »" in refused.value.message
