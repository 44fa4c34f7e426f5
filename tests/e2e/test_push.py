"""Alerts on a phone by Web Push: turning them on, an alert the server pushes shown by the service
worker, acknowledged from the notification with the app closed, and opened by a tap.

Nothing here reaches a real push service (Chromium's goes through Google's servers, and this
machine has no network; `pushManager.subscribe()` fails at once in Playwright's incognito
contexts and never settles in a normal profile). So the test stands in for the three parts that
are not the app's own:

- the push service: the page's `PushManager` hands out a subscription whose endpoint is a
  receiver in this file and whose keys are ours, so the server really encrypts (RFC 8291) and
  sends each push there, and we decrypt the exact bytes a phone would get;
- the delivery to the phone: DevTools gives those bytes to the real service worker
  (`ServiceWorker.deliverPushMessage`), which runs its own `push` handler;
- the person's finger: Chromium on Linux shows notifications through the desktop's notification
  server over D-Bus. A small one in this file, on a private bus, records what Chromium shows and
  taps it (the `ActionInvoked` signal), so the service worker's real `notificationclick` handler
  runs, with the right to open and focus windows that only a real tap gives.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import socket
import struct
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import Browser, BrowserContext, BrowserType, Page, Request, Route, expect

from tests.e2e.conftest import PUSH_LISTENER, LiveServer, PhoneFactory, _die_with_parent
from tests.e2e.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MAINTENANCE,
    PHONE,
    STAFF,
    TIMEOUT_MS,
    astreinte_cli,
    login,
    put_on_call,
    read_rows,
    wait_for_service_worker,
)
from tests.push_service import serve_http

DBUS_DAEMON = "/usr/bin/dbus-daemon"
ALERT_TITLE = "Fuite d’eau au sous-sol du bâtiment B"
# What the French catalog says on the buttons of an alert and on its acknowledged notice.
ACK, OPEN, ACKED = "Je prends", "Ouvrir", "Prise en compte"
WAIT_S = TIMEOUT_MS / 1000


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def wait_until(check: Callable[[], Any], what: str, page: Page | None = None) -> Any:
    """Poll `check` until it gives something; with a page, Playwright's events flow meanwhile
    (its sync API handles them only while one of its calls runs)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT_S:.0f} s for {what}")
        if page is None:
            time.sleep(0.02)
        else:
            page.wait_for_timeout(20)


# The push service ------------------------------------------------------------------------------


@dataclass
class Push:
    path: str
    headers: dict[str, str]
    body: bytes


