"""The state machine of a swap request (server/swaps/machine.py): who may take which step from
which state, the refusal each person reads otherwise, and the buttons a page offers agreeing
with the refusals the steps give."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from server.accounts.models import CurrentUser
from server.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from server.i18n import current_locale
from server.schedules.models import Shift
from server.swaps import machine
from server.swaps.models import LIVE, SwapRequest

NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)
TEAM = 1


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    token = current_locale.set("en")
    yield
    current_locale.reset(token)


def person(user_id: int, *, teams=(TEAM,), manages=(), role="staff") -> CurrentUser:
    return CurrentUser(
        id=user_id,
        email=f"p{user_id}@example.test",
        name=f"P{user_id}",
        role=role,
        locale="en",
        timezone="Europe/Paris",
        team_ids=tuple(teams),
        managed_team_ids=tuple(manages),
    )


OWNER = person(10)
COLLEAGUE = person(11)
OTHER = person(12)
STRANGER = person(30, teams=(2,))
MANAGER = person(20, manages=(TEAM,))
ADMIN = person(1, teams=(), role="admin")


def request(**changes) -> SwapRequest:
    values = {
        "id": 5,
        "team_id": TEAM,
        "kind": "cover",
        "requester_id": OWNER.id,
        "requester_name": "P10",
        "created_by": OWNER.id,
        "shift_id": 3,
        "shift_fingerprint": "x",
        "starts_at": NOW + timedelta(days=3),
        "ends_at": NOW + timedelta(days=4),
        "status": "pending",
        "expires_at": NOW + timedelta(days=3),
        "created_at": NOW - timedelta(hours=1),
        "version": 2,
    }
    return SwapRequest(**{**values, **changes})


TAKEN = {"status": "accepted", "taker_id": COLLEAGUE.id, "taker_name": "P11"}


def refused(step, user, swap, version=None):
    found = machine.refusal(step, user, swap, NOW, version)
    return (type(found), found.message) if found else None


def test_a_colleague_takes_or_declines_an_open_request_and_nobody_else_does() -> None:
    swap = request()
    assert refused("accept", COLLEAGUE, swap) is None
    assert refused("decline", OTHER, swap) is None
    assert refused("accept", OWNER, swap) == (InvalidInput, "This is your own request.")
    assert refused("accept", STRANGER, swap) == (Forbidden, "This request is not addressed to you.")
    # Addressed to one colleague: the others are not asked.
    addressed = request(target_id=COLLEAGUE.id)
    assert refused("accept", COLLEAGUE, addressed) is None
    assert refused("decline", OTHER, addressed) == (
        Forbidden,
        "This request is not addressed to you.",
    )


def test_a_manager_asking_on_someones_behalf_leaves_the_answer_to_the_colleagues() -> None:
    swap = request(created_by=MANAGER.id, created_by_name="P20")
    assert refused("accept", MANAGER, swap) == (
        Forbidden,
        "You made this request: it is for your colleagues to answer.",
    )
    assert refused("cancel", MANAGER, swap) is None
    assert refused("cancel", OWNER, swap) == (
        Forbidden,
        "P20 made this request on your behalf: only they can cancel it.",
    )
    taken = request(created_by=MANAGER.id, created_by_name="P20", **TAKEN)
    assert refused("reject", MANAGER, taken) == (
        Forbidden,
        "You made this request: cancel it instead.",
    )
    assert refused("approve", MANAGER, taken) is None


def test_a_decision_is_for_a_manager_of_the_team_not_part_of_the_request() -> None:
    taken = request(**TAKEN)
    assert refused("approve", MANAGER, taken) is None
    assert refused("reject", ADMIN, taken) is None
    assert refused("approve", COLLEAGUE, taken) == (Forbidden, "You do not manage this team.")
    taker_manager = person(COLLEAGUE.id, manages=(TEAM,))
    assert refused("approve", taker_manager, taken) == (
        Forbidden,
        "You cannot decide on a request you take part in.",
    )
    # Nothing to decide before a colleague took it; someone acted since the page was opened.
    assert refused("approve", MANAGER, request()) == (
        Conflict,
        "No colleague has taken this request yet.",
    )
    assert refused("approve", MANAGER, taken, version=1) == (
        Conflict,
        "This request changed since you opened it. Here it is as it is now.",
    )


def test_who_may_comes_before_the_state_so_a_stranger_learns_nothing_of_it() -> None:
    done = request(status="approved", decided_at=NOW, decided_by_name="P20")
    assert refused("accept", STRANGER, done) == (
        Forbidden,
        "This request is not addressed to you.",
    )
    assert refused("accept", COLLEAGUE, done)[0] is Conflict


def test_a_request_past_its_expiry_takes_no_step_even_before_the_engine_writes_it() -> None:
    late = request(expires_at=NOW)
    for step, user in (("accept", COLLEAGUE), ("cancel", OWNER)):
        assert refused(step, user, late) == (
            RuleViolation,
            "This request expired when its shift started.",
        )


@pytest.mark.parametrize("status", ["approved", "rejected", "declined", "cancelled", "void"])
def test_a_settled_request_is_final(status: str) -> None:
    """No step leads out of a settled state, and the page offers no button on it."""
    assert all(status not in t.sources for t in machine.TRANSITIONS.values())
    swap = request(status=status, taker_id=COLLEAGUE.id, decided_at=NOW)
    for step in machine.TRANSITIONS:
        for user in (OWNER, COLLEAGUE, MANAGER, ADMIN):
            assert not machine.allowed(step, user, swap, NOW)


def test_every_step_leads_from_a_waiting_state() -> None:
    for transition in machine.TRANSITIONS.values():
        assert set(transition.sources) <= set(LIVE)
        assert transition.target not in LIVE or transition.target == "accepted"


def test_declining_an_open_request_keeps_it_open() -> None:
    assert machine.declined_to(request(), OTHER.id) is None
    assert machine.declined_to(request(target_id=OTHER.id), OTHER.id) == "declined"


def test_a_shift_is_asked_for_by_its_owner_or_a_manager_of_its_team() -> None:
    shift = Shift(
        id=3,
        team_id=TEAM,
        rotation_id=None,
        kind="regular",
        layer="primary",
        user_id=OWNER.id,
        user_name="P10",
        starts_at=NOW + timedelta(days=3),
        ends_at=NOW + timedelta(days=4),
        status="accepted",
    )
    assert machine.may_ask(OWNER, shift)
    assert machine.may_ask(MANAGER, shift)
    assert machine.may_ask(ADMIN, shift)
    assert not machine.may_ask(COLLEAGUE, shift)
    assert not machine.may_ask(person(40, teams=(2,), manages=(2,)), shift)
