"""A local Web Push service for tests: what a browser vendor's push service checks, on
127.0.0.1.

Each test device gets a real P-256 key pair and a 16-byte auth secret, as a browser makes them
in PushManager.subscribe(). Every POST to a device's endpoint is checked the way a push
service and the phone check it: `Content-Encoding: aes128gcm`, an integer `TTL`, a valid
`Urgency` (RFC 8030), the VAPID `Authorization: vapid t=…, k=…` (RFC 8292: an ES256 JWT signed
by k, `aud` the endpoint's origin, `exp` in the future and within 24 hours, `sub` a mailto: or
https: URL), at most 4,096 bytes of body, and a body that decrypts (RFC 8291) with the device's
private key and auth secret into JSON. Accepted messages are recorded with their headers, their
decrypted JSON and when they arrived; refused ones with the reason. The service answers 201, or
a status the test scripts per device for its next requests (410, 404, 429 with Retry-After,
500)."""

from __future__ import annotations

import base64
import itertools
import json
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

MAX_BODY = 4096  # what push services accept (RFC 8030 §7.2 asks for at least this)
VAPID_MAX_LIFETIME = 24 * 3600  # RFC 8292 §2: exp no more than 24 hours ahead
URGENCIES = ("very-low", "low", "normal", "high")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


@dataclass
class Device:
    """A browser's push subscription: what it gives the app, and the secrets it keeps."""

    id: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    server_key: str | None = None  # the applicationServerKey it subscribed with, if known

    @property
    def p256dh(self) -> str:
        return b64url(public_point(self.private_key.public_key()))

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def subscription(self) -> dict:
        """PushSubscription.toJSON(), as the page posts it to /push/subscriptions."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": self.auth},
        }


@dataclass
class Received:
    """One request to a device's endpoint, as the push service saw it."""

    device: str
    status: int  # what the service answered
    headers: dict[str, str]
    body_size: int
    at: datetime  # the test clock's now (or the wall clock) when it arrived
    message: dict | None = None  # the decrypted JSON
    plaintext: bytes = b""
    refused: str = ""  # why the request was refused, empty when it was valid


@dataclass
class _Script:
    status: int
    times: int
    headers: dict[str, str] = field(default_factory=dict)


class VapidError(ValueError):
    pass


