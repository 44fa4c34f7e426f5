"""What the dispatcher needs of Web Push: notifications sit below push in the layers and
import none of it. The push package's sender (server/push/sender.py: PushSender) has this
shape; the app hands it to the Dispatcher (server/app.py)."""

from __future__ import annotations

import asyncio
from typing import Protocol

from server.notifications.models import Message, SendResult
from server.notifications.outbound import Outbound


class PushTransport(Protocol):
    def start(self) -> None:
        """Start what encrypts (worker processes) for the engine's life."""

    def stop(self) -> None:
        """Stop it; outside the engine's life messages are encrypted on the loop."""

    def encrypting(
        self, endpoint: str, p256dh: str, auth: str, message: Message
    ) -> asyncio.Future[bytes]:
        """The message, fitted to what one push carries, being encrypted for one device."""

    async def send(
        self,
        session: Outbound,
        *,
        endpoint: str,
        body: asyncio.Future[bytes],
        ttl: int,
        urgency: str,
    ) -> SendResult:
        """Send the encrypted body; a device whose keys cannot be used answers PERMANENT."""
