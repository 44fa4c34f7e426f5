"""The words of a manager's "swap to approve" notification: plain when nothing needs a reason,
naming each finding otherwise, and unchanged for notifications stored before findings were."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from server.i18n import current_locale
from server.notifications.models import Notification
from server.swaps.texts import render_swap

PARAMS = {
    "swap_id": 4,
    "kind": "cover",
    "name": "Julien Moreau",
    "taker": "Nadia Lefebvre",
    "start": "2026-12-21T17:00:00+00:00",
    "end": "2026-12-22T07:00:00+00:00",
    "team": "Maintenance",
}
SUMMARY = (
    "Nadia Lefebvre reprend l’astreinte de Julien Moreau du 21/12/2026 18:00 au "
    "22/12/2026 08:00 (Maintenance)."
)


@pytest.fixture(autouse=True)
def french() -> Iterator[None]:
    token = current_locale.set("fr")
    yield
    current_locale.reset(token)


def to_approve(**params) -> Notification:
    return Notification(
        id=1,
        user_id=2,
        kind="swap_to_approve",
        params={**PARAMS, **params},
        url="/swaps/4",
        urgency="normal",
        created_at=datetime(2026, 12, 7, 9, tzinfo=UTC),
        read_at=None,
    )


def test_a_notification_stored_before_findings_were_kept_reads_as_before() -> None:
    text = render_swap(to_approve(warnings=1))
    assert (text.title, text.body) == ("Échange à approuver", SUMMARY)


def test_each_warning_is_named_with_the_reason_to_give() -> None:
    fatigue = {"code": "fatigue", "severity": "warning", "user_id": 7}
    fatigue["params"] = {"score": 7, "at": "2026-12-07T02:40:00+00:00"}
    skill = {"code": "skill", "severity": "warning", "user_id": 7, "params": {"skill": "Gaz"}}
    text = render_swap(to_approve(findings=[fatigue, skill], names={"7": "Nadia Lefebvre"}))
    assert text.title == "Échange à examiner"
    assert text.body == (
        f"{SUMMARY} Pour l’approuver, ouvrez la demande et donnez une raison : Nadia Lefebvre a "
        "déclaré une fatigue de 7 sur 9 le 07/12/2026 03:40. Nadia Lefebvre n’a pas la "
        "compétence « Gaz » que demande cette astreinte."
    )


def test_a_block_says_it_cannot_be_approved() -> None:
    notice = {"code": "notice", "severity": "block", "user_id": 3, "params": {"status": "x"}}
    text = render_swap(to_approve(findings=[notice], names={"3": "Julien Moreau"}))
    assert text.body.startswith(f"{SUMMARY} Elle ne peut pas être approuvée en l’état : ")