class PushService:
    """Plays a push service on 127.0.0.1: records each push it is sent, answers 201 Created.

    It holds the private key and auth secret of the subscriptions it hands out, as a browser
    does, so it can decrypt what the server encrypted for the phone."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.pushes: list[Push] = []
        received = self.pushes

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {name.lower(): value for name, value in self.headers.items()}
                received.append(Push(self.path, headers, body))
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        # On the origin the servers allow (HTTP/1.0: no connection outlives its push, so the
        # next test's service on the same port gets none of this one's).
        self.http = serve_http(Handler, PUSH_LISTENER.dup())
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    def subscription(self, device: str) -> dict:
        """What `PushSubscription.toJSON()` gives the page, for one device."""
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"http://127.0.0.1:{self.http.server_port}/push/{device}",
            "expirationTime": None,
            "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)},
        }

    def wait_for(self, count: int) -> list[Push]:
        wait_until(lambda: len(self.pushes) >= count, f"{count} push(es) from the server")
        return self.pushes[:count]

    def decrypt(self, push: Push) -> bytes:
        return http_ece.decrypt(
            push.body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()
    yield service
    service.close()


# In place of the browser's PushManager (whose subscribe() needs Google's push service): it hands
# out our subscriptions, the n-th subscribe() the n-th one (or the last), remembers it across
# pages like the browser does, with the key the page subscribed with (`options`), and like
# Chromium refuses to subscribe with another key while a subscription exists.
FAKE_PUSH_MANAGER = """(subscriptions) => {
  const KEY = "e2e-push-subscription";
  const saved = () => JSON.parse(localStorage.getItem(KEY) || "null");
  const made = (state) => {
    const subscription = subscriptions[Math.min(state.index, subscriptions.length - 1)];
    const key = Uint8Array.from(atob(state.key), (c) => c.charCodeAt(0)).buffer;
    return {
      endpoint: subscription.endpoint,
      options: { userVisibleOnly: state.userVisibleOnly, applicationServerKey: key },
      toJSON: () => subscription,
      unsubscribe: async () => { localStorage.removeItem(KEY); return true; },
    };
  };
  PushManager.prototype.getSubscription = async function () {
    return saved() ? made(saved()) : null;
  };
  PushManager.prototype.subscribe = async function (options) {
    const key = btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey)));
    const state = saved();
    if (state && state.key === key) return made(state);
    if (state) {
      throw new DOMException(
        "A subscription with a different applicationServerKey already exists", "InvalidStateError");
    }
    const index = Number(localStorage.getItem(KEY + "-count") || "0");
    localStorage.setItem(KEY + "-count", String(index + 1));
    const fresh = { userVisibleOnly: options.userVisibleOnly, key, index };
    localStorage.setItem(KEY, JSON.stringify(fresh));
    return made(fresh);
  };
}"""


def use_push_service(context: BrowserContext, *subscriptions: dict) -> None:
    context.add_init_script(script=f"({FAKE_PUSH_MANAGER})({json.dumps(subscriptions)})")


# The desktop's notification server, over D-Bus ---------------------------------------------------
#
# Just enough of the D-Bus wire protocol (little-endian messages, SASL EXTERNAL) to own
# org.freedesktop.Notifications on a private bus and answer Chromium.

# Each type's alignment, and the struct layout of the fixed-size ones.
_ALIGN = dict(y=1, b=4, n=2, q=2, i=4, u=4, x=8, t=8, d=8, h=4, s=4, o=4, g=1, a=4, v=1)
_ALIGN |= {"(": 8, "{": 8}
_FIXED = dict(y="B", b="I", n="h", q="H", i="i", u="I", x="q", t="Q", d="d", h="I")
# Header fields: code -> (name, type)
_FIELDS = {
    1: ("path", "o"),
    2: ("interface", "s"),
    3: ("member", "s"),
    4: ("error_name", "s"),
    5: ("reply_serial", "u"),
    6: ("destination", "s"),
    7: ("sender", "s"),
    8: ("signature", "g"),
    9: ("unix_fds", "u"),
}
_CODES = {name: (code, kind) for code, (name, kind) in _FIELDS.items()}
METHOD_CALL, METHOD_RETURN, ERROR, SIGNAL = 1, 2, 3, 4
NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"


def _aligned(offset: int, size: int) -> int:
    return (offset + size - 1) // size * size


def _end_of_type(signature: str, start: int) -> int:
    code = signature[start]
    if code == "a":
        return _end_of_type(signature, start + 1)
    if code in "({":
        close, i = ")" if code == "(" else "}", start + 1
        while signature[i] != close:
            i = _end_of_type(signature, i)
        return i + 1
    return start + 1


def _types(signature: str) -> list[str]:
    types, i = [], 0
    while i < len(signature):
        end = _end_of_type(signature, i)
        types.append(signature[i:end])
        i = end
    return types


class _Writer:
    def __init__(self) -> None:
        self.data = bytearray()

    def pad(self, size: int) -> None:
        self.data += bytes(_aligned(len(self.data), size) - len(self.data))

    def put(self, kind: str, value: Any) -> None:
        code = kind[0]
        self.pad(_ALIGN[code])
        if code in _FIXED:
            self.data += struct.pack("<" + _FIXED[code], value)
        elif code in "so":
            raw = value.encode()
            self.data += struct.pack("<I", len(raw)) + raw + b"\0"
        elif code == "g":
            raw = value.encode()
            self.data += bytes([len(raw)]) + raw + b"\0"
        elif code == "v":
            inner, item = value
            self.put("g", inner)
            self.put(inner, item)
        elif code == "(":
            for inner, item in zip(_types(kind[1:-1]), value, strict=True):
                self.put(inner, item)
        elif code == "a":
            element = kind[1:]
            length_at = len(self.data)
            self.data += bytes(4)
            self.pad(_ALIGN[element[0]])
            first = len(self.data)
            if element[0] == "{":
                key_kind, value_kind = _types(element[1:-1])
                for key, item in value.items():
                    self.pad(8)
                    self.put(key_kind, key)
                    self.put(value_kind, item)
            else:
                for item in value:
                    self.put(element, item)
            self.data[length_at : length_at + 4] = struct.pack("<I", len(self.data) - first)
        else:
            raise ValueError(f"D-Bus type {kind!r}")


class _Reader:
    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data = data
        self.offset = offset

    def get(self, kind: str) -> Any:
        code = kind[0]
        self.offset = _aligned(self.offset, _ALIGN[code])
        if code in _FIXED:
            layout = "<" + _FIXED[code]
            (value,) = struct.unpack_from(layout, self.data, self.offset)
            self.offset += struct.calcsize(layout)
            return bool(value) if code == "b" else value
        if code in "sog":
            if code == "g":
                size, start = self.data[self.offset], self.offset + 1
            else:
                (size,) = struct.unpack_from("<I", self.data, self.offset)
                start = self.offset + 4
            self.offset = start + size + 1
            return self.data[start : start + size].decode()
        if code == "v":
            return self.get(self.get("g"))
        if code == "(":
            return tuple(self.get(inner) for inner in _types(kind[1:-1]))
        if code == "a":
            (size,) = struct.unpack_from("<I", self.data, self.offset)
            element = kind[1:]
            self.offset = _aligned(self.offset + 4, _ALIGN[element[0]])
            end = self.offset + size
            if element == "y":
                self.offset = end
                return self.data[end - size : end]
            if element[0] == "{":
                key_kind, value_kind = _types(element[1:-1])
                mapping = {}
                while self.offset < end:
                    self.offset = _aligned(self.offset, 8)
                    key = self.get(key_kind)
                    mapping[key] = self.get(value_kind)
                return mapping
            items = []
            while self.offset < end:
                items.append(self.get(element))
            return items
        raise ValueError(f"D-Bus type {kind!r}")


@dataclass
class Shown:
    """A notification as Chromium handed it to the desktop."""

    id: int
    summary: str
    body: str
    actions: dict[str, str]  # action key -> button label
    hints: dict[str, Any]
    replaces: int
    closed: bool = False


@dataclass
class NotificationServer:
    """org.freedesktop.Notifications for Chromium: records what it shows, taps it on demand."""

    bus_path: str
    calls: list[tuple[str, list]] = field(default_factory=list)
    shown: list[Shown] = field(default_factory=list)
    last_id: int = 0

    def __post_init__(self) -> None:
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.connect(self.bus_path)
        self._socket.settimeout(WAIT_S)
        uid = str(os.getuid()).encode().hex()
        self._socket.sendall(f"\0AUTH EXTERNAL {uid}\r\n".encode())
        answer = self._line()
        assert answer.startswith(b"OK "), answer
        self._socket.sendall(b"BEGIN\r\n")
        self._socket.settimeout(None)
        self._serial = 0
        self._buffer = b""
        self._send_lock = threading.Lock()
        self._changed = threading.Condition()
        bus = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")
        self._call(*bus, "Hello")
        self._reply_body()
        self._call(*bus, "RequestName", "su", [NOTIFICATIONS, 4])  # 4: do not queue
        assert self._reply_body() == [1], "another process owns org.freedesktop.Notifications"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    # What the test asks -------------------------------------------------------------------------

    def visible(self) -> list[Shown]:
        with self._changed:
            return [item for item in self.shown if not item.closed]

    def wait(self, page: Page, check: Callable[[list[Shown]], Any], what: str) -> Any:
        return wait_until(lambda: check(self.visible()), what, page)

    def notify_count(self) -> int:
        return sum(1 for member, _ in self.calls if member == "Notify")

    def tap(self, notification: Shown, label: str | None = None) -> None:
        """A finger on a button (by its label) or, without a label, on the notification."""
        if label is None:
            key = "default"
        else:
            keys = [key for key, text in notification.actions.items() if text == label]
            assert keys, f"no button {label!r} on {notification}"
            key = keys[0]
        assert key in notification.actions, f"no {key!r} action on {notification}"
        self._signal("ActionInvoked", "us", [notification.id, key])

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)
        self._socket.close()
        self._thread.join(5)

    # The wire -----------------------------------------------------------------------------------

    def _line(self) -> bytes:
        line = b""
        while not line.endswith(b"\r\n"):
            chunk = self._socket.recv(1)
            if not chunk:
                raise ConnectionError("the bus closed the connection")
            line += chunk
        return line

    def _send(self, kind: int, fields: dict[str, Any], signature: str = "", body=()) -> None:
        payload = _Writer()
        for item_kind, item in zip(_types(signature), body, strict=True):
            payload.put(item_kind, item)
        if signature:
            fields = {**fields, "signature": signature}
        with self._send_lock:
            self._serial += 1
            header = _Writer()
            # little-endian, kind, no flags, protocol 1, body size, serial
            header.data += struct.pack("<cBBBII", b"l", kind, 0, 1, len(payload.data), self._serial)
            header.put(
                "a(yv)",
                [(_CODES[name][0], (_CODES[name][1], value)) for name, value in fields.items()],
            )
            header.pad(8)
            self._socket.sendall(bytes(header.data) + bytes(payload.data))

    def _call(self, destination: str, path: str, interface: str, member: str, *args) -> None:
        fields = {"path": path, "interface": interface, "member": member}
        self._send(METHOD_CALL, {**fields, "destination": destination}, *args)

    def _signal(self, member: str, signature: str, body: list) -> None:
        fields = {"path": NOTIFICATIONS_PATH, "interface": NOTIFICATIONS, "member": member}
        self._send(SIGNAL, fields, signature, body)

    def _reply(self, to: dict, signature: str = "", body=()) -> None:
        self._send(
            METHOD_RETURN,
            {"reply_serial": to["serial"], "destination": to["sender"]},
            signature,
            body,
        )

    def _receive(self) -> tuple[int, dict[str, Any], list]:
        while True:
            if len(self._buffer) >= 16:
                assert self._buffer[:1] == b"l", "a big-endian D-Bus message"
                body_size, serial, fields_size = struct.unpack_from("<III", self._buffer, 4)
                total = _aligned(16 + fields_size, 8) + body_size
                if len(self._buffer) >= total:
                    message, self._buffer = self._buffer[:total], self._buffer[total:]
                    reader = _Reader(message, 12)
                    fields = {_FIELDS[c][0]: v for c, v in reader.get("a(yv)") if c in _FIELDS}
                    fields["serial"] = serial
                    reader.offset = _aligned(reader.offset, 8)
                    body = [reader.get(kind) for kind in _types(fields.get("signature", ""))]
                    return message[1], fields, body
            chunk = self._socket.recv(65536)
            if not chunk:
                raise ConnectionError("the bus closed the connection")
            self._buffer += chunk

    def _reply_body(self) -> list:
        while True:
            kind, _fields, body = self._receive()
            if kind == ERROR:
                raise RuntimeError(f"D-Bus error: {body}")
            if kind == METHOD_RETURN:
                return body

    def _serve(self) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while True:
                kind, fields, body = self._receive()
                if kind == METHOD_CALL:
                    self._answer(fields, body)

    def _answer(self, call: dict[str, Any], body: list) -> None:
        member = call.get("member", "")
        self.calls.append((member, body))
        if member == "GetCapabilities":
            self._reply(call, "as", [["body", "actions", "persistence"]])
        elif member == "GetServerInformation":
            self._reply(call, "ssss", ["astreinte-e2e", "Astreinte", "1.0", "1.2"])
        elif member == "Notify":
            _app, replaces, _icon, summary, text, actions, hints, _timeout = body
            with self._changed:
                if not replaces:
                    self.last_id += 1
                number = replaces or self.last_id
                for item in self.shown:
                    if item.id == number:
                        item.closed = True
                self.shown.append(
                    Shown(
                        id=number,
                        summary=summary,
                        body=text,
                        actions=dict(zip(actions[::2], actions[1::2], strict=True)),
                        hints=hints,
                        replaces=replaces,
                    )
                )
                self._changed.notify_all()
            self._reply(call, "u", [number])
        elif member == "CloseNotification":
            with self._changed:
                for item in self.shown:
                    if item.id == body[0]:
                        item.closed = True
                self._changed.notify_all()
            self._reply(call)
            self._signal("NotificationClosed", "uu", [body[0], 3])  # 3: closed by a call
        else:
            error = {"error_name": "org.freedesktop.DBus.Error.UnknownMethod"}
            self._send(
                ERROR,
                {**error, "reply_serial": call["serial"], "destination": call["sender"]},
                "s",
                [f"{member} is not part of this notification server"],
            )


BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={path}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@contextlib.contextmanager
def private_bus(folder: Path) -> Iterator[str]:
    """A D-Bus daemon of our own (no services to start, nobody else on it); yields its socket."""
    if not os.access(DBUS_DAEMON, os.X_OK):
        pytest.fail(
            f"{DBUS_DAEMON} is needed to tap notifications: apt-get install dbus-daemon",
            pytrace=False,
        )
    path = folder / "bus"
    config = folder / "bus.conf"
    config.write_text(BUS_CONFIG.format(path=path))
    daemon = subprocess.Popen(
        [DBUS_DAEMON, f"--config-file={config}", "--nofork", "--nopidfile"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent,
    )
    try:
        wait_until(lambda: path.exists() or daemon.poll() is not None, "the D-Bus daemon")
        assert daemon.poll() is None, "dbus-daemon stopped at once"
        yield str(path)
    finally:
        daemon.terminate()
        daemon.wait(10)


@dataclass
class Desktop:
    """A phone-sized Chromium with a normal profile whose notifications we see and tap."""

    context: BrowserContext
    notifications: NotificationServer


@contextlib.contextmanager
def notified_phone(browser: Browser, live: LiveServer, prefix: str) -> Iterator[Desktop]:
    """A phone-sized Chromium on its own notification bus, closed whatever happens."""
    with (
        tempfile.TemporaryDirectory(prefix=prefix) as folder,
        private_bus(Path(folder)) as bus,
    ):
        server = NotificationServer(bus)
        # A normal profile: a tap on a notification of one of Playwright's incognito contexts
        # (new_context) reaches Chromium, which closes it, but never their service worker.
        context = launch_phone(browser.browser_type, Path(folder) / "profile", bus, live.url)
        try:
            yield Desktop(context, server)
        finally:
            with contextlib.suppress(Exception):
                context.close()
            server.close()


@pytest.fixture
def desktop(browser: Browser, own_server: LiveServer) -> Iterator[Desktop]:
    with notified_phone(browser, own_server, "astreinte-e2e-push-") as phone:
        yield phone


def launch_phone(chromium: BrowserType, profile: Path, bus: str, url: str) -> BrowserContext:
    # Playwright runs once per process: the session's own Chromium lends its launcher.
    context = chromium.launch_persistent_context(
        profile,
        base_url=url,
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=True,
        env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": f"unix:path={bus}"},
        **PHONE,
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


# The server's API --------------------------------------------------------------------------------


def create_api_key(live: LiveServer) -> str:
    """`astreinte apikey create`, as an administrator would for an integration."""
    return astreinte_cli(
        live, "apikey", "create", "--team", str(MAINTENANCE), "--name", "e2e"
    ).strip()


def call(
    live: LiveServer, method: str, path: str, body: dict | None = None, key: str | None = None
) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(live.url + path, data, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=WAIT_S) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


# The page and the service worker ---------------------------------------------------------------


def turn_alerts_on(page: Page, button: str) -> dict:
    """Tap the button; returns the device the server registered (its id and token)."""
    answers: list[dict] = []

    def pass_through(route: Route) -> None:
        # The page leaves as soon as it has the answer: read it on the way.
        response = route.fetch()
        answers.append({"status": response.status, "body": response.text()})
        route.fulfill(response=response)

    page.route("**/push/subscriptions", pass_through)
    with page.expect_navigation(url=re.compile(r"/settings(\?[^#]*)?#devices$")):
        page.get_by_role("button", name=button, exact=True).tap()
    page.unroute("**/push/subscriptions", pass_through)
    (answer,) = answers
    assert answer["status"] == 201, answer
    return json.loads(answer["body"])


def saved_device(page: Page) -> dict | None:
    """What the service worker keeps to renew its subscription without a page (IndexedDB)."""
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("astreinte-push", 1);
            open.onupgradeneeded = () => open.result.createObjectStore("device");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const read = open.result.transaction("device").objectStore("device").get("device");
              read.onsuccess = () => { open.result.close(); resolve(read.result || null); };
              read.onerror = () => reject(read.error);
            };
        })"""
    )


