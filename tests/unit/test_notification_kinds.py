"""Domains register their kinds of notification: the renderer and the dispatcher take a
domain's words, button and token from the registry, never by importing the domain."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from server.notifications import kinds
from server.notifications.dispatch import Dispatcher
from server.notifications.models import Notification, Rendered
from server.notifications.texts import render
from server.settings import load_settings

NOW = datetime(2026, 12, 7, 21, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kinds, "_KINDS", {})
    monkeypatch.setattr(kinds, "_PREFIXES", {})
    monkeypatch.setattr(kinds, "_BADGE", [])


def notification(kind: str) -> Notification:
    return Notification(
        id=1, user_id=2, kind=kind, params={}, url="/x", urgency="normal",
        created_at=NOW, read_at=None,
    )  # fmt: skip


def test_a_registered_kind_reads_with_its_domains_words() -> None:
    kinds.register("parcel_", render=lambda n: Rendered(title="Parcel", body=n.kind), prefix=True)
    assert render(notification("parcel_arrived")) == Rendered(title="Parcel", body="parcel_arrived")
    # An exact name wins over the prefix.
    kinds.register("parcel_lost", render=lambda n: Rendered(title="Lost", body=""))
    assert render(notification("parcel_lost")).title == "Lost"


def test_an_unknown_kind_still_reads_as_a_notification() -> None:
    assert render(notification("nobody_registered_this")).body == ""


def test_the_push_carries_the_registered_button_token_and_badge() -> None:
    kinds.register(
        "parcel_ready",
        render=lambda n: Rendered(title="Ready", body="Collect it"),
        action=lambda: ("/api/v1/parcels/collect", {"ack": "Collect"}),
        token=lambda database, row, now: f"token-{row['id']}",
    )
    kinds.register_badge(lambda database, user_id: 3)
    dispatcher = Dispatcher(None, load_settings({}), None)  # type: ignore[arg-type]
    row = {
        "id": 9, "notification_id": 4, "user_id": 2, "kind": "parcel_ready", "params": "{}",
        "url": "/parcels/4", "urgency": "normal", "n_at": "2026-12-07T21:00:00Z",
        "locale": "en", "alert_id": None, "channel": "push",
    }  # fmt: skip
    token = kinds.kind_of("parcel_ready").token(None, row, NOW)  # type: ignore[misc, arg-type]
    row["badge"] = kinds.badge_of(None, 2)  # type: ignore[arg-type]
    message = msgspec.to_builtins(dispatcher._message(row, token))
    assert message["title"] == "Ready"
    assert message["ack_url"] == "/api/v1/parcels/collect"
    assert message["ack_token"] == "token-9"
    assert message["labels"]["ack"] == "Collect"
    assert message["badge"] == 3
