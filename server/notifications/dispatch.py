"""The dispatcher: sends due deliveries (push, e-mail, webhook) outside any request, records
every attempt, retries what can succeed later and forgets devices that are gone."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import smtplib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from email.message import EmailMessage

import aiohttp
import anyio
import msgspec

from server.clock import from_db, to_db
from server.db import Database
from server.i18n import current_locale, gettext
from server.notifications.kinds import badge_of, kind_of
from server.notifications.models import Notification
from server.notifications.outbound import Outbound
from server.notifications.texts import render
from server.push.encrypt import EncryptionFailed
from server.push.models import MAX_PLAINTEXT, Message
from server.push.sender import PushResult, PushSender
from server.settings import Settings

log = logging.getLogger("astreinte.dispatch")

MAX_ATTEMPTS = 8
# A failure no retry can mend (a malformed device key, a message that cannot be built).
PERMANENT = -1
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


def backoff(attempts: int, retry_after: int | None) -> timedelta:
    """5 s, 10 s, 20 s … capped at 10 minutes; a push service's Retry-After wins if longer."""
    delay = timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 600))
    if retry_after:
        delay = max(delay, timedelta(seconds=min(retry_after, 3600)))
    return delay


def fit_payload(message: Message) -> bytes:
    """The message as JSON within the 4 KB a push can carry, shortening the body if needed."""

    def encoded(body: str) -> bytes:
        return msgspec.json.encode(msgspec.structs.replace(message, body=body))

    data = encoded(message.body)
    if len(data) <= MAX_PLAINTEXT:
        return data
    # The longest prefix that fits, found by bisection on characters (they are 1 to 4 bytes,
    # more once escaped in JSON).
    low, high = 0, len(message.body)
    while low < high:
        middle = (low + high + 1) // 2
        if len(encoded(message.body[:middle].rstrip() + "…")) <= MAX_PLAINTEXT:
            low = middle
        else:
            high = middle - 1
    return encoded(message.body[:low].rstrip() + "…" if low else "")


def failed(row: dict, error: Exception) -> tuple[dict, PushResult]:
    """One bad delivery never stops the others: it is recorded as failing for good."""
    log.error("delivery %s failed", row["id"], exc_info=error)
    return row, PushResult(status=PERMANENT, error=type(error).__name__)


def _session(settings: Settings) -> Outbound:
    # Pushes and the webhook go where people and settings say: the client checks every address.
    return Outbound(settings.push_allow_origins, CONCURRENCY)


