"""Where the server sends pushes and the webhook: never inside its own network, unless an admin
listed the origin in ASTREINTE_PUSH_ALLOW (the tests' local push service is listed that way).

Refused when a device is registered (a clear 400), and again on the very address each connection
is about to be made to, after DNS: a name that pointed outward when the device was registered
and points inward when the alert goes out is never connected to. No redirect is followed."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

import server.notifications.outbound as outbound
from server.settings import SettingsError, load_settings
from tests.conftest import Client, Company, LocalOrigins
from tests.integration.alert_helpers import deliver
from tests.integration.schedule_helpers import parse
from tests.push_service import PushService, listening_socket, origin_of, serve_http

NOT_PUBLIC = "Cette adresse de notification n’est pas sur Internet"
HTTPS_ONLY = "HTTPS"
PUBLIC_ADDRESS = "93.184.215.14"


class FakeDns:
    """In place of the resolver: each name answers what the test says, at that moment."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.asked: list[str] = []

    async def lookup(self, host: str, port: int, family: int = 0) -> list[tuple[int, str]]:
        self.asked.append(host)
        if host not in self.names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        address = self.names[host]
        return [(socket.AF_INET6 if ":" in address else socket.AF_INET, address)]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    fake = FakeDns()
    monkeypatch.setattr(outbound, "lookup", fake.lookup)
    return fake


def turn_alerts_on(browser: Client, subscription: dict):
    return browser.post(
        "/push/subscriptions",
        json=subscription,
        headers={"x-csrftoken": browser.csrf(), "User-Agent": "Pixel 8"},
    )


def devices(database, user_id: int) -> list[dict]:
    return database.query("SELECT * FROM push_subscriptions WHERE user_id = ?", (user_id,))


def accepted_connections(listener: socket.socket) -> int:
    """How many connections reached this listening socket (without answering them)."""
    listener.setblocking(False)
    count = 0
    while True:
        try:
            connection, _address = listener.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("http://127.0.0.1:{port}/anything", HTTPS_ONLY),
        ("https://127.0.0.1:{port}/anything", NOT_PUBLIC),
        ("https://10.0.0.8/wp/1", NOT_PUBLIC),
        ("https://192.168.1.20/wp/1", NOT_PUBLIC),
        ("https://169.254.169.254/latest/meta-data", NOT_PUBLIC),
        ("https://[::1]:{port}/wp/1", NOT_PUBLIC),
        ("https://[fc00::1]/wp/1", NOT_PUBLIC),
        ("https://[fe80::1]/wp/1", NOT_PUBLIC),
        ("https://[::ffff:127.0.0.1]/wp/1", NOT_PUBLIC),
        ("https://224.0.0.1/wp/1", NOT_PUBLIC),
        ("https://0.0.0.0/wp/1", NOT_PUBLIC),
        ("https://localhost:{port}/wp/1", NOT_PUBLIC),
        ("https://intranet.example/wp/1", NOT_PUBLIC),  # the fake DNS says 10.1.2.3
    ],
)
def test_an_endpoint_inside_the_network_is_refused_with_a_clear_message(
    endpoint: str,
    message: str,
    app,
    company: Company,
    database,
    push: PushService,
    browsers,
    dns: FakeDns,
) -> None:
    dns.names["intranet.example"] = "10.1.2.3"
    with listening_socket() as target:  # something listening, on a port nobody allowed
        port = target.getsockname()[1]
        subscription = push.device().subscription()
        subscription["endpoint"] = endpoint.format(port=port)
        sophie = browsers("staff.a@test.fr")
        sophie.headers["Accept-Language"] = "fr"
        refused = turn_alerts_on(sophie, subscription)
        assert refused.status_code == 400, refused.text
        assert message in refused.text
        assert devices(database, company.staff_a.id) == []

        # The service worker's renewal is held to the same rules.
        allowed = push.device()
        token = turn_alerts_on(sophie, allowed.subscription()).json()["device_token"]
        renewed = browsers().post(
            "/api/v1/push/renew", json={"device_token": token, "subscription": subscription}
        )
        assert renewed.status_code == 400
        assert [d["endpoint"] for d in devices(database, company.staff_a.id)] == [allowed.endpoint]
        assert accepted_connections(target) == 0


def test_an_origin_in_the_allow_list_is_used_over_http_on_loopback(
    app, company: Company, push: PushService, browsers, settings
) -> None:
    """The tests' push service is on 127.0.0.1, allowed by ASTREINTE_PUSH_ALLOW."""
    assert push.origin in settings.push_allow.split(",")
    sophie = browsers("staff.a@test.fr")
    phone = push.device(server_key=app.state.vapid.public_key)
    device_id = turn_alerts_on(sophie, phone.subscription()).json()["id"]
    assert sophie.post_form(f"/push/devices/{device_id}/test").status_code == 303
    assert deliver(app) == 1
    assert [m.message["type"] for m in push.accepted(phone)] == ["test"]


