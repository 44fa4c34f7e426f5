"""The dispatcher: sends due deliveries (push, e-mail, webhook) outside any request, records
every attempt, retries what can succeed later and forgets devices that are gone."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import smtplib
from collections.abc import AsyncIterator
from datetime import datetime
from email.message import EmailMessage

import aiohttp
import anyio
import msgspec

from server.clock import from_db
from server.db import Database
from server.i18n import current_locale, gettext
from server.notifications.kinds import badge_of, kind_of
from server.notifications.models import PERMANENT, Message, Notification, SendResult
from server.notifications.outbound import Outbound
from server.notifications.rules import outcome_of
from server.notifications.store import due_deliveries, record_attempts
from server.notifications.texts import render
from server.notifications.transport import PushTransport
from server.settings import Settings

log = logging.getLogger("astreinte.dispatch")

BATCH = 2000
CONCURRENCY = 128
# Messages rendered and handed to encryption per turn of the event loop (a few ms of work),
# and results recorded per transaction (5–10 ms each).
PREPARED_PER_TURN = 32
RECORDED_PER_TURN = 200
# How long a push service keeps a message for an unreachable phone.
TTL = {"high": 4 * 3600, "normal": 24 * 3600, "low": 24 * 3600}
# An attempt's recorded detail: enough to tell a cause, never a message.
DETAIL_LENGTH = 160


def failed(row: dict, error: Exception) -> tuple[dict, SendResult]:
    """One bad delivery never stops the others: it is recorded as failing for good."""
    log.error("delivery %s failed", row["id"], exc_info=error)
    return row, SendResult(status=PERMANENT, error=type(error).__name__)


def _session(settings: Settings) -> Outbound:
    # Pushes and the webhook go where people and settings say: the client checks every address.
    return Outbound(settings.push_allow_origins, CONCURRENCY)


class Dispatcher:
    def __init__(self, database: Database, settings: Settings, push: PushTransport | None) -> None:
        self.database = database
        self.settings = settings
        self.push = push
        self._session: Outbound | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    @contextlib.asynccontextmanager
    async def connections(self) -> AsyncIterator[None]:
        """One HTTP session for every round while the block runs (the engine's life), so
        connections to a push service are kept open and reused: a new connection per round
        costs a connect (and leaves a socket in TIME_WAIT) for every alert in a storm."""
        session = self._session = _session(self.settings)
        self._session_loop = asyncio.get_running_loop()
        # The encryption workers live as long (push/encrypt.py); outside it, the loop encrypts.
        if self.push is not None:
            self.push.start()
        try:
            yield
        finally:
            self._session = self._session_loop = None
            if self.push is not None:
                self.push.stop()
            await session.close()

    @property
    def channels(self) -> frozenset[str]:
        channels = {"push"}
        if self.settings.smtp_host:
            channels.add("email")
        if self.settings.webhook_url:
            channels.add("webhook")
        return frozenset(channels)

    def _due(self, now: datetime) -> list[dict]:
        return due_deliveries(self.database, now, BATCH)

    def _badges(self, rows: list[dict]) -> dict[int, int | None]:
        """The app badge of each person in the batch (the count a domain registered: open
        alerts), read once per person rather than once per delivery."""
        return {
            user_id: badge_of(self.database, user_id)
            for user_id in {row["user_id"] for row in rows}
        }

    def _message(self, row: dict, ack_token: str | None) -> Message:
        notification = Notification(
            id=row["notification_id"],
            user_id=row["user_id"],
            kind=row["kind"],
            params=msgspec.json.decode(row["params"]),
            url=row["url"],
            urgency=row["urgency"],
            created_at=from_db(row["n_at"]),
            read_at=None,
        )
        token = current_locale.set(row["locale"] or self.settings.default_locale)
        try:
            text = render(notification)
            labels = {
                "ack": gettext("Acknowledge"),
                "open": gettext("Open"),
                "acked": gettext("Acknowledged"),
            }
            # A kind with its own button (a manager's "swap to approve": Approve in place of
            # Acknowledge) posts its token elsewhere.
            registered = kind_of(row["kind"]).action
            action = registered() if registered is not None else None
            if action is not None:
                labels.update(action[1])
        finally:
            current_locale.reset(token)
        is_alert = row["kind"] == "alert"
        return Message(
            type=row["kind"],
            title=text.title,
            body=text.body,
            url=row["url"],
            tag=f"alert-{row['alert_id']}" if is_alert else f"n-{row['notification_id']}",
            urgency=row["urgency"],
            require_interaction=is_alert,
            ack_url=(action[0] if action else "/api/v1/push/ack") if ack_token else None,
            ack_token=ack_token,
            labels=labels,
            badge=row.get("badge"),
        )

    def _ack_tokens(self, rows: list[dict], now: datetime) -> dict[int, str]:
        """A single-use token per push that carries a button (an alert's Acknowledge, a swap's
        Approve), issued by the kind's domain, so the button works from the notification
        alone."""
        tokens = {}
        with self.database.write():
            for row in rows:
                issue = kind_of(row["kind"]).token
                token = issue(self.database, row, now) if issue is not None else None
                if token:
                    tokens[row["id"]] = token
        return tokens

    async def deliver_due(self, now: datetime) -> int:
        rows = self._due(now)
        if not rows:
            return 0
        # Each step of a fan-out to 1,000 devices holds the loop for milliseconds: requests
        # (the phone system's lookup) are answered between them.
        await asyncio.sleep(0)
        tokens = self._ack_tokens(rows, now)
        await asyncio.sleep(0)
        badges = self._badges(rows)
        for row in rows:
            row["badge"] = badges[row["user_id"]]
        limit = asyncio.Semaphore(CONCURRENCY)
        # Outside the engine (a test moving time by hand): a session for this round only.
        shared = self._session is not None and self._session_loop is asyncio.get_running_loop()
        async with (
            contextlib.nullcontext(self._session) if shared else _session(self.settings)
        ) as session:

            async def one(
                row: dict, message: Message, encrypted: asyncio.Future[bytes] | None
            ) -> tuple[dict, SendResult]:
                try:
                    async with limit:
                        return row, await self._send(session, row, message, encrypted)
                except Exception as error:  # one bad delivery never stops the others
                    return failed(row, error)

            # A few dozen messages per turn of the loop, so rendering a fan-out to 1,000
            # devices never holds it; each turn's encryption goes to the workers as one batch
            # (push/encrypt.py) while the messages of earlier turns are being sent.
            sending: list[asyncio.Future[tuple[dict, SendResult]]] = []
            try:
                for start in range(0, len(rows), PREPARED_PER_TURN):
                    for row in rows[start : start + PREPARED_PER_TURN]:
                        try:
                            message = self._message(row, tokens.get(row["id"]))
                            work = one(row, message, self._encrypting(row, message))
                        except Exception as error:
                            work = asyncio.sleep(0, failed(row, error))
                        sending.append(asyncio.ensure_future(work))
                    await asyncio.sleep(0)
                results = await asyncio.gather(*sending)
            except BaseException:
                for future in sending:
                    future.cancel()
                raise
        # Recorded a few hundred at a time, each part its own transaction, the loop free
        # between them (a crash in between re-sends only what was not recorded yet).
        for start in range(0, len(results), RECORDED_PER_TURN):
            self._record(results[start : start + RECORDED_PER_TURN], now)
            await asyncio.sleep(0)
        return len(results)

    def _encrypting(self, row: dict, message: Message) -> asyncio.Future[bytes] | None:
        if row["channel"] != "push" or row["endpoint"] is None or self.push is None:
            return None
        return self.push.encrypting(row["endpoint"], row["p256dh"], row["auth"], message)

    async def _send(
        self,
        session: Outbound,
        row: dict,
        message: Message,
        encrypted: asyncio.Future[bytes] | None,
    ) -> SendResult:
        if row["channel"] == "push":
            if encrypted is None or self.push is None:
                return SendResult(status=410, error="device removed")
            return await self.push.send(
                session,
                endpoint=row["endpoint"],
                body=encrypted,
                ttl=TTL.get(message.urgency, 3600),
                urgency=message.urgency,
            )
        if row["channel"] == "email":
            return await anyio.to_thread.run_sync(self._send_email, row["email"], message)
        return await self._send_webhook(session, row, message)

    def _send_email(self, address: str, message: Message) -> SendResult:
        settings = self.settings
        mail = EmailMessage()
        mail["From"] = settings.smtp_from
        mail["To"] = address
        # A header is one line: a title typed with line breaks would make this fail.
        mail["Subject"] = " ".join(message.title.split())
        mail.set_content(f"{message.body}\n\n{settings.public_url}{message.url}\n")
        try:
            with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
                if settings.smtp_starttls:
                    smtp.starttls()
                if settings.smtp_user:
                    smtp.login(settings.smtp_user, settings.smtp_password)
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as error:
            return SendResult(status=0, error=f"{type(error).__name__}"[:300])
        return SendResult(status=250)

    async def _send_webhook(self, session: Outbound, row: dict, message: Message) -> SendResult:
        body = {
            "to": {"name": row["name"], "email": row["email"]},
            "title": message.title,
            "body": message.body,
            "url": self.settings.public_url + message.url,
            "urgency": message.urgency,
            "kind": message.type,
        }
        try:
            async with session.post(
                self.settings.webhook_url, json=body, timeout=aiohttp.ClientTimeout(total=10)
            ) as response:
                return SendResult(status=response.status)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return SendResult(status=0, error=type(error).__name__)

    def _detail(self, row: dict, error: str) -> str:
        """An attempt's error, short and on one line, without the device's endpoint and keys or
        the webhook's address (a push service may echo them; they are secrets of a kind)."""
        settings = self.settings
        hidden = (row["endpoint"], row["p256dh"], row["auth"], settings.webhook_url)
        for value in (*hidden, settings.smtp_password):
            if value:
                error = error.replace(value, "…")
        return " ".join(error.split())[:DETAIL_LENGTH]

    def _record(self, results: list[tuple[dict, SendResult]], now: datetime) -> None:
        """Each result decided (sent, gone, retried or failed: notifications/rules.py), then
        recorded with its delivery, device and alert timeline in one transaction."""
        record_attempts(
            self.database,
            [
                (
                    row,
                    result,
                    outcome_of(result, row["attempts"] + 1, now),
                    self._detail(row, result.error),
                )
                for row, result in results
            ],
            now,
        )