NOTIFICATIONS_JS = """async () => (await self.registration.getNotifications()).map((n) => ({
  title: n.title, body: n.body, tag: n.tag, requireInteraction: n.requireInteraction,
  renotify: n.renotify, silent: n.silent, data: n.data,
  actions: n.actions.map((a) => ({ action: a.action, title: a.title })),
}))"""


def page_notifications(page: Page) -> list[dict]:
    return page.evaluate(
        NOTIFICATIONS_JS.replace("self.registration", "(await navigator.serviceWorker.ready)")
    )


class PushDelivery:
    """DevTools' "Push" button: a message handed to the service worker, as a push service would."""

    def __init__(self, page: Page, live: LiveServer) -> None:
        self.origin = live.url
        self.session = page.context.new_cdp_session(page)
        registrations: dict[str, str] = {}

        def updated(event: dict) -> None:
            for registration in event["registrations"]:
                if not registration.get("isDeleted"):
                    registrations[registration["scopeURL"]] = registration["registrationId"]

        self.session.on("ServiceWorker.workerRegistrationUpdated", updated)
        self.session.send("ServiceWorker.enable")
        self.registration_id = wait_until(
            lambda: registrations.get(live.url + "/"), "the service worker's registration", page
        )

    def deliver(self, data: str) -> None:
        self.session.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": self.origin, "registrationId": self.registration_id, "data": data},
        )


