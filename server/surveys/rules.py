"""Pure rules of satisfaction surveys: whether and how a client is asked, when (never at night
in the client's zone), the reminder, the link's life, and what an attempt's answer makes of a
message. No database, no clock: `now` is passed in."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

import phonenumbers

# Nobody is asked between 21:00 and 08:00 in their own zone: then at 08:00.
QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)
REMINDER_AFTER = timedelta(hours=48)
LIFETIME = timedelta(days=14)
# An intervention is asked about only while the memory is fresh: one that reaches the server
# (or gets its client) more than this after it ended is not.
FRESH_FOR = timedelta(days=7)
# Tries of one message on transient failures (1 min, 4 min, 16 min, 64 min, 4 h 16).
MAX_ATTEMPTS = 6
COMMENT_LENGTH = 1000

Channel = Literal["sms", "email"]
# The kinds of phone numbers an SMS reaches; "fixed line or mobile" is how libphonenumber
# classes the numbers of countries that do not tell them apart (the United States).
_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def is_quiet(moment: datetime, timezone: str) -> bool:
    """True between 21:00 and 08:00 on the client's clock."""
    local = moment.astimezone(ZoneInfo(timezone)).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def next_allowed(moment: datetime, timezone: str) -> datetime:
    """`moment` itself, or 08:00 the next morning on the client's clock when it falls in the
    quiet hours. 08:00 is placed with the zone's offset of that very day, so a night the clocks
    change is counted right."""
    if not is_quiet(moment, timezone):
        return moment
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=zone).astimezone(UTC)


def send_time(arrival: datetime, delay_minutes: int, timezone: str) -> datetime:
    """When the client is first asked: the team's delay after the intervention reached the
    server, moved out of the night."""
    return next_allowed(arrival + timedelta(minutes=delay_minutes), timezone)


def reminder_time(sent_at: datetime, timezone: str) -> datetime:
    """The one reminder: 48 hours after the first message, moved out of the night."""
    return next_allowed(sent_at + REMINDER_AFTER, timezone)


def expiry(sent_at: datetime) -> datetime:
    """The survey, and every link sent for it, closes 14 days after the first message."""
    return sent_at + LIFETIME


def mobile_number(numbers: list[str]) -> str | None:
    """The first of a client's numbers (E.164, in the order given) that can receive an SMS."""
    for number in numbers:
        try:
            parsed = phonenumbers.parse(number, None)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.number_type(parsed) in _MOBILE_TYPES:
            return number
    return None


def choose_channel(mobile: str | None, email: str, channels: frozenset[str]) -> Channel | None:
    """SMS when the client has a mobile number and the server an SMS gateway (the webhook):
    read at once on the phone the page is made for; else e-mail when the client has an address
    and the server SMTP; else nobody can be asked."""
    if mobile and "webhook" in channels:
        return "sms"
    if email.strip() and "email" in channels:
        return "email"
    return None


class ClientFacts(NamedTuple):
    no_surveys: bool
    erased: bool
    email: str
    numbers: list[str]
    timezone: str


class Plan(NamedTuple):
    channel: Channel
    send_at: datetime


def plan_survey(
    client: ClientFacts,
    *,
    arrival: datetime,
    ended_at: datetime,
    delay_minutes: int,
    channels: frozenset[str],
) -> Plan | None:
    """The survey of an intervention that reached the server at `arrival`, or None: the client
    said "do not ask me again", was erased, cannot be reached, or the intervention is too old
    to be remembered."""
    if client.no_surveys or client.erased or arrival - ended_at > FRESH_FOR:
        return None
    channel = choose_channel(mobile_number(client.numbers), client.email, channels)
    if channel is None:
        return None
    return Plan(channel, send_time(arrival, delay_minutes, client.timezone))


# Sending ---------------------------------------------------------------------------------


class Attempt(NamedTuple):
    """One try at sending: `status` the gateway's HTTP status, 250 for a mail accepted, 0 when
    it was not reached or said "later" (an SMTP 4xx), -1 when refused for good (an SMTP 5xx,
    no address); `maybe_sent` when the answer was lost after the message may have left
    (a timeout while the gateway or SMTP server was answering)."""

    status: int
    error: str = ""
    maybe_sent: bool = False


class Next(NamedTuple):
    """A message after one attempt: sent, failed (for good), or pending again at `at`."""

    status: Literal["sent", "failed", "pending"]
    at: datetime | None = None


def backoff(attempts: int) -> timedelta:
    """1 minute, 4, 16, 64 … at most 6 hours."""
    return timedelta(minutes=min(4 ** max(attempts - 1, 0), 360))


def after_attempt(attempt: Attempt, attempts: int, now: datetime, timezone: str) -> Next:
    """What the `attempts`-th try makes of a message. Never twice: a message that may have
    left is not tried again, and only an answer that says nothing was sent (unreachable, 429,
    5xx) is retried, up to MAX_ATTEMPTS, never at night."""
    status = attempt.status
    if 200 <= status < 300 or status == 250:
        return Next("sent")
    if attempt.maybe_sent:
        return Next("failed")
    transient = status == 0 or status == 429 or status >= 500
    if transient and attempts < MAX_ATTEMPTS:
        return Next("pending", next_allowed(now + backoff(attempts), timezone))
    return Next("failed")


def first_name(full_name: str) -> str:
    """What the client sees of the technician: the first word of their name."""
    words = full_name.split()
    return words[0] if words else ""


def clean_comment(text: str) -> str:
    """A comment as kept: control characters (but line breaks) dropped, at most 1,000
    characters, trimmed."""
    kept = "".join(c for c in text if c in "\n\t" or c.isprintable())
    return kept.replace("\r", "").strip()[:COMMENT_LENGTH]


class MessageFacts(NamedTuple):
    """A due message as the sender finds it."""

    kind: Literal["first", "reminder"]
    survey_status: str
    # The client still exists, was not erased and did not say "do not ask me again".
    consent: bool
    # The intervention still exists, undeleted, and still names this client.
    intervention_ok: bool
    expires_at: datetime | None
    timezone: str
    # The number or address of the survey's channel, None when the client has none now.
    address: str | None


class Verdict(NamedTuple):
    """send it; postpone it to `at` (night); drop the message alone (its survey was answered,
    expired or closed); cancel the survey with it; fail it (nowhere to send)."""

    action: Literal["send", "postpone", "drop", "cancel", "fail"]
    at: datetime | None = None


def judge_message(facts: MessageFacts, now: datetime) -> Verdict:
    waiting = "scheduled" if facts.kind == "first" else "sent"
    if facts.survey_status != waiting:
        return Verdict("drop")
    if facts.expires_at is not None and now >= facts.expires_at:
        return Verdict("drop")
    if not facts.consent or not facts.intervention_ok:
        return Verdict("cancel")
    if is_quiet(now, facts.timezone):
        return Verdict("postpone", next_allowed(now, facts.timezone))
    if not facts.address:
        return Verdict("fail")
    return Verdict("send")
