"""A person's devices: turning alerts on from the page (POST /push/subscriptions), "My devices"
in the settings with a test push and removal, and the service worker renewing its own
subscription with its device token (POST /api/v1/push/renew)."""

from __future__ import annotations

from server.clock import ManualClock
from server.notifications.store import set_rules
from tests.conftest import Client, Company
from tests.integration.alert_helpers import (
    Night,
    alert_pushes,
    deliver,
    table_counts,
)
from tests.integration.schedule_helpers import Browsers, parse
from tests.push_service import PushService

PIXEL_8 = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def turn_alerts_on(browser: Client, subscription: dict, user_agent: str = PIXEL_8):
    """What the page's script does once PushManager.subscribe() answered."""
    return browser.post(
        "/push/subscriptions",
        json=subscription,
        headers={"x-csrftoken": browser.csrf(), "User-Agent": user_agent},
    )


def devices_listed(browser: Client) -> list[str]:
    section = parse(browser.get("/settings").text).one(id="devices")
    return [li.text for li in section.find_all("li")]


def device_rows(database, user_id: int) -> list[dict]:
    return database.query(
        "SELECT * FROM push_subscriptions WHERE user_id = ? ORDER BY id", (user_id,)
    )


def test_turning_alerts_on_lists_the_device_in_the_settings(
    app, company: Company, database, push: PushService, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    assert devices_listed(sophie) == ["Aucun appareil ne reçoit encore les alertes."]
    # The key the page subscribes with is the server's VAPID public key.
    key = sophie.get("/push/key").json()["public_key"]
    assert key == app.state.vapid.public_key
    assert parse(sophie.get("/settings").text).one("body").attrs["data-vapid"] == key

    phone = push.device(server_key=key)
    answer = turn_alerts_on(sophie, phone.subscription())
    assert answer.status_code == 201, answer.text
    device = answer.json()
    assert len(device["device_token"]) >= 32
    (row,) = device_rows(database, company.staff_a.id)
    assert (row["id"], row["endpoint"], row["p256dh"], row["auth"]) == (
        device["id"],
        phone.endpoint,
        phone.p256dh,
        phone.auth,
    )
    (listed,) = devices_listed(sophie)
    # Named as the person knows their phone (server/auth/user_agents.py).
    assert "Chrome sur Android" in listed
    assert "Envoyer un test" in listed and "Retirer" in listed
    # Nobody else sees it.
    samuel = browsers("staff.a2@test.fr")
    assert devices_listed(samuel) == ["Aucun appareil ne reçoit encore les alertes."]


def test_a_subscription_that_is_not_one_is_refused_and_nothing_stored(
    company: Company, database, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    bad = [
        {"endpoint": "ftp://push.example/x", "keys": {"p256dh": "B" * 87, "auth": "a" * 22}},
        {"endpoint": "https://push.example/x", "keys": {"p256dh": "B" * 87}},
        {"endpoint": "https://push.example/x"},
    ]
    for subscription in bad:
        assert turn_alerts_on(sophie, subscription).status_code == 400, subscription
    broken = sophie.post(
        "/push/subscriptions",
        content=b"{not json",
        headers={"x-csrftoken": sophie.csrf(), "Content-Type": "application/json"},
    )
    assert broken.status_code == 400
    # Without the CSRF header, a page of another site cannot subscribe someone.
    forged = sophie.post("/push/subscriptions", json={"endpoint": "https://evil.example/1"})
    assert forged.status_code == 403
    assert device_rows(database, company.staff_a.id) == []


def test_send_a_test_reaches_that_device_only(
    app, company: Company, database, clock: ManualClock, push: PushService, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    phone = push.device(server_key=app.state.vapid.public_key)
    laptop = push.device(server_key=app.state.vapid.public_key)
    phone_id = turn_alerts_on(sophie, phone.subscription(), "Pixel 8").json()["id"]
    turn_alerts_on(sophie, laptop.subscription(), "Firefox Linux")

    answer = sophie.post_form(f"/push/devices/{phone_id}/test")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/settings?done=test#devices"
    assert deliver(app) == 1
    (received,) = push.accepted(phone)
    assert received.message["type"] == "test"
    assert received.message["title"] == "Alerte de test"
    assert received.message["urgency"] == "high"
    assert received.headers["urgency"] == "high"
    assert push.messages(laptop) == []
    assert "Une alerte de test part vers cet appareil." in sophie.get("/settings?done=test").text
    # The phone now says when it last received something; the laptop still has had nothing.
    phone_listed, laptop_listed = devices_listed(sophie)
    assert "aucune alerte envoyée" not in phone_listed
    assert "aucune alerte envoyée pour l’instant" in laptop_listed


def test_removing_a_device_deletes_it(
    app, company: Company, database, push: PushService, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    phone = push.device()
    device_id = turn_alerts_on(sophie, phone.subscription()).json()["id"]
    answer = sophie.post_form(f"/push/devices/{device_id}/remove")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/settings?done=device-removed#devices"
    assert device_rows(database, company.staff_a.id) == []
    assert devices_listed(sophie) == ["Aucun appareil ne reçoit encore les alertes."]


def test_someone_elses_device_is_403_and_untouched(
    app, company: Company, database, push: PushService, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    phone = push.device()
    device_id = turn_alerts_on(sophie, phone.subscription()).json()["id"]
    before = table_counts(database)
    for intruder in ("staff.a2@test.fr", "admin@test.fr"):
        other = browsers(intruder)
        for action in ("test", "remove"):
            answer = other.post_form(f"/push/devices/{device_id}/{action}")
            assert answer.status_code == 403, (intruder, action)
    assert len(device_rows(database, company.staff_a.id)) == 1
    assert table_counts(database) == before
    deliver(app)
    assert push.requests == []
    assert sophie.post_form("/push/devices/9999/test").status_code == 404


# Renewal by the service worker -----------------------------------------------------------------


def test_the_service_worker_renews_its_subscription_on_the_same_device(
    night: Night, app, company: Company, database, push: PushService, browsers
) -> None:
    sophie = company.staff_a.id
    # Sophie's second phone turned alerts on from the page; its worker kept the device token.
    page = browsers("staff.a@test.fr")
    old = push.device(server_key=app.state.vapid.public_key)
    subscribed = turn_alerts_on(page, old.subscription()).json()

    # The browser rotated the subscription (pushsubscriptionchange): new endpoint, new keys.
    new = push.device(server_key=app.state.vapid.public_key)
    worker = browsers()  # no cookie, no CSRF token: the device token is the credential
    answer = worker.post(
        "/api/v1/push/renew",
        json={"device_token": subscribed["device_token"], "subscription": new.subscription()},
    )
    assert answer.status_code == 200, answer.text  # the same device: nothing is created
    assert answer.json() == subscribed
    row = database.one("SELECT * FROM push_subscriptions WHERE id = ?", (subscribed["id"],))
    assert (row["user_id"], row["endpoint"], row["p256dh"], row["auth"]) == (
        sophie,
        new.endpoint,
        new.p256dh,
        new.auth,
    )
    assert (
        len(database.query("SELECT id FROM push_subscriptions WHERE user_id = ?", (sophie,))) == 2
    )

    # The next alert reaches the renewed subscription (and decrypts with its new keys).
    alert = night.raise_alert("Serveur de fichiers arrêté")
    deliver(app)
    assert [m["tag"] for m in alert_pushes(push, new)] == [f"alert-{alert['id']}"]
    assert [r for r in push.requests if r.device == old.id] == []


def test_renewal_with_a_wrong_device_token_is_404_and_changes_nothing(
    app, company: Company, database, push: PushService, browsers
) -> None:
    page = browsers("staff.a@test.fr")
    old = push.device()
    turn_alerts_on(page, old.subscription())
    before = database.query("SELECT * FROM push_subscriptions")
    worker = browsers()
    wrong = worker.post(
        "/api/v1/push/renew",
        json={"device_token": "z" * 43, "subscription": push.device().subscription()},
    )
    assert wrong.status_code == 404
    assert wrong.headers["content-type"].startswith("application/problem+json")
    malformed = worker.post("/api/v1/push/renew", json={"device_token": "short"})
    assert malformed.status_code == 400
    assert database.query("SELECT * FROM push_subscriptions") == before


# Channels the person chose ---------------------------------------------------------------------


def test_send_a_test_reaches_the_device_whatever_channels_were_chosen_for_alerts(
    app, company: Company, push: PushService, browsers
) -> None:
    # Sophie wants alerts by e-mail only; "Send a test" on her phone still tests her phone.
    sophie = browsers("staff.a@test.fr")
    phone = push.device(server_key=app.state.vapid.public_key)
    device_id = turn_alerts_on(sophie, phone.subscription()).json()["id"]
    # (This server has no SMTP, so e-mail cannot be chosen in the page: set the rule directly.)
    set_rules(app.state.database, company.staff_a.id, [("email", 0)])
    assert sophie.post_form(f"/push/devices/{device_id}/test").status_code == 303
    assert "Une alerte de test part vers cet appareil." in sophie.get("/settings?done=test").text
    deliver(app)
    assert [m["type"] for m in push.messages(phone)] == ["test"]


def test_nobody_ends_up_unreachable_by_choosing_channels_this_server_lacks(
    night: Night, app, database, push: PushService, browsers
) -> None:
    # This server has no SMTP host and no SMS gateway, yet the settings offer both. Sophie
    # picks e-mail and text messages, "never" for notifications: either the choice is refused
    # or alerts still reach her phone; an on-call person silently paged nowhere is neither.
    sophie = browsers("staff.a@test.fr")
    sophie.post_form("/settings/channels", {"email": "0", "webhook": "5"})
    alert = night.raise_alert("Chaudière en panne")
    deliver(app)
    assert [m["tag"] for m in alert_pushes(push, night.sophie)] == [f"alert-{alert['id']}"]


def test_a_production_install_takes_only_https_push_endpoints(
    tmp_path, clock: ManualClock, company: Company, database
) -> None:
    from server.app import create_app
    from server.settings import load_settings

    settings = load_settings(
        {}, data_dir=str(tmp_path), production=True, secret_key="a-real-secret-" + "x" * 40
    )
    app = create_app(settings, clock=clock, database=database)
    subscription = {
        "endpoint": "http://push.example.net/clear",
        "keys": {"p256dh": "B" + "A" * 86, "auth": "c2VjcmV0LWF1dGg"},
    }
    with Browsers(app) as open_browser:
        sophie = open_browser("staff.a@test.fr")
        refused = turn_alerts_on(sophie, subscription)
        assert refused.status_code == 400
        assert "HTTPS" in refused.text
        assert device_rows(database, company.staff_a.id) == []
        subscription["endpoint"] = "https://push.example.net/secure"
        assert turn_alerts_on(sophie, subscription).status_code == 201