def check_vapid(authorization: str, origin: str, now: float) -> tuple[str, dict]:
    """(k, claims) of a valid `vapid t=<JWT>, k=<key>` header; VapidError says what is wrong."""
    scheme, _sep, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise VapidError(f"Authorization scheme is {scheme!r}, not vapid")
    values = {}
    for part in params.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            values[name.strip()] = value.strip()
    if "t" not in values or "k" not in values:
        raise VapidError("vapid needs t= and k=")
    try:
        head64, claims64, signature64 = values["t"].split(".")
        header = json.loads(unb64url(head64))
        claims = json.loads(unb64url(claims64))
        signature = unb64url(signature64)
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(values["k"]))
    except ValueError as error:
        raise VapidError(f"malformed VAPID token or key: {error}") from None
    if header.get("alg") != "ES256":
        raise VapidError(f"JWT alg is {header.get('alg')!r}, not ES256")
    if len(signature) != 64:
        raise VapidError("an ES256 signature is 64 bytes (r || s)")
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        key.verify(der, f"{head64}.{claims64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise VapidError("the JWT signature does not match k") from None
    if claims.get("aud") != origin:
        raise VapidError(f"aud is {claims.get('aud')!r}, the endpoint's origin is {origin!r}")
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp <= now:
        raise VapidError(f"exp {exp!r} is not in the future")
    if exp > now + VAPID_MAX_LIFETIME:
        raise VapidError(f"exp is {exp - now:.0f} s ahead, more than 24 hours")
    sub = claims.get("sub", "")
    if not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")):
        raise VapidError(f"sub {sub!r} is not a mailto: or https: URL")
    return values["k"], claims


def listening_socket() -> socket.socket:
    """A socket listening on a free port of 127.0.0.1, opened before the app's settings are made
    so that ASTREINTE_PUSH_ALLOW can name its origin; a server started later serves on it."""
    return socket.create_server(("127.0.0.1", 0))


def origin_of(listener: socket.socket) -> str:
    host, port = listener.getsockname()[:2]
    return f"http://{host}:{port}"


def serve_http(handler: type[BaseHTTPRequestHandler], listener: socket.socket | None = None):
    """A ThreadingHTTPServer on a new free port, or on `listener`, which it then owns."""
    if listener is None:
        return ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server = ThreadingHTTPServer(listener.getsockname(), handler, bind_and_activate=False)
    server.socket.close()
    server.socket = listener
    server.server_address = listener.getsockname()
    server.server_name, server.server_port = server.server_address[:2]
    return server


class PushService:
    """The service on a free port; use as a context manager (or start() / stop())."""

    def __init__(
        self,
        clock: Callable[[], datetime] | None = None,
        listener: socket.socket | None = None,
    ) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        # A socket already listening (see `listening_socket`), or None for a new free port.
        self._listener = listener
        self.devices: dict[str, Device] = {}
        self.requests: list[Received] = []
        self._scripts: dict[str, list[_Script]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Life ---------------------------------------------------------------------------------

    def start(self) -> PushService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, headers = service._receive(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:  # quiet test output
                pass

        self._server = serve_http(Handler, self._listener)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> PushService:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        assert self._server is not None, "start the service first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # What tests do ------------------------------------------------------------------------

    def device(self, server_key: str | None = None) -> Device:
        """A new browser subscription; with `server_key`, only that VAPID key may push to it."""
        device_id = f"d{next(self._ids)}"
        device = Device(
            id=device_id,
            endpoint=f"{self.origin}/push/{device_id}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=os.urandom(16),
            server_key=server_key,
        )
        with self._lock:
            self.devices[device_id] = device
        return device

    def script(
        self, device: Device, status: int, *, times: int = 1, retry_after: int | None = None
    ) -> None:
        """Answer `status` to the next `times` valid requests for this device (then 201)."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        with self._lock:
            self._scripts.setdefault(device.id, []).append(_Script(status, times, headers))

    def forget(self, device: Device) -> None:
        """The browser unsubscribed: its endpoint answers 410 from now on."""
        with self._lock:
            self.devices.pop(device.id, None)

    def messages(self, device: Device | None = None) -> list[dict]:
        """Decrypted JSON of the messages accepted (201) for a device (or all), oldest first."""
        return [r.message for r in self.accepted(device) if r.message is not None]

    def accepted(self, device: Device | None = None) -> list[Received]:
        with self._lock:
            return [
                r
                for r in self.requests
                if r.status == 201 and (device is None or r.device == device.id)
            ]

    def attempts(self, device: Device) -> list[Received]:
        """Every valid request for a device, whatever was answered."""
        with self._lock:
            return [r for r in self.requests if r.device == device.id and not r.refused]

    @property
    def refused(self) -> list[Received]:
        """Requests that broke the protocol: a correct app never makes one."""
        with self._lock:
            return [r for r in self.requests if r.refused]

    # The checks -----------------------------------------------------------------------------

    def _receive(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict]:
        lower = {name.lower(): value for name, value in headers.items()}
        device_id = path.rsplit("/", 1)[-1]
        record = Received(
            device=device_id, status=0, headers=lower, body_size=len(body), at=self.clock()
        )

        def refuse(status: int, reason: str) -> tuple[int, dict]:
            record.status, record.refused = status, reason
            with self._lock:
                self.requests.append(record)
            return status, {}

        with self._lock:
            device = self.devices.get(device_id) if path.startswith("/push/") else None
        if device is None:
            # A subscription the browser dropped: what push services answer (RFC 8030 §7.3).
            record.status = 410
            with self._lock:
                self.requests.append(record)
            return 410, {}
        if lower.get("content-encoding") != "aes128gcm":
            return refuse(400, f"Content-Encoding is {lower.get('content-encoding')!r}")
        ttl = lower.get("ttl", "")
        if not ttl.isdigit():
            return refuse(400, f"TTL {ttl!r} is not a non-negative integer")
        if "urgency" in lower and lower["urgency"] not in URGENCIES:
            return refuse(400, f"Urgency {lower['urgency']!r} is not one of {URGENCIES}")
        try:
            key, _claims = check_vapid(
                lower.get("authorization", ""), self._origin_of(device), time.time()
            )
        except VapidError as error:
            return refuse(401, f"VAPID: {error}")
        if device.server_key is not None and key != device.server_key:
            return refuse(403, "VAPID key k is not the key the browser subscribed with")
        if len(body) > MAX_BODY:
            return refuse(413, f"body of {len(body)} bytes, more than {MAX_BODY}")
        try:
            plaintext = http_ece.decrypt(
                body,
                private_key=device.private_key,
                dh=None,
                auth_secret=device.auth_secret,
                version="aes128gcm",
            )
        except Exception as error:  # http_ece raises several kinds; any is a refusal
            return refuse(400, f"does not decrypt: {type(error).__name__}: {error}")
        try:
            record.message = json.loads(plaintext)
        except ValueError:
            return refuse(400, "the plaintext is not JSON")
        record.plaintext = plaintext
        status, reply = 201, {"Location": f"/message/{next(self._ids)}"}
        with self._lock:
            scripts = self._scripts.get(device_id, [])
            if scripts:
                script = scripts[0]
                status, reply = script.status, dict(script.headers)
                script.times -= 1
                if script.times <= 0:
                    scripts.pop(0)
            record.status = status
            self.requests.append(record)
        return status, reply

    @staticmethod
    def _origin_of(device: Device) -> str:
        parts = urlsplit(device.endpoint)
        return f"{parts.scheme}://{parts.netloc}"
