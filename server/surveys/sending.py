"""Sending the surveys' messages: claimed in one transaction (each with a new link), sent by
SMS through the webhook gateway or by e-mail, a few at a time, then recorded. A message that
left is never sent again; one that may have left (an answer lost) is not retried either.

Runs from the engine as a task of its own (server/engine.py), so a thousand surveys due at
08:00 never hold up an alert's pages: each step holds the event loop for milliseconds."""

from __future__ import annotations

import asyncio
import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import NamedTuple

import aiohttp
import anyio

from server.db import Database
from server.notifications.outbound import DestinationRefused, Outbound
from server.settings import Settings
from server.surveys import rules, scheduling
from server.surveys.rules import Attempt, MessageFacts
from server.surveys.store import delivery as store
from server.surveys.texts import ask
from server.tokens import hash_token, new_token

log = logging.getLogger("astreinte.surveys")

# Surveys are never urgent, alerts always are: a few at a time, the event loop let go between
# steps (interventions planned and messages claimed per transaction, messages sent at once).
PLANNED_PER_TURN = 50
CLAIMED_PER_TURN = 20
CONCURRENCY = 4
# And at most this many a second: a thousand due at 08:00 go out in under a minute, spread so
# that the alerts of that minute never queue behind them (and an SMS gateway's own rate limit
# is rarely reached).
MESSAGES_PER_SECOND = 20
TIMEOUT_SECONDS = 10
# A claim older than this was interrupted (the process stopped): its message may have left.
CLAIM_LOST_AFTER = timedelta(minutes=10)
# 128 bits or more: 18 random bytes (144 bits), 24 URL-safe characters.
TOKEN_BYTES = 18


class Outgoing(NamedTuple):
    message_id: int
    survey_id: int
    kind: str
    channel: str
    attempts: int
    timezone: str
    address: str
    name: str
    subject: str
    body: str
    url: str


def link_path(token: str) -> str:
    return f"/s/{token}"


def _facts(row: dict, numbers: dict[int, list[str]]) -> MessageFacts:
    consent = row["client_id"] is not None and not row["no_surveys"] and not row["erased_at"]
    intervention_ok = row["deleted_at"] is None and row["intervention_client"] == row["client_id"]
    if row["channel"] == "sms":
        address = rules.mobile_number(numbers.get(row["client_id"], []))
    else:
        address = (row["email"] or "").strip() or None
    return MessageFacts(
        kind=row["kind"],
        survey_status=row["survey_status"],
        consent=consent,
        intervention_ok=intervention_ok and row["started_at"] is not None,
        expires_at=datetime.fromisoformat(row["expires_at"]) if row["expires_at"] else None,
        timezone=row["timezone"] or "UTC",
        address=address,
    )


