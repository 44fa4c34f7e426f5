"""Who may act on a person's account: the table of server/accounts/rules.py."""

from __future__ import annotations

import pytest

from server.accounts.models import CurrentUser
from server.accounts.rules import may_reset, out_of_reach


def actor(role: str = "manager", manages: tuple[int, ...] = (2,)) -> CurrentUser:
    return CurrentUser(
        id=1,
        email="karim@test.fr",
        name="Karim",
        role=role,
        locale=None,
        timezone="Europe/Paris",
        team_ids=manages,
        managed_team_ids=manages,
    )


@pytest.mark.parametrize(
    ("me", "role", "memberships", "expected"),
    [
        # Karim manages team 2.
        (actor(), "staff", [(2, "member")], None),
        (actor(), "staff", [(1, "member"), (2, "member")], None),
        (actor(), "staff", [(1, "member")], "other-team"),
        (actor(), "staff", [], "other-team"),
        (actor(), "manager", [(2, "manager")], None),
        # Claire manages team 1 and is a plain member of team 2: out of Karim's reach.
        (actor(), "manager", [(1, "manager"), (2, "member")], "manager-elsewhere"),
        # Unless Karim manages team 1 too.
        (actor(manages=(1, 2)), "manager", [(1, "manager"), (2, "member")], None),
        (actor(), "admin", [(2, "member")], "admin"),
        (actor("admin", ()), "manager", [(1, "manager")], None),
        (actor("admin", ()), "admin", [], None),
    ],
)
def test_out_of_reach(me, role, memberships, expected) -> None:
    assert out_of_reach(me, role, memberships) == expected


def test_only_an_admin_resets_a_chosen_password() -> None:
    assert may_reset(actor(), has_password=False)
    assert not may_reset(actor(), has_password=True)
    assert may_reset(actor("admin", ()), has_password=True)