class Dispatcher:
    def __init__(self, database: Database, settings: Settings, push: PushSender | None) -> None:
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
            self.push.encryptor.start()
        try:
            yield
        finally:
            self._session = self._session_loop = None
            if self.push is not None:
                self.push.encryptor.stop()
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
        return self.database.query(
            "SELECT d.id, d.channel, d.attempts, d.alert_id, d.user_id, d.subscription_id, "
            "n.id AS notification_id, n.kind, n.params, n.url, n.urgency, n.created_at AS n_at, "
            "u.email, u.name, u.locale, p.endpoint, p.p256dh, p.auth "
            "FROM deliveries d JOIN notifications n ON n.id = d.notification_id "
            "JOIN users u ON u.id = d.user_id "
            "LEFT JOIN push_subscriptions p ON p.id = d.subscription_id "
            "WHERE d.status = 'pending' AND d.next_attempt_at <= ? "
            "ORDER BY d.next_attempt_at, d.id "
            "LIMIT ?",
            (to_db(now), BATCH),
        )

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
            ) -> tuple[dict, PushResult]:
                try:
                    async with limit:
                        return row, await self._send(session, row, message, encrypted)
                except Exception as error:  # one bad delivery never stops the others
                    return failed(row, error)

            # A few dozen messages per turn of the loop, so rendering a fan-out to 1,000
            # devices never holds it; each turn's encryption goes to the workers as one batch
            # (push/encrypt.py) while the messages of earlier turns are being sent.
            sending: list[asyncio.Future[tuple[dict, PushResult]]] = []
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
        return self.push.encryptor.encrypting(
            (row["endpoint"], row["p256dh"], row["auth"], fit_payload(message))
        )

    async def _send(
        self,
        session: Outbound,
        row: dict,
        message: Message,
        encrypted: asyncio.Future[bytes] | None,
    ) -> PushResult:
        if row["channel"] == "push":
            if encrypted is None or self.push is None:
                return PushResult(status=410, error="device removed")
            try:
                body = await encrypted
            except EncryptionFailed as error:  # a malformed device key: no retry can mend it
                return PushResult(status=PERMANENT, error=str(error))
            return await self.push.send(
                session,
                endpoint=row["endpoint"],
                body=body,
                ttl=TTL.get(message.urgency, 3600),
                urgency=message.urgency,
            )
        if row["channel"] == "email":
            return await anyio.to_thread.run_sync(self._send_email, row["email"], message)
        return await self._send_webhook(session, row, message)

    def _send_email(self, address: str, message: Message) -> PushResult:
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
            return PushResult(status=0, error=f"{type(error).__name__}"[:300])
        return PushResult(status=250)

    async def _send_webhook(self, session: Outbound, row: dict, message: Message) -> PushResult:
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
                return PushResult(status=response.status)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return PushResult(status=0, error=type(error).__name__)

    def _detail(self, row: dict, error: str) -> str:
        """An attempt's error, short and on one line, without the device's endpoint and keys or
        the webhook's address (a push service may echo them; they are secrets of a kind)."""
        settings = self.settings
        hidden = (row["endpoint"], row["p256dh"], row["auth"], settings.webhook_url)
        for value in (*hidden, settings.smtp_password):
            if value:
                error = error.replace(value, "…")
        return " ".join(error.split())[:DETAIL_LENGTH]

    def _record(self, results: list[tuple[dict, PushResult]], now: datetime) -> None:
        """Each result: the delivery's new state, one `delivery_attempts` row and, for an alert,
        its timeline event, all in one transaction."""
        stamp = to_db(now)
        tried: list[tuple] = []
        with self.database.write():
            for row, result in results:
                attempts = row["attempts"] + 1
                if 200 <= result.status < 300 or result.status == 250:
                    status, next_at = "sent", None
                    if row["subscription_id"]:
                        self.database.execute(
                            "UPDATE push_subscriptions SET last_success_at = ? WHERE id = ?",
                            (stamp, row["subscription_id"]),
                        )
                elif result.status in (404, 410):
                    status, next_at = "gone", None
                    if row["subscription_id"]:
                        self.database.execute(
                            "DELETE FROM push_subscriptions WHERE id = ?", (row["subscription_id"],)
                        )
                elif (
                    result.status != PERMANENT
                    and (result.status == 0 or result.status == 429 or result.status >= 500)
                    and (attempts < MAX_ATTEMPTS)
                ):
                    status, next_at = "pending", now + backoff(attempts, result.retry_after)
                else:
                    status, next_at = "failed", None
                if status in ("failed", "pending") and row["subscription_id"]:
                    self.database.execute(
                        "UPDATE push_subscriptions SET last_failure_at = ? WHERE id = ?",
                        (stamp, row["subscription_id"]),
                    )
                self.database.execute(
                    "UPDATE deliveries SET status = ?, attempts = ?, last_status = ?, "
                    "last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at), "
                    "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
                    (
                        status,
                        attempts,
                        result.status,
                        result.error or None,
                        to_db(next_at) if next_at else None,
                        status,
                        stamp,
                        row["id"],
                    ),
                )
                tried.append(
                    (
                        row["id"],
                        attempts,
                        stamp,
                        "retry" if status == "pending" else status,
                        result.status,
                        self._detail(row, result.error),
                    )
                )
                if row["alert_id"]:
                    self.database.insert(
                        "alert_events",
                        {
                            "alert_id": row["alert_id"],
                            "at": stamp,
                            "kind": "delivery",
                            "actor": "",
                            "detail": msgspec.json.encode(
                                {
                                    "channel": row["channel"],
                                    "name": row["name"],
                                    "status": status,
                                    "code": result.status,
                                    "error": result.error[:120],
                                }
                            ).decode(),
                        },
                    )
            # A delivery deleted while it was being sent (its alert's team removed) is skipped:
            # its foreign key would otherwise roll the whole batch back, to be sent again.
            self.database.executemany(
                "INSERT INTO delivery_attempts (delivery_id, attempt, at, outcome, status_code, "
                "detail) SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS "
                "(SELECT 1 FROM deliveries WHERE id = ?1)",
                tried,
            )