class SurveySender:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings

    @property
    def channels(self) -> frozenset[str]:
        found = set()
        if self.settings.smtp_host:
            found.add("email")
        if self.settings.webhook_url:
            found.add("webhook")
        return frozenset(found)

    def claim_due(self, now: datetime) -> list[Outgoing]:
        """Due messages decided and, those to send, claimed with a fresh link, in one
        transaction; the links' tokens exist only in the returned messages."""
        outgoing: list[Outgoing] = []
        with self.database.write():
            rows = store.due_messages(self.database, now, CLAIMED_PER_TURN)
            numbers = store.numbers_of(
                self.database, sorted({r["client_id"] for r in rows if r["client_id"]})
            )
            for row in rows:
                facts = _facts(row, numbers)
                verdict = rules.judge_message(facts, now)
                if verdict.action == "postpone":
                    store.postpone(self.database, row["id"], verdict.at)
                elif verdict.action == "drop":
                    store.finish_message(self.database, row["id"], "cancelled", now=now)
                elif verdict.action == "cancel":
                    store.cancel_survey(self.database, row["survey_id"])
                elif verdict.action == "fail" or (
                    verdict.action == "send"
                    and ("webhook" if row["channel"] == "sms" else "email") not in self.channels
                ):
                    store.finish_message(
                        self.database, row["id"], "failed", now=now, error="nowhere to send"
                    )
                    if row["kind"] == "first":
                        store.cancel_survey(self.database, row["survey_id"])
                else:
                    outgoing.append(self._claim(row, facts, now))
        return outgoing

    def _claim(self, row: dict, facts: MessageFacts, now: datetime) -> Outgoing:
        token = new_token(TOKEN_BYTES)
        expires = facts.expires_at or rules.expiry(now)
        store.claim(self.database, row["id"], now)
        store.add_link(self.database, hash_token(token), row["survey_id"], now, expires)
        url = self.settings.public_url + link_path(token)
        text = ask(
            kind=row["kind"],
            channel=row["channel"],
            locale=row["locale"] or self.settings.default_locale,
            timezone=facts.timezone,
            team=row["team_name"],
            technician=row["technician"],
            day=datetime.fromisoformat(row["started_at"]),
            url=url,
        )
        return Outgoing(
            message_id=row["id"],
            survey_id=row["survey_id"],
            kind=row["kind"],
            channel=row["channel"],
            attempts=row["attempts"] + 1,
            timezone=facts.timezone,
            address=facts.address or "",
            name=row["client_name"] or "",
            subject=text.subject,
            body=text.body,
            url=url,
        )

    async def plan_due(self, now: datetime) -> int:
        """Surveys planned for the interventions waiting for one, a part per transaction."""
        rows = scheduling.waiting(self.database, now)
        planned = 0
        for start in range(0, len(rows), PLANNED_PER_TURN):
            await asyncio.sleep(0)
            part = rows[start : start + PLANNED_PER_TURN]
            planned += scheduling.plan_surveys(self.database, part, now, self.channels)
        return planned

    async def send_due(self, now: datetime) -> int:
        """Surveys planned for new interventions, then every message due by `now`, a batch at
        a time; the number of attempts made."""
        await self.plan_due(now)
        self.close_interrupted(now)
        total = 0
        loop = asyncio.get_running_loop()
        began = loop.time()
        async with Outbound(self.settings.push_allow_origins, CONCURRENCY) as session:
            limit = asyncio.Semaphore(CONCURRENCY)
            while True:
                await asyncio.sleep(0)
                batch = self.claim_due(now)
                if not batch:
                    return total
                await asyncio.sleep(0)

                async def one(message: Outgoing) -> Attempt:
                    async with limit:
                        try:
                            return await self._send_sms(session, message)
                        except Exception as error:  # one bad message never stops the others
                            log.exception("survey message %s failed", message.message_id)
                            return Attempt(status=-1, error=type(error).__name__)

                # The batch's e-mails over one SMTP connection in one worker thread (a
                # connection per mail costs a handshake each); its SMS meanwhile.
                mails = [message for message in batch if message.channel == "email"]
                texts = [message for message in batch if message.channel != "email"]
                mailed, texted = await asyncio.gather(
                    anyio.to_thread.run_sync(self._send_emails, mails),
                    asyncio.gather(*(one(message) for message in texts)),
                )
                done = dict(zip(mails, mailed, strict=True)) | dict(zip(texts, texted, strict=True))
                attempts = [done[message] for message in batch]
                self.record(list(zip(batch, attempts, strict=True)), now)
                total += len(batch)
                await asyncio.sleep(max(0.0, total / MESSAGES_PER_SECOND - (loop.time() - began)))

    def close_interrupted(self, now: datetime) -> None:
        """Claims the process never recorded (it stopped mid-send) end as failed: the message
        may have left, so it is not sent again; a first message's survey is cancelled."""
        with self.database.write():
            for row in store.interrupted_claims(self.database, now - CLAIM_LOST_AFTER):
                store.finish_message(
                    self.database, row["id"], "failed", now=now, error="interrupted"
                )
                if row["kind"] == "first":
                    store.cancel_survey(self.database, row["survey_id"])

    def record(self, results: list[tuple[Outgoing, Attempt]], now: datetime) -> None:
        with self.database.write():
            for message, attempt in results:
                after = rules.after_attempt(attempt, message.attempts, now, message.timezone)
                store.finish_message(
                    self.database,
                    message.message_id,
                    after.status,
                    now=now,
                    code=attempt.status,
                    error=attempt.error[:160],
                    next_at=after.at,
                )
                if after.status == "sent" and message.kind == "first":
                    reminder = rules.reminder_time(now, message.timezone)
                    if store.mark_sent(
                        self.database,
                        message.survey_id,
                        sent_at=now,
                        reminder_at=reminder,
                        expires_at=rules.expiry(now),
                    ):
                        store.add_message(
                            self.database, message.survey_id, "reminder", reminder, now
                        )
                elif after.status == "sent":
                    store.mark_reminded(self.database, message.survey_id, now)
                elif after.status == "failed" and message.kind == "first":
                    store.cancel_survey(self.database, message.survey_id)

    def _send_emails(self, messages: list[Outgoing]) -> list[Attempt]:
        """Each e-mail's attempt, over one SMTP connection: refused at connection, every one
        is tried again later; cut off mid-way, the one being sent may have left and those after
        it were not sent."""
        if not messages:
            return []
        settings = self.settings
        try:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS)
        except (OSError, smtplib.SMTPException) as error:
            return [Attempt(status=0, error=f"smtp connect {type(error).__name__}")] * len(messages)
        attempts: list[Attempt] = []
        try:
            with smtp:
                if settings.smtp_starttls:
                    smtp.starttls()
                if settings.smtp_user:
                    smtp.login(settings.smtp_user, settings.smtp_password)
                for message in messages:
                    attempts.append(self._send_email(smtp, message))
                    if attempts[-1].maybe_sent:
                        break
        except (OSError, smtplib.SMTPException) as error:
            if not attempts:  # the greeting or login failed: nothing was sent
                return [Attempt(status=0, error=f"smtp {type(error).__name__}")] * len(messages)
        # The connection was lost: the rest were never handed over.
        missing = len(messages) - len(attempts)
        return attempts + [Attempt(status=0, error="smtp connection lost")] * missing

    def _send_email(self, smtp: smtplib.SMTP, message: Outgoing) -> Attempt:
        mail = EmailMessage()
        mail["From"] = self.settings.smtp_from
        mail["To"] = message.address
        mail["Subject"] = " ".join(message.subject.split())
        mail.set_content(message.body + "\n")
        try:
            smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused:
            return Attempt(status=-1, error="smtp recipient refused")
        except smtplib.SMTPResponseException as error:
            # 4xx: "try later", nothing was taken; 5xx: refused for good.
            code = 0 if 400 <= error.smtp_code < 500 else -1
            return Attempt(status=code, error=f"smtp {error.smtp_code}")
        except (OSError, smtplib.SMTPException) as error:
            # Cut off mid-conversation: the server may have taken the message.
            return Attempt(status=0, error=f"smtp {type(error).__name__}", maybe_sent=True)
        return Attempt(status=250)

    async def _send_sms(self, session: Outbound, message: Outgoing) -> Attempt:
        """The SMS gateway is the webhook (ASTREINTE_WEBHOOK_URL), told the client's number in
        `to.phone`; same outgoing-address rules as every webhook call."""
        body = {
            "to": {"name": message.name, "phone": message.address},
            "title": message.subject,
            "body": message.body,
            "url": message.url,
            "urgency": "low",
            "kind": "survey" if message.kind == "first" else "survey_reminder",
        }
        try:
            async with session.post(
                self.settings.webhook_url,
                json=body,
                timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
            ) as response:
                return Attempt(status=response.status)
        except DestinationRefused as error:
            return Attempt(status=-1, error=type(error).__name__)
        except (aiohttp.ClientConnectorError, ConnectionRefusedError) as error:
            # Never connected: nothing left.
            return Attempt(status=0, error=type(error).__name__)
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            # Cut off after the request went: the gateway may have taken it.
            return Attempt(status=0, error=type(error).__name__, maybe_sent=True)
