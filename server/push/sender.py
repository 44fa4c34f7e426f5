"""One Web Push request: a body already encrypted (push/encrypt.py, RFC 8291 aes128gcm) and
signed with VAPID (RFC 8292)."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import aiohttp

from server.models import Value
from server.notifications.outbound import Outbound
from server.push.encrypt import Encryptor
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


class PushResult(Value, kw_only=True):
    status: int  # HTTP status from the push service, 0 when it could not be reached
    retry_after: int | None = None
    error: str = ""


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
        body: bytes,
        ttl: int,
        urgency: str,
    ) -> PushResult:
        """POST one message, its `body` already encrypted for the device (RFC 8291)."""
        headers = {
            **self._vapid_headers(endpoint),
            "Content-Encoding": "aes128gcm",
            "TTL": str(ttl),
            "Urgency": urgency,
        }
        try:
            response = await session.post(
                endpoint,
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            )
            await response.read()
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return PushResult(status=0, error=type(error).__name__)
        retry = response.headers.get("Retry-After")
        error = "" if response.status < 300 else (await response.text())[:300]
        if response.status == KEY_REFUSED:
            error = f"VAPID key refused, the phone must open the app: {error}"[:300]
        return PushResult(
            status=response.status,
            retry_after=int(retry) if retry and retry.isdigit() else None,
            error=error,
        )
