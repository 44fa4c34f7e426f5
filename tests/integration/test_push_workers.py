"""A fan-out's encryption goes to worker processes (push/encrypt.py) while the engine runs:
every device still gets exactly one message it can decrypt, a broken device key still fails
alone, and an ordinary alert to a couple of phones is encrypted on the loop."""

from __future__ import annotations

import asyncio
import os
import signal

import http_ece
import msgspec
from cryptography.hazmat.primitives.asymmetric import ec

from server.push.encrypt import ON_LOOP_BELOW, Encryptor
from server.push.models import SubscriptionIn
from server.push.store import subscribe
from tests.integration.alert_helpers import (
    NIGHT,
    Night,
    add_device,
    alert_pushes,
    deliveries_of,
    run_coroutine,
)
from tests.push_service import Device, PushService

DEVICES = 3 * ON_LOOP_BELOW


async def engine_round(app) -> int:
    """One dispatcher round inside the engine's life, as the engine loop runs it (workers on)."""
    engine = app.state.engine
    async with engine.dispatcher.connections():
        return await engine.dispatcher.deliver_due(engine.clock.now())


def test_a_fan_out_is_encrypted_in_the_workers_and_every_device_reads_its_message(
    night: Night, app, database, push: PushService
) -> None:
    sophie = night.company.staff_a.id
    devices = [night.sophie] + [
        add_device(database, push, app, sophie, f"Sophie {n}", NIGHT) for n in range(DEVICES)
    ]
    broken = push.device()
    subscription = broken.subscription()
    subscription["keys"]["p256dh"] = "B" + "A" * 86  # not a point of P-256
    subscribe(
        database, sophie, msgspec.convert(subscription, SubscriptionIn), user_agent="x", now=NIGHT
    )
    encryptor = app.state.engine.dispatcher.push.encryptor
    alert = night.raise_alert("Inondation au sous-sol")
    assert run_coroutine(engine_round(app)) == len(devices) + 1
    # Each device got the alert once, decrypted by the push service with the device's key
    # (a body it cannot decrypt is refused, which fails the test).
    for device in devices:
        (message,) = alert_pushes(push, device)
        assert message["title"].endswith("Inondation au sous-sol")
    assert push.attempts(broken) == []
    (bad,) = [d for d in deliveries_of(database, alert["id"]) if d["status"] != "sent"]
    assert (bad["status"], bad["last_status"]) == ("failed", -1)
    assert "Error" in bad["last_error"]
    assert encryptor.in_workers >= DEVICES
    assert encryptor.on_loop < ON_LOOP_BELOW


def test_an_alert_to_two_phones_is_encrypted_on_the_loop(
    night: Night, app, database, push: PushService
) -> None:
    tablet = add_device(database, push, app, night.company.staff_a.id, "Sophie tablet", NIGHT)
    encryptor = app.state.engine.dispatcher.push.encryptor
    night.raise_alert("Porte du local technique ouverte")
    run_coroutine(engine_round(app))
    for device in (night.sophie, tablet):
        assert len(alert_pushes(push, device)) == 1
    assert encryptor.in_workers == 0
    assert encryptor.on_loop >= 2


def _device(number: int) -> Device:
    return Device(
        id=f"d{number}",
        endpoint=f"https://push.example/{number}",
        private_key=ec.generate_private_key(ec.SECP256R1()),
        auth_secret=os.urandom(16),
    )


def _opened(device: Device, body: bytes) -> bytes:
    return http_ece.decrypt(
        body,
        private_key=device.private_key,
        dh=None,
        auth_secret=device.auth_secret,
        version="aes128gcm",
    )


async def _encrypt_all(encryptor: Encryptor, devices: list[Device], before_flush=None) -> list:
    futures = [
        encryptor.encrypting((d.endpoint, d.p256dh, d.auth, f"message {d.id}".encode()))
        for d in devices
    ]
    if before_flush is not None:
        before_flush()
    return await asyncio.gather(*futures)


def test_no_message_is_lost_when_the_workers_stop_or_die() -> None:
    """The engine stopping while a batch waits, or a worker killed: every message is still
    encrypted (on the loop), and after a death the workers start again."""
    devices = [_device(n) for n in range(2 * ON_LOOP_BELOW)]

    async def scenario() -> tuple[list, list, bool]:
        encryptor = Encryptor(workers=1)
        encryptor.start()
        await encryptor.ready()
        stopped = await _encrypt_all(encryptor, devices, before_flush=encryptor.stop)
        encryptor.start()
        await encryptor.ready()
        for process in list(encryptor._pool._processes.values()):
            os.kill(process.pid, signal.SIGKILL)
            process.join()
        died = await _encrypt_all(encryptor, devices)
        await encryptor.ready()
        before = encryptor.in_workers
        await _encrypt_all(encryptor, devices)
        restarted = encryptor.in_workers == before + len(devices)
        encryptor.stop()
        return stopped, died, restarted

    stopped, died, restarted = run_coroutine(scenario())
    for bodies in (stopped, died):
        assert [_opened(d, b) for d, b in zip(devices, bodies, strict=True)] == [
            f"message {d.id}".encode() for d in devices
        ]
    assert restarted