# The tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "button", "email"),
    [
        ("/settings", "Activer les alertes sur cet appareil", STAFF),
        ("/", "Activer les alertes", "thomas.petit@astreinte.test"),
    ],
    ids=["settings", "today"],
)
def test_turning_alerts_on_lists_this_device(
    make_phone: PhoneFactory,
    server: LiveServer,
    push_service: PushService,
    start: str,
    button: str,
    email: str,
) -> None:
    phone = make_phone(server)
    phone.context.grant_permissions(["notifications"], origin=server.url)
    use_push_service(phone.context, push_service.subscription("phone-1"))
    login(phone, email)
    phone.goto(start)
    wait_for_service_worker(phone)
    vapid = phone.evaluate("document.body.dataset.vapid")

    device = turn_alerts_on(phone, button)

    # The page subscribed with the server's key, asking for visible notifications only.
    asked = json.loads(phone.evaluate("localStorage.getItem('e2e-push-subscription')"))
    assert asked["userVisibleOnly"] is True
    assert b64url(base64.b64decode(asked["key"])) == vapid
    # The service worker keeps the device's token, to renew the subscription by itself later.
    wait_until(lambda: saved_device(phone), "the service worker to keep the device", phone)
    assert saved_device(phone) == {"token": device["device_token"], "key": vapid}
    # The server holds it: a fresh copy of the settings lists one device.
    fresh = phone.request.get("/settings").text()
    assert fresh.count(f'action="/push/devices/{device["id"]}/remove"') == 1, fresh
    # And the page the person is looking at says so, without a reload by hand.
    devices = phone.locator("#devices")
    expect(devices.get_by_role("button", name="Envoyer un test")).to_have_count(1)
    expect(devices).not_to_contain_text("Aucun appareil ne reçoit encore les alertes.")


