"""Web Push for the dispatcher (the shape of server/notifications/transport.py: PushTransport):
the message fitted to a push and encrypted for each device (push/encrypt.py, RFC 8291
aes128gcm), then one request signed with VAPID (RFC 8292)."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

import aiohttp

from server.notifications.models import PERMANENT, Message, SendResult
from server.notifications.outbound import Outbound
from server.push.encrypt import EncryptionFailed, Encryptor
from server.push.rules import fit_payload
from server.push.vapid import VapidKeys

# VAPID tokens may live 24 h; a fresh one every few hours per push service is plenty.
TOKEN_LIFETIME = 12 * 3600
TOKEN_REUSE = 3 * 3600
# RFC 8292 §4.2: a push service answers 403 when the VAPID key is not the one the browser
# subscribed with, which is what every phone answers after `astreinte vapid --rotate` until it
# opens the app again (app.js then subscribes with the new key). The dispatcher marks such a
# delivery failed at once, without retries (no retry can mend it), and keeps the device: a
# mistaken key would otherwise wipe every device, while a phone's new subscription replaces it.
KEY_REFUSED = 403


class PushSender:
    def __init__(
        self, keys: VapidKeys, contact: str, timeout: float = 10, encryptor: Encryptor | None = None
    ) -> None:
        self.keys = keys
        self.contact = contact
        self.timeout = timeout
        # Bodies are encrypted before `send` (push/encrypt.py), in worker processes when many.
        self.encryptor = encryptor or Encryptor()
        self._tokens: dict[str, tuple[dict[str, str], float]] = {}

    def start(self) -> None:
        self.encryptor.start()

    def stop(self) -> None:
        self.encryptor.stop()

    def encrypting(
        self, endpoint: str, p256dh: str, auth: str, message: Message
    ) -> asyncio.Future[bytes]:
        return self.encryptor.encrypting((endpoint, p256dh, auth, fit_payload(message)))

    def _vapid_headers(self, endpoint: str) -> dict[str, str]:
        parts = urlsplit(endpoint)
        origin = f"{parts.scheme}://{parts.netloc}"
        cached = self._tokens.get(origin)
        now = time.time()
        if cached and cached[1] > now:
            return cached[0]
        headers = self.keys.headers(origin, self.contact, int(now) + TOKEN_LIFETIME)
        self._tokens[origin] = (headers, now + TOKEN_REUSE)
        return headers

    async def send(
        self,
        session: Outbound,
        *,
        endpoint: str,
        body: asyncio.Future[bytes],
        ttl: int,
        urgency: str,
    ) -> SendResult:
        """POST one message once its `body` is encrypted for the device (RFC 8291)."""
        try:
            data = await body
        except EncryptionFailed as error:  # a malformed device key: no retry can mend it
            return SendResult(status=PERMANENT, error=str(error))
        headers = {
            **self._vapid_headers(endpoint),
            "Content-Encoding": "aes128gcm",
            "TTL": str(ttl),
            "Urgency": urgency,
        }
        try:
            response = await session.post(
                endpoint,
                data=data,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            )
            await response.read()
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return SendResult(status=0, error=type(error).__name__)
        retry = response.headers.get("Retry-After")
        error = "" if response.status < 300 else (await response.text())[:300]
        if response.status == KEY_REFUSED:
            error = f"VAPID key refused, the phone must open the app: {error}"[:300]
        return SendResult(
            status=response.status,
            retry_after=int(retry) if retry and retry.isdigit() else None,
            error=error,
        )