def test_a_name_that_points_inside_when_the_push_goes_out_is_never_connected_to(
    app, company: Company, database, push: PushService, browsers, dns: FakeDns
) -> None:
    """DNS rebinding: public when the device is registered, 127.0.0.1 when the test is sent,
    where something listens. The connection is never made, and the Settings page says what it
    says of any device that never received anything: it does not tell whether the inside
    address would have answered."""
    with listening_socket() as inside:
        port = inside.getsockname()[1]
        dns.names["push.rebind.example"] = PUBLIC_ADDRESS
        phone = push.device(server_key=app.state.vapid.public_key)
        subscription = phone.subscription()
        subscription["endpoint"] = f"https://push.rebind.example:{port}/wp/phone"
        sophie = browsers("staff.a@test.fr")
        answer = turn_alerts_on(sophie, subscription)
        assert answer.status_code == 201, answer.text
        assert "push.rebind.example" in dns.asked

        dns.names["push.rebind.example"] = "127.0.0.1"
        assert sophie.post_form(f"/push/devices/{answer.json()['id']}/test").status_code == 303
        assert deliver(app) == 1
        assert accepted_connections(inside) == 0
    attempt = database.one(
        "SELECT d.status, d.last_status, d.last_error FROM deliveries d "
        "JOIN notifications n ON n.id = d.notification_id WHERE n.kind = 'test'"
    )
    assert attempt["last_status"] == 0 and attempt["last_error"] == "DestinationRefused"
    listed = parse(sophie.get("/settings").text).one(id="devices").text
    assert "aucune alerte envoyée pour l’instant" in listed


class Redirecting(BaseHTTPRequestHandler):
    """A push service that answers every message with a redirect to `target`."""

    target = ""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(307)
        self.send_header("Location", self.target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


class Recording(BaseHTTPRequestHandler):
    paths: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.paths.append(self.path)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def redirect_to_receiver(local_origins: LocalOrigins) -> Iterator[tuple[str, list[str]]]:
    """On the two allowed origins: a push service redirecting to a receiver that records."""
    received: list[str] = []
    receiver_handler = type("Receiver", (Recording,), {"paths": received})
    redirect_handler = type(
        "Redirect", (Redirecting,), {"target": origin_of(local_origins.webhook) + "/stolen"}
    )
    servers = [
        serve_http(redirect_handler, local_origins.push),
        serve_http(receiver_handler, local_origins.webhook),
    ]
    for each in servers:
        threading.Thread(target=each.serve_forever, kwargs={"poll_interval": 0.05}).start()
    try:
        yield origin_of(servers[0].socket), received
    finally:
        for each in servers:
            each.shutdown()
            each.server_close()


def test_a_redirect_from_the_push_service_is_not_followed(
    app, company: Company, database, browsers, redirect_to_receiver
) -> None:
    origin, received = redirect_to_receiver
    with PushService() as keys:  # only for a real browser key pair
        subscription = keys.device(server_key=app.state.vapid.public_key).subscription()
    subscription["endpoint"] = f"{origin}/push/phone"
    sophie = browsers("staff.a@test.fr")
    device_id = turn_alerts_on(sophie, subscription).json()["id"]
    sophie.post_form(f"/push/devices/{device_id}/test")
    assert deliver(app) == 1
    assert received == []
    delivery = database.one("SELECT status, last_status FROM deliveries")
    assert (delivery["status"], delivery["last_status"]) == ("failed", 307)


def test_a_webhook_inside_the_network_must_be_allowed_by_name(tmp_path) -> None:
    with pytest.raises(SettingsError, match="ASTREINTE_PUSH_ALLOW"):
        load_settings({}, data_dir=str(tmp_path), webhook_url="http://10.0.0.9:8080/sms")
    with pytest.raises(SettingsError, match="ASTREINTE_PUSH_ALLOW"):
        load_settings({}, data_dir=str(tmp_path), webhook_url="https://127.0.0.1/sms")
    with pytest.raises(SettingsError, match="ASTREINTE_PUSH_ALLOW is invalid"):
        load_settings({}, data_dir=str(tmp_path), push_allow="http://10.0.0.9:8080/sms")
    allowed = load_settings(
        {},
        data_dir=str(tmp_path),
        webhook_url="http://10.0.0.9:8080/sms",
        push_allow="http://10.0.0.9:8080",
    )
    assert allowed.push_allow_origins == {"http://10.0.0.9:8080"}


def test_only_a_known_device_makes_the_server_look_a_name_up(
    app, company: Company, database, browsers, dns: FakeDns
) -> None:
    """The service worker's renewal needs no login: without a device token of ours it is a
    404 before any DNS lookup, so nobody can use it to probe names from the server."""
    subscription = {
        "endpoint": "https://intranet.example/wp/1",
        "keys": {"p256dh": "B" + "A" * 86, "auth": "c2VjcmV0LWF1dGg"},
    }
    answer = browsers().post(
        "/api/v1/push/renew", json={"device_token": "x" * 32, "subscription": subscription}
    )
    assert answer.status_code == 404
    assert dns.asked == []