def test_alert_pushed_then_acknowledged_and_opened_from_the_notification(
    own_server: LiveServer, push_service: PushService, desktop: Desktop
) -> None:
    live, context, shown = own_server, desktop.context, desktop.notifications
    # The demo is on call nights and weekends only: Julien is put on call now, whatever the hour.
    put_on_call(live, STAFF, MAINTENANCE)
    key = create_api_key(live)
    status, oncall = call(live, "GET", f"/api/v1/teams/{MAINTENANCE}/oncall", key=key)
    assert status == 200 and oncall["primary"], oncall
    person = oncall["primary"]
    assert person["email"] == STAFF, person

    # 1. The person on call turns alerts on for this phone.
    context.grant_permissions(["notifications"], origin=live.url)
    use_push_service(context, push_service.subscription("phone-1"))
    page = context.pages[0] if context.pages else context.new_page()
    login(page, person["email"])
    today = page.locator("main")
    expect(today).to_contain_text("Vous êtes d’astreinte jusqu’au")
    expect(today).to_contain_text(f"D’astreinte en ce moment : {person['name']}")
    page.goto("/settings")
    wait_for_service_worker(page)
    device = turn_alerts_on(page, "Activer les alertes sur cet appareil")

    # The browser replaces the subscription by itself (pushsubscriptionchange, which DevTools
    # cannot fire: the worker's own handler runs): with the device token it kept, the service
    # worker moves the device to the new endpoint, without a page.
    (worker,) = context.service_workers
    renewed = worker.evaluate(
        """async (subscription) => {
            const answer = await AstreintePush.subscriptionChanged(
                { newSubscription: { toJSON: () => subscription } });
            return { status: answer.status, body: await answer.json() };
        }""",
        push_service.subscription("phone-2"),
    )
    assert renewed == {"status": renewed["status"], "body": device}, renewed
    assert 200 <= renewed["status"] < 300, renewed

    # 2. An integration raises an alert: the server encrypts and sends a push at once.
    status, alert = call(
        live, "POST", "/api/v1/alerts", {"title": ALERT_TITLE, "severity": "critical"}, key
    )
    assert status == 201, alert
    alert_id = alert["id"]
    (push,) = push_service.wait_for(1)
    assert push.path == "/push/phone-2"  # the renewed subscription
    assert push.headers["content-encoding"] == "aes128gcm"
    assert push.headers["urgency"] == "high"
    assert int(push.headers["ttl"]) > 0
    assert push.headers["authorization"].startswith("vapid t="), push.headers
    text = push_service.decrypt(push).decode()
    message = json.loads(text)
    assert message["type"] == "alert"
    assert ALERT_TITLE in message["title"]
    assert message["tag"] == f"alert-{alert_id}"
    assert message["url"] == f"/alerts/{alert_id}"
    assert message["urgency"] == "high"
    assert message["require_interaction"] is True
    assert message["ack_url"] == "/api/v1/push/ack"
    assert message["ack_token"]
    assert message["labels"] == {"ack": ACK, "open": OPEN, "acked": ACKED}
    assert message["badge"] == 1

    # 3. The phone receives it: the service worker shows one notification that stays.
    delivery = PushDelivery(page, live)
    delivery.deliver(text)
    first = shown.wait(page, lambda items: items[-1] if items else None, "a notification")
    (notification,) = page_notifications(page)
    assert notification["title"] == message["title"]
    assert notification["body"] == message["body"]
    assert notification["tag"] == f"alert-{alert_id}"
    assert notification["requireInteraction"] is True
    assert notification["renotify"] is True
    assert notification["silent"] is False
    assert notification["actions"] == [
        {"action": "ack", "title": ACK},
        {"action": "open", "title": OPEN},
    ]
    assert notification["data"]["url"] == f"/alerts/{alert_id}"
    assert notification["data"]["ackToken"] == message["ack_token"]
    # What the person sees on the screen, with its two buttons.
    assert first.summary == message["title"], first
    assert message["body"] in first.body, first
    assert {ACK, OPEN} <= set(first.actions.values()), first

    # 4. A second push for the same alert replaces the first, and is shown again (renotify).
    notified = shown.notify_count()
    delivery.deliver(text)
    shown.wait(page, lambda _: shown.notify_count() > notified, "the second push to be shown")
    assert len(page_notifications(page)) == 1, page_notifications(page)
    (again,) = shown.visible()
    assert again.summary == message["title"], shown.shown

    # 5. With the app open, "Ouvrir" brings its window to the alert.
    with page.expect_navigation(url=f"**/alerts/{alert_id}"):
        shown.tap(again, OPEN)
    expect(page.get_by_role("heading", level=1)).to_have_text(ALERT_TITLE)
    assert len(context.pages) == 1, [p.url for p in context.pages]
    assert page_notifications(page) == []

    # 6. The escalation pages again and the app is closed: "Je prends" on the notification
    # acknowledges the alert, from the service worker alone.
    delivery.deliver(text)
    paged = shown.wait(page, lambda items: items[-1] if items else None, "the new page")
    acks: list[Request] = []
    context.on("request", lambda r: acks.append(r) if r.url.endswith("/api/v1/push/ack") else None)
    page.goto("about:blank")  # no window of the app is left
    log_mark = len(live.log)
    shown.tap(paged, ACK)
    acked = shown.wait(
        page,
        lambda items: next((i for i in items if i.summary == ACKED), None),
        "the acknowledged notice",
    )
    assert acked.body.endswith(message["title"]), acked
    answers = [s for _m, path, s in live.requests(since=log_mark) if path == "/api/v1/push/ack"]
    assert len(answers) == 1 and 200 <= answers[0] < 300, live.log[log_mark:]
    assert len(acks) == 1, acks
    assert acks[0].service_worker is not None, "a page sent the acknowledgement"
    assert "cookie" not in acks[0].all_headers(), "the acknowledgement carried the session cookie"
    # The alert's notification is replaced by a quiet notice under the same tag.
    (notice,) = worker.evaluate(NOTIFICATIONS_JS)
    assert notice["title"] == ACKED
    assert notice["body"] == message["title"]
    assert notice["tag"] == f"alert-{alert_id}"
    assert notice["actions"] == []
    assert notice["silent"] is True
    assert notice["data"]["url"] == f"/alerts/{alert_id}"
    # The token was single-use.
    status, _ = call(live, "POST", "/api/v1/push/ack", {"token": message["ack_token"]})
    assert status == 409

    # 7. A tap on the notice opens the app on the alert, which says who took it.
    with context.expect_page() as opened:
        shown.tap(acked)
    alert_page = opened.value
    expect(alert_page).to_have_url(live.url + f"/alerts/{alert_id}")
    expect(alert_page.get_by_role("heading", level=1)).to_have_text(ALERT_TITLE)
    expect(alert_page.locator("#alert-panel")).to_contain_text(
        f"prise en compte par {person['name']}"
    )
    assert worker.evaluate(NOTIFICATIONS_JS) == []
    # Every push went to the renewed subscription, and only the one alert was pushed.
    assert [push.path for push in push_service.pushes] == ["/push/phone-2"]


