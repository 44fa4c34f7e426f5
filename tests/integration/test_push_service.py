"""The local push service the alert tests rely on: what it accepts must be what a real one
accepts, and what it refuses must be refused, or the alert tests prove nothing."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import pytest
import requests
from py_vapid import Vapid
from pywebpush import WebPusher, webpush

from tests.push_service import MAX_BODY, PushService, b64url, public_point

CONTACT = "mailto:ops@astreinte.test"


@pytest.fixture
def service() -> Iterator[PushService]:
    with PushService() as running:
        yield running


@pytest.fixture(scope="module")
def vapid() -> Vapid:
    keys = Vapid()
    keys.generate_keys()
    return keys


def server_key(vapid: Vapid) -> str:
    return b64url(public_point(vapid.public_key))


def send(service, device, payload: bytes, *, vapid: Vapid, claims=None, headers=None, ttl=60):
    """One push made by pywebpush (the library the app uses), with VAPID headers we choose."""
    claims = {
        "sub": CONTACT,
        "aud": service.origin,
        "exp": int(time.time()) + 3600,
        **(claims or {}),
    }
    # py_vapid refuses to sign a bad `sub` unless told not to be strict.
    signer = Vapid(private_key=vapid.private_key, conf={"no-strict": True})
    all_headers = {**signer.sign(claims), "Urgency": "high", **(headers or {})}
    pusher = WebPusher(device.subscription())
    return pusher.send(data=payload, headers=all_headers, ttl=ttl, timeout=5)


def test_a_message_encrypted_by_pywebpush_decrypts_to_its_json(service, vapid) -> None:
    device = service.device(server_key=server_key(vapid))
    response = webpush(
        device.subscription(),
        data=json.dumps({"title": "Serveur en panne", "tag": "alert-7"}),
        vapid_private_key=vapid,
        vapid_claims={"sub": CONTACT},
        ttl=120,
        headers={"Urgency": "high"},
    )
    assert response.status_code == 201
    assert response.headers["Location"].startswith("/message/")
    assert service.messages(device) == [{"title": "Serveur en panne", "tag": "alert-7"}]
    (received,) = service.accepted(device)
    assert received.headers["ttl"] == "120"
    assert received.headers["urgency"] == "high"
    assert received.headers["content-encoding"] == "aes128gcm"
    assert service.refused == []


def test_a_forged_signature_is_refused(service, vapid) -> None:
    device = service.device()
    claims = {"sub": CONTACT, "aud": service.origin, "exp": int(time.time()) + 3600}
    header = vapid.sign(claims)["Authorization"]
    token = header.split("t=")[1].split(",")[0]
    _head, _claims, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[10] ^= 0xFF
    forged = header.replace(signature, b64url(bytes(raw)))
    pusher = WebPusher(device.subscription())
    response = pusher.send(data=b'{"a": 1}', headers={"Authorization": forged}, ttl=60, timeout=5)
    assert response.status_code == 401
    assert service.messages(device) == []
    assert "signature" in service.refused[0].refused


def test_a_token_signed_by_another_key_than_k_is_refused(service, vapid) -> None:
    device = service.device()
    other = Vapid()
    other.generate_keys()
    claims = {"sub": CONTACT, "aud": service.origin, "exp": int(time.time()) + 3600}
    token = vapid.sign(claims)["Authorization"].split(",")[0]
    borrowed = f"{token}, k={server_key(other)}"
    response = WebPusher(device.subscription()).send(
        data=b"{}", headers={"Authorization": borrowed}, ttl=60, timeout=5
    )
    assert response.status_code == 401
    assert service.messages(device) == []


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"aud": "https://push.example.net"}, "aud"),
        ({"exp": int(time.time()) - 60}, "future"),
        ({"exp": int(time.time()) + 25 * 3600}, "24 hours"),
        ({"sub": "ops@astreinte.test"}, "sub"),
    ],
    ids=["aud-of-another-origin", "expired", "exp-beyond-24-h", "sub-not-a-url"],
)
def test_bad_vapid_claims_are_refused(service, vapid, claims, reason) -> None:
    device = service.device()
    response = send(service, device, b"{}", vapid=vapid, claims=claims)
    assert response.status_code == 401
    assert reason in service.refused[0].refused
    assert service.messages(device) == []


def test_a_key_other_than_the_one_subscribed_with_is_refused(service, vapid) -> None:
    other = Vapid()
    other.generate_keys()
    device = service.device(server_key=server_key(other))
    assert send(service, device, b"{}", vapid=vapid).status_code == 403


@pytest.mark.parametrize(
    ("headers", "reason"),
    [({"Urgency": "urgent"}, "Urgency"), ({"TTL": "soon"}, "TTL")],
    ids=["unknown-urgency", "ttl-not-a-number"],
)
def test_bad_headers_are_refused(service, vapid, headers, reason) -> None:
    device = service.device()
    response = send(service, device, b"{}", vapid=vapid, headers=headers, ttl=0)
    assert response.status_code == 400
    assert reason in service.refused[0].refused


def test_a_message_for_another_device_does_not_decrypt(service, vapid) -> None:
    device, other = service.device(), service.device()
    claims = {"sub": CONTACT, "aud": service.origin, "exp": int(time.time()) + 3600}
    pusher = WebPusher({**other.subscription(), "endpoint": device.endpoint})
    response = pusher.send(data=b'{"secret": 1}', headers=vapid.sign(claims), ttl=60, timeout=5)
    assert response.status_code == 400
    assert "decrypt" in service.refused[0].refused


def test_a_body_over_4096_bytes_is_refused(service, vapid) -> None:
    device = service.device()
    response = send(service, device, json.dumps({"body": "x" * 4000}).encode(), vapid=vapid)
    assert response.status_code == 413
    assert service.refused[0].body_size > MAX_BODY


def test_scripted_answers_then_201_and_410_once_forgotten(service, vapid) -> None:
    device = service.device()
    service.script(device, 429, retry_after=30)
    service.script(device, 500, times=2)
    answers = [send(service, device, b'{"n": 1}', vapid=vapid) for _ in range(4)]
    assert [a.status_code for a in answers] == [429, 500, 500, 201]
    assert answers[0].headers["Retry-After"] == "30"
    assert len(service.attempts(device)) == 4
    assert service.messages(device) == [{"n": 1}]
    service.forget(device)
    assert send(service, device, b"{}", vapid=vapid).status_code == 410
    # Sent without a body at all: nothing to decrypt, refused like any broken request.
    plain = requests.post(service.device().endpoint, timeout=5)
    assert plain.status_code == 400