def rotate_vapid_keys(live: LiveServer) -> str:
    """`astreinte vapid --rotate` on the server's data folder; returns the new public key."""
    (key,) = re.findall(
        r"^public key: (\S+)$", astreinte_cli(live, "vapid", "--rotate"), re.MULTILINE
    )
    return key


def devices_of(live: LiveServer, email: str) -> list[dict]:
    """The person's devices as the server holds them (read beside the running server)."""
    return read_rows(
        live,
        "SELECT p.id, p.endpoint, p.device_token FROM push_subscriptions p "
        "JOIN users u ON u.id = p.user_id WHERE u.email = ? ORDER BY p.id",
        (email,),
    )


SUBSCRIPTION_KEY_JS = """async () => {
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (!subscription) return null;
  const raw = new Uint8Array(subscription.options.applicationServerKey);
  return btoa(String.fromCharCode(...raw)).replace(/\\+/g, "-").replace(/\\//g, "_")
    .replace(/=+$/, "");
}"""


def test_after_the_keys_are_rotated_the_phone_subscribes_again_when_the_app_opens(
    make_phone: PhoneFactory, own_server: LiveServer, push_service: PushService
) -> None:
    live = own_server
    phone = make_phone(live)
    phone.context.grant_permissions(["notifications"], origin=live.url)
    # The push service gives this phone a new endpoint each time it subscribes, as browsers do.
    use_push_service(
        phone.context, push_service.subscription("phone-1"), push_service.subscription("phone-2")
    )
    login(phone, STAFF)
    phone.goto("/settings")
    wait_for_service_worker(phone)
    old_key = phone.evaluate("document.body.dataset.vapid")
    first = turn_alerts_on(phone, "Activer les alertes sur cet appareil")
    assert phone.evaluate(SUBSCRIPTION_KEY_JS) == old_key
    assert [d["endpoint"] for d in devices_of(live, STAFF)] == [
        push_service.subscription("phone-1")["endpoint"]
    ]

    # The operator rotates the keys while the server is stopped, and starts it again.
    live.stop()
    new_key = rotate_vapid_keys(live)
    assert new_key != old_key
    live.start()

    # The person opens the app: nothing to tap, no reload.
    navigations: list[str] = []
    phone.goto("/")
    phone.on("framenavigated", lambda frame: navigations.append(frame.url))
    assert phone.evaluate("document.body.dataset.vapid") == new_key
    wait_until(
        lambda: phone.evaluate(SUBSCRIPTION_KEY_JS) == new_key,
        "the phone to subscribe with the new key",
        phone,
    )
    new_endpoint = push_service.subscription("phone-2")["endpoint"]
    (device,) = wait_until(
        lambda: [d for d in devices_of(live, STAFF) if d["endpoint"] == new_endpoint],
        "the server to hold the new subscription",
        phone,
    )
    # Still one device for this person, now at the new endpoint; it kept its place in the list.
    assert devices_of(live, STAFF) == [device]
    assert device["id"] == first["id"]
    # The service worker has the new device token and key, to renew by itself later.
    wait_until(
        lambda: saved_device(phone) == {"token": device["device_token"], "key": new_key},
        "the service worker to keep the new device token and key",
        phone,
    )
    assert navigations == []
    # The phone has alerts on: the offer to turn them on stays hidden.
    expect(phone.locator("#push-card")).to_be_hidden()

    # And a push reaches the phone again, signed with the new key.
    phone.goto("/settings")
    phone.locator("#devices").get_by_role("button", name="Envoyer un test").tap()
    (push,) = push_service.wait_for(1)
    assert push.path == "/push/phone-2"
    assert f"k={new_key}" in push.headers["authorization"], push.headers
